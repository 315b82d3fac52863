"""SELECT ... INTO OUTFILE conformance: the result row, file names, formats, splitting, marker files."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
OUTFILE_COLUMNS = ["FileNumber", "TotalRows", "FileSize", "URL", "WriteTimeSec", "WriteSpeedKB"]
QUERY_ID = r"[0-9a-f]{16}-[0-9a-f]{16}"


@pytest.fixture
def table(doris: DorisClient) -> str:
    doris.run(
        "CREATE TABLE t (id INT, name VARCHAR(10), score DOUBLE) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
    )
    doris.run("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL)")
    return "t"


def test_outfile_answers_one_row_with_doris_columns(doris: DorisClient, table: str, oss_bucket: str) -> None:
    sql = (
        f'SELECT * FROM t ORDER BY id INTO OUTFILE "s3://{oss_bucket}/o/res_" FORMAT AS CSV '
        f'PROPERTIES ({doris.storage()}, "column_separator" = ",")'
    )
    assert doris.columns(sql) == OUTFILE_COLUMNS
    (row,) = doris.run(sql)
    keys = doris.keys(oss_bucket, "o/")
    assert len(keys) == 2  # one file per statement run, each with its own query id
    assert all(re.fullmatch(rf"o/res_{QUERY_ID}_0\.csv", k) for k in keys)
    assert int(row["FileNumber"]) == 1 and int(row["TotalRows"]) == 2
    newest = row["URL"].removeprefix(f"s3://{oss_bucket}/").removesuffix("*") + "0.csv"
    assert newest in keys
    body = doris.get(oss_bucket, newest)
    assert body == b"1,a,1.5\n2,b,\\N\n"
    assert int(row["FileSize"]) == len(body)


def test_outfile_parquet_keeps_names_and_types(doris: DorisClient, table: str, oss_bucket: str) -> None:
    import pyarrow.parquet as pq

    doris.run(
        f'SELECT id, name AS who FROM t INTO OUTFILE "s3://{oss_bucket}/p/r_" FORMAT AS PARQUET '
        f"PROPERTIES ({doris.storage()})"
    )
    (key,) = doris.keys(oss_bucket, "p/")
    assert key.endswith("_0.parquet")
    data = pq.read_table(io.BytesIO(doris.get(oss_bucket, key)))
    assert data.column_names == ["id", "who"]
    assert sorted(data.to_pylist(), key=lambda r: r["id"]) == [{"id": 1, "who": "a"}, {"id": 2, "who": "b"}]


def test_outfile_csv_with_names_and_types_header(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.run(
        f'SELECT id, name FROM t ORDER BY id INTO OUTFILE "s3://{oss_bucket}/h/r_" '
        f"FORMAT AS csv_with_names_and_types PROPERTIES ({doris.storage()})"
    )
    (key,) = doris.keys(oss_bucket, "h/")
    lines = doris.get(oss_bucket, key).decode().splitlines()
    assert lines[0] == "id\tname"
    assert len(lines) == 4 and lines[2:] == ["1\ta", "2\tb"]


def test_outfile_format_as_quoted_string_is_a_syntax_error(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    code, message = doris.error(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/q/r_" FORMAT AS "csv" PROPERTIES ({doris.storage()})'
    )
    assert code == 1105 and "mismatched input '\"csv\"'" in message
    assert doris.keys(oss_bucket, "q/") == []


def test_outfile_success_file_name_marks_completion(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.run(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/s/r_" FORMAT AS CSV '
        f'PROPERTIES ({doris.storage()}, "success_file_name" = "_SUCCESS")'
    )
    keys = doris.keys(oss_bucket, "s/")
    assert "s/_SUCCESS" in keys and len(keys) == 2


def test_outfile_max_file_size_splits_files(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(
        "CREATE TABLE big (id INT, pad STRING) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    pad = "x" * 1000
    doris.put(oss_bucket, "src/big.csv", "".join(f"{i},{pad}\n" for i in range(12000)).encode())
    doris.run(
        f'INSERT INTO big SELECT c1, c2 FROM S3("uri" = "s3://{oss_bucket}/src/big.csv", "format" = "csv", '
        f'"column_separator" = ",", {doris.storage()})'
    )
    (row,) = doris.run(
        f'SELECT * FROM big INTO OUTFILE "s3://{oss_bucket}/big/r_" FORMAT AS CSV '
        f'PROPERTIES ({doris.storage()}, "max_file_size" = "5MB")'
    )
    keys = doris.keys(oss_bucket, "big/")
    assert int(row["FileNumber"]) == len(keys) == 3
    assert [k.rsplit("_", 1)[1] for k in keys] == ["0.csv", "1.csv", "2.csv"]
    sizes = [len(doris.get(oss_bucket, k)) for k in keys]
    assert max(sizes) <= 5 * 1024 * 1024 and sum(sizes) == int(row["FileSize"])


def test_outfile_max_file_size_below_5mb_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/x/r_" PROPERTIES ({doris.storage()}, "max_file_size" = "1MB")'
    )
    assert "max file size should larger than 5MB" in message


def test_outfile_delete_existing_files_is_ignored_unless_the_fe_allows_it(
    doris: DorisClient, table: str, oss_bucket: str, local_doris_fe: Any
) -> None:
    doris.put(oss_bucket, "d/old.csv", b"old")
    sql = (
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/d/r_" '
        f'PROPERTIES ({doris.storage()}, "delete_existing_files" = "true")'
    )
    doris.run(sql)
    assert "d/old.csv" in doris.keys(oss_bucket, "d/")
    local_doris_fe.state.enable_delete_existing_files = True
    doris.run(sql)
    keys = doris.keys(oss_bucket, "d/")
    assert "d/old.csv" not in keys and len(keys) == 1


def test_outfile_wrong_key_fails(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/w/r_" '
        f"PROPERTIES ({doris.storage(**{'s3.secret_key': 'bad'})})"
    )
    assert "SignatureDoesNotMatch" in message
    assert doris.keys(oss_bucket, "w/") == []


def test_outfile_unknown_format_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/u/r_" FORMAT AS xlsx PROPERTIES ({doris.storage()})'
    )
    assert message.endswith("format:xlsx is not supported.")


def test_outfile_of_a_query_over_the_s3_table_function(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "src/in.csv", b"1,a\n2,b\n3,c\n")
    (row,) = doris.run(
        f'SELECT c2 FROM S3("uri" = "s3://{oss_bucket}/src/in.csv", "format" = "csv", "column_separator" = ",", '
        f"{doris.storage()}) WHERE c1 >= '2' ORDER BY c2 INTO OUTFILE \"s3://{oss_bucket}/copy/r_\" "
        f"FORMAT AS CSV PROPERTIES ({doris.storage()})"
    )
    assert int(row["TotalRows"]) == 2
    (key,) = doris.keys(oss_bucket, "copy/")
    assert doris.get(oss_bucket, key) == b"b\nc\n"
