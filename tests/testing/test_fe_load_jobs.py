"""Load and export job life cycles: states, test controls, CANCEL, timeout, SHOW filters, restarts."""

from __future__ import annotations

from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


@pytest.fixture
def source(doris: DorisClient, oss_bucket: str) -> str:
    doris.run(
        "CREATE TABLE t (id INT, name VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    doris.put(oss_bucket, "a.csv", b"1,a\n2,b\n")
    return f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","'


def submit(doris: DorisClient, label: str, desc: str, properties: str = "") -> None:
    props = f" PROPERTIES ({properties})" if properties else ""
    doris.run(f"LOAD LABEL {label} ({desc}) WITH S3 ({doris.storage()}){props}")


def count(doris: DorisClient) -> int:
    return int(doris.run("SELECT count(*) AS n FROM t")[0]["n"])


def test_pending_job_shows_nothing_started_then_user_cancel(
    doris: DorisClient, source: str, local_doris_fe: Any
) -> None:
    local_doris_fe.hold_next_job("PENDING", 60)
    submit(doris, "held", source)
    (job,) = doris.run('SHOW LOAD WHERE LABEL = "held"')
    assert job["State"] == "PENDING"
    assert job["Progress"] == "ETL:0%; LOAD:0%"
    assert job["EtlInfo"] is None and job["ErrorMsg"] is None
    assert job["EtlStartTime"] is None and job["LoadStartTime"] is None and job["LoadFinishTime"] is None
    doris.run('CANCEL LOAD WHERE LABEL = "held"')
    job = doris.wait("LOAD", "held")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"] == "type:USER_CANCEL; msg:user cancel"
    _, message = doris.error('CANCEL LOAD WHERE LABEL = "held"')
    assert message.endswith("There is no uncompleted job")
    assert count(doris) == 0
    submit(doris, "held", source)
    assert doris.wait("LOAD", "held")["State"] == "FINISHED"
    assert count(doris) == 2


def test_states_go_pending_loading_finished(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    local_doris_fe.hold_next_job("LOADING", 1.0)
    submit(doris, "seq", source)
    states = doris.states("LOAD", "seq", until="FINISHED")
    assert states[-2:] == ["LOADING", "FINISHED"]
    assert set(states) <= {"PENDING", "LOADING", "FINISHED"}


def test_loading_job_shows_its_start(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    local_doris_fe.hold_next_job("LOADING", 60)
    submit(doris, "run", source)
    assert doris.states("LOAD", "run", until="LOADING")[-1] == "LOADING"
    (job,) = doris.run('SHOW LOAD WHERE LABEL = "run"')
    assert job["LoadStartTime"] is not None and job["LoadFinishTime"] is None
    _, message = doris.error(f"LOAD LABEL run ({source}) WITH S3 ({doris.storage()})")
    assert "Label [run] has already been used." in message
    doris.run('CANCEL LOAD WHERE LABEL = "run"')
    assert doris.wait("LOAD", "run")["ErrorMsg"] == "type:USER_CANCEL; msg:user cancel"
    assert count(doris) == 0


def test_failure_control_cancels_with_the_given_message(
    doris: DorisClient, source: str, local_doris_fe: Any
) -> None:
    local_doris_fe.fail_next_job("type:LOAD_RUN_FAIL; msg:Scan bytes per broker scanner exceed limit:1")
    submit(doris, "boom", source)
    job = doris.wait("LOAD", "boom")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"] == "type:LOAD_RUN_FAIL; msg:Scan bytes per broker scanner exceed limit:1"
    assert count(doris) == 0


def test_timeout_cancels_the_job(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    local_doris_fe.hold_next_job("LOADING", 60)
    submit(doris, "slow", source, '"timeout" = "1"')
    job = doris.wait("LOAD", "slow")
    assert job["ErrorMsg"] == "type:TIMEOUT; msg:loading timeout to cancel"
    assert "timeout(s):1;" in job["TaskInfo"]
    assert count(doris) == 0


def test_cancel_of_an_unknown_label(doris: DorisClient, source: str) -> None:
    _, message = doris.error('CANCEL LOAD WHERE LABEL = "nothing"')
    assert message.endswith("Load job does not exist")
    _, message = doris.error("CANCEL LOAD")
    assert "Where clause should looks like" in message


def test_show_load_filters_order_and_limit(doris: DorisClient, source: str, oss_bucket: str) -> None:
    submit(doris, "daily_a", source)
    submit(doris, "daily_b", source)
    submit(doris, "other", f'DATA INFILE ("s3://{oss_bucket}/none*.csv") INTO TABLE t')
    for label in ("daily_a", "daily_b", "other"):
        doris.wait("LOAD", label)
    assert [r["Label"] for r in doris.run('SHOW LOAD WHERE LABEL LIKE "daily%"')] == ["daily_a", "daily_b"]
    assert [r["Label"] for r in doris.run('SHOW LOAD WHERE STATE = "CANCELLED"')] == ["other"]
    assert [r["Label"] for r in doris.run("SHOW LOAD ORDER BY JobId DESC LIMIT 2")] == ["other", "daily_b"]
    assert [r["Label"] for r in doris.run(f"SHOW LOAD FROM `{doris.db}` LIMIT 1, 1")] == ["daily_b"]
    matched = doris.run('SHOW LOAD WHERE LABEL LIKE "daily%" AND STATE = "FINISHED"')
    assert len(matched) == 2
    _, message = doris.error('SHOW LOAD WHERE TYPE = "BROKER"')
    assert "Where clause should looks like" in message


def test_jobs_survive_a_restart(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    import pymysql

    local_doris_fe.hold_next_job("LOADING", 1.0)
    submit(doris, "keep", source)
    local_doris_fe.restart()
    conn = pymysql.connect(
        host=local_doris_fe.host, port=local_doris_fe.port, user="root", password="", database=doris.db
    )
    doris.conn = conn
    assert doris.wait("LOAD", "keep")["State"] == "FINISHED"
    assert count(doris) == 2
    conn.close()


def test_export_held_in_exporting_then_cancelled(
    doris: DorisClient, source: str, oss_bucket: str, local_doris_fe: Any
) -> None:
    doris.run("INSERT INTO t VALUES (1, 'a')")
    local_doris_fe.hold_next_job("EXPORTING", 60)
    doris.run(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/held/x_" PROPERTIES ("label" = "ex") WITH S3 ({doris.storage()})'
    )
    assert doris.states("EXPORT", "ex", until="EXPORTING")[-1] == "EXPORTING"
    (job,) = doris.run('SHOW EXPORT WHERE LABEL = "ex"')
    assert job["Progress"] == "0%" and job["StartTime"] is not None and job["FinishTime"] is None
    doris.run('CANCEL EXPORT WHERE LABEL = "ex"')
    job = doris.wait("EXPORT", "ex")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"] == "type:USER_CANCEL; msg:user cancel"
    assert job["OutfileInfo"] is None
    assert doris.keys(oss_bucket, "held/") == []


def test_export_failure_control(
    doris: DorisClient, source: str, oss_bucket: str, local_doris_fe: Any
) -> None:
    local_doris_fe.fail_next_job("type:RUN_FAIL; msg:The version of tablet 10086 has changed")
    doris.run(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/f/x_" PROPERTIES ("label" = "exf") WITH S3 ({doris.storage()})'
    )
    job = doris.wait("EXPORT", "exf")
    assert job["ErrorMsg"] == "type:RUN_FAIL; msg:The version of tablet 10086 has changed"


def test_paced_jobs_show_every_state_in_order(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    local_doris_fe.state.job_state_seconds = 0.4  # what `serve --job-seconds` sets, so a person can watch
    submit(doris, "paced", source)
    assert doris.states("LOAD", "paced", until="FINISHED") == ["PENDING", "LOADING", "FINISHED"]
    assert count(doris) == 2
