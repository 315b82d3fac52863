import pytest

from airflow_provider_doris_oss.sql import (
    DataDescription,
    ExportJobStatus,
    LoadJobStatus,
    OutfileResult,
    build_broker_load,
    is_label_already_used,
    is_nothing_to_cancel,
    label_already_used,
    mask_secrets,
    parse_insert_info,
    pick_latest,
)


def load_row(**over):
    row = {
        "JobId": "11",
        "Label": "l",
        "State": "FINISHED",
        "Progress": "ETL:100%; LOAD:100%",
        "Type": "BROKER",
        "EtlInfo": "unselected.rows=2; dpp.abnorm.ALL=3; dpp.norm.ALL=27",
        "ErrorMsg": "NULL",
        "URL": "NULL",
        "JobDetails": '{"ScannedRows":27,"FileNumber":1}',
        "TransactionId": "4005",
        "Comment": "dag=x",
        "CreateTime": "2026-01-01 00:00:00",
        "LoadFinishTime": "2026-01-01 00:01:00",
    }
    row.update(over)
    return row


def test_load_status_parsing():
    s = LoadJobStatus.from_row(load_row())
    assert (s.job_id, s.unselected_rows, s.filtered_rows, s.loaded_rows) == (11, 2, 3, 27)
    assert s.job_details["ScannedRows"] == 27 and s.transaction_id == 4005
    assert s.is_final and s.is_finished and not s.is_cancelled
    assert s.url is None and s.error_type is None


def test_load_status_cancelled_and_tolerant():
    s = LoadJobStatus.from_row(
        {
            "jobid": 3,
            "state": "CANCELLED",
            "errormsg": "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough; see url",
            "url": "http://fe/err",
            "jobdetails": "not json",
        }
    )
    assert s.error_type == "ETL_QUALITY_UNSATISFIED"
    assert s.error_msg == "quality not good enough; see url"
    assert s.is_cancelled and s.job_details == {} and s.loaded_rows is None
    assert not LoadJobStatus.from_row({"State": "LOADING"}).is_final


def test_pick_latest():
    rows = [
        load_row(JobId="5", State="CANCELLED"),
        load_row(JobId="12", State="LOADING"),
        load_row(JobId="9"),
    ]
    assert LoadJobStatus.latest(rows).job_id == 12
    assert LoadJobStatus.latest([]) is None
    assert pick_latest([]) is None


@pytest.mark.parametrize(
    "info",
    [
        '[[{"fileNumber":"2","totalRows":"10","fileSize":"123bytes","url":"s3://bkt/p_x_*"}],'
        ' [{"fileNumber":"1","totalRows":"5","fileSize":"7bytes","url":"s3://bkt/p_y_*"}]]',
        [
            {"fileNumber": 2, "totalRows": 10, "fileSize": 123, "url": "s3://bkt/p_x_*"},
            {"fileNumber": 1, "totalRows": 5, "fileSize": "7", "url": "s3://bkt/p_y_*"},
        ],
    ],
)
def test_export_status_outfile_info(info):
    s = ExportJobStatus.from_row(
        {"JobId": "1", "State": "FINISHED", "OutfileInfo": info, "TaskInfo": '{"db":"d"}'}
    )
    assert [f.file_size for f in s.outfile_info] == [123, 7]
    assert sum(f.file_number for f in s.outfile_info) == 3
    assert s.task_info == {"db": "d"}
    assert ExportJobStatus.from_row({"State": "EXPORTING", "OutfileInfo": "NULL"}).outfile_info == ()


def test_outfile_result_sums_by_name():
    rows = [
        {"FileNumber": 1, "TotalRows": 10, "FileSize": 100, "URL": "s3://bkt/r_a_", "WriteTimeSec": 1},
        {"URL": "s3://bkt/r_b_", "FileSize": "50", "TotalRows": "5", "FileNumber": "2"},
    ]
    r = OutfileResult.from_rows(rows)
    assert (r.file_number, r.total_rows, r.file_size) == (3, 15, 150)
    assert r.urls == ("s3://bkt/r_a_", "s3://bkt/r_b_")


@pytest.mark.parametrize(
    ("message", "status", "done"),
    [
        ("{'label':'x', 'status':'VISIBLE', 'txnId':'4005'}", "VISIBLE", True),
        (b"{'label':'x', 'status':'committed', 'txnId':'4005'}", "committed", True),
        ("{'label':'x', 'status':'ABORTED', 'txnId':'4005', 'err':'bad'}", "ABORTED", False),
    ],
)
def test_parse_insert_info(message, status, done):
    info = parse_insert_info(message)
    assert info is not None
    assert (info.label, info.status, info.txn_id, info.is_done) == ("x", status, 4005, done)


def test_parse_insert_info_none():
    assert parse_insert_info("") is None
    assert parse_insert_info("Records: 1  Duplicates: 0") is None


def test_error_helpers():
    used = Exception(
        1105, "errCode = 2, detailMessage = Label [my-l] has already been used, relate to txn [9]"
    )
    assert is_label_already_used(used) and label_already_used(used) == "my-l"
    assert not is_label_already_used("Incorrect object storage info")
    for text in (
        "Load job does not exist",
        "There is no uncompleted job",
        "Export job(s) do not exist",
        "All export job(s) are at final state (CANCELLED/FINISHED)",
    ):
        assert is_nothing_to_cancel(Exception(1105, f"errCode = 2, detailMessage = {text}"))
    assert not is_nothing_to_cancel("Access denied")


def test_mask_known_and_named_secrets():
    secret = 'se"cr\\et'
    storage = {"s3.access_key": "AKID", "s3.secret_key": secret, "s3.endpoint": "oss-cn-beijing.aliyuncs.com"}
    sql = build_broker_load("db", "l", DataDescription("oss://bkt/k", "t"), storage, comment=f"about {secret}")
    masked = mask_secrets(sql, ["AKID", secret])
    assert "AKID" not in masked and 'se\\"cr' not in masked and "cr\\\\et" not in masked
    assert "oss-cn-beijing.aliyuncs.com" in masked
    # Without knowing the values, secret-named properties are still masked.
    blind = mask_secrets(
        'x (\'AWS_SECRET_KEY\' = \'a\\\'b\', "s3.session_token" = "zzz9", "password"="p", "s3.region" = "r")'
    )
    assert "a\\'b" not in blind and "zzz9" not in blind and '"p"' not in blind
    assert '"s3.region" = "r"' in blind


class _Cursor:
    def __init__(self, description: object, rows: list[tuple[object, ...]]) -> None:
        self.description, self._rows = description, rows

    def fetchall(self) -> list[tuple[object, ...]]:
        return self._rows


def test_rows_by_name_keys_each_row_by_column() -> None:
    from airflow_provider_doris_oss.sql import rows_by_name

    cursor = _Cursor((("JobId", 8), ("State", 253)), [(1, "FINISHED"), (2, "LOADING")])
    assert rows_by_name(cursor) == [{"JobId": 1, "State": "FINISHED"}, {"JobId": 2, "State": "LOADING"}]
    assert rows_by_name(_Cursor(None, [])) == []
