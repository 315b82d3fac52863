"""Doris's admission refusals are waited out inside the task, never failed on, and never load twice.

A local FE with small limits (two unfinished loads, one running; one running transaction; a
version limit of 3 with slow compaction) and more loads than that at once: every task succeeds,
its log names the limit it waited for, and every row lands exactly once.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import AdmissionWait, DorisJobError
from airflow_provider_doris_oss.sql.jobs import admission_delay, admission_limit
from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

TABLE = (
    "CREATE TABLE `{db}`.`orders` (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
    'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


class Fe:
    """A local FE with the test's limits, a database with an ``orders`` table, and a client."""

    def __init__(self, server: LocalDorisFE, bucket: str) -> None:
        self.server, self.bucket = server, bucket
        self.db = f"db_{uuid.uuid4().hex[:10]}"
        self.run(f"CREATE DATABASE `{self.db}`")
        self.run(TABLE.format(db=self.db))

    def run(self, sql: str) -> list[dict[str, Any]]:
        import pymysql

        conn = pymysql.connect(host=self.server.host, port=self.server.port, user="root", autocommit=True)
        try:
            with conn.cursor(pymysql.cursors.DictCursor) as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            conn.close()

    def ids(self) -> list[int]:
        return [r["id"] for r in self.run(f"SELECT id FROM `{self.db}`.`orders` ORDER BY id")]

    def jobs(self, label: str) -> list[dict[str, Any]]:
        return self.run(f'SHOW LOAD FROM `{self.db}` WHERE LABEL LIKE "{label}%"')


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AdmissionWait, "first_delay", 0.1)
    monkeypatch.setattr(AdmissionWait, "max_delay", 0.4)


@contextmanager
def make_fe(local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, **limits: Any) -> Iterator[Fe]:
    with LocalDorisFE(oss=local_oss, **limits) as server:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", server.connection().as_json())
        yield Fe(server, oss_conn)


@pytest.fixture
def queue_fe(local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Fe]:
    limits = {"max_waiting_load_jobs": 2, "max_running_load_jobs": 1, "job_state_seconds": 0.2}
    limits["statement_log"] = tmp_path / "statements.jsonl"
    with make_fe(local_oss, oss_conn, monkeypatch, **limits) as fe:
        yield fe


def context(task_id: str) -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="admission", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti}


def operator(fe: Fe, task_id: str, key: str, **kwargs: Any) -> DorisBrokerLoadOperator:
    return DorisBrokerLoadOperator(
        task_id=task_id,
        table=f"{fe.db}.orders",
        source_uris=f"oss://{fe.bucket}/{key}",
        format="csv",
        column_separator=",",
        poll_interval=0.2,
        **kwargs,
    )


def put(local_oss: Any, bucket: str, key: str, body: str) -> None:
    local_oss.client().put_object(Bucket=bucket, Key=key, Body=body.encode())


def test_more_loads_than_the_fe_admits_all_succeed_once_each(
    queue_fe: Fe, local_oss: Any, capsys: Any
) -> None:
    tasks = 6
    for n in range(tasks):
        put(local_oss, queue_fe.bucket, f"in/{n}.csv", f"{n * 10},a\n{n * 10 + 1},b\n")
    results: dict[int, Any] = {}

    def one(n: int) -> None:
        try:
            results[n] = operator(queue_fe, f"load_{n}", f"in/{n}.csv").execute(context(f"load_{n}"))
        except Exception as error:
            results[n] = error

    threads = [threading.Thread(target=one, args=(n,)) for n in range(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(isinstance(r, dict) and r["state"] == "FINISHED" for r in results.values()), results
    assert len(results) == tasks
    assert queue_fe.ids() == sorted(i for n in range(tasks) for i in (n * 10, n * 10 + 1))
    stats = queue_fe.server.admission_stats()
    assert stats["refusals"]["desired_max_waiting_jobs"] >= 1
    peaks = stats["peaks"]
    assert (peaks["unfinished_load_jobs"], peaks["running_load_jobs"], peaks["running_txns_per_db"]) == (
        2,
        1,
        1,
    )
    waits = [line for line in capsys.readouterr().out.splitlines() if "Doris refused it for now" in line]
    assert waits and all("desired_max_waiting_jobs" in w and "Waiting " in w for w in waits)
    # Each task's label holds exactly one job, FINISHED: a refused submit was never a job; and
    # no LOAD went out again before SHOW LOAD had looked the label up.
    log = [json.loads(line) for line in queue_fe.server.statement_log.paths[0].read_text().splitlines()]
    for summary in results.values():
        label = summary["label"]
        assert [j["State"] for j in queue_fe.jobs(label)] == ["FINISHED"]
        mine = [r for r in log if label in r["sql"]]
        loads = [i for i, r in enumerate(mine) if r["sql"].startswith("LOAD LABEL")]
        assert [mine[i]["outcome"] == "ok" for i in loads][-1] is True
        assert all(mine[i - 1]["sql"].startswith("SHOW LOAD") for i in loads)
    refused = [r for r in log if r["sql"].startswith("LOAD LABEL") and r["outcome"] != "ok"]
    assert refused and all("unfinished load jobs, please retry later" in r["outcome"] for r in refused)


def test_a_deferrable_load_waits_out_the_queue_before_it_defers(
    queue_fe: Fe, local_oss: Any, capsys: Any
) -> None:
    from airflow.sdk.exceptions import TaskDeferred

    put(local_oss, queue_fe.bucket, "in/x.csv", "5,x\n")
    queue_fe.server.hold_next_job("LOADING", 1.5)
    for label in ("held_a", "held_b"):  # fill the queue: one running, one waiting
        queue_fe.run(
            f'LOAD LABEL `{queue_fe.db}`.{label} (DATA INFILE ("s3://{queue_fe.bucket}/in/x.csv") INTO TABLE orders '
            f'COLUMNS TERMINATED BY ",") WITH S3 ({storage(local_oss)})'
        )
    started = time.monotonic()
    with pytest.raises(TaskDeferred) as deferred:
        operator(queue_fe, "deferred", "in/x.csv", deferrable=True).execute(context("deferred"))
    assert time.monotonic() - started >= 1.0  # it waited for a place, then submitted and deferred
    assert "desired_max_waiting_jobs" in capsys.readouterr().out
    event = run_trigger(deferred.value.trigger)
    summary = operator(queue_fe, "deferred", "in/x.csv", deferrable=True).execute_complete(
        context("deferred"), event, **deferred.value.kwargs
    )
    assert summary["state"] == "FINISHED" and summary["submitted"] is True
    assert queue_fe.ids() == [5, 5, 5]


def test_refusals_past_the_execution_timeout_fail_the_task_naming_the_limit(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_fe(local_oss, oss_conn, monkeypatch, max_waiting_load_jobs=1) as fe:
        put(local_oss, fe.bucket, "in/x.csv", "5,x\n")
        fe.server.hold_next_job("LOADING", 30)
        fe.run(
            f'LOAD LABEL `{fe.db}`.holder (DATA INFILE ("s3://{fe.bucket}/in/x.csv") INTO TABLE orders '
            f'COLUMNS TERMINATED BY ",") WITH S3 ({storage(local_oss)})'
        )
        late = operator(fe, "late", "in/x.csv", execution_timeout=timedelta(seconds=1.5))
        with pytest.raises(DorisJobError, match=r"desired_max_waiting_jobs.*execution_timeout \(1.5 s\)"):
            late.execute(context("late"))
        assert fe.jobs("airflow_admission_late") == []
        fe.run(f'CANCEL LOAD FROM `{fe.db}` WHERE LABEL = "holder"')


def test_a_load_cancelled_for_too_many_versions_is_retried_after_compaction(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with make_fe(local_oss, oss_conn, monkeypatch, tablet_version_limit=3, compaction_rate=1.0) as fe:
        clock = [1000.0]  # compaction moves only when the test says so
        fe.server.state.admission.clock = lambda: clock[0]
        for i in (100, 101, 102):  # 4 versions: above the limit until compaction merges one
            fe.run(f"INSERT INTO `{fe.db}`.orders VALUES ({i}, 'pre')")
        put(local_oss, fe.bucket, "in/v.csv", "1,a\n2,b\n")

        def compact_after_the_refusal() -> None:
            wait_for(lambda: any(j["State"] == "CANCELLED" for j in fe.jobs("airflow_admission_versions")))
            clock[0] += 1.0

        watcher = threading.Thread(target=compact_after_the_refusal)
        watcher.start()
        summary = operator(fe, "versions", "in/v.csv").execute(context("versions"))
        watcher.join()
        assert summary["state"] == "FINISHED" and summary["label"].endswith("_r1")
        assert fe.ids() == [1, 2, 100, 101, 102]
        states = {j["Label"]: (j["State"], j["ErrorMsg"]) for j in fe.jobs("airflow_admission_versions")}
        first = states[summary["label"][: -len("_r1")]]
        assert first[0] == "CANCELLED" and "[E-235]" in first[1]
        out = capsys.readouterr().out
        assert "max_tablet_version_num" in out and "compaction is behind" in out


def test_a_deferred_load_cancelled_by_the_transaction_limit_is_submitted_again(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from airflow.sdk.exceptions import TaskDeferred

    with make_fe(local_oss, oss_conn, monkeypatch, max_running_txn_per_db=1) as fe:
        put(local_oss, fe.bucket, "in/t.csv", "7,t\n")
        fe.server.hold_next_job("LOADING", 60)
        fe.run(
            f'LOAD LABEL `{fe.db}`.holder (DATA INFILE ("s3://{fe.bucket}/in/t.csv") INTO TABLE orders '
            f'COLUMNS TERMINATED BY ",") WITH S3 ({storage(local_oss)})'
        )
        wait_for(lambda: fe.jobs("holder")[0]["State"] == "LOADING")
        fe.server.hold_next_job("PENDING", 1.0)  # the task's job is submitted, deferred, then refused
        with pytest.raises(TaskDeferred) as first:
            operator(fe, "txn", "in/t.csv", deferrable=True).execute(context("txn"))
        event = run_trigger(first.value.trigger)
        assert event["state"] == "CANCELLED"  # the holder's transaction was running
        assert "current running txns on db" in event["row"]["ErrorMsg"]
        fe.run(f'CANCEL LOAD FROM `{fe.db}` WHERE LABEL = "holder"')
        labels = [first.value.kwargs["label"]]
        deferral, resumed = first.value, event
        while True:  # a resumption waits, submits under the next label attempt, and may defer again
            try:
                summary = operator(fe, "txn", "in/t.csv", deferrable=True).execute_complete(
                    context("txn"), resumed, **deferral.kwargs
                )
                break
            except TaskDeferred as again:
                deferral = again
                labels.append(again.kwargs["label"])
                resumed = run_trigger(again.trigger)
        assert summary["label"] == labels[0] + "_r1" and summary["state"] == "FINISHED"
        assert summary["submitted"] is True
        assert fe.ids() == [7]
        assert "max_running_txn_num_per_db" in capsys.readouterr().out


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.05)


def storage(local_oss: Any) -> str:
    props = {
        "s3.endpoint": local_oss.endpoint,
        "s3.access_key": local_oss.access_key,
        "s3.secret_key": local_oss.secret_key,
        "s3.region": local_oss.region,
    }
    return ", ".join(f'"{k}" = "{v}"' for k, v in props.items())


def run_trigger(trigger: Any) -> dict[str, Any]:
    async def first_event() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(first_event())


def test_the_classifier_and_the_back_off() -> None:
    refused = "errCode = 2, detailMessage = There are more than 100 unfinished load jobs, please retry later."
    assert admission_limit(refused).name == "desired_max_waiting_jobs"
    assert admission_limit(
        "There are more than 100 load jobs in waiting queue, please retry later."
    ).name == ("desired_max_waiting_jobs")
    assert admission_limit(
        "ETL_RUN_FAIL current running txns on db 10002 is 1000, larger than limit 1000"
    ).name == ("max_running_txn_num_per_db")
    assert admission_limit(
        "LOAD_RUN_FAIL [E-235]failed to init rowset builder. version count: 2001"
    ).name == ("max_tablet_version_num")
    assert admission_limit(
        "tablet writer write failed, tablet_id=1539539, txn_id=38873401, err=-235"
    ).name == ("max_tablet_version_num")
    for other in ("quality not good enough to cancel", "No source file in this table(t).", None, "err=-2350"):
        assert admission_limit(other) is None
    # Doubling from 5 s, capped at 60 s, each scaled into [50 %, 100 %) by its jitter.
    assert [admission_delay(n, 0.999999) for n in range(6)] == pytest.approx(
        [5, 10, 20, 40, 60, 60], rel=1e-5
    )
    assert [admission_delay(n, 0.0) for n in range(6)] == [2.5, 5, 10, 20, 30, 30]
    assert admission_delay(1000, 0.5) == 45.0
