"""Values read back as Doris shows them, through an INSERT, a load and a SELECT over pymysql.

- DATETIME(s) keeps ``s`` digits of the second, rounded half up (Doris's DateTimeV2Literal in the FE,
  the BE's string cast since apache/doris#31205), DATETIME keeps none;
- FLOAT 1.1 reads back as 1.1 (the FLOAT's shortest form), not the widened double 1.100000023841858;
- DATE and DATETIME reach back to 0000-01-01, also in OUTFILE's files;
- ARRAY<DECIMAL(p,s)> keeps its scale, loaded from text or Parquet.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
D = decimal.Decimal

TABLE = (
    "CREATE TABLE v (k INT, d DATE, dt DATETIME, dt3 DATETIME(3), f FLOAT, a ARRAY<DECIMAL(10,2)>) "
    "DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
)
# What each way in must leave in the table, as pymysql reads it back.
EXPECTED = [
    (1, "0000-01-01", dt.datetime(2024, 1, 1, 10, 0, 1), dt.datetime(2024, 1, 1, 10, 0, 0, 124000), 1.1, "[1.50, 2.00]"),
    (2, dt.date(2024, 2, 29), dt.datetime(2024, 1, 1, 10, 0), dt.datetime(2024, 12, 31, 23, 59, 59, 999000), 0.1, "[]"),
    (3, None, None, dt.datetime(2025, 1, 1, 0, 0), None, "[null, 3.10]"),
]  # fmt: skip
LINES = (
    "1|0000-01-01|2024-01-01 10:00:00.500001|2024-01-01 10:00:00.123556|1.1|[1.5, 2]\n"
    "2|2024-02-29|2024-01-01 10:00:00.499999|2024-12-31 23:59:59.9994|0.1|[]\n"
    "3|\\N|\\N|2024-12-31 23:59:59.9996|\\N|[null, 3.1]\n"
)


@pytest.fixture
def table(doris: DorisClient) -> DorisClient:
    doris.run(TABLE)
    return doris


def rows(doris: DorisClient) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in doris.run("SELECT k, d, dt, dt3, f, a FROM v ORDER BY k")]


def test_insert_values(table: DorisClient) -> None:
    table.run(
        "INSERT INTO v VALUES "
        "(1, '0000-01-01', '2024-01-01 10:00:00.500001', '2024-01-01 10:00:00.123556', 1.1, [1.5, 2]), "
        "(2, '2024-02-29', '2024-01-01 10:00:00.499999', '2024-12-31 23:59:59.9994', 0.1, []), "
        "(3, NULL, NULL, '2024-12-31 23:59:59.9996', NULL, [NULL, 3.1])"
    )
    assert rows(table) == EXPECTED


def test_insert_from_s3(table: DorisClient, oss_bucket: str) -> None:
    table.put(oss_bucket, "v.csv", LINES.encode())
    source = f'S3("uri" = "s3://{oss_bucket}/v.csv", "format" = "csv", "column_separator" = "|", {table.storage()})'
    table.run(f"INSERT INTO v SELECT * FROM {source}")
    assert rows(table) == EXPECTED


def test_broker_load(table: DorisClient, oss_bucket: str) -> None:
    table.put(oss_bucket, "load/v.csv", LINES.encode())
    table.run(
        f'LOAD LABEL lv (DATA INFILE ("s3://{oss_bucket}/load/v.csv") INTO TABLE v COLUMNS TERMINATED BY "|") '
        f"WITH S3 ({table.storage()})"
    )
    assert table.wait("LOAD", "lv")["State"] == "FINISHED"
    assert rows(table) == EXPECTED


def test_parquet_array_of_decimals_keeps_its_scale(table: DorisClient, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    data = pa.table({"k": pa.array([9], pa.int32()), "a": pa.array([[1.5, 2.25]], pa.list_(pa.float64()))})
    pq.write_table(data, buffer)
    table.put(oss_bucket, "a.parquet", buffer.getvalue())
    table.run(
        f'INSERT INTO v (k, a) SELECT k, a FROM S3("uri" = "s3://{oss_bucket}/a.parquet", "format" = "parquet", '
        f"{table.storage()})"
    )
    assert table.run("SELECT a FROM v") == [{"a": "[1.50, 2.25]"}]


def test_outfile_writes_values_as_doris_does(table: DorisClient, oss_bucket: str) -> None:
    table.run(
        "INSERT INTO v VALUES (1, '0000-01-01', '0000-01-01 10:00:00', '2024-01-01 10:00:00.5', 1.1, [1.5, NULL])"
    )
    table.run(
        f'SELECT * FROM v INTO OUTFILE "s3://{oss_bucket}/o/r_" FORMAT AS CSV '
        f'PROPERTIES ("column_separator" = "|", {table.storage()})'
    )
    (key,) = table.keys(oss_bucket, "o/")
    # OUTFILE knows no column types: a DATETIME has its fraction's six digits when it has one
    assert (
        table.get(oss_bucket, key)
        == b"1|0000-01-01|0000-01-01 10:00:00|2024-01-01 10:00:00.500000|1.1|[1.50, null]\n"
    )


def test_export_writes_datetime_with_the_column_scale(table: DorisClient, oss_bucket: str) -> None:
    table.run("INSERT INTO v (k, d, dt3) VALUES (1, '0000-01-01', '2024-01-01 10:00:00.5')")
    table.run(
        f'EXPORT TABLE v TO "s3://{oss_bucket}/e/x_" PROPERTIES ("label" = "ev", "columns" = "k,d,dt3", '
        f'"column_separator" = "|") WITH S3 ({table.storage()})'
    )
    assert table.wait("EXPORT", "ev")["State"] == "FINISHED"
    (key,) = table.keys(oss_bucket, "e/")
    assert table.get(oss_bucket, key) == b"1|0000-01-01|2024-01-01 10:00:00.500\n"


def test_select_from_s3_reads_year_zero_and_floats(table: DorisClient, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(
        pa.table({"d": pa.array([-719528], pa.date32()), "f": pa.array([1.1], pa.float32())}), buffer
    )
    table.put(oss_bucket, "y.parquet", buffer.getvalue())
    got = table.run(
        f'SELECT d, f FROM S3("uri" = "s3://{oss_bucket}/y.parquet", "format" = "parquet", {table.storage()})'
    )
    assert got == [{"d": "0000-01-01", "f": 1.1}]
