"""Session variables as Doris has them: every name Doris knows (SessionVariable.java's @VarAttr fields),
their types and defaults, ``SET [GLOBAL|SESSION] x = v | DEFAULT``, ``SELECT @@x``, ``SHOW VARIABLES``;
and the ones that change what the FE does: ``enable_insert_strict``, ``insert_max_filter_ratio``,
``query_timeout`` / ``insert_timeout``."""

from __future__ import annotations

import time
from typing import Any

import pymysql
import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

# What load-centred DAGs set (the list, from real DAGs and Doris's load docs).
DAG_SETTINGS = [
    ("enable_nereids_planner", "true", 1),
    ("enable_fallback_to_original_planner", "false", 0),
    ("enable_nereids_dml", "true", 1),
    ("insert_max_filter_ratio", "0.2", 0.2),
    ("enable_strict_cast", "true", 1),
    ("group_commit", "'async_mode'", "async_mode"),
    ("workload_group", "'normal'", "normal"),
    ("enable_insert_strict", "false", 0),
    ("query_timeout", "3600", 3600),
    ("insert_timeout", "7200", 7200),
    ("exec_mem_limit", "8589934592", 8589934592),
    ("parallel_pipeline_task_num", "8", 8),
    ("time_zone", "'Asia/Shanghai'", "Asia/Shanghai"),
    ("sql_mode", "'STRICT_TRANS_TABLES'", "STRICT_TRANS_TABLES"),
    ("enable_unique_key_partial_update", "true", 1),
    ("enable_profile", "true", 1),
    ("batch_size", "4096", 4096),
    ("enable_memtable_on_sink_node", "OFF", 0),
    ("send_batch_parallelism", "4", 4),
]


def scalar(doris: DorisClient, sql: str) -> Any:
    return next(iter(doris.run(sql)[0].values()))


@pytest.mark.parametrize(("name", "value", "read_back"), DAG_SETTINGS)
def test_variables_dags_set_are_known_and_read_back(
    doris: DorisClient, name: str, value: str, read_back: Any
) -> None:
    doris.run(f"SET {name} = {value}")
    assert scalar(doris, f"SELECT @@{name}") == read_back


def test_show_variables_has_doris_columns_defaults_and_changed(doris: DorisClient) -> None:
    doris.run("SET insert_timeout = 60")
    (row,) = doris.run("SHOW VARIABLES LIKE 'insert_timeout'")
    assert row == {"Variable_name": "insert_timeout", "Value": "60", "Default_Value": "14400", "Changed": "1"}
    shown = {r["Variable_name"]: r for r in doris.run("SHOW VARIABLES")}
    assert len(shown) > 450  # Doris has ~500; the removed and invisible ones are not listed
    assert shown["insert_max_filter_ratio"]["Value"] == "1.0"  # a double shown as Java shows it
    assert shown["enable_insert_strict"]["Value"] == "true"
    assert shown["group_commit"]["Value"] == "off_mode"
    assert shown["experimental_enable_shared_scan"]["Value"] == "false"  # experimental: prefixed
    assert "enable_nereids_planner" not in shown  # removed in current Doris: accepted, not listed
    assert "compute_group" not in shown  # invisible


def test_set_default_global_and_new_sessions(doris: DorisClient, local_doris_fe: Any) -> None:
    doris.run("SET query_timeout = 30")
    doris.run("SET query_timeout = DEFAULT")
    assert scalar(doris, "SELECT @@query_timeout") == 900
    doris.run("SET GLOBAL insert_timeout = 600")
    assert scalar(doris, "SELECT @@insert_timeout") == 600  # SET GLOBAL changes this session too
    other = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", password="")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT @@insert_timeout, @@global.insert_timeout, @@session.query_timeout")
            assert cur.fetchone() == (600, 600, 900)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("sql", "code", "message"),
    [
        ("SET no_such_var = 1", 1193, "Unknown system variable 'no_such_var'"),
        ("SET load_mem_limit = 1", 1193, "Unknown system variable 'load_mem_limit'"),  # not a variable since 2.x
        ("SET query_timeout = 'abc'", 1232, "Incorrect argument type to variable 'query_timeout'"),
        ("SET query_timeout = 1.5", 1232, "Incorrect argument type to variable 'query_timeout'"),
        ("SET exec_mem_limit = 9223372036854775808", 1232, "Incorrect argument type to variable 'exec_mem_limit'"),
        ("SET insert_max_filter_ratio = 'x'", 1232, "Incorrect argument type to variable 'insert_max_filter_ratio'"),
        ("SET enable_insert_strict = 'maybe'", 1231, "Variable 'enable_insert_strict' can't be set to the value of 'maybe'"),
        ("SET sql_mode = 'NO_SUCH_MODE'", 1231, "Variable 'sql_mode' can't be set to the value of 'NO_SUCH_MODE'"),
        ("SET time_zone = 'Mars/Base'", 1298, "Unknown or incorrect time zone: 'Mars/Base'"),
        ("SET version_comment = 'x'", 1238, "Variable 'version_comment' is a read only variable"),
        ("SET analyze_timeout = 10", 1229, "Variable 'analyze_timeout' is a GLOBAL variable and should be set with SET GLOBAL"),
        ("SET GLOBAL show_hidden_columns = true", 1229, "Variable 'show_hidden_columns' is a GLOBAL variable and should be set with SET GLOBAL"),
        ("SET experimental_query_timeout = 5", 1193, "Unknown system variable 'experimental_query_timeout'"),
        ("SELECT @@no_such_var", 1193, "Unknown system variable 'no_such_var'"),
    ],
)  # fmt: skip
def test_refusals_in_doris_words(doris: DorisClient, sql: str, code: int, message: str) -> None:
    assert doris.error(sql) == (code, f"errCode = 2, detailMessage = {message}")


def test_values_are_normalised_as_doris_stores_them(doris: DorisClient) -> None:
    doris.run("SET time_zone = '+8:00', sql_mode = 'ansi', ENABLE_PROFILE = ON")
    assert scalar(doris, "SELECT @@time_zone") == "+08:00"
    assert (
        scalar(doris, "SELECT @@sql_mode")
        == "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ONLY_FULL_GROUP_BY"
    )
    assert scalar(doris, "SELECT @@enable_profile") == 1
    doris.run("SET experimental_enable_shared_scan = true")  # experimental: with or without the prefix
    doris.run("SET enable_shared_scan = false")
    doris.run("SET max_execution_time = 5000")  # Doris's setter keeps query_timeout in step
    assert scalar(doris, "SELECT @@query_timeout") == 5
    assert doris.error("SET query_timeout = 0")[0] == 5018


@pytest.fixture
def strict_table(doris: DorisClient) -> DorisClient:
    doris.run("CREATE TABLE r (k INT NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
    return doris


ROWS = "(1, 1), (2, 2), (NULL, 3), (4, 4), (5, 5)"  # one in five breaks the NOT NULL key


def test_insert_strict_mode_by_default_fails_on_a_filtered_row(strict_table: DorisClient) -> None:
    _, message = strict_table.error(f"INSERT INTO r VALUES {ROWS}")
    assert message.startswith("errCode = 2, detailMessage = Insert has filtered data in strict mode")


def test_insert_max_filter_ratio_is_honoured_when_not_strict(strict_table: DorisClient) -> None:
    strict_table.run("SET enable_insert_strict = false")
    strict_table.run("SET insert_max_filter_ratio = 0.1")
    assert strict_table.error(f"INSERT INTO r VALUES {ROWS}") == (
        1105,
        "errCode = 2, detailMessage = Insert has too many filtered data 1/5 insert_max_filter_ratio is 0.100000",
    )
    assert scalar(strict_table, "SELECT count(*) FROM r") == 0  # all or nothing
    strict_table.run("SET insert_max_filter_ratio = 0.2")
    affected, _ = strict_table.execute(f"INSERT INTO r VALUES {ROWS}")
    assert affected == 4


def test_insert_from_s3_honours_insert_max_filter_ratio(strict_table: DorisClient, oss_bucket: str) -> None:
    strict_table.put(oss_bucket, "r.csv", b"1,1\n\\N,2\n3,3\n")
    source = f'S3("uri" = "s3://{oss_bucket}/r.csv", "format" = "csv", "column_separator" = ",", {strict_table.storage()})'
    strict_table.run("SET enable_insert_strict = false, insert_max_filter_ratio = 0.25")
    assert strict_table.error(f"INSERT INTO r SELECT c1, c2 FROM {source}")[1].endswith(
        "Insert has too many filtered data 1/3 insert_max_filter_ratio is 0.250000"
    )
    strict_table.run("SET insert_max_filter_ratio = 0.5")
    affected, _ = strict_table.execute(f"INSERT INTO r SELECT c1, c2 FROM {source}")
    assert affected == 2


def test_query_timeout_cuts_a_stalled_query(local_doris_fe: Any, tmp_path: Any) -> None:
    from airflow_provider_doris_oss.testing.doris_fe.statement_log import StatementLog

    local_doris_fe.statement_log = StatementLog(tmp_path / "fe.log")  # for connections opened now on
    local_doris_fe.stall_statements(r"^SELECT 'slow'", 30)
    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", password="")
    try:
        with conn.cursor() as cur:
            cur.execute("SET query_timeout = 1")
            started = time.monotonic()
            with pytest.raises(pymysql.MySQLError) as info:
                cur.execute("SELECT 'slow'")
    finally:
        conn.close()
    assert time.monotonic() - started < 10
    code, message = info.value.args
    assert code == 1105 and message.startswith("errCode = 2, detailMessage = query timeout, query id = ")
    assert "SELECT 'slow'" in (tmp_path / "fe.log").read_text()  # the statement log shows it, with its error


def test_insert_timeout_cuts_a_stalled_insert(strict_table: DorisClient, local_doris_fe: Any) -> None:
    strict_table.run("SET insert_timeout = 1")
    local_doris_fe.stall_statements(r"^INSERT INTO r", 30)
    assert strict_table.error("INSERT INTO r VALUES (1, 1)") == (
        5024,
        "errCode = 2, detailMessage = Execute timeout",
    )
    assert scalar(strict_table, "SELECT count(*) FROM r") == 0  # cancelled, nothing written
    local_doris_fe.stall_statements(r"^INSERT INTO r", 0.2)  # within the timeout: runs
    strict_table.run("INSERT INTO r VALUES (1, 1)")
    assert scalar(strict_table, "SELECT count(*) FROM r") == 1


def test_the_table_holds_every_variable_doris_has() -> None:
    from airflow_provider_doris_oss.testing.doris_fe.variables import variables

    table = variables()
    assert len(table) >= 500
    assert table["insert_timeout"].kind == "int" and table["insert_timeout"].default == "14400"
    assert (
        table["insert_max_filter_ratio"].kind == "double"
        and table["insert_max_filter_ratio"].default == "1.0"
    )
    assert table["enable_insert_strict"].default == "true"
    assert table["dml_plan_retry_times"].name == "DML_PLAN_RETRY_TIMES"  # Doris spells this one in capitals
    assert "global" in table["analyze_timeout"].flags and "ro" in table["version"].flags
