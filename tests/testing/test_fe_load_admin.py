"""Statements around loads: SYNC, CLEAN LABEL, SHOW CREATE LOAD (Doris's LoadManager behaviour)."""

from __future__ import annotations

from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


@pytest.fixture
def source(doris: DorisClient, oss_bucket: str) -> str:
    doris.run("CREATE TABLE t (id INT, name VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1")
    doris.put(oss_bucket, "a.csv", b"1,a\n2,b\n")
    return f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","'


def load(doris: DorisClient, label: str, source: str) -> str:
    sql = f"LOAD LABEL {label} ({source}) WITH S3 ({doris.storage()})"
    doris.run(sql)
    return sql


def test_sync_is_accepted(doris: DorisClient) -> None:
    assert doris.execute("SYNC") == (0, "")
    _, message = doris.error("SYNC now")
    assert "mismatched input 'now' expecting <EOF>" in message


def test_clean_label_frees_a_finished_label(doris: DorisClient, source: str) -> None:
    load(doris, "l1", source)
    assert doris.wait("LOAD", "l1")["State"] == "FINISHED"
    _, message = doris.error(f"LOAD LABEL l1 ({source}) WITH S3 ({doris.storage()})")
    assert "Label [l1] has already been used" in message
    doris.run(f"CLEAN LABEL l1 FROM {doris.db}")
    assert doris.run('SHOW LOAD WHERE LABEL = "l1"') == []
    load(doris, "l1", source)  # the label is free again
    assert doris.wait("LOAD", "l1")["State"] == "FINISHED"


def test_clean_label_without_a_label_cleans_every_finished_one(doris: DorisClient, source: str) -> None:
    load(doris, "a1", source)
    doris.wait("LOAD", "a1")
    doris.run("INSERT INTO t WITH LABEL i1 VALUES (3, 'c')")
    doris.run(f"CLEAN LABEL IN {doris.db}")
    assert doris.run("SHOW LOAD") == []
    doris.run("INSERT INTO t WITH LABEL i1 VALUES (4, 'd')")


def test_clean_label_keeps_an_unfinished_job(doris: DorisClient, source: str, local_doris_fe: Any) -> None:
    local_doris_fe.hold_next_job("LOADING", 30)
    load(doris, "held", source)
    doris.run(f"CLEAN LABEL held FROM {doris.db}")
    assert [r["State"] for r in doris.run('SHOW LOAD WHERE LABEL = "held"')] in (["PENDING"], ["LOADING"])
    doris.run("CANCEL LOAD WHERE LABEL = 'held'")


def test_clean_label_errors(doris: DorisClient) -> None:
    code, message = doris.error("CLEAN LABEL l1 FROM no_such_db")
    assert (code, message) == (1049, "errCode = 2, detailMessage = Unknown database 'no_such_db'")
    _, message = doris.error("CLEAN LABEL l1")
    assert "expecting {'FROM', 'IN'}" in message


def test_show_create_load_shows_the_statement_with_secrets_masked(doris: DorisClient, source: str) -> None:
    sql = load(doris, "c1", source)
    job_id = doris.run('SHOW LOAD WHERE LABEL = "c1"')[0]["JobId"]
    assert doris.columns("SHOW CREATE LOAD FOR c1") == ["JobId", "CreateStmt"]
    row = doris.run(f"SHOW CREATE LOAD FOR {doris.db}.c1")[0]
    assert row["JobId"] == str(job_id)
    access, secret = doris.oss.access_key, doris.oss.secret_key
    assert secret not in row["CreateStmt"] and access not in row["CreateStmt"]
    assert row["CreateStmt"] == sql.replace(secret, "***").replace(access, "***")


def test_show_create_load_errors(doris: DorisClient, source: str) -> None:
    _, message = doris.error("SHOW CREATE LOAD FOR nope")
    assert message == "errCode = 2, detailMessage = Label does not exist: nope"
    doris.run("INSERT INTO t WITH LABEL ins VALUES (5, 'e')")
    _, message = doris.error("SHOW CREATE LOAD FOR ins")
    assert "Not support load job type" in message


def test_show_load_warnings_by_label_lists_the_jobs(doris: DorisClient, source: str) -> None:
    load(doris, "w1", source)
    job = doris.wait("LOAD", "w1")
    rows = doris.run(f'SHOW LOAD WARNINGS FROM {doris.db} WHERE LABEL = "w1"')
    assert rows == [{"JobId": str(job["JobId"]), "Label": "w1", "ErrorMsgDetail": "FINISHED"}]
    by_id = doris.run(f"SHOW LOAD WARNINGS WHERE LOAD_JOB_ID = {job['JobId']}")
    assert by_id == rows
    assert doris.run('SHOW LOAD WARNINGS WHERE LABEL = "none"') == []


def test_show_load_warnings_where_shape(doris: DorisClient) -> None:
    _, message = doris.error("SHOW LOAD WARNINGS")
    assert message.endswith(
        'should supply condition like: LABEL = "your_load_label", or LOAD_JOB_ID = $job_id'
    )
    _, message = doris.error('SHOW LOAD WARNINGS WHERE STATE = "FINISHED"')
    assert message.endswith(
        'Where clause should looks like: LABEL = "your_load_label", or LOAD_JOB_ID = $job_id'
    )


def test_show_load_warnings_on_url_rows_as_doris_sends_them(
    doris: DorisClient, source: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "bad.csv", b"x,a\n2,b\n")
    desc = source.replace("a.csv", "bad.csv")
    doris.run(
        f'LOAD LABEL bad ({desc}) WITH S3 ({doris.storage()}) PROPERTIES ("max_filter_ratio" = "0.9", "strict_mode" = "true")'
    )
    job = doris.wait("LOAD", "bad")
    rows = doris.run(f'SHOW LOAD WARNINGS ON "{job["URL"]}"')
    assert [(r["JobId"], r["Label"]) for r in rows] == [("-1", "\\N")]
    assert "x,a" in rows[0]["ErrorMsgDetail"]
