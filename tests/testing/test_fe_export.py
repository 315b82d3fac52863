"""EXPORT conformance: the statement, SHOW EXPORT's columns and formats, files written as Doris names them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
EXPORT_COLUMNS = [
    "JobId", "Label", "State", "Progress", "TaskInfo", "Path", "CreateTime", "StartTime", "FinishTime",
    "Timeout", "ErrorMsg", "OutfileInfo",
]  # fmt: skip
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
QUERY_ID = r"[0-9a-f]{16}-[0-9a-f]{16}"


@pytest.fixture
def table(doris: DorisClient) -> str:
    doris.run(
        "CREATE TABLE t (id INT, name VARCHAR(10), score DOUBLE) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
    )
    doris.run("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, 'c', 3.5)")
    return "t"


def export(doris: DorisClient, path: str, properties: str, extra: str = "") -> None:
    doris.run(f'EXPORT TABLE t {extra} TO "{path}" PROPERTIES ({properties}) WITH S3 ({doris.storage()})')


def test_csv_export_finishes_with_doris_columns_and_files(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    export(doris, f"s3://{oss_bucket}/exp/pre_", '"label" = "e1", "column_separator" = ","')
    job = doris.wait("EXPORT", "e1")
    assert doris.columns('SHOW EXPORT WHERE LABEL = "e1"') == EXPORT_COLUMNS
    assert job["State"] == "FINISHED" and job["Progress"] == "100%"
    assert job["Path"] == f"s3://{oss_bucket}/exp/pre_"
    assert job["ErrorMsg"] is None
    assert int(job["Timeout"]) == 7200
    for name in ("CreateTime", "StartTime", "FinishTime"):
        assert TIMESTAMP.match(job[name]), name
    task = json.loads(job["TaskInfo"])
    assert (task["db"], task["tbl"], task["format"], task["column_separator"]) == (doris.db, "t", "csv", ",")
    assert task["partitions"] == ["*"]
    (key,) = doris.keys(oss_bucket, "exp/")
    assert re.fullmatch(rf"exp/pre_{QUERY_ID}_0\.csv", key)
    assert sorted(doris.get(oss_bucket, key).decode().splitlines()) == ["1,a,1.5", "2,b,\\N", "3,c,3.5"]
    (task_results,) = json.loads(job["OutfileInfo"])
    (result,) = task_results
    assert result["fileNumber"] == "1" and result["totalRows"] == "3"
    assert result["fileSize"] == str(len(doris.get(oss_bucket, key)))  # "<n>bytes" before 3.1
    assert result["url"] == f"s3://{oss_bucket}/{key.rsplit('_', 1)[0]}_*"


def test_parquet_export_with_columns_and_where(doris: DorisClient, table: str, oss_bucket: str) -> None:
    import pyarrow.parquet as pq

    export(
        doris,
        f"s3://{oss_bucket}/pq/x_",
        '"label" = "e2", "format" = "parquet", "columns" = "name,id"',
        extra="WHERE id >= 2",
    )
    assert doris.wait("EXPORT", "e2")["State"] == "FINISHED"
    (key,) = doris.keys(oss_bucket, "pq/")
    assert key.endswith("_0.parquet")
    data = pq.read_table(io.BytesIO(doris.get(oss_bucket, key)))
    assert data.column_names == ["name", "id"]
    assert sorted(data.to_pylist(), key=lambda r: r["id"]) == [{"name": "b", "id": 2}, {"name": "c", "id": 3}]


def test_csv_with_names_and_default_tab_separator(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}/n/x_", '"label" = "e3", "format" = "csv_with_names"')
    assert doris.wait("EXPORT", "e3")["State"] == "FINISHED"
    (key,) = doris.keys(oss_bucket, "n/")
    lines = doris.get(oss_bucket, key).decode().splitlines()
    assert lines[0] == "id\tname\tscore"
    assert "1\ta\t1.5" in lines


def test_default_label_is_generated(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}/d/x_", '"format" = "csv"')
    rows = doris.run("SHOW EXPORT")
    assert len(rows) == 1
    assert re.fullmatch(
        r"export_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", rows[0]["Label"]
    )


def test_unknown_export_property_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    code, message = doris.error(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/x_" PROPERTIES ("colum_separator" = ",") WITH S3 ({doris.storage()})'
    )
    assert code == 1105 and message.endswith("Invalid property key: [colum_separator]")


def test_unknown_export_column_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/x_" PROPERTIES ("columns" = "id,nope") WITH S3 ({doris.storage()})'
    )
    assert message.endswith("unknown column [nope] in table [t]")


def test_export_label_reuse_fails(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}/r/x_", '"label" = "same"')
    doris.wait("EXPORT", "same")
    _, message = doris.error(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/r/y_" PROPERTIES ("label" = "same") WITH S3 ({doris.storage()})'
    )
    assert "Label [same] has already been used." in message


def test_show_export_takes_one_condition(doris: DorisClient, table: str) -> None:
    _, message = doris.error('SHOW EXPORT WHERE LABEL = "a" AND STATE = "FINISHED"')
    assert "Where clause should looks like" in message


def test_show_export_by_state_and_like(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}/s/a_", '"label" = "daily_1"')
    export(doris, f"s3://{oss_bucket}/s/b_", '"label" = "hourly_1"')
    doris.wait("EXPORT", "daily_1")
    doris.wait("EXPORT", "hourly_1")
    assert [r["Label"] for r in doris.run('SHOW EXPORT WHERE LABEL LIKE "daily%"')] == ["daily_1"]
    assert len(doris.run('SHOW EXPORT WHERE STATE = "FINISHED"')) == 2
    assert [r["Label"] for r in doris.run("SHOW EXPORT ORDER BY JobId DESC LIMIT 1")] == ["hourly_1"]


def test_cancel_export_of_unknown_and_finished_jobs(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error('CANCEL EXPORT WHERE LABEL = "nope"')
    assert message.endswith("Export job(s) do not exist")
    export(doris, f"s3://{oss_bucket}/c/x_", '"label" = "done"')
    doris.wait("EXPORT", "done")
    _, message = doris.error('CANCEL EXPORT WHERE LABEL = "done"')
    assert message.endswith("All export job(s) are at final state (CANCELLED/FINISHED)")


def test_export_to_missing_bucket_is_cancelled(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}-gone/x_", '"label" = "nob"')
    job = doris.wait("EXPORT", "nob")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"].startswith("type:RUN_FAIL; msg:") and "NoSuchBucket" in job["ErrorMsg"]
    assert job["OutfileInfo"] is None


def test_parallelism_writes_one_series_per_task(doris: DorisClient, table: str, oss_bucket: str) -> None:
    export(doris, f"s3://{oss_bucket}/par/x_", '"label" = "par", "parallelism" = "3"')
    job = doris.wait("EXPORT", "par")
    info = json.loads(job["OutfileInfo"])
    assert len(info) == 3
    keys = doris.keys(oss_bucket, "par/")
    assert len(keys) == 3 and len({k.split("_")[1] for k in keys}) == 3
    assert sum(int(task[0]["totalRows"]) for task in info) == 3


def test_export_labels_are_apart_from_load_labels(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.run("INSERT INTO t WITH LABEL shared VALUES (9, 'z', 9.0)")
    export(doris, f"s3://{oss_bucket}/ns/x_", '"label" = "shared"')
    assert doris.wait("EXPORT", "shared")["State"] == "FINISHED"
    _, message = doris.error("INSERT INTO t WITH LABEL shared VALUES (10, 'y', 1.0)")
    assert "Label [shared] has already been used." in message


def test_cancelled_export_label_can_be_reused(
    doris: DorisClient, table: str, oss_bucket: str, local_doris_fe: Any
) -> None:
    local_doris_fe.hold_next_job("PENDING", 60)
    export(doris, f"s3://{oss_bucket}/cx/x_", '"label" = "retry"')
    doris.run('CANCEL EXPORT WHERE LABEL = "retry"')
    assert doris.wait("EXPORT", "retry")["State"] == "CANCELLED"
    export(doris, f"s3://{oss_bucket}/cx/x_", '"label" = "retry"')
    rows = doris.run('SHOW EXPORT WHERE LABEL = "retry"')
    assert rows[0]["State"] == "CANCELLED" and len(rows) == 2
    assert doris.wait("EXPORT", "retry")["State"] == "FINISHED"
