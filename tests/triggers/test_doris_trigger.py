"""DorisJobTrigger against the local Doris FE: final events, reconnects, cancelling, no blocking."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import DorisJobError
from airflow_provider_doris_oss.triggers import doris as trigger_module
from airflow_provider_doris_oss.triggers.doris import DorisJobTrigger


def run_sql(fe: Any, sql: str) -> list[dict[str, Any]]:
    import pymysql

    conn = pymysql.connect(host=fe.host, port=fe.port, user=fe.user, autocommit=True)
    try:
        with conn.cursor(pymysql.cursors.DictCursor) as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        conn.close()


@pytest.fixture
def db(local_doris_fe: Any, oss_conn: str, local_oss: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    name = f"db_{uuid.uuid4().hex[:10]}"
    run_sql(local_doris_fe, f"CREATE DATABASE `{name}`")
    run_sql(
        local_doris_fe,
        f"CREATE TABLE `{name}`.`t` (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")',
    )
    local_oss.client().put_object(Bucket=oss_conn, Key="in/a.csv", Body=b"1,a\n2,b\n")
    return name


def deferred_load(db: str, bucket: str, label: str) -> tuple[DorisBrokerLoadOperator, DorisJobTrigger]:
    """Submit a load with a deferrable operator and return it with the trigger it deferred to."""
    from airflow.sdk.exceptions import TaskDeferred

    op = DorisBrokerLoadOperator(
        task_id="load",
        table=f"{db}.t",
        source_uris=f"oss://{bucket}/in/a.csv",
        column_separator=",",
        label=label,
        poll_interval=0.1,
        deferrable=True,
    )
    context = {"ti": SimpleNamespace(dag_id="d", task_id="load", run_id="r", map_index=-1)}
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    trigger = deferred.value.trigger
    assert isinstance(trigger, DorisJobTrigger)
    return op, trigger


async def first_event(trigger: DorisJobTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("the trigger ended without an event")


async def wait_for_state(fe: Any, db: str, label: str, state: str) -> None:
    for _ in range(600):
        rows = await asyncio.to_thread(run_sql, fe, f'SHOW LOAD FROM `{db}` WHERE LABEL = "{label}"')
        if rows and rows[-1]["State"] == state:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{label} never reached {state}")


async def test_final_event_is_plain_json_and_resumes_the_operator(local_doris_fe, db, oss_conn, monkeypatch):
    loop_thread = threading.get_ident()
    fetch_threads: list[int] = []
    real_fetch = trigger_module._fetch

    def recording_fetch(conn: Any, sql: str) -> list[dict[str, Any]]:
        fetch_threads.append(threading.get_ident())
        return real_fetch(conn, sql)

    def sync_getter(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the trigger must use BaseHook.aget_connection, not the sync getter")

    monkeypatch.setattr(trigger_module, "_fetch", recording_fetch)
    from airflow.sdk import BaseHook

    local_doris_fe.hold_next_job("LOADING", 0.5)
    op, trigger = deferred_load(db, oss_conn, "trig_final")
    with pytest.MonkeyPatch.context() as no_sync_getter:  # only while the trigger runs
        no_sync_getter.setattr(BaseHook, "get_connection", classmethod(sync_getter))
        event = await first_event(trigger)
    assert json.loads(json.dumps(event)) == event
    assert (event["status"], event["label"], event["database"], event["state"]) == (
        "final",
        "trig_final",
        db,
        "FINISHED",
    )
    assert event["row"]["Label"] == "trig_final"
    assert fetch_threads and loop_thread not in fetch_threads
    summary = await asyncio.to_thread(op.execute_complete, {"ti": None}, event)
    assert summary["loaded_rows"] == 2 and summary["label"] == "trig_final"
    rows = await asyncio.to_thread(run_sql, local_doris_fe, f"SELECT id FROM `{db}`.`t` ORDER BY id")
    assert [r["id"] for r in rows] == [1, 2]


async def test_a_dropped_connection_is_reopened_and_polling_resumes(
    local_doris_fe, db, oss_conn, monkeypatch
):
    from airflow_provider_doris_oss.hooks.doris import DorisHook

    opened: list[int] = []
    polled = threading.Event()
    real_get_conn, real_fetch = DorisHook.get_conn, trigger_module._fetch

    def counting_get_conn(self: DorisHook) -> Any:
        opened.append(1)
        return real_get_conn(self)

    def signalling_fetch(conn: Any, sql: str) -> list[dict[str, Any]]:
        rows = real_fetch(conn, sql)
        polled.set()
        return rows

    local_doris_fe.hold_next_job("LOADING", 3.0)
    _, trigger = deferred_load(db, oss_conn, "trig_drop")
    monkeypatch.setattr(DorisHook, "get_conn", counting_get_conn)
    monkeypatch.setattr(trigger_module, "_fetch", signalling_fetch)
    task = asyncio.create_task(first_event(trigger))
    assert await asyncio.to_thread(polled.wait, 30)
    await asyncio.to_thread(local_doris_fe.drop_connections)
    event = await asyncio.wait_for(task, timeout=60)
    assert event["status"] == "final" and event["state"] == "FINISHED"
    assert len(opened) >= 2


async def test_on_kill_cancels_and_the_operator_fails_with_the_cancel(local_doris_fe, db, oss_conn):
    local_doris_fe.hold_next_job("LOADING", 30.0)
    op, trigger = deferred_load(db, oss_conn, "trig_kill")
    await trigger.on_kill()
    event = await first_event(trigger)
    assert event["state"] == "CANCELLED"
    with pytest.raises(DorisJobError, match="USER_CANCEL"):
        await asyncio.to_thread(op.execute_complete, {"ti": None}, event)
    await trigger.on_kill()  # nothing left to cancel: not an error


async def test_an_unknown_label_ends_with_an_error_event(local_doris_fe, db):
    trigger = DorisJobTrigger(
        doris_conn_id="doris_default", kind="load", database=db, label="never_submitted", poll_interval=0.1
    )
    event = await first_event(trigger)
    assert event["status"] == "error" and "never_submitted" in event["message"]


def short_read_timeout(fe: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``doris_default`` at the FE with a 1 s read timeout."""
    conn = json.loads(fe.connection().as_json())
    conn["extra"] = json.dumps({"read_timeout": 1})
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", json.dumps(conn))


async def test_a_stalled_show_is_given_up_after_the_read_timeout_and_polling_resumes(
    local_doris_fe, db, oss_conn, monkeypatch
):
    local_doris_fe.hold_next_job("LOADING", 1.0)
    _, trigger = deferred_load(db, oss_conn, "trig_stall")
    short_read_timeout(local_doris_fe, monkeypatch)
    before = local_doris_fe.stalled_statements()
    local_doris_fe.stall_statements(rf"^SHOW LOAD FROM `{db}`", 600, count=2)
    event = await asyncio.wait_for(first_event(trigger), timeout=60)
    assert event["status"] == "final" and event["state"] == "FINISHED"
    assert local_doris_fe.stalled_statements() - before == 2


async def test_an_fe_that_never_answers_ends_the_trigger_with_an_error_event(
    local_doris_fe, db, oss_conn, monkeypatch
):
    local_doris_fe.hold_next_job("LOADING", 1.0)
    _, trigger = deferred_load(db, oss_conn, "trig_hung")
    short_read_timeout(local_doris_fe, monkeypatch)
    local_doris_fe.stall_statements(rf"^SHOW LOAD FROM `{db}`", 600, count=100)
    event = await asyncio.wait_for(first_event(trigger), timeout=60)
    assert event["status"] == "error"
    assert "timed out" in event["message"] and "could not reopen" in event["message"]


async def test_on_kill_sends_a_stalled_cancel_again(local_doris_fe, db, oss_conn, monkeypatch):
    local_doris_fe.hold_next_job("LOADING", 30.0)
    _, trigger = deferred_load(db, oss_conn, "trig_kill_stall")
    short_read_timeout(local_doris_fe, monkeypatch)
    local_doris_fe.stall_statements(rf"^CANCEL LOAD FROM `{db}`", 600, count=1)
    await asyncio.wait_for(trigger.on_kill(), timeout=30)
    rows = await asyncio.to_thread(
        run_sql, local_doris_fe, f'SHOW LOAD FROM `{db}` WHERE LABEL = "trig_kill_stall"'
    )
    assert rows[-1]["State"] == "CANCELLED"
