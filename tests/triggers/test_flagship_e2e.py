"""The flagship, end to end: objects land in OSS and each version is loaded into Doris exactly once.

Airflow's real ``scheduler``, ``triggerer`` and execution API server run
``example_dags/example_oss_to_doris.py`` on sqlite against the local OSS and the local Doris FE.
Along the way: an object already there before the watcher started (never loaded), the first load
failing once and retried by Airflow, the triggerer killed (SIGKILL) while objects arrive and one
is uploaded again unchanged, the crash window (the checkpoint PUT recording an already-stored
event never landed, so that object is reported once more), and a changed object.

Afterwards: every asset event was consumed by exactly one run, every run succeeded, Doris has
exactly one FINISHED load per distinct object version under its bucket/key/ETag label (plus the
one CANCELLED attempt), and the table holds exactly the rows of those versions.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.sql.labels import object_label
from airflow_provider_doris_oss.testing.airflow_processes import LocalAirflow

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_to_doris.py"
DAG_ID = "example_oss_to_doris"
CHECKPOINTS = "_airflow_doris_oss/event-checkpoints/"


def csv(*order_ids: int) -> bytes:
    return "".join(f"{n},customer-{n},{n % 97}.50,2026-02-{n % 28 + 1:02d}\n" for n in order_ids).encode()


@pytest.fixture
def airflow(tmp_path: Path, local_oss: Any, oss_bucket: str, local_doris_fe: Any) -> Any:
    database = f"flagship_{uuid.uuid4().hex[:8]}"
    env = {
        "AIRFLOW_CONN_DORIS_OSS_DEFAULT": local_oss.connection(
            "doris_oss_default", bucket=oss_bucket
        ).as_json(),
        "AIRFLOW_CONN_DORIS_DEFAULT": local_doris_fe.connection("doris_default").as_json(),
        "DORIS_OSS_DEMO_BUCKET": oss_bucket,
        "DORIS_OSS_DEMO_DATABASE": database,
        "DORIS_OSS_DEMO_POLL_INTERVAL": "1",
        "DORIS_OSS_DEMO_RETRY_SECONDS": "1",
    }
    with LocalAirflow(tmp_path / "airflow", [EXAMPLE], env) as deployment:
        yield deployment.prepare()


def doris_rows(fe: Any, sql: str) -> list[dict[str, Any]]:
    import pymysql
    import pymysql.cursors

    conn = pymysql.connect(host=fe.host, port=fe.port, user=fe.user, password=fe.password)
    try:
        with conn.cursor(pymysql.cursors.DictCursor) as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        conn.close()


def checkpoint(local_oss: Any, bucket: str) -> tuple[str, bytes] | None:
    client = local_oss.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix=CHECKPOINTS).get("Contents", [])
    found = [o for o in listed if o["Key"].endswith(".json")]  # not the start marker
    if not found:
        return None
    key = found[0]["Key"]
    return key, client.get_object(Bucket=bucket, Key=key)["Body"].read()


def checkpoint_keys(local_oss: Any, bucket: str) -> set[str]:
    found = checkpoint(local_oss, bucket)
    return set(json.loads(found[1])["objects"]) if found else set()


def test_each_object_version_is_loaded_exactly_once(airflow, local_oss, oss_bucket, local_doris_fe):
    client = local_oss.client()
    versions: dict[tuple[str, str], bytes] = {}

    def drop(key: str, body: bytes) -> None:
        etag = client.put_object(Bucket=oss_bucket, Key=key, Body=body)["ETag"]
        versions[(key, etag)] = body

    def runs(state: str | None = None) -> int:
        sql = "select count(*) from dag_run where dag_id = ?" + (" and state = ?" if state else "")
        return int(airflow.query(sql, DAG_ID, *([state] if state else []))[0][0])

    database = airflow.env["DORIS_OSS_DEMO_DATABASE"]

    def finished_loads() -> list[str]:
        if not doris_rows(local_doris_fe, f"SHOW DATABASES LIKE '{database}'"):
            return []
        rows = doris_rows(local_doris_fe, f"SHOW LOAD FROM `{database}`")
        return [r["Label"] for r in rows if r["State"] == "FINISHED"]

    client.put_object(Bucket=oss_bucket, Key="inbox/before-the-watcher.csv", Body=csv(1, 2))
    for name in ("api-server", "scheduler", "triggerer"):
        airflow.start(name)
    airflow.wait_for(lambda: checkpoint(local_oss, oss_bucket), "the starting checkpoint (start_from='now')")
    baseline = checkpoint(local_oss, oss_bucket)
    assert baseline is not None and checkpoint_keys(local_oss, oss_bucket) == {"inbox/before-the-watcher.csv"}

    # The first load job fails once (CANCELLED in Doris); Airflow retries the task.
    local_doris_fe.fail_next_job("injected: the first load fails once")
    drop("inbox/a.csv", csv(10, 11, 12))
    airflow.wait_for(lambda: len(finished_loads()) == 1, "a.csv loaded after one retry")
    airflow.wait_for(
        lambda: "inbox/a.csv" in checkpoint_keys(local_oss, oss_bucket), "a.csv in the checkpoint"
    )

    # The triggerer is killed; meanwhile objects arrive, and a.csv is uploaded again unchanged.
    airflow.stop("triggerer", kill=True)
    # The crash window: as if the triggerer had died after a.csv's event reached the DB but
    # before the checkpoint PUT that recorded it landed.
    client.put_object(Bucket=oss_bucket, Key=baseline[0], Body=baseline[1])
    drop("inbox/b.csv", csv(20, 21))
    drop("inbox/a.csv", csv(10, 11, 12))
    drop("inbox/c.csv", csv(30, 31))
    airflow.start("triggerer")
    airflow.wait_for(lambda: len(airflow.asset_events()) == 4, "a.csv (again), b.csv and c.csv reported")
    # a.csv is rewritten: a new version, loaded once more. Airflow 3.3.2 can leave events that
    # land while the scheduler creates a run for the same asset unqueued until the asset's next
    # event (apache/airflow#54659); this rewrite is that next event for the burst above.
    drop("inbox/a.csv", csv(10, 11, 12, 13))
    assert len(versions) == 4, "a.csv uploaded again unchanged is one version; rewritten, a second"

    airflow.wait_for(lambda: len(finished_loads()) == 4, "one FINISHED load per object version")
    airflow.wait_for(
        lambda: (
            airflow.query("select count(distinct event_id) from dagrun_asset_event")[0][0] == 5
            and runs("success") == runs()
        ),
        "every event consumed and every run succeeded",
    )

    events = Counter((e["key"], e["etag"]) for e in airflow.asset_events())
    a_version = next(v for v in versions if v[0] == "inbox/a.csv")
    assert events == Counter([*versions, a_version]), "a.csv, and only a.csv, is reported twice (the crash)"
    consumed = airflow.query(
        "select e.id, count(l.dag_run_id) from asset_event e left join dagrun_asset_event l on l.event_id = e.id "
        "group by e.id"
    )
    assert consumed and all(count == 1 for _, count in consumed), (
        f"events not consumed exactly once: {consumed}"
    )

    loads = doris_rows(local_doris_fe, f"SHOW LOAD FROM `{database}`")
    labels = {object_label(oss_bucket, key, etag) for key, etag in versions}
    finished = [r["Label"] for r in loads if r["State"] == "FINISHED"]
    cancelled = [r["Label"] for r in loads if r["State"] == "CANCELLED"]
    label_a = object_label(oss_bucket, *a_version)
    assert cancelled == [label_a]
    assert sorted(finished) == sorted((labels - {label_a}) | {label_a + "_r1"})
    retried = airflow.query(
        "select max(try_number) from task_instance where dag_id = ? and task_id = 'load_object'", DAG_ID
    )
    assert retried == [(2,)]

    table = doris_rows(
        local_doris_fe,
        f"SELECT order_id, customer FROM `{database}`.`orders_events` ORDER BY order_id",
    )
    expected = sorted(
        (int(line.split(",")[0]), line.split(",")[1])
        for body in versions.values()
        for line in body.decode().splitlines()
    )
    assert [(r["order_id"], r["customer"]) for r in table] == expected
