"""Random histories: objects land, are rewritten, deleted and re-reported while runs crash and retry.

Each seed plays several runs of the flagship's steps. Between runs objects land, are rewritten or
deleted; each run gets a random part of the events reported so far (some twice, some only later,
as events that joined no run reach a later one through the sweep). Inside a run the plan may die
before recording its cursor, and each batch's load may succeed, fail once and be retried, fail
for good, be left running by a dead worker, or never start. Then quiet runs take every event.

Afterwards: no version has two ledger rows, the table holds exactly the rows of the ledger's
versions (so none was loaded twice, nor loaded without its ledger row), every object's current
version is loaded (none missed), and nothing unreported was loaded.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from typing import Any

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_doris_oss.operators.job import DorisJobError
from tests.batches.conftest import Pipeline, orders

KEYS = [f"inbox/k{n}.csv" for n in range(6)]


def play_run(pipeline: Pipeline, rng: random.Random, events: list[dict[str, Any]]) -> None:
    client = pipeline.ledger.oss.client
    if rng.random() < 0.15:  # the plan's worker dies after writing batches, before the cursor
        real_put = client.put_object

        def dies(**kwargs: Any) -> Any:
            if kwargs["Key"].endswith("sweep.json"):
                raise ConnectionError("the worker died")
            return real_put(**kwargs)

        with pytest.MonkeyPatch.context() as patch, pytest.raises(ConnectionError):
            patch.setattr(client, "put_object", dies)
            pipeline.plan(events, max_files=3)
        return
    for index, kwargs in enumerate(pipeline.plan(events, max_files=3)):
        fate = rng.choice(["ok", "ok", "retried", "failed", "left running", "never started"])
        if fate == "never started":
            continue
        if fate == "left running":
            pipeline.fe.hold_next_job("LOADING", 1.0)
            with pytest.raises(TaskDeferred):
                pipeline.load(kwargs, index, deferrable=True)
            continue
        tries = {"ok": 0, "retried": 1, "failed": 3}[fate]
        for _ in range(tries):
            pipeline.fe.fail_next_job("injected failure")
            with contextlib.suppress(DorisJobError):
                pipeline.load(kwargs, index)
        if fate != "failed":
            pipeline.load(kwargs, index)


@pytest.mark.parametrize("seed", [7, 11])
def test_random_histories_load_every_current_version_exactly_once(pipeline: Pipeline, seed: int):
    rng = random.Random(seed)
    ids = iter(range(1, 10**6))
    reported: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []  # reported, not yet handed to a run
    for _ in range(6):
        for _ in range(rng.randint(1, 4)):
            key = rng.choice(KEYS)
            if rng.random() < 0.15:
                pipeline.client.delete_object(Bucket=pipeline.bucket, Key=key)
                continue
            payload = pipeline.put(key, orders(next(ids), next(ids)))
            reported.append(payload)
            pending.append(payload)
        handed = [p for p in pending if rng.random() < 0.7]
        pending = [p for p in pending if p not in handed]
        replayed = rng.sample(reported, k=min(len(reported), rng.randint(0, 3)))
        play_run(pipeline, rng, handed + replayed)
    for _ in range(8):  # quiet runs: every event, nothing fails
        pipeline.run(reported, max_files=3)
        if not pipeline.open_labels():
            break
    assert not pipeline.open_labels()

    ledger = pipeline.sql(f"SELECT object_key, etag FROM {pipeline.db}.ledger")
    loaded = Counter((r["object_key"], r["etag"]) for r in ledger)
    assert all(count == 1 for count in loaded.values()), f"a version has two ledger rows: {loaded}"
    assert set(loaded) <= {(p["key"], p["etag"].strip('"')) for p in reported}
    rows = pipeline.sql(f"SELECT order_id, customer FROM {pipeline.db}.orders")
    expected = Counter(line for version in loaded for line in pipeline.bodies[version].decode().splitlines())
    assert Counter(f"{r['order_id']},{r['customer']}" for r in rows) == expected
    listing = pipeline.client.list_objects_v2(Bucket=pipeline.bucket, Prefix="inbox/").get("Contents", [])
    current = {(o["Key"], o["ETag"].strip('"')) for o in listing}
    assert current and current <= set(loaded), f"current versions not loaded: {current - set(loaded)}"
    pipeline.check(sorted(loaded))
