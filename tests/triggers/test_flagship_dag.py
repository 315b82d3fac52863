"""The flagship DAG's shape and its plan task, without a scheduler: batches of events, swept events too."""

from __future__ import annotations

import importlib.util
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.batches import Batch, ObjectVersion

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_to_doris.py"


def load_example(monkeypatch: Any, bucket: str, **env: str) -> Any:
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", bucket)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("example_oss_to_doris_under_test", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Inlet:
    """``context["inlet_events"][asset]``: ``after(iso)`` returns the events from then on."""

    def __init__(self, events: list[SimpleNamespace]) -> None:
        self.events = events
        self.asked: list[datetime] = []

    def after(self, when: str) -> list[SimpleNamespace]:
        moment = datetime.fromisoformat(when)
        self.asked.append(moment)
        return [e for e in self.events if e.timestamp >= moment]


@pytest.fixture
def doris_default(local_oss: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        yield fe


def sql(fe: Any, statements: list[str]) -> list[dict[str, Any]]:
    import pymysql
    import pymysql.cursors

    conn = pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)
    rows: list[dict[str, Any]] = []
    try:
        with conn.cursor(pymysql.cursors.DictCursor) as cursor:
            for statement in statements:
                cursor.execute(statement)
                rows = list(cursor.fetchall())
    finally:
        conn.close()
    return rows


def test_the_dag_runs_alone_on_events_or_a_timer_and_maps_one_load_per_batch(monkeypatch):
    from airflow.sdk import AssetOrTimeSchedule, DeltaTriggerTimetable

    example = load_example(monkeypatch, "lake", DORIS_OSS_DEMO_SWEEP_SECONDS="45")
    dag = example.dag
    assert dag.max_active_runs == 1
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert dag.timetable.timetable == DeltaTriggerTimetable(timedelta(seconds=45))
    plan, load = dag.get_task("plan_batches"), dag.get_task("load_batch")
    assert [a.name for a in plan.inlets] == ["oss_orders_inbox"]
    assert load.upstream_task_ids == {"plan_batches"} and plan.upstream_task_ids == {"create_tables"}
    assert example.MAX_FILES == 1000


def test_the_plan_batches_this_runs_events_and_the_swept_ones(
    local_oss, oss_conn, doris_default, monkeypatch
):
    bucket = oss_conn
    example = load_example(monkeypatch, bucket, DORIS_OSS_DEMO_DATABASE="flagship_plan")
    dag = example.dag
    sql(doris_default, dag.get_task("create_tables").sql)
    client = local_oss.client()
    now = datetime.now(timezone.utc)

    def event(key: str, body: bytes, age: float) -> SimpleNamespace:
        etag = client.put_object(Bucket=bucket, Key=key, Body=body)["ETag"]
        payload = {
            "uri": f"oss://{bucket}/{key}",
            "bucket": bucket,
            "key": key,
            "etag": etag,
            "size": len(body),
        }
        return SimpleNamespace(
            extra={"from_trigger": True, "payload": payload}, timestamp=now - timedelta(seconds=age)
        )

    a = event("inbox/a.csv", b"1,a,1.00,2026-01-01\n", 5)
    b = event("inbox/b.csv", b"2,b,2.00,2026-01-01\n", 4)
    orphan = event("inbox/c.csv", b"3,c,3.00,2026-01-01\n", 3)  # joined no run (apache/airflow#54659)
    history = event("inbox/old.csv", b"4,d,4.00,2026-01-01\n", 3600)
    inlet = Inlet([history, a, b, orphan])
    context = {"triggering_asset_events": {example.inbox: [a, b]}, "inlet_events": {example.inbox: inlet}}

    loads = example.plan_batches.function(**context)

    # The first plan sweeps from its earliest triggering event, less the overlap: not the history.
    assert inlet.asked == [a.timestamp - timedelta(minutes=10)]
    versions = tuple(ObjectVersion.from_payload(e.extra["payload"]) for e in (a, b, orphan))
    assert [kwargs["label"] for kwargs in loads] == [Batch(versions).label]
    objects, ledger = loads[0]["data_descriptions"]
    assert [uri.rsplit("/", 1)[-1] for uri in objects["source_uris"]] == ["a.csv", "b.csv", "c.csv"]
    assert objects["table"] == "flagship_plan.orders_events" and ledger["format"] == "json"

    from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

    partial = dag.get_task("load_batch").partial_kwargs
    op = DorisBrokerLoadOperator(
        task_id="load_batch", properties=partial["properties"], poll_interval=0.2, **loads[0]
    )
    ti = SimpleNamespace(dag_id=dag.dag_id, task_id="load_batch", run_id="r1", map_index=0, try_number=1)
    op.execute({"ti": ti})
    rows = sql(doris_default, ["SELECT order_id FROM flagship_plan.orders_events ORDER BY order_id"])
    assert [r["order_id"] for r in rows] == [1, 2, 3]

    # The next (timed) run sweeps from the cursor: nothing is left to load.
    again = Inlet([history, a, b, orphan])
    assert (
        example.plan_batches.function(triggering_asset_events={}, inlet_events={example.inbox: again}) == []
    )
    assert again.asked and again.asked[0] > a.timestamp - timedelta(minutes=10)


def test_object_mode_loads_each_version_on_its_own(monkeypatch):
    assert load_example(monkeypatch, "lake", DORIS_OSS_DEMO_LOAD_MODE="object").MAX_FILES == 1
    assert load_example(monkeypatch, "lake", DORIS_OSS_DEMO_LOAD_MODE="batch").MAX_FILES == 1000
    with pytest.raises(ValueError, match="DORIS_OSS_DEMO_LOAD_MODE: 'files' is neither"):
        load_example(monkeypatch, "lake", DORIS_OSS_DEMO_LOAD_MODE="files")
