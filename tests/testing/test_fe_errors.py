"""Every error a client sees has Doris's shape: no DuckDB, Python, pyarrow or sqlglot text escapes.

``STATEMENTS`` are statements that answered with the emulator's internals (``Binder Error: ...``,
``OverflowError: date value out of range``, ``ArrowTypeError: ...``): each now either runs as Doris
runs it or fails with Doris's code and words; an emulator failure is logged by the FE with its
traceback (credentials masked) and answered as Doris answers an unexpected exception.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pymysql
import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

# Text of the machinery behind the local FE; none of it may reach a client.
INTERNALS = re.compile(
    r"Binder Error|Catalog Error|Conversion Error|Parser Error|Invalid Input Error|Out of Range Error"
    r"|[A-Za-z]+(Error|Exception|Invalid): |Traceback|<class |duckdb|pyarrow|sqlglot|__doris_fe_|\"db:"
)
DORIS_SHAPE = re.compile(r"^(errCode = 2, detailMessage = |Unexpected exception: )")
DORIS_CODES = (1105, 1064, 1193, 1228, 1231, 1232, 5018, 5024)

# Statements that leaked internals before (the first column); $B is the test's bucket, $S the
# storage properties, $K the keys alone.
STATEMENTS = [
    "SELECT TRUE | FALSE",
    "SELECT DEFAULT",
    "SELECT * FROM v INTO OUTFILE 's3://$B/o/' FORMAT AS CSV PROPERTIES ($S)",
    "SELECT d FROM v INTO OUTFILE 's3://$B/o2/' FORMAT AS CSV_WITH_NAMES PROPERTIES ($S)",
    "SELECT CAST('abc' AS INT) + 1",
    "SELECT k FROM v a JOIN v b",
    "SELECT 9223372036854775807 + 1",
    "SELECT sum(s) FROM v",
    "SELECT k, s FROM v GROUP BY k",
    "SELECT * FROM v WHERE k = 'abc'",
    "SELECT DATE '2024-13-01'",
    "SELECT * FROM v ORDER BY 9",
    "SELECT k FROM v UNION SELECT k, s FROM v",
    "SELECT regexp_extract('a', '(', 1)",
    "SELECT nosuch(1)",
    "SELECT zz FROM v",
    "INSERT INTO v (k, a) SELECT c1, c2 FROM S3('uri' = 's3://$B/in/arr.csv', 'format' = 'csv', "
    "'column_separator' = '|', $S)",
    "SELECT * FROM S3('uri' = 's3://$B/in/empty.csv', 'format' = 'csv', $S)",
    "SELECT * FROM S3('uri' = 's3://$B/in/arr.csv', 'format' = 'parquet', $S)",
    "SELECT * FROM S3('uri' = 's3://$B/in/year0.parquet', 'format' = 'parquet', $S)",
    "SELECT a FROM v INTO OUTFILE 's3://$B/o3/' FORMAT AS CSV PROPERTIES ($S)",
    "SELECT 1 FROM v WHERE d > 'x'",
]


@pytest.fixture
def loaded(doris: DorisClient, oss_bucket: str) -> DorisClient:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    doris.run(
        "CREATE TABLE v (k INT, d DATE, s VARCHAR(8), a ARRAY<DECIMAL(10,2)>) "
        "DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
    )
    doris.run("INSERT INTO v VALUES (1, '0000-01-01', 'x', [1.5, 2]), (2, '2024-02-29', NULL, NULL)")
    doris.put(oss_bucket, "in/arr.csv", b"3|[1.5, 2]\n")
    doris.put(oss_bucket, "in/empty.csv", b"")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"d": pa.array([-719528], pa.date32())}), buffer)
    doris.put(oss_bucket, "in/year0.parquet", buffer.getvalue())
    return doris


def statement(doris: DorisClient, bucket: str, template: str) -> str:
    storage = doris.storage().replace('"', "'")
    return template.replace("$B", bucket).replace("$S", storage)


def outcome(doris: DorisClient, sql: str) -> tuple[int, str] | None:
    """None when ``sql`` ran, else its (code, message)."""
    try:
        doris.run(sql)
    except pymysql.MySQLError as exc:
        return exc.args[0], exc.args[1]
    return None


def test_no_internals_reach_the_client(
    loaded: DorisClient, oss_bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="airflow_provider_doris_oss.testing.doris_fe")
    leaks = []
    for template in STATEMENTS:
        result = outcome(loaded, statement(loaded, oss_bucket, template))
        if result is None:
            continue
        code, message = result
        if INTERNALS.search(message) or not DORIS_SHAPE.match(message) or code not in DORIS_CODES:
            leaks.append((template, code, message))
    assert leaks == []
    for record in caplog.records:  # whatever the FE logged shows no credentials
        assert loaded.oss.secret_key not in record.getMessage()


def test_known_failures_answer_doris_words(loaded: DorisClient) -> None:
    assert outcome(loaded, "SELECT TRUE | FALSE") == (
        1105,
        "errCode = 2, detailMessage = Can not find the compatibility function signature: bitor(BOOLEAN, BOOLEAN)",
    )
    assert outcome(loaded, "SELECT zz FROM v") == (
        1105,
        "errCode = 2, detailMessage = Unknown column 'zz' in 'table list'",
    )
    # DEFAULT is reserved (DorisParser.g4 takes it only as a VALUES item): a syntax error at it.
    code, message = outcome(loaded, "SELECT DEFAULT") or (0, "")
    assert code == 1105
    assert message.startswith("errCode = 2, detailMessage = \nmismatched input 'DEFAULT'")
    assert message.endswith("(line 1, pos 7)")
    assert outcome(loaded, "SELECT nosuch(1)") == (
        1105,
        "errCode = 2, detailMessage = Can not found function 'nosuch'",
    )


def test_emulator_failure_is_logged_with_its_traceback_and_answered_as_unexpected(
    loaded: DorisClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="airflow_provider_doris_oss.testing.doris_fe")
    code, message = outcome(loaded, "SELECT CAST('abc' AS INT) + 1") or (0, "")
    assert code == 1105
    reference = re.fullmatch(
        r"Unexpected exception: the local Doris FE could not run this statement "
        r"\(an emulator error, logged by the FE as ([0-9a-f]{8})\)",
        message,
    )
    assert reference, message
    logged = [r.getMessage() for r in caplog.records if reference.group(1) in r.getMessage()]
    assert len(logged) == 1 and "Conversion Error" in logged[0] and "Traceback" in logged[0]


def test_parquet_reader_refuses_a_file_that_is_not_parquet(loaded: DorisClient, oss_bucket: str) -> None:
    sql = statement(
        loaded, oss_bucket, "SELECT * FROM S3('uri' = 's3://$B/in/arr.csv', 'format' = 'parquet', $S)"
    )
    assert outcome(loaded, sql) == (
        1105,
        "errCode = 2, detailMessage = (127.0.0.1)[CORRUPTION]Invalid magic number in parquet file",
    )


def test_statement_log_records_the_doris_shaped_error(
    local_doris_fe: Any, loaded: DorisClient, tmp_path: Any
) -> None:
    from airflow_provider_doris_oss.testing.doris_fe.statement_log import StatementLog

    local_doris_fe.statement_log = StatementLog(tmp_path / "fe.log")
    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", password="")
    try:
        with pytest.raises(pymysql.MySQLError), conn.cursor() as cur:
            cur.execute("SELECT TRUE | FALSE")
    finally:
        conn.close()
    text = (tmp_path / "fe.log").read_text()
    assert "Can not find the compatibility function signature" in text and "Binder" not in text


def test_a_load_job_that_fails_inside_the_emulator_shows_no_python_text(
    loaded: DorisClient, oss_bucket: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from airflow_provider_doris_oss.testing.doris_fe import runner

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("__doris_fe_internal_column")

    monkeypatch.setattr(runner, "_load", broken)
    caplog.set_level(logging.ERROR, logger="airflow_provider_doris_oss.testing.doris_fe")
    loaded.put(oss_bucket, "in/one.csv", b"1,2024-01-01,x\n")
    loaded.run(
        f'LOAD LABEL emulator_fault (DATA INFILE("s3://{oss_bucket}/in/one.csv") INTO TABLE v '
        f'COLUMNS TERMINATED BY "," (k, d, s)) WITH S3 ({loaded.storage()})'
    )
    row = loaded.wait("LOAD", "emulator_fault")
    assert row["State"] == "CANCELLED"
    assert row["ErrorMsg"].startswith("type:LOAD_RUN_FAIL; msg:Unexpected exception: "), row["ErrorMsg"]
    assert not INTERNALS.search(row["ErrorMsg"]) and "KeyError" not in row["ErrorMsg"]
    assert any("__doris_fe_internal_column" in r.getMessage() for r in caplog.records)
