"""Broker Load file formats, read as Doris reads them: CSV options, JSON options, ORC, compression."""

from __future__ import annotations

import bz2
import io
import json
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


@pytest.fixture
def table(doris: DorisClient) -> str:
    doris.run(
        "CREATE TABLE t (id INT, name VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    return "t"


def load_rows(doris: DorisClient, label: str, desc: str, properties: str = "") -> list[tuple]:
    props = f" PROPERTIES ({properties})" if properties else ""
    doris.run(f"LOAD LABEL {label} ({desc}) WITH S3 ({doris.storage()}){props}")
    job = doris.wait("LOAD", label)
    assert job["State"] == "FINISHED", job["ErrorMsg"]
    return [tuple(r.values()) for r in doris.run("SELECT id, name FROM t ORDER BY id")]


@pytest.mark.parametrize(
    ("data", "clauses", "expected"),
    [
        (b"1||a\n2||b\n", 'COLUMNS TERMINATED BY "||"', [(1, "a"), (2, "b")]),
        (b"1\x01a\n", 'COLUMNS TERMINATED BY "\\\\x01"', [(1, "a")]),
        (b"1,a;2,b;", 'COLUMNS TERMINATED BY "," LINES TERMINATED BY ";"', [(1, "a"), (2, "b")]),
        (b"1,a\r\n2,b\r\n", 'COLUMNS TERMINATED BY ","', [(1, "a"), (2, "b")]),
        (b"1,\\N\n", 'COLUMNS TERMINATED BY ","', [(1, None)]),
        (b"id,name\n1,a\n", 'COLUMNS TERMINATED BY "," FORMAT AS "csv_with_names"', [(1, "a")]),
        (
            b"id,name\nINT,STRING\n1,a\n",
            'COLUMNS TERMINATED BY "," FORMAT AS "csv_with_names_and_types"',
            [(1, "a")],
        ),
        (
            b'1,"a,b"\n2,"c"\n',
            'COLUMNS TERMINATED BY "," PROPERTIES ("enclose" = "\\"")',
            [(1, "a,b"), (2, "c")],
        ),
        (b'1,"q"\n', 'COLUMNS TERMINATED BY "," PROPERTIES ("trim_double_quotes" = "true")', [(1, "q")]),
        (b"skip me\n1,a\n", 'COLUMNS TERMINATED BY "," PROPERTIES ("skip_lines" = "1")', [(1, "a")]),
    ],
)
def test_csv_options(
    doris: DorisClient, table: str, oss_bucket: str, data: bytes, clauses: str, expected: list
) -> None:
    doris.put(oss_bucket, "f.csv", data)
    assert (
        load_rows(doris, "csv", f'DATA INFILE ("s3://{oss_bucket}/f.csv") INTO TABLE t {clauses}') == expected
    )


@pytest.mark.parametrize(
    ("data", "props", "expected"),
    [
        (b'{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n', "", [(1, "a"), (2, "b")]),
        (b'[{"id": 1, "name": "a"}]', '"strip_outer_array" = "true"', [(1, "a")]),
        (
            b'{"data": {"rows": [{"id": 3, "name": "c"}]}}',
            '"json_root" = "$.data.rows", "strip_outer_array" = "true"',
            [(3, "c")],
        ),
        (
            b'{"k": 4, "v": {"n": "d"}}\n',
            '"jsonpaths" = "[\\"$.k\\", \\"$.v.n\\"]"',
            [(4, "d")],
        ),
    ],
)
def test_json_options(
    doris: DorisClient, table: str, oss_bucket: str, data: bytes, props: str, expected: list
) -> None:
    doris.put(oss_bucket, "f.json", data)
    desc = f'DATA INFILE ("s3://{oss_bucket}/f.json") INTO TABLE t FORMAT AS "json"'
    if props:
        desc += f" PROPERTIES ({props})"
    assert load_rows(doris, "json", desc) == expected


def test_orc_and_parquet_by_format_clause(doris: DorisClient, table: str, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.orc as orc

    sink = io.BytesIO()
    orc.write_table(pa.table({"id": pa.array([5], pa.int32()), "name": ["orc"]}), sink)
    doris.put(oss_bucket, "data.bin", sink.getvalue())
    assert load_rows(
        doris, "orc", f'DATA INFILE ("s3://{oss_bucket}/data.bin") INTO TABLE t FORMAT AS "orc"'
    ) == [(5, "orc")]


def test_compression_by_clause_and_by_suffix(doris: DorisClient, table: str, oss_bucket: str) -> None:
    import pyarrow as pa

    doris.put(oss_bucket, "a.csv.bz2", bz2.compress(b"1,bz\n"))
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "lz4") as stream:
        stream.write(b"2,lz\n")
    doris.put(oss_bucket, "b.dat", sink.getvalue().to_pybytes())
    rows = load_rows(
        doris,
        "comp",
        f'DATA INFILE ("s3://{oss_bucket}/a.csv.bz2") INTO TABLE t COLUMNS TERMINATED BY ",", '
        f'DATA INFILE ("s3://{oss_bucket}/b.dat") INTO TABLE t COLUMNS TERMINATED BY "," '
        'COMPRESS_TYPE AS "LZ4FRAME"',
    )
    assert rows == [(1, "bz"), (2, "lz")]


def test_json_column_list_keeps_case(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "c.json", json.dumps({"ID": 9, "Name": "upper"}).encode())
    desc = f'DATA INFILE ("s3://{oss_bucket}/c.json") INTO TABLE t FORMAT AS "json" (ID, Name) SET (id = ID, name = Name)'
    assert load_rows(doris, "json_case", desc) == [(9, "upper")]


def test_docs_example_with_legacy_aws_names(doris: DorisClient, oss_bucket: str) -> None:
    """The Broker Load example of Doris's docs, with the legacy ``AWS_*`` names and ``provider``."""
    doris.run(
        "CREATE TABLE load_test (id INT, name VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    doris.put(oss_bucket, "your_file.txt", b"1,doc\n")
    oss = doris.oss
    doris.run(
        f'LOAD LABEL {doris.db}.label1 (DATA INFILE("s3://{oss_bucket}/your_file.txt") INTO TABLE load_test '
        f'COLUMNS TERMINATED BY ",") WITH S3 ("provider" = "OSS", "AWS_ENDPOINT" = "{oss.endpoint_host}", '
        f'"AWS_ACCESS_KEY" = "{oss.access_key}", "AWS_SECRET_KEY" = "{oss.secret_key}", '
        f'"AWS_REGION" = "{oss.region}", "compress_type" = "PLAIN") PROPERTIES ("timeout" = "3600");'
    )
    assert doris.wait("LOAD", "label1")["State"] == "FINISHED"
    assert doris.run("SELECT id, name FROM load_test") == [{"id": 1, "name": "doc"}]
