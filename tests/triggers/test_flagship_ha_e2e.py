"""The flagship on a production-like Airflow: PostgreSQL, two triggerers, one killed while objects land.

``example_dags/example_oss_to_doris.py`` (batched loads, the default) runs under Airflow's real
processes as production deploys them for high availability: the metadata DB on PostgreSQL
(Debian's ``postgresql``, started by the test on 127.0.0.1), ``LocalExecutor``, one scheduler,
the execution API server and **two triggerers**. Airflow runs each trigger on one triggerer
(``trigger.triggerer_id``); a triggerer whose heartbeat is older than
``[triggerer] triggerer_health_check_threshold`` is dead to the others, which take its triggers
(``Trigger.assign_unassigned``). The threshold is 10 s here (30 by default), the heartbeat 1 s.

Objects land in bursts. First the watcher's triggerer stalls (its main process stopped: no
heartbeat, as when it loses its DB connection, while its trigger runner keeps polling): the other
takes the watcher over, and when the stalled one goes on, the watcher briefly runs in two places
and the events its runner queued meanwhile are stored as well. Then the triggerer now running the
watcher is killed with SIGKILL (with its trigger runner) while a burst lands, another burst lands
while no triggerer runs the watcher, and the other one takes it over, resuming from the
checkpoint in OSS. Afterwards every object version is loaded exactly once: one ledger row each,
its rows once in the table, one FINISHED load per batch, no event in two runs, no failed run, the
checkpoint holding every key at its last ETag. Events reported more than once are counted and
printed (the ledger absorbs them), with the checkpoint merges the triggerers logged.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.testing.airflow_processes import LocalAirflow
from airflow_provider_doris_oss.testing.postgres import LocalPostgres
from tests.triggers.test_flagship_e2e import (
    DAG_ID,
    EXAMPLE,
    SWEEP_SECONDS,
    Loaded,
    assert_events_consumed_at_most_once,
    checkpoint,
    csv,
)

HEALTH_CHECK_THRESHOLD = 10  # seconds without a heartbeat before a triggerer's triggers move
BURST = 15
WATCHER_TRIGGER = (
    "select t.id, t.triggerer_id from trigger t join asset_watcher w on w.trigger_id = t.id "
    "where w.name = 'oss_orders_inbox_watcher'"
)


@pytest.fixture
def airflow(tmp_path: Path, local_oss: Any, oss_bucket: str, local_doris_fe: Any) -> Iterator[LocalAirflow]:
    env = {
        "AIRFLOW_CONN_DORIS_OSS_DEFAULT": local_oss.connection(
            "doris_oss_default", bucket=oss_bucket
        ).as_json(),
        "AIRFLOW_CONN_DORIS_DEFAULT": local_doris_fe.connection("doris_default").as_json(),
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": str(HEALTH_CHECK_THRESHOLD),
        "DORIS_OSS_DEMO_BUCKET": oss_bucket,
        "DORIS_OSS_DEMO_DATABASE": f"flagship_ha_{uuid.uuid4().hex[:8]}",
        "DORIS_OSS_DEMO_POLL_INTERVAL": "1",
        "DORIS_OSS_DEMO_RETRY_SECONDS": "1",
        "DORIS_OSS_DEMO_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "DORIS_OSS_DEMO_BATCH_FILES": "20",
    }
    with LocalPostgres() as postgres:
        url = postgres.create_database("airflow")
        with LocalAirflow(tmp_path / "airflow", [EXAMPLE], env, database_url=url) as deployment:
            yield deployment.prepare()


def process_group_alive(pgid: int) -> list[int]:
    """Pids of live (not zombie) processes in group ``pgid``: a killed triggerer's runner must not be."""
    alive = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            alive.append(int(entry.parent.name))
    return alive


def test_triggerer_handovers_load_each_version_exactly_once(
    airflow, local_oss, oss_bucket, local_doris_fe
):
    started = time.monotonic()
    assert airflow.query("select version()")[0][0].startswith("PostgreSQL")
    client = local_oss.client()
    versions: dict[tuple[str, str], bytes] = {}
    lock = threading.Lock()
    loaded = Loaded(local_doris_fe, airflow.env["DORIS_OSS_DEMO_DATABASE"])

    def drop(key: str, body: bytes) -> None:
        etag = client.put_object(Bucket=oss_bucket, Key=key, Body=body)["ETag"]
        with lock:
            versions[(key, etag.strip('"'))] = body

    def burst(first: int, count: int = BURST) -> list[str]:
        numbers = range(first, first + count)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: drop(f"inbox/ha-{n:04d}.csv", csv(n)), numbers))
        return [f"inbox/ha-{n:04d}.csv" for n in numbers]

    def watcher() -> tuple[int, int | None]:
        rows = airflow.query(WATCHER_TRIGGER)
        assert len(rows) == 1, f"one watcher trigger expected: {rows}"
        return rows[0]

    def holder() -> str | None:
        """The label of the triggerer the watcher is assigned to (None: to no live one of ours)."""
        return next((label for label, job in jobs.items() if job == watcher()[1]), None)

    def reported_keys() -> set[str]:
        return {e["key"] for e in airflow.asset_events()}

    for name in ("api-server", "scheduler"):
        airflow.start(name)
    jobs: dict[str, int] = {}
    for label in ("triggerer-a", "triggerer-b"):  # one after the other, to tell their jobs apart
        airflow.start("triggerer", label=label)
        jobs[label] = airflow.job_id(label)
    airflow.wait_for(lambda: watcher()[1] in jobs.values(), "the watcher on a triggerer")
    airflow.wait_for(lambda: checkpoint(local_oss, oss_bucket), "the watcher's first checkpoint")
    trigger_id = watcher()[0]
    ready = time.monotonic()

    # Burst 1 is reported by the watcher's triggerer.
    first = burst(1)
    airflow.wait_for(lambda: set(first) <= reported_keys(), "burst 1 reported")

    # The watcher's triggerer stalls: its main process is stopped (SIGSTOP: no heartbeat, no DB
    # work, as when it loses its DB connection) while its trigger runner runs on, still polling
    # the inbox. Burst 2 lands; the other triggerer takes the watcher over and reports it. Then the
    # stalled process goes on: until its next trigger reload the watcher runs in two places at
    # once, and events its runner had queued meanwhile are stored too (re-reports).
    stalled = holder()
    assert stalled is not None
    other = next(label for label in jobs if label != stalled)
    airflow.pause(stalled, group=False)
    paused = time.monotonic()
    second = burst(101)
    airflow.wait_for(lambda: holder() == other, f"the watcher handed over to {other}", 120)
    first_handover = time.monotonic() - paused
    airflow.wait_for(lambda: set(second) <= reported_keys(), f"burst 2 reported by {other}", 120)
    airflow.resume(stalled)

    # Burst 3 lands one object every 0.2 s; after five, the watcher's triggerer is killed (SIGKILL,
    # with its trigger runner), and burst 4 lands while no triggerer runs the watcher. The one that
    # stalled before takes the watcher over.
    def trickle_burst() -> None:
        for n in range(201, 201 + BURST):
            drop(f"inbox/ha-{n:04d}.csv", csv(n))
            time.sleep(0.2)

    trickle = threading.Thread(target=trickle_burst)
    trickle.start()
    airflow.wait_for(lambda: len(versions) >= 2 * BURST + 5, "five objects of burst 3")
    airflow.wait_for(lambda: holder() is not None, "the watcher on a triggerer", 120)
    victim = holder()
    assert victim is not None
    survivor = next(label for label in jobs if label != victim)
    victim_pid = airflow.pid(victim)
    on_victim = airflow.query("select count(*) from trigger where triggerer_id = ?", jobs[victim])[0][0]
    airflow.stop(victim, kill=True)
    killed = time.monotonic()
    airflow.wait_for(lambda: not process_group_alive(victim_pid), "the killed triggerer's runner to die", 10)
    burst(301)
    trickle.join(30)
    airflow.wait_for(lambda: holder() == survivor, f"the watcher handed over to {survivor}", 120)
    second_handover = time.monotonic() - killed
    burst(401, 10)

    # Three objects of burst 1, once loaded, are rewritten: new versions of keys the killed
    # triggerer reported. (A version overwritten before its load is skipped by design.)
    rewritten = first[:3]
    airflow.wait_for(lambda: set(rewritten) <= {k for k, _ in loaded.ledger()}, "burst 1 loaded", 240)
    for n, key in enumerate(rewritten, 1):
        drop(key, csv(n, n + 5000))
    landed = time.monotonic()
    assert len(versions) == 4 * BURST + 10 + 3
    airflow.wait_for(lambda: len(loaded.ledger()) >= len(versions), "every version loaded", 300)
    all_loaded = time.monotonic()
    # No more sweeps: pause the DAG (a run already queued stays queued) and let running runs end.
    airflow.query("update dag set is_paused = true where dag_id = ?", DAG_ID)
    running = "select count(*) from dag_run where dag_id = ? and state = 'running'"
    airflow.wait_for(lambda: airflow.query(running, DAG_ID) == [(0,)], "the running runs to end", 120)
    assert watcher()[0] == trigger_id, "the watcher's trigger was replaced, not handed over"

    jobs_in_doris = loaded.check(versions)  # one ledger row per version, rows once, a FINISHED load a batch
    unconsumed = assert_events_consumed_at_most_once(airflow)  # and no run failed
    reported = Counter((e["key"], e["etag"].strip('"')) for e in airflow.asset_events())
    assert set(reported) == set(versions), "an event for a version that never existed, or a version unreported"
    re_reported = sum(count - 1 for count in reported.values())
    found = checkpoint(local_oss, oss_bucket)
    assert found is not None
    recorded = json.loads(found[1])["objects"]
    last_etag = {key: etag for (key, etag) in versions}  # a rewritten key's later version comes later
    assert {k: v.strip('"') for k, v in recorded.items() if k.startswith("inbox/ha-")} == last_etag, (
        "the checkpoint lost an object or holds an old ETag"
    )

    merges = sum(
        log.read_text(errors="replace").count("was written by another instance of this watcher")
        for log in airflow.home.glob("triggerer-*.log")
    )
    runs = airflow.query("select count(*) from dag_run where dag_id = ?", DAG_ID)[0][0]
    finished = sum(j["State"] == "FINISHED" for j in jobs_in_doris)
    print(
        f"\nHA e2e on PostgreSQL, two triggerers: {len(versions)} versions, {sum(reported.values())} events "
        f"({re_reported} re-reported, {len(unconsumed)} joined no run), {runs} runs, {finished} FINISHED "
        f"loads of {len(jobs_in_doris)}, {merges} checkpoint merges logged; {stalled} stalled, watcher "
        f"on {other} {first_handover:.0f} s later; {victim} killed holding {on_victim} trigger(s), watcher "
        f"on {survivor} {second_handover:.0f} s later (threshold {HEALTH_CHECK_THRESHOLD} s); all loaded "
        f"{all_loaded - landed:.0f} s after the last drop; set-up {ready - started:.0f} s, "
        f"total {time.monotonic() - started:.0f} s"
    )
