"""The flagship, end to end: objects land in OSS and each version is loaded into Doris exactly once.

Airflow's real ``scheduler``, ``triggerer`` and execution API server run
``example_dags/example_oss_to_doris.py`` (batched loads, the default) on sqlite against the local
OSS and the local Doris FE.

- ``test_each_object_version_is_loaded_exactly_once``: an object already there before the watcher
  started (never loaded), the first load failing once and retried by Airflow, the triggerer
  killed (SIGKILL) while objects arrive and one is uploaded again unchanged, the crash window (the
  checkpoint PUT recording an already-stored event never landed, so that object is reported once
  more), and a rewritten object.
- ``test_a_burst_is_loaded_with_nothing_landing_after_it``: a burst of objects, and an event that
  joined no run (the state apache/airflow#54659 leaves: the event is stored, its queue entry
  gone), with no object landing afterwards: everything is loaded within the sweep's bound.

Afterwards: every version has exactly one ledger row and its rows are in the table once, each
ledger batch has exactly one FINISHED Broker Load, no event was consumed by two runs, and every
run succeeded.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.sql.labels import next_label_attempt
from airflow_provider_doris_oss.testing.airflow_processes import LocalAirflow

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_to_doris.py"
DAG_ID = "example_oss_to_doris"
CHECKPOINTS = "_airflow_doris_oss/event-checkpoints/"
SWEEP_SECONDS = 15


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
        "DORIS_OSS_DEMO_SWEEP_SECONDS": str(SWEEP_SECONDS),
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


class Loaded:
    """What Doris holds for the flagship's database: ledger rows, table rows, load jobs."""

    def __init__(self, fe: Any, database: str) -> None:
        self.fe, self.database = fe, database

    def ledger(self) -> list[tuple[str, str]]:
        if not doris_rows(self.fe, f"SHOW DATABASES LIKE '{self.database}'") or not doris_rows(
            self.fe, f"SHOW TABLES FROM `{self.database}` LIKE 'oss_loaded_objects'"
        ):
            return []
        rows = doris_rows(self.fe, f"SELECT object_key, etag FROM `{self.database}`.`oss_loaded_objects`")
        return [(r["object_key"], r["etag"]) for r in rows]

    def check(self, versions: dict[tuple[str, str], bytes]) -> list[dict[str, Any]]:
        """Each version once in the ledger and in the table, each batch one FINISHED job; the jobs."""
        assert Counter(self.ledger()) == Counter(list(versions)), "ledger rows are not one per version"
        rows = doris_rows(self.fe, f"SELECT order_id, customer FROM `{self.database}`.`orders_events`")
        expected = Counter(
            line.split(",", 2)[0] for body in versions.values() for line in body.decode().splitlines()
        )
        assert Counter(str(r["order_id"]) for r in rows) == expected
        jobs = doris_rows(self.fe, f"SHOW LOAD FROM `{self.database}`")
        finished = Counter(j["Label"] for j in jobs if j["State"] == "FINISHED")
        batches = {
            r["batch_label"]
            for r in doris_rows(self.fe, f"SELECT batch_label FROM `{self.database}`.`oss_loaded_objects`")
        }
        for label in batches:
            attempts = {label} | {next_label_attempt(label, n) for n in range(1, 10)}
            assert sum(finished[a] for a in attempts) == 1, f"batch {label}: {finished}"
        assert sum(finished.values()) == len(batches)
        return jobs


def runs_settled(airflow: Any) -> bool:
    states = airflow.query("select state from dag_run where dag_id = ?", DAG_ID)
    return bool(states) and all(state in ("success", "failed") for (state,) in states)


def assert_events_consumed_at_most_once(airflow: Any) -> list[int]:
    """No event is in two runs; returns the ids of events no run consumed."""
    consumed = airflow.query(
        "select e.id, count(l.dag_run_id) from asset_event e left join dagrun_asset_event l "
        "on l.event_id = e.id group by e.id"
    )
    assert all(count <= 1 for _, count in consumed), f"an event consumed twice: {consumed}"
    failed = airflow.query("select run_id from dag_run where dag_id = ? and state = 'failed'", DAG_ID)
    assert not failed, f"runs failed: {failed}"
    return [event_id for event_id, count in consumed if count == 0]


def test_each_object_version_is_loaded_exactly_once(airflow, local_oss, oss_bucket, local_doris_fe):
    client = local_oss.client()
    versions: dict[tuple[str, str], bytes] = {}
    loaded = Loaded(local_doris_fe, airflow.env["DORIS_OSS_DEMO_DATABASE"])

    def drop(key: str, body: bytes) -> None:
        etag = client.put_object(Bucket=oss_bucket, Key=key, Body=body)["ETag"]
        versions[(key, etag.strip('"'))] = body

    client.put_object(Bucket=oss_bucket, Key="inbox/before-the-watcher.csv", Body=csv(1, 2))
    for name in ("api-server", "scheduler", "triggerer"):
        airflow.start(name)
    airflow.wait_for(lambda: checkpoint(local_oss, oss_bucket), "the starting checkpoint (start_from='now')")
    baseline = checkpoint(local_oss, oss_bucket)
    assert baseline is not None and checkpoint_keys(local_oss, oss_bucket) == {"inbox/before-the-watcher.csv"}

    # The first load job fails once (CANCELLED in Doris); Airflow retries the task.
    local_doris_fe.fail_next_job("injected: the first load fails once")
    drop("inbox/a.csv", csv(10, 11, 12))
    airflow.wait_for(lambda: len(loaded.ledger()) == 1, "a.csv loaded after one retry")
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
    airflow.wait_for(lambda: len(loaded.ledger()) == 3, "b.csv and c.csv loaded")
    drop("inbox/a.csv", csv(10, 11, 12, 13))  # rewritten: a new version, loaded once more
    assert len(versions) == 4, "a.csv uploaded again unchanged is one version; rewritten, a second"
    airflow.wait_for(lambda: len(loaded.ledger()) == 4, "the rewritten a.csv loaded")
    airflow.wait_for(lambda: runs_settled(airflow), "every run to finish")

    reported = Counter((e["key"], e["etag"].strip('"')) for e in airflow.asset_events())
    first_a = next(v for v in versions if v[0] == "inbox/a.csv")
    assert reported[first_a] == 2, "the crash window reports a.csv's first version again"
    assert set(reported) == set(versions), "only the four versions were reported"
    assert_events_consumed_at_most_once(airflow)
    jobs = loaded.check(versions)
    cancelled = [j for j in jobs if j["State"] == "CANCELLED"]
    assert len(cancelled) == 1 and "injected" in str(cancelled[0]["ErrorMsg"])
    retried = airflow.query(
        "select max(try_number) from task_instance where dag_id = ? and task_id = 'load_batch'", DAG_ID
    )
    assert retried == [(2,)]


def test_a_burst_is_loaded_with_nothing_landing_after_it(airflow, local_oss, oss_bucket, local_doris_fe):
    client = local_oss.client()
    versions: dict[tuple[str, str], bytes] = {}
    loaded = Loaded(local_doris_fe, airflow.env["DORIS_OSS_DEMO_DATABASE"])
    for name in ("api-server", "scheduler", "triggerer"):
        airflow.start(name)
    airflow.wait_for(lambda: checkpoint(local_oss, oss_bucket), "the watcher's first listing")

    def drop(n: int) -> None:
        data = csv(n)
        tag = client.put_object(Bucket=oss_bucket, Key=f"inbox/burst-{n:04d}.csv", Body=data)["ETag"]
        versions[(f"inbox/burst-{n:04d}.csv", tag.strip('"'))] = data

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(drop, range(1, 81)))
    landed = time.monotonic()
    airflow.wait_for(lambda: len(loaded.ledger()) == 80, "the burst loaded", 400)
    burst_took = time.monotonic() - landed
    airflow.wait_for(lambda: runs_settled(airflow), "every run to finish")
    unconsumed = assert_events_consumed_at_most_once(airflow)

    # Then the state the race leaves, with nothing landing after it: an inbox event stored with
    # no queue entry and no run. (Its object lies outside the watched prefix, so the watcher
    # never reports it itself, and no later event can carry it into a run.)
    body = csv(9000)
    etag = client.put_object(Bucket=oss_bucket, Key="elsewhere/orphan.csv", Body=body)["ETag"]
    versions[("elsewhere/orphan.csv", etag.strip('"'))] = body
    payload = {
        "uri": f"oss://{oss_bucket}/elsewhere/orphan.csv",
        "bucket": oss_bucket,
        "key": "elsewhere/orphan.csv",
        "etag": etag,
        "size": len(body),
    }
    (asset_id,) = airflow.query("select id from asset where name = 'oss_orders_inbox'")[0]
    airflow.query(
        "insert into asset_event (asset_id, extra, timestamp) values (?, ?, ?)",
        asset_id,
        json.dumps({"from_trigger": True, "payload": payload}),
        time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime()),
    )
    orphaned = time.monotonic()
    airflow.wait_for(lambda: len(loaded.ledger()) == 81, "the orphaned event's object loaded", 400)
    orphan_took = time.monotonic() - orphaned
    airflow.wait_for(lambda: runs_settled(airflow), "every run to finish")

    jobs = loaded.check(versions)
    injected = airflow.query("select id from asset_event where extra like '%elsewhere/orphan.csv%'")[0][0]
    assert injected in assert_events_consumed_at_most_once(airflow), "a run consumed the orphaned event"
    finished = sum(j["State"] == "FINISHED" for j in jobs)
    runs = airflow.query("select count(*) from dag_run where dag_id = ?", DAG_ID)[0][0]
    print(
        f"\nburst of 80 dropped in {landed - started:.1f} s, loaded {burst_took:.0f} s after the last drop; "
        f"{len(unconsumed)} of its events joined no run; the orphaned event loaded {orphan_took:.0f} s "
        f"after it was stored (sweep every {SWEEP_SECONDS} s); {finished} FINISHED loads, {runs} runs"
    )
    assert finished <= 10, f"{finished} loads for 81 objects: not batched"
    assert orphan_took < SWEEP_SECONDS + 120
