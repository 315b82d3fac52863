"""Batched loads exactly once per object version, through replays, crashes, overwrites and retries.

Each test drives the flagship's steps (``BatchLedger.plan``, then one ``DorisBrokerLoadOperator``
per batch) against the local OSS and the local Doris FE in the order a failure produces, then
checks the guarantee (``Pipeline.check``): no object version in two FINISHED loads, none missed.
"""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_doris_oss.batches import Batch, ObjectVersion
from airflow_provider_doris_oss.operators.job import DorisJobError
from tests.batches.conftest import Pipeline, orders


def version(payload: dict[str, Any]) -> tuple[str, str]:
    return payload["key"], payload["etag"].strip('"')


def labels(planned: list[dict[str, Any]]) -> list[str]:
    return [kwargs["label"] for kwargs in planned]


def members(planned: list[dict[str, Any]]) -> list[list[str]]:
    return [[uri.rsplit("/", 1)[-1] for uri in k["data_descriptions"][0]["source_uris"]] for k in planned]


def test_events_replayed_across_runs_load_each_version_once(pipeline: Pipeline):
    a, b, c = (pipeline.put(f"inbox/{n}.csv", orders(i, i + 1)) for i, n in ((1, "a"), (3, "b"), (5, "c")))
    first = pipeline.run([a, b, c])
    assert members(first) == [["a.csv", "b.csv", "c.csv"]]

    # b is reported again (the watcher's crash window) together with a new d: the new run's batch
    # would have another label than the first one, so the ledger is what keeps b out of it.
    d = pipeline.put("inbox/d.csv", orders(7))
    second = pipeline.run([b, d, b])
    assert members(second) == [["d.csv"]]

    # Every event replayed; a plan retried before its loads ran forms the same batch again.
    e = pipeline.put("inbox/e.csv", orders(8))
    retried = pipeline.plan([a, b, c, d, e])
    again = pipeline.plan([e, d, c, b, a])
    assert labels(retried) == labels(again) and members(again) == [["e.csv"]]
    for index, kwargs in enumerate(again):
        pipeline.load(kwargs, index)
        pipeline.load(kwargs, index)  # a retried task finds its FINISHED job and loads nothing
    assert pipeline.run([a, b, c, d, e]) == []
    pipeline.check([version(p) for p in (a, b, c, d, e)])
    assert pipeline.open_labels() == set()


def test_a_job_left_running_by_a_dead_task_is_waited_for_and_its_versions_not_batched_again(
    pipeline: Pipeline,
):
    a, b = pipeline.put("inbox/a.csv", orders(1)), pipeline.put("inbox/b.csv", orders(2))
    planned = pipeline.plan([a, b])
    pipeline.fe.hold_next_job("LOADING", 3.0)
    # The task submits the job, then its worker dies (here: it defers and is never resumed).
    with pytest.raises(TaskDeferred):
        pipeline.load(planned[0], deferrable=True)
    assert pipeline.sql(f"SHOW LOAD FROM {pipeline.db}")[0]["State"] in ("PENDING", "LOADING")

    c = pipeline.put("inbox/c.csv", orders(3))
    started = time.monotonic()
    second = pipeline.plan([a, b, c])  # a and b re-reported: the running job holds them
    assert time.monotonic() - started > 1.0, "the plan went on while a batch job was still loading"
    assert members(second) == [["c.csv"]]
    assert labels(planned)[0] not in pipeline.open_labels(), "the finished batch is still open"
    pipeline.load(second[0])
    pipeline.check([version(p) for p in (a, b, c)])


def test_a_plan_that_dies_after_writing_its_batches_is_replayed_into_the_same_batches(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
):
    payloads = [pipeline.put(f"inbox/{n:02d}.csv", orders(n)) for n in range(5)]
    client = pipeline.ledger.oss.client
    real_put = client.put_object

    def dies_at_the_cursor(**kwargs: Any) -> Any:
        if kwargs["Key"].endswith("sweep.json"):
            raise ConnectionError("the worker died")
        return real_put(**kwargs)

    monkeypatch.setattr(client, "put_object", dies_at_the_cursor)
    with pytest.raises(ConnectionError):
        pipeline.plan(payloads, max_files=2)
    written = pipeline.open_labels()
    assert len(written) == 3
    monkeypatch.setattr(client, "put_object", real_put)

    extra = pipeline.put("inbox/99.csv", orders(99))
    replayed = pipeline.plan([*payloads, extra], max_files=2)
    assert written <= set(labels(replayed))  # the written batches, plus one for the new object
    assert members(replayed)[-1] == ["99.csv"]
    for index, kwargs in enumerate(replayed):
        pipeline.load(kwargs, index)
    pipeline.check([version(p) for p in (*payloads, extra)])


def test_versions_overwritten_or_deleted_before_their_run_are_skipped(pipeline: Pipeline):
    old = pipeline.put("inbox/a.csv", orders(1))
    new = pipeline.put("inbox/a.csv", orders(2))
    gone = pipeline.put("inbox/g.csv", orders(3))
    pipeline.client.delete_object(Bucket=pipeline.bucket, Key="inbox/g.csv")
    kept = pipeline.put("inbox/k.csv", orders(4))
    planned = pipeline.run([old, gone, kept, new, old])
    assert members(planned) == [["a.csv", "k.csv"]]
    manifest = json.loads(
        pipeline.client.get_object(
            Bucket=pipeline.bucket, Key=f"_state/pipeline/open/{planned[0]['label']}.json"
        )["Body"].read()
    )
    assert [r["etag"] for r in manifest] == [new["etag"].strip('"'), kept["etag"].strip('"')]
    pipeline.check([version(new), version(kept)])

    # The overwrite after loading is a new version: loaded once more, the old one not again.
    newer = pipeline.put("inbox/a.csv", orders(5))
    assert members(pipeline.run([new, newer])) == [["a.csv"]]
    pipeline.check([version(new), version(kept), version(newer)])


def test_a_failed_load_is_retried_under_its_label_and_a_file_doris_refuses_is_isolated(pipeline: Pipeline):
    good = [pipeline.put(f"inbox/{n}.csv", orders(n)) for n in (1, 2, 3)]
    pipeline.fe.fail_next_job("injected: the first try fails")
    planned = pipeline.plan(good)
    with pytest.raises(DorisJobError, match="injected"):
        pipeline.load(planned[0])
    summary = pipeline.load(planned[0])  # Airflow's retry: the same label, attempt _r1
    assert summary["label"] == planned[0]["label"] + "_r1"
    pipeline.check([version(p) for p in good])

    # Four files, one of which Doris refuses (a row with too many columns, max_filter_ratio 0).
    fine = [pipeline.put(f"inbox/f{n}.csv", orders(10 + n)) for n in range(3)]
    poison = pipeline.put("inbox/f9.csv", b"99,too,many,columns\n")
    batch = pipeline.plan([*fine, poison])
    assert members(batch) == [["f0.csv", "f1.csv", "f2.csv", "f9.csv"]]
    for _ in range(3):  # the task and its two retries
        with pytest.raises(DorisJobError, match="ETL_QUALITY_UNSATISFIED"):
            pipeline.load(batch[0])
    # The next runs split the failed batch in halves until the refused file is alone.
    rounds = []
    for _ in range(3):
        planned = pipeline.plan([])
        rounds.append(members(planned))
        for index, kwargs in enumerate(planned):
            with contextlib.suppress(DorisJobError):
                pipeline.load(kwargs, index)
    assert rounds == [[["f0.csv", "f1.csv"], ["f2.csv", "f9.csv"]], [["f2.csv"], ["f9.csv"]], [["f9.csv"]]]
    assert pipeline.open_labels() == {Batch((ObjectVersion.from_payload(poison),)).label}
    pipeline.check([version(p) for p in (*good, *fine)])


def test_batches_a_run_may_not_map_wait_in_open_manifests_for_the_next_run(pipeline: Pipeline):
    payloads = [pipeline.put(f"inbox/{n}.csv", orders(n)) for n in range(5)]
    sizes = []
    for events in (payloads, [], payloads, []):
        planned = pipeline.run(events, max_files=1, max_batches=2)
        sizes.append(len(planned))
    assert sizes == [2, 2, 1, 0]
    pipeline.check([version(p) for p in payloads])


def test_a_run_handed_more_than_1024_events_loads_them_in_two_batches(pipeline: Pipeline):
    with ThreadPoolExecutor(16) as pool:
        payloads = list(pool.map(lambda n: pipeline.put(f"inbox/{n:05d}.csv", orders(n)), range(1100)))
    planned = pipeline.plan(payloads + payloads[:200])  # 1,300 events, 200 of them reported twice
    assert [len(m) for m in members(planned)] == [1000, 100]
    for index, kwargs in enumerate(planned):
        pipeline.load(kwargs, index)
    pipeline.check([version(p) for p in payloads])


def test_a_key_broker_load_would_read_as_a_pattern_loads_exactly_that_object(pipeline: Pipeline):
    plain = pipeline.put("inbox/a1.csv", orders(1))
    pattern = pipeline.put("inbox/a[1].csv", orders(2))  # as a pattern it would also read a1.csv
    planned = pipeline.run([plain, pattern])
    assert members(planned) == [["a1.csv", "a_1_.csv"]]
    pipeline.check([version(plain), version(pattern)])


def test_an_overwrite_while_the_batch_is_loading_does_not_change_what_it_loads(pipeline: Pipeline):
    old = pipeline.put("inbox/a.csv", orders(1))
    planned = pipeline.plan([old])
    pipeline.fe.hold_next_job("PENDING", 1.0)
    with pytest.raises(TaskDeferred):
        pipeline.load(planned[0], deferrable=True)
    new = pipeline.put("inbox/a.csv", orders(2))  # before Doris reads the batch's files
    second = pipeline.plan([old, new])  # waits for the first job, then plans the new version
    assert members(second) == [["a.csv"]]
    pipeline.load(second[0])
    pipeline.check([version(old), version(new)])
    snapshots = pipeline.client.list_objects_v2(Bucket=pipeline.bucket, Prefix="_state/pipeline/snapshots/")
    assert snapshots.get("KeyCount", 0) == 1, "the loaded version's snapshot was not removed"
    assert pipeline.run([]) == [] and not pipeline.client.list_objects_v2(
        Bucket=pipeline.bucket, Prefix="_state/pipeline/snapshots/"
    ).get("KeyCount")
