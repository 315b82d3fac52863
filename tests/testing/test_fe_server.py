"""The local Doris FE as a MySQL client sees it: authentication, variables, OK packets, errors,
restarts, dropped connections, the statement log, SQLAlchemy and the ``serve`` command.

Everything goes through pymysql (or SQLAlchemy over pymysql), as any client of a real Doris would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

INFO = re.compile(r"^\{'label':'(?P<label>[^']+)', 'status':'(?P<status>[A-Z]+)', 'txnId':'(?P<txn>\d+)'\}$")


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "statements.jsonl"


@pytest.fixture
def fe(log_path: Path) -> Iterator[LocalDorisFE]:
    with LocalDorisFE(statement_log=log_path) as server:
        yield server


def connect(fe: LocalDorisFE, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "host": fe.host,
        "port": fe.port,
        "user": fe.user,
        "password": fe.password,
        "autocommit": True,
    }
    options.update(kwargs)
    return pymysql.connect(**options)


def rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall())


def error_of(conn: Any, sql: str) -> tuple[int, str]:
    with pytest.raises(pymysql.MySQLError) as info:
        rows(conn, sql)
    return info.value.args[0], info.value.args[1]


def insert(conn: Any, sql: str) -> tuple[int, str]:
    """The affected rows and the OK packet's info string of an INSERT, as pymysql reads them."""
    with conn.cursor() as cur:
        affected = cur.execute(sql)
        assert cur.rowcount == affected
    message = conn._result.message
    return affected, message.decode() if isinstance(message, bytes) else message


# ---------------------------------------------------------------- authentication


def test_root_with_empty_password_connects(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        assert rows(conn, "SELECT 1") == [(1,)]


def test_admin_is_a_built_in_user(fe: LocalDorisFE) -> None:
    with connect(fe, user="admin") as conn:
        assert rows(conn, "SELECT CURRENT_USER()") == [("'admin'@'%'",)]


def test_configured_password_is_enforced() -> None:
    with LocalDorisFE(password="s3cret-pw") as fe:
        with connect(fe) as conn:
            assert rows(conn, "SELECT 1") == [(1,)]
        with pytest.raises(pymysql.err.OperationalError) as wrong:
            connect(fe, password="nope")
        assert wrong.value.args == (1045, "Access denied for user 'root'@'127.0.0.1' (using password: YES)")
        with pytest.raises(pymysql.err.OperationalError) as empty:
            connect(fe, password="")
        assert empty.value.args == (1045, "Access denied for user 'root'@'127.0.0.1' (using password: NO)")


def test_unknown_user_is_refused(fe: LocalDorisFE) -> None:
    with pytest.raises(pymysql.err.OperationalError) as info:
        connect(fe, user="bob")
    assert info.value.args[0] == 1045
    assert "'bob'@'127.0.0.1'" in info.value.args[1]


def test_connecting_to_an_unknown_database_fails_with_1049(fe: LocalDorisFE) -> None:
    with pytest.raises(pymysql.err.OperationalError) as info:
        connect(fe, database="no_such_db")
    assert info.value.args[0] == 1049
    assert "Unknown database 'no_such_db'" in info.value.args[1]


# --------------------------------------------------------------------- variables


def test_server_identifies_as_doris(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        (comment,) = rows(conn, "SELECT @@version_comment LIMIT 1")[0]
        assert re.fullmatch(r"Doris version doris-\d+\.\d+\.\d+-rc\d+-[0-9a-f]{10}", comment)
        assert rows(conn, "SELECT @@version, VERSION()") == [("5.7.99", "5.7.99")]
        assert conn.get_server_info() == "5.7.99"


def test_variables_clients_read_on_connect(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        assert rows(conn, "SELECT @@lower_case_table_names") == [(0,)]
        assert rows(conn, "SELECT @@session.autocommit") == [(1,)]
        (mode,) = rows(conn, "SELECT @@sql_mode")[0]
        assert "ANSI_QUOTES" not in mode
        shown = rows(conn, "SHOW VARIABLES LIKE 'lower_case%'")
        assert [r[:2] for r in shown] == [("lower_case_table_names", "0")]
        with conn.cursor() as cur:
            cur.execute("SHOW VARIABLES LIKE 'sql_mode'")
            assert [d[0] for d in cur.description] == ["Variable_name", "Value", "Default_Value", "Changed"]
        assert rows(conn, "SELECT DATABASE()") == [(None,)]


def test_set_changes_a_session_variable(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "SET time_zone = '+08:00'")
        rows(conn, "SET @@session.query_timeout = 60, autocommit = 1")
        assert rows(conn, "SELECT @@time_zone, @@query_timeout") == [("+08:00", 60)]
        assert rows(conn, "SHOW VARIABLES LIKE 'time_zone'")[0][3] == "1"
        assert error_of(conn, "SET no_such_variable = 1") == (
            1193,
            "errCode = 2, detailMessage = Unknown system variable 'no_such_variable'",
        )
    with connect(fe) as other:
        assert rows(other, "SELECT @@time_zone") != [("+08:00",)]


def test_transaction_statements_are_accepted(fe: LocalDorisFE) -> None:
    with connect(fe, autocommit=False) as conn:
        conn.begin()
        conn.commit()
        conn.rollback()
        assert rows(conn, "SELECT 1") == [(1,)]


# ------------------------------------------------------------ tables and INSERT


def test_create_insert_select_round_trip(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE shop")
        rows(conn, "USE shop")
        rows(
            conn,
            """CREATE TABLE orders (
                id BIGINT NOT NULL COMMENT "order id",
                customer VARCHAR(32),
                amount DECIMAL(10, 2),
                day DATE,
                created DATETIME(3)
            ) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4
            PROPERTIES ("replication_num" = "1")""",
        )
        affected, _ = insert(
            conn,
            "INSERT INTO orders VALUES (1, 'ann', 12.50, '2026-11-25', '2026-11-25 10:11:12.345'), "
            "(2, \"bo'b\", NULL, '2026-11-26', '2026-11-26 00:00:00')",
        )
        assert affected == 2
        assert rows(conn, "SELECT * FROM orders ORDER BY id") == [
            (
                1,
                "ann",
                decimal.Decimal("12.50"),
                dt.date(2026, 11, 25),
                dt.datetime(2026, 11, 25, 10, 11, 12, 345000),
            ),
            (2, "bo'b", None, dt.date(2026, 11, 26), dt.datetime(2026, 11, 26)),
        ]
        assert rows(
            conn, "SELECT customer, count(*) AS n FROM shop.orders GROUP BY customer ORDER BY n, customer"
        ) == [
            ("ann", 1),
            ("bo'b", 1),
        ]
        assert rows(conn, "SHOW TABLES") == [("orders",)]


def test_insert_answers_rows_affected_and_the_doris_info_string(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE d")
        rows(conn, "CREATE TABLE d.t (k INT, v STRING) DISTRIBUTED BY HASH(k) BUCKETS 1")
        affected, info = insert(conn, "INSERT INTO d.t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        assert affected == 3
        match = INFO.match(info)
        assert match is not None, info
        assert match["status"] == "VISIBLE"
        assert re.fullmatch(r"insert_[0-9a-f]{16}_[0-9a-f]{16}", match["label"])
        with conn.cursor() as cur:
            cur.execute("SHOW LAST INSERT")
            assert [d[0] for d in cur.description] == [
                "TransactionId",
                "Label",
                "Database",
                "Table",
                "TransactionStatus",
                "LoadedRows",
                "FilteredRows",
            ]
            last = cur.fetchall()
        assert last == ((int(match["txn"]), match["label"], "d", "t", "VISIBLE", 3, 0),)


def test_insert_with_label_and_label_reuse(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE d")
        rows(conn, "USE d")
        rows(conn, "CREATE TABLE t (k INT, v INT)")
        affected, info = insert(conn, "INSERT INTO t WITH LABEL run_2026_11_25 (k, v) VALUES (1, 10)")
        assert affected == 1
        assert INFO.match(info)["label"] == "run_2026_11_25"  # type: ignore[index]
        code, message = error_of(conn, "INSERT INTO t WITH LABEL run_2026_11_25 (k, v) VALUES (2, 20)")
        assert (code, message) == (
            1105,
            "errCode = 2, detailMessage = Label [run_2026_11_25] has already been used.",
        )
        assert rows(conn, "SELECT k, v FROM t") == [(1, 10)]


def test_labels_are_unique_per_database(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        for db in ("a", "b"):
            rows(conn, f"CREATE DATABASE {db}")
            rows(conn, f"CREATE TABLE {db}.t (k INT)")
            assert insert(conn, f"INSERT INTO {db}.t WITH LABEL same_label VALUES (1)")[0] == 1


def test_insert_strict_by_default_and_filtering_when_not(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE d")
        rows(conn, "USE d")
        rows(conn, "CREATE TABLE t (k INT NOT NULL, v VARCHAR(3))")
        code, message = error_of(conn, "INSERT INTO t VALUES (1, 'abc'), (2, 'abcd')")
        assert code == 1105
        assert message.startswith("errCode = 2, detailMessage = Insert has filtered data in strict mode")
        rows(conn, "SET enable_insert_strict = false")
        with conn.cursor() as cur:
            affected = cur.execute("INSERT INTO t VALUES (1, 'abc'), (2, 'abcd'), ('x', 'a'), (4, NULL)")
            warnings = conn._result.warning_count
        assert (affected, warnings) == (2, 2)
        assert rows(conn, "SELECT k, v FROM t ORDER BY k") == [(1, "abc"), (4, None)]
        assert rows(conn, "SHOW LAST INSERT")[0][5:] == (2, 2)


def test_unique_key_table_upserts(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE d")
        rows(conn, "USE d")
        rows(
            conn,
            "CREATE TABLE u (id INT, name VARCHAR(10), score INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id)",
        )
        insert(conn, "INSERT INTO u VALUES (1, 'ann', 1), (2, 'bob', 2)")
        affected, _ = insert(conn, "INSERT INTO u VALUES (1, 'anna', 10), (3, 'cy', 3)")
        assert affected == 2
        assert rows(conn, "SELECT id, name, score FROM u ORDER BY id") == [
            (1, "anna", 10),
            (2, "bob", 2),
            (3, "cy", 3),
        ]


def test_errors_come_back_in_doris_words(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        assert error_of(conn, "USE nowhere") == (
            1049,
            "errCode = 2, detailMessage = Unknown database 'nowhere'",
        )
        assert error_of(conn, "SELECT * FROM t") == (
            1046,
            "errCode = 2, detailMessage = No database selected",
        )
        rows(conn, "CREATE DATABASE d")
        rows(conn, "USE d")
        rows(conn, "CREATE TABLE t (k INT)")
        assert error_of(conn, "CREATE TABLE t (k INT)") == (
            1050,
            "errCode = 2, detailMessage = Table 't' already exists",
        )
        assert error_of(conn, "DROP TABLE nope") == (
            1051,
            "errCode = 2, detailMessage = Unknown table 'nope'",
        )
        assert error_of(conn, "SELECT * FROM nope") == (
            1105,
            "errCode = 2, detailMessage = Table [nope] does not exist in database [d].",
        )
        code, message = error_of(conn, "SELEC 1")
        assert code == 1105
        assert message.startswith("errCode = 2, detailMessage = ")
        assert "SELEC" in message


def test_select_db_through_com_init_db(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        rows(conn, "CREATE DATABASE picked")
        conn.select_db("picked")
        assert rows(conn, "SELECT DATABASE()") == [("picked",)]
        with pytest.raises(pymysql.err.OperationalError) as info:
            conn.select_db("missing")
        assert info.value.args[0] == 1049


def test_multi_statements_run_in_order(fe: LocalDorisFE) -> None:
    from pymysql.constants import CLIENT

    with connect(fe, client_flag=CLIENT.MULTI_STATEMENTS) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE DATABASE m; CREATE TABLE m.t (k INT); INSERT INTO m.t VALUES (7); SELECT k FROM m.t"
        )
        results = []
        while True:
            results.append(cur.fetchall() if cur.description else cur.rowcount)
            if not cur.nextset():
                break
        assert results == [0, 0, 1, ((7,),)]


# --------------------------------------------------------------- test controls


def test_restart_keeps_tables_and_port(fe: LocalDorisFE) -> None:
    conn = connect(fe)
    rows(conn, "CREATE DATABASE keep")
    rows(conn, "CREATE TABLE keep.t (k INT)")
    insert(conn, "INSERT INTO keep.t WITH LABEL before_restart VALUES (1), (2)")
    port = fe.port
    fe.restart()
    assert fe.port == port
    with pytest.raises(pymysql.err.OperationalError):
        rows(conn, "SELECT 1")
    with connect(fe) as again:
        assert rows(again, "SELECT count(*) FROM keep.t") == [(2,)]
        assert error_of(again, "INSERT INTO keep.t WITH LABEL before_restart VALUES (3)")[0] == 1105


def test_drop_connections_fails_the_next_query(fe: LocalDorisFE) -> None:
    conn = connect(fe)
    assert rows(conn, "SELECT 1") == [(1,)]
    fe.drop_connections()
    with pytest.raises(pymysql.err.OperationalError) as info:
        rows(conn, "SELECT 1")
    assert info.value.args[0] in (2006, 2013)
    with connect(fe) as fresh:
        assert rows(fresh, "SELECT 2") == [(2,)]


def test_job_controls_reach_the_fe_state(fe: LocalDorisFE) -> None:
    fe.hold_next_job("PENDING", 2.5)
    fe.fail_next_job("type:ETL_RUN_FAIL; msg:boom")
    assert fe.state.controls.take() == ("PENDING", 2.5, "type:ETL_RUN_FAIL; msg:boom")
    assert fe.state.controls.take() == (None, 0.0, None)


# -------------------------------------------------------------------- statement log


def _log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_statement_log_records_each_statement_with_its_outcome(fe: LocalDorisFE, log_path: Path) -> None:
    with connect(fe) as conn:
        rows(conn, "SELECT 1")
        error_of(conn, "USE nowhere")
        conn_id = conn.thread_id()
    entries = [e for e in _log(log_path) if e["sql"] in ("SELECT 1", "USE nowhere")]
    assert [(e["sql"], e["outcome"]) for e in entries] == [
        ("SELECT 1", "ok"),
        ("USE nowhere", "error: 1049 errCode = 2, detailMessage = Unknown database 'nowhere'"),
    ]
    assert {e["connection_id"] for e in entries} == {conn_id}
    for entry in entries:
        assert dt.datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_statement_log_masks_secret_values(fe: LocalDorisFE, log_path: Path) -> None:
    sql = (
        'SELECT * FROM S3("uri" = "s3://bucket/a.csv", "format" = "csv", "s3.access_key" = "TOP-SECRET-0", '
        '\'s3.secret_key\'=\'TOP-SECRET-1\', "AWS_TOKEN" = "TOP-SECRET-2", "fs.oss.accessKeySecret"="TOP-SECRET-3", '
        '"s3.endpoint" = "http://127.0.0.1:1")'
    )
    with connect(fe) as conn, contextlib.suppress(pymysql.MySQLError):
        rows(conn, sql)  # logged whether the statement succeeds or not
    text = log_path.read_text()
    assert "TOP-SECRET" not in text
    (entry,) = [e for e in _log(log_path) if "S3(" in e["sql"]]
    assert "'s3.secret_key'='***'" in entry["sql"]
    assert '"AWS_TOKEN" = "***"' in entry["sql"]
    assert '"fs.oss.accessKeySecret"="***"' in entry["sql"]
    assert '"s3.access_key" = "***"' in entry["sql"]
    assert '"s3.endpoint" = "http://127.0.0.1:1"' in entry["sql"]


def test_statement_log_defaults_to_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.jsonl"
    monkeypatch.setenv("DORIS_FE_STATEMENT_LOG", str(path))
    with LocalDorisFE() as fe, connect(fe) as conn:
        rows(conn, "SELECT 42")
    assert any(e["sql"] == "SELECT 42" and e["outcome"] == "ok" for e in _log(path))


# ------------------------------------------------------------ Airflow and SQLAlchemy


def test_connection_and_export(fe: LocalDorisFE, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = fe.connection("my_doris")
    assert (conn.conn_id, conn.conn_type, conn.host, conn.port, conn.login, conn.schema) == (
        "my_doris",
        "doris",
        "127.0.0.1",
        fe.port,
        "root",
        None,
    )
    monkeypatch.delenv("AIRFLOW_CONN_MY_DORIS", raising=False)
    name = fe.export_connection("my_doris")
    assert name == "AIRFLOW_CONN_MY_DORIS"
    exported = json.loads(os.environ[name])
    assert (exported["conn_type"], exported["host"], exported["port"]) == ("doris", "127.0.0.1", fe.port)
    monkeypatch.delenv(name)


def test_airflow_test_button_succeeds_and_reports_a_wrong_password() -> None:
    with LocalDorisFE(password="right-password") as fe:
        ok, message = fe.connection().test_connection()
        assert ok is True
        assert f"Doris version doris-{fe.release.release}-" in message  # the FE's @@version_comment
        wrong = fe.connection()
        wrong.password = "wrong-password"
        ok, message = wrong.test_connection()
        assert ok is False
        assert "1045" in message
        assert "Wrong user or password" in message  # the hook's reading of Doris's 1045 (exact text: above)


def test_empty_and_comment_only_queries(fe: LocalDorisFE) -> None:
    with connect(fe) as conn:
        assert error_of(conn, "-- nothing here") == (1065, "Query was empty")


def test_sqlalchemy_connects_and_queries(fe: LocalDorisFE) -> None:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(f"mysql+pymysql://root:@{fe.host}:{fe.port}/")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE sa"))
            conn.execute(text("CREATE TABLE sa.t (id INT, v VARCHAR(10)) DISTRIBUTED BY HASH(id) BUCKETS 1"))
            result = conn.execute(text("INSERT INTO sa.t VALUES (1, 'x'), (2, 'y')"))
            assert result.rowcount == 2
            assert conn.execute(text("SELECT v FROM sa.t ORDER BY id")).scalars().all() == ["x", "y"]
            assert inspect(conn).get_table_names(schema="sa") == ["t"]
    finally:
        engine.dispose()


def test_serve_command_prints_uris_and_answers(tmp_path: Path) -> None:
    out = tmp_path / "serve.out"
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "airflow_provider_doris_oss.testing", "serve", "--password", "pw"],
            stdout=stdout,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        port = None
        while port is None:
            match = re.search(r"mysql -h 127\.0\.0\.1 -P (\d+) -u root", out.read_text())
            if match:
                port = int(match.group(1))
            elif process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {out.read_text()}")
            else:
                time.sleep(0.1)
        printed = out.read_text()
        assert f"doris://root:pw@127.0.0.1:{port}" in printed
        assert "dorisoss://" in printed
        assert "oss-cn-beijing.aliyuncs.com" in printed
        with pymysql.connect(host="127.0.0.1", port=port, user="root", password="pw") as conn:
            assert rows(conn, "SELECT @@version_comment")[0][0].startswith("Doris version doris-")
    finally:
        os.kill(process.pid, 15)
        process.wait(timeout=30)
    assert process.returncode == 0
