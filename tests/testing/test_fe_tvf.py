"""The S3() table function: SELECT from it, and INSERT INTO ... [WITH LABEL] SELECT from it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
COMMA = '"column_separator" = ","'


@pytest.fixture
def table(doris: DorisClient) -> str:
    doris.run(
        "CREATE TABLE t (id INT, name VARCHAR(10), score DOUBLE) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
    )
    return "t"


def tvf(doris: DorisClient, uri: str, fmt: str, extra: str = "") -> str:
    more = f", {extra}" if extra else ""
    return f'S3("uri" = "{uri}", "format" = "{fmt}", {doris.storage()}{more})'


def test_csv_columns_are_c1_to_cn_strings(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "a.csv", b"1,x\n2,y\n")
    sql = f"SELECT * FROM {tvf(doris, f's3://{oss_bucket}/a.csv', 'csv', COMMA)} ORDER BY c1"
    assert doris.columns(sql) == ["c1", "c2"]
    assert [tuple(r.values()) for r in doris.run(sql)] == [("1", "x"), ("2", "y")]


def test_parameter_names_are_case_insensitive(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "a.csv", b"1\tx\n")
    rows = doris.run(
        f'SELECT c2 FROM S3("URI" = "s3://{oss_bucket}/a.csv", "Format" = "CSV", {doris.storage()})'
    )
    assert rows == [{"c2": "x"}]


def test_csv_with_names_and_csv_schema(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "n.csv", b"id,city\n5,bj\n")
    named = doris.run(f"SELECT city FROM {tvf(doris, f's3://{oss_bucket}/n.csv', 'csv_with_names', COMMA)}")
    assert named == [{"city": "bj"}]
    doris.put(oss_bucket, "s.csv", b"5,bj\n")
    schema = '"column_separator" = ",", "csv_schema" = "k:int;v:string"'
    typed = doris.run(f"SELECT k + 1 AS k1, v FROM {tvf(doris, f's3://{oss_bucket}/s.csv', 'csv', schema)}")
    assert typed == [{"k1": 6, "v": "bj"}]


def test_parquet_schema_and_wildcards(doris: DorisClient, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for n in (1, 2):
        buffer = io.BytesIO()
        pq.write_table(pa.table({"id": [n], "name": [f"n{n}"]}), buffer)
        doris.put(oss_bucket, f"pq/part-{n}.parquet", buffer.getvalue())
    rows = doris.run(
        f"SELECT id, name FROM {tvf(doris, f's3://{oss_bucket}/pq/part-*.parquet', 'parquet')} ORDER BY id"
    )
    assert rows == [{"id": 1, "name": "n1"}, {"id": 2, "name": "n2"}]


def test_path_partition_keys(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "h/city=sh/d.csv", b"1\n")
    extra = '"path_partition_keys" = "city"'
    rows = doris.run(f"SELECT c1, city FROM {tvf(doris, f's3://{oss_bucket}/h/city=*/d.csv', 'csv', extra)}")
    assert rows == [{"c1": "1", "city": "sh"}]


def test_insert_with_label_answers_doris_info_string(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "i.csv", b"1,a,1.5\n2,b,2.5\n")
    source = tvf(doris, f"s3://{oss_bucket}/i.csv", "csv", COMMA)
    affected, info = doris.execute(f"INSERT INTO t WITH LABEL ins_1 SELECT c1, c2, c3 FROM {source}")
    assert affected == 2
    match = re.fullmatch(r"\{'label':'ins_1', 'status':'VISIBLE', 'txnId':'(\d+)'\}", info)
    assert match, info
    assert [tuple(r.values()) for r in doris.run("SELECT * FROM t ORDER BY id")] == [
        (1, "a", 1.5),
        (2, "b", 2.5),
    ]
    _, message = doris.error(f"INSERT INTO t WITH LABEL ins_1 SELECT c1, c2, c3 FROM {source}")
    assert "Label [ins_1] has already been used." in message
    assert len(doris.run("SELECT * FROM t")) == 2
    (job,) = doris.run('SHOW LOAD WHERE LABEL = "ins_1"')
    assert (job["State"], job["Type"], job["EtlInfo"], job["URL"]) == ("FINISHED", "INSERT", None, "")
    assert job["Progress"] == f"Unknown id: {job['JobId']}"
    assert int(job["TransactionId"]) == int(match.group(1))


def test_insert_with_column_list_and_generated_label(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "c.csv", b"7,z\n")
    source = tvf(doris, f"s3://{oss_bucket}/c.csv", "csv", COMMA)
    affected, info = doris.execute(f"INSERT INTO t (id, name) SELECT c1, c2 FROM {source}")
    assert affected == 1 and "'status':'VISIBLE'" in info
    assert doris.run("SELECT id, name, score FROM t") == [{"id": 7, "name": "z", "score": None}]


def test_insert_bad_value_fails_whole_insert_in_strict_mode(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "b.csv", b"1,a,1\nx,b,2\n")
    source = tvf(doris, f"s3://{oss_bucket}/b.csv", "csv", COMMA)
    _, message = doris.error(f"INSERT INTO t WITH LABEL strict_1 SELECT c1, c2, c3 FROM {source}")
    assert "Insert has filtered data in strict mode" in message
    assert doris.run("SELECT * FROM t") == []


def test_missing_uri_or_format_is_refused(doris: DorisClient, oss_bucket: str) -> None:
    _, message = doris.error(f'SELECT * FROM S3("format" = "csv", {doris.storage()})')
    assert "'uri' is required" in message
    _, message = doris.error(f'SELECT * FROM S3("uri" = "s3://{oss_bucket}/a.csv", {doris.storage()})')
    assert "'format' is required" in message


def test_wrong_key_fails_the_query(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "a.csv", b"1\n")
    _, message = doris.error(
        f'SELECT * FROM S3("uri" = "s3://{oss_bucket}/a.csv", "format" = "csv", '
        f"{doris.storage(**{'s3.access_key': 'nobody'})})"
    )
    assert "InvalidAccessKeyId" in message and "nobody" not in message


def test_desc_function_shows_the_inferred_schema(doris: DorisClient, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    doris.put(oss_bucket, "d.csv", b"1,x\n")
    rows = doris.run(f"DESC FUNCTION {tvf(doris, f's3://{oss_bucket}/d.csv', 'csv', COMMA)}")
    assert [(r["Field"], r["Type"]) for r in rows] == [("c1", "TEXT"), ("c2", "TEXT")]
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array([1], pa.int64()), "v": [1.5]}), buffer)
    doris.put(oss_bucket, "d.parquet", buffer.getvalue())
    rows = doris.run(f"DESC FUNCTION {tvf(doris, f's3://{oss_bucket}/d.parquet', 'parquet')}")
    assert [(r["Field"], r["Type"]) for r in rows] == [("id", "BIGINT"), ("v", "DOUBLE")]


def test_insert_non_strict_turns_bad_values_into_null(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "n.csv", b"1,a,x\n2,b,2\n")
    source = tvf(doris, f"s3://{oss_bucket}/n.csv", "csv", COMMA)
    doris.run("SET enable_insert_strict = false")
    affected, _ = doris.execute(f"INSERT INTO t SELECT c1, c2, c3 FROM {source}")
    assert affected == 2
    assert [tuple(r.values()) for r in doris.run("SELECT * FROM t ORDER BY id")] == [
        (1, "a", None),
        (2, "b", 2.0),
    ]


@pytest.mark.parametrize(
    "source", ["VALUES (8, 'x', 0.5), (9, 'y', 1.5)", "SELECT 8, 'x', 0.5 UNION ALL SELECT 9, 'y', 1.5"]
)
def test_plain_insert_with_label_is_listed_by_show_load(doris: DorisClient, table: str, source: str) -> None:
    # Doris records every finished INSERT as a load job of Type INSERT (recordFinishedLoadJob),
    # whatever its source: VALUES and SELECT are listed just like INSERT ... FROM S3().
    affected, info = doris.execute(f"INSERT INTO t WITH LABEL plain_1 {source}")
    assert affected == 2
    match = re.fullmatch(r"\{'label':'plain_1', 'status':'VISIBLE', 'txnId':'(\d+)'\}", info)
    assert match, info
    (job,) = doris.run('SHOW LOAD WHERE LABEL = "plain_1"')
    assert (job["State"], job["Type"], job["EtlInfo"]) == ("FINISHED", "INSERT", None)
    assert int(job["TransactionId"]) == int(match.group(1))
    _, message = doris.error(f"INSERT INTO t WITH LABEL plain_1 {source}")
    assert "Label [plain_1] has already been used." in message
