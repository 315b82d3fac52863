"""An INSERT refused by Doris's admission limits is sent again after a back-off, never failed on.

A refused INSERT (too many running transactions in the database, or -235) committed nothing and
left its label free, so the task sends the same statement again until Doris admits it or the
task's execution_timeout ends; the rows land once.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.job import DorisJobError
from tests.operators.test_admission_waits import context, make_fe, put, short_waits, storage, wait_for

__all__ = ["short_waits"]  # the autouse fixture that shortens the back-off, used here too


def insert(fe: Any, key: str, **kwargs: Any) -> DorisOssInsertOperator:
    return DorisOssInsertOperator(
        task_id="insert",
        table=f"{fe.db}.orders",
        source_uri=f"oss://{fe.bucket}/{key}",
        format="csv",
        column_separator=",",
        select_list=["cast(c1 as int)", "c2"],
        **kwargs,
    )


def hold_a_transaction(fe: Any, local_oss: Any, seconds: float) -> None:
    """A Broker Load held LOADING for ``seconds``: its transaction fills max_running_txn_per_db=1."""
    put(local_oss, fe.bucket, "in/holder.csv", "7,held\n")
    fe.server.hold_next_job("LOADING", seconds)
    fe.run(
        f'LOAD LABEL `{fe.db}`.holder (DATA INFILE ("s3://{fe.bucket}/in/holder.csv") INTO TABLE orders '
        f'COLUMNS TERMINATED BY ",") WITH S3 ({storage(local_oss)})'
    )
    wait_for(lambda: fe.jobs("holder")[0]["State"] == "LOADING")


def test_an_insert_refused_for_running_transactions_is_sent_again(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with make_fe(local_oss, oss_conn, monkeypatch, max_running_txn_per_db=1) as fe:
        put(local_oss, fe.bucket, "in/rows.csv", "1,a\n2,b\n")
        hold_a_transaction(fe, local_oss, 3.0)
        result = insert(fe, "in/rows.csv").execute(context("insert"))
        assert result["rows"] == 2 and result["already_loaded"] is False
        wait_for(lambda: fe.jobs("holder")[0]["State"] == "FINISHED")
        assert fe.ids() == [1, 2, 7]
        out = capsys.readouterr().out
        assert "max_running_txn_num_per_db" in out and "Waiting" in out


def test_an_insert_refused_for_too_many_versions_is_sent_again_after_compaction(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with make_fe(local_oss, oss_conn, monkeypatch, tablet_version_limit=3, compaction_rate=1.0) as fe:
        clock = [1000.0]  # compaction moves only when the test says so
        fe.server.state.admission.clock = lambda: clock[0]
        for i in (100, 101, 102, 103):  # past the limit until compaction merges some
            try:
                fe.run(f"INSERT INTO `{fe.db}`.orders VALUES ({i}, 'pre')")
            except Exception:
                break
        put(local_oss, fe.bucket, "in/v.csv", "1,a\n")
        timer = threading.Timer(1.0, lambda: clock.__setitem__(0, clock[0] + 5.0))
        timer.start()
        try:
            result = insert(fe, "in/v.csv").execute(context("insert"))
        finally:
            timer.cancel()
        assert result["rows"] == 1
        assert 1 in fe.ids() and fe.ids().count(1) == 1
        assert "max_tablet_version_num" in capsys.readouterr().out


def test_an_insert_refused_past_the_execution_timeout_fails_naming_the_limit(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_fe(local_oss, oss_conn, monkeypatch, max_running_txn_per_db=1) as fe:
        put(local_oss, fe.bucket, "in/rows.csv", "1,a\n")
        hold_a_transaction(fe, local_oss, 30.0)
        with pytest.raises(DorisJobError, match="max_running_txn_num_per_db"):
            insert(fe, "in/rows.csv", execution_timeout=timedelta(seconds=1.5)).execute(context("insert"))
        fe.run(f'CANCEL LOAD FROM `{fe.db}` WHERE LABEL = "holder"')
        assert 1 not in fe.ids()
