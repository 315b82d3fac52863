"""OssObjectEventTrigger: exactly one event per (key, ETag), across restarts, through Airflow's shared streams.

The watchers run the way the triggerer runs them: subscribed to Airflow's own
``SharedStreamManager`` in ack mode, each event bound to its raw event and confirmed as persisted.
A restart is a new manager and new trigger instances in a new event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger
from tests.triggers.conftest import WAIT, MiniTriggerer, checkpoint_documents, checkpoint_objects, settle


def test_each_object_once_then_changed_once_more_across_a_restart(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    client.put_object(Bucket=bucket, Key="in/a.csv", Body=b"1")
    client.put_object(Bucket=bucket, Key="in/b.csv", Body=b"1")
    client.put_object(Bucket=bucket, Key="elsewhere/z.csv", Body=b"1")
    kwargs = {"prefix": "in/", "poll_interval": 0.2, "start_from": "beginning"}

    async def first_life() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(lambda: len(runner.persisted) >= 2, "two events")
            await runner.wait_for(
                lambda: len(next(iter(checkpoint_objects(local_oss, bucket).values()), {})) == 2, "checkpoint"
            )
            await settle(runner, local_oss, bucket, "in/")
        finally:
            await runner.stop()
        assert all(seq is not None for seq in runner.bound), "events were not bound to the ack-mode stream"
        return runner.keys()

    first = asyncio.run(first_life())
    assert sorted(k for k, _ in first) == ["in/a.csv", "in/b.csv"]

    client.put_object(Bucket=bucket, Key="in/a.csv", Body=b"changed")
    client.put_object(Bucket=bucket, Key="in/c.csv", Body=b"1")

    async def second_life() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(7, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(lambda: len(runner.persisted) >= 2, "two events after the restart")
            await settle(runner, local_oss, bucket, "in/")
        finally:
            await runner.stop()
        return runner.keys()

    second = asyncio.run(second_life())
    assert sorted(k for k, _ in second) == ["in/a.csv", "in/c.csv"]
    etag_before = dict(first)["in/a.csv"]
    etag_after = dict(second)["in/a.csv"]
    assert etag_before != etag_after

    async def third_life() -> list[tuple[str, str]]:
        # A changed poll interval is a new trigger for Airflow, but watches the same objects.
        runner = MiniTriggerer()
        runner.start(9, OssObjectEventTrigger(**(kwargs | {"poll_interval": 0.25})))
        try:
            await settle(runner, local_oss, bucket, "in/")
        finally:
            await runner.stop()
        return runner.keys()

    assert asyncio.run(third_life()) == []


def test_object_arriving_while_watching_is_reported_once(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()

    async def scenario() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(prefix=f"oss://{bucket}/drop/", poll_interval=0.2))
        try:
            await settle(runner, local_oss, bucket, "drop/", polls=2)
            assert runner.persisted == []
            await asyncio.to_thread(client.put_object, Bucket=bucket, Key="drop/new.json", Body=b"{}")
            await runner.wait_for(lambda: runner.persisted, "the new object")
            await settle(runner, local_oss, bucket, "drop/")
        finally:
            await runner.stop()
        return runner.keys()

    keys = asyncio.run(scenario())
    assert [k for k, _ in keys] == ["drop/new.json"]


def test_watchers_on_one_prefix_share_one_poll_and_filter_their_own(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    for key in ("feed/a.csv", "feed/b.json", "feed/sub/c.csv", "feedback/x.csv"):
        client.put_object(Bucket=bucket, Key=key, Body=b"1")
    produced = []

    class CountingTrigger(OssObjectEventTrigger):
        @classmethod
        def create_shared_stream_producer(cls, kwargs):
            produced.append(kwargs)
            return super().create_shared_stream_producer(kwargs)

    watchers = {
        1: CountingTrigger(prefix="feed/", poll_interval=0.2, start_from="beginning"),
        2: CountingTrigger(
            prefix="feed/*.csv", wildcard_match=True, poll_interval=0.2, start_from="beginning"
        ),
        3: CountingTrigger(
            prefix=r"feed/[^/]+\.json$", use_regex=True, poll_interval=0.2, start_from="beginning"
        ),
    }
    assert len({w.shared_stream_key() for w in watchers.values()}) == 1

    async def scenario() -> MiniTriggerer:
        runner = MiniTriggerer()
        for trigger_id, trigger in watchers.items():
            runner.start(trigger_id, trigger)
        try:
            await runner.wait_for(lambda: len(runner.persisted) >= 6, "six events")
            await settle(runner, local_oss, bucket, "feed/")
        finally:
            await runner.stop()
        return runner

    runner = asyncio.run(scenario())
    assert len(produced) == 1
    assert sorted(k for k, _ in runner.keys(1)) == ["feed/a.csv", "feed/b.json", "feed/sub/c.csv"]
    assert sorted(k for k, _ in runner.keys(2)) == ["feed/a.csv", "feed/sub/c.csv"]
    assert sorted(k for k, _ in runner.keys(3)) == ["feed/b.json"]
    list_prefixes = {
        parse_qs(r.query, keep_blank_values=True).get("prefix", [""])[0]
        for r in local_oss.requests
        if r.host.startswith(bucket + ".") and "list-type=2" in r.query
    }
    assert list_prefixes <= {"feed/", "_airflow_doris_oss/"}
    # Each watcher keeps its own checkpoint, holding what it reported.
    assert sorted(len(v) for v in checkpoint_objects(local_oss, bucket).values()) == [1, 2, 3]


def test_standalone_run_reports_each_object_once(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    client.put_object(Bucket=bucket, Key="solo/1", Body=b"1")
    trigger = OssObjectEventTrigger(prefix="solo/", poll_interval=0.2, start_from="beginning")

    async def scenario() -> list[str]:
        seen: list[str] = []
        events = trigger.run()
        seen.append((await anext(events)).payload["key"])
        await asyncio.to_thread(client.put_object, Bucket=bucket, Key="solo/2", Body=b"1")
        seen.append((await asyncio.wait_for(anext(events), WAIT)).payload["key"])
        await events.aclose()
        await close_shared_clients()
        return seen

    assert asyncio.run(scenario()) == ["solo/1", "solo/2"]


def test_serialize_round_trips_and_checkpoint_objects_are_not_reported(local_oss, oss_conn):
    trigger = OssObjectEventTrigger(
        prefix="", poll_interval=0.2, checkpoint_prefix="_airflow_doris_oss/cp/", start_from="beginning"
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_doris_oss.triggers.object_event.OssObjectEventTrigger"
    assert OssObjectEventTrigger(**kwargs).serialize() == (classpath, kwargs)
    bucket = oss_conn
    local_oss.client().put_object(Bucket=bucket, Key="top.csv", Body=b"1")

    async def scenario() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(lambda: checkpoint_objects(local_oss, bucket), "the checkpoint")
            await settle(runner, local_oss, bucket, "")
        finally:
            await runner.stop()
        return runner.keys()

    assert [k for k, _ in asyncio.run(scenario())] == ["top.csv"]


def test_checkpoint_name_is_used_and_checked(local_oss, oss_conn):
    bucket = oss_conn
    local_oss.client().put_object(Bucket=bucket, Key="named/a", Body=b"1")

    async def scenario() -> None:
        runner = MiniTriggerer()
        runner.start(
            1,
            OssObjectEventTrigger(
                prefix="named/", poll_interval=0.2, checkpoint_name="orders-v1", start_from="beginning"
            ),
        )
        try:
            await runner.wait_for(lambda: checkpoint_objects(local_oss, bucket), "the checkpoint")
        finally:
            await runner.stop()

    asyncio.run(scenario())
    assert checkpoint_objects(local_oss, bucket) == {
        "_airflow_doris_oss/event-checkpoints/orders-v1.json": {
            "named/a": dict_etag(local_oss, bucket, "named/a")
        }
    }
    with pytest.raises(ValueError, match="checkpoint_name"):
        OssObjectEventTrigger(prefix="p/", checkpoint_name="../escape")


def dict_etag(local_oss, bucket: str, key: str) -> str:
    return local_oss.client().head_object(Bucket=bucket, Key=key)["ETag"]


def test_conflicting_flags_are_refused():
    with pytest.raises(ValueError, match="wildcard_match and use_regex"):
        OssObjectEventTrigger(prefix="a*", wildcard_match=True, use_regex=True)
    with pytest.raises(ValueError, match="bucket_name"):
        OssObjectEventTrigger(prefix="oss://one/x", bucket_name="two")


def test_listing_failures_are_retried_not_fatal(local_oss, oss_conn):
    """The watched bucket appears only after the watcher started: the poll keeps going."""
    import uuid

    late_bucket = f"late-{uuid.uuid4().hex[:12]}"
    trigger = OssObjectEventTrigger(
        prefix=f"oss://{late_bucket}/in/",
        poll_interval=0.2,
        checkpoint_prefix=f"oss://{oss_conn}/cp/",
        start_from="beginning",
    )

    async def scenario() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, trigger)
        try:
            await runner.wait_for(
                lambda: sum(1 for r in local_oss.requests if r.host.startswith(late_bucket + ".")) >= 3,
                "failed listings of the missing bucket",
            )
            await asyncio.to_thread(local_oss.create_bucket, late_bucket)
            await asyncio.to_thread(local_oss.client().put_object, Bucket=late_bucket, Key="in/x", Body=b"1")
            await runner.wait_for(lambda: runner.persisted, "the event")
        finally:
            await runner.stop()
        return runner.keys()

    assert [k for k, _ in asyncio.run(scenario())] == ["in/x"]


def test_start_from_now_reports_only_what_arrives_after_the_first_listing(local_oss, oss_conn):
    """A new watcher on a full prefix launches nothing for the old objects; once its checkpoint
    exists, objects that arrive while the triggerer is down are reported after the restart."""
    bucket = oss_conn
    client = local_oss.client()
    for n in range(5):
        client.put_object(Bucket=bucket, Key=f"old/{n}.csv", Body=b"1")

    async def life(trigger_id: int, action: Callable[[], Any] | None) -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(trigger_id, OssObjectEventTrigger(prefix="old/", poll_interval=0.2))
        try:
            await runner.wait_for(lambda: checkpoint_objects(local_oss, bucket), "the starting checkpoint")
            if action is not None:
                await asyncio.to_thread(action)
                await runner.wait_for(lambda: runner.persisted, "the new object")
            await settle(runner, local_oss, bucket, "old/")
        finally:
            await runner.stop()
        return runner.keys()

    def arrive() -> None:
        client.put_object(Bucket=bucket, Key="old/new.csv", Body=b"1")
        client.put_object(Bucket=bucket, Key="old/0.csv", Body=b"changed")

    first = asyncio.run(life(1, arrive))
    assert sorted(k for k, _ in first) == ["old/0.csv", "old/new.csv"]
    [baseline] = checkpoint_objects(local_oss, bucket).values()
    assert sorted(baseline) == [
        "old/0.csv",
        "old/1.csv",
        "old/2.csv",
        "old/3.csv",
        "old/4.csv",
        "old/new.csv",
    ]

    client.put_object(Bucket=bucket, Key="old/while-down.csv", Body=b"1")

    async def second_life() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(2, OssObjectEventTrigger(prefix="old/", poll_interval=0.2))
        try:
            await runner.wait_for(lambda: runner.persisted, "the object that arrived while down")
            await settle(runner, local_oss, bucket, "old/")
        finally:
            await runner.stop()
        return runner.keys()

    assert [k for k, _ in asyncio.run(second_life())] == ["old/while-down.csv"]


def test_an_object_arriving_while_the_starting_checkpoint_cannot_be_written_is_reported(
    local_oss, oss_conn, monkeypatch
):
    """start_from="now": the first listing stays the baseline until its checkpoint is written, so
    an object that lands between a failed starting write and a good one is not lost."""
    from airflow_provider_doris_oss.triggers import object_event

    bucket = oss_conn
    client = local_oss.client()
    client.put_object(Bucket=bucket, Key="late/old.csv", Body=b"1")
    saved = object_event.Checkpoint.save
    failures = {"left": 3}

    async def flaky(self: Any, hook: Any) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            if failures["left"] == 1:  # the object lands while the writes keep failing
                await asyncio.to_thread(client.put_object, Bucket=bucket, Key="late/new.csv", Body=b"1")
            raise ConnectionError("OSS refused the checkpoint PUT")
        await saved(self, hook)

    monkeypatch.setattr(object_event.Checkpoint, "save", flaky)

    async def scenario() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(prefix="late/", poll_interval=0.2))
        try:
            await runner.wait_for(lambda: runner.persisted, "the object that arrived meanwhile")
            await settle(runner, local_oss, bucket, "late/")
        finally:
            await runner.stop()
        return runner.keys()

    assert [k for k, _ in asyncio.run(scenario())] == ["late/new.csv"]
    assert failures["left"] == 0


def test_start_from_is_checked():
    with pytest.raises(ValueError, match="start_from must be 'now'"):
        OssObjectEventTrigger(prefix="p/", start_from="yesterday")  # type: ignore[arg-type]
    kwargs = OssObjectEventTrigger(prefix="p/").serialize()[1]
    assert kwargs["start_from"] == "now"


def test_crash_between_the_db_write_and_the_checkpoint_put_reports_the_object_once_more(
    local_oss, oss_conn, monkeypatch
):
    """The one window left: the events reached the metadata DB, then the triggerer died before
    the checkpoint PUT landed. The next life reports those objects again, exactly once more;
    the flagship's bucket/key/ETag label makes that second report load nothing."""
    from airflow_provider_doris_oss.triggers import object_event

    bucket = oss_conn
    client = local_oss.client()
    saved = object_event.Checkpoint.save

    async def doomed(self: Any, hook: Any) -> None:
        if self.committed:
            raise ConnectionError("the triggerer died before this PUT reached OSS")
        await saved(self, hook)

    async def first_life() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(prefix="crash/", poll_interval=0.2))
        try:
            await runner.wait_for(lambda: checkpoint_objects(local_oss, bucket), "the starting checkpoint")
            await asyncio.to_thread(client.put_object, Bucket=bucket, Key="crash/a.csv", Body=b"1")
            await runner.wait_for(lambda: runner.persisted, "the event, stored in the DB")
            await settle(runner, local_oss, bucket, "crash/")
        finally:
            await runner.stop()
        return runner.keys()

    monkeypatch.setattr(object_event.Checkpoint, "save", doomed)
    first = asyncio.run(first_life())
    monkeypatch.setattr(object_event.Checkpoint, "save", saved)
    assert [k for k, _ in first] == ["crash/a.csv"]
    assert list(checkpoint_objects(local_oss, bucket).values()) == [{}], "the checkpoint PUT never landed"

    async def later_life(trigger_id: int) -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(trigger_id, OssObjectEventTrigger(prefix="crash/", poll_interval=0.2))
        try:
            if trigger_id == 2:
                await runner.wait_for(lambda: runner.persisted, "the event reported once more")
            await settle(runner, local_oss, bucket, "crash/")
        finally:
            await runner.stop()
        return runner.keys()

    second = asyncio.run(later_life(2))
    assert second == first, "the same object version is reported once more, with the same ETag"
    assert asyncio.run(later_life(3)) == [], "and only once more: its checkpoint now holds it"


def test_ordered_keys_list_after_the_mark_and_keep_only_the_mark(local_oss, oss_conn):
    """Ordered keys: each poll lists after the high-water mark and the checkpoint holds only the
    mark; a rewritten old key and a new key sorting before the mark are (documented) misses."""
    bucket = oss_conn
    client = local_oss.client()
    for key in ("seq/day=01/a.csv", "seq/day=02/b.csv"):
        client.put_object(Bucket=bucket, Key=key, Body=b"1")
    kwargs = {"prefix": "seq/", "poll_interval": 0.2, "ordered_keys": True}

    def start_afters() -> list[str | None]:
        return [
            parse_qs(r.query, keep_blank_values=True).get("start-after", [None])[0]
            for r in local_oss.requests
            if r.host.startswith(bucket + ".")
            and "list-type=2" in r.query
            and parse_qs(r.query, keep_blank_values=True).get("prefix", [""])[0] == "seq/"
        ]

    async def life(trigger_id: int, arrivals: list[str], expected: int) -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(trigger_id, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(lambda: checkpoint_documents(local_oss, bucket), "the checkpoint")
            for key in arrivals:
                await asyncio.to_thread(client.put_object, Bucket=bucket, Key=key, Body=b"2")
            await runner.wait_for(lambda: len(runner.persisted) >= expected, f"{expected} events")
            await settle(runner, local_oss, bucket, "seq/")
        finally:
            await runner.stop()
        return runner.keys()

    first = asyncio.run(life(1, ["seq/day=01/a.csv", "seq/day=00/late.csv", "seq/day=03/c.csv"], 1))
    assert [k for k, _ in first] == ["seq/day=03/c.csv"]
    [document] = checkpoint_documents(local_oss, bucket).values()
    assert (document["after"], document["objects"]) == ("seq/day=03/c.csv", {})
    afters = start_afters()
    assert afters[0] is None, "the first start lists the prefix once, to find where 'now' is"
    assert set(afters[1:]) <= {"seq/day=02/b.csv", "seq/day=03/c.csv"} and len(afters) >= 5

    client.put_object(Bucket=bucket, Key="seq/day=04/d.csv", Body=b"1")
    before = len(start_afters())
    second = asyncio.run(life(2, [], 1))
    assert [k for k, _ in second] == ["seq/day=04/d.csv"]
    assert start_afters()[before] == "seq/day=03/c.csv", "a restart lists after the committed mark"
    assert [d["after"] for d in checkpoint_documents(local_oss, bucket).values()] == ["seq/day=04/d.csv"]


def test_ordered_keys_a_failed_listing_rewinds_to_the_committed_mark():
    """A snapshot some subscriber failed is listed again from the committed mark; a snapshot listed
    after it (past keys never confirmed) is not committed either."""
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    from airflow_provider_doris_oss.triggers.checkpoint import Checkpoint
    from airflow_provider_doris_oss.triggers.checkpoint_document import WatchIdentity
    from airflow_provider_doris_oss.triggers.object_event import Claim, ListingProducer, Snapshot
    from airflow_provider_doris_oss.uris import ObjectUri

    producer = ListingProducer(OssObjectEventTrigger(prefix="oss://bkt/seq/", ordered_keys=True))
    identity = WatchIdentity("bkt", "seq/", "prefix", ordered_keys=True)
    checkpoint = Checkpoint(ObjectUri("bkt", "cp.json"), identity, ordered=True, after="seq/01")
    failed, later = Snapshot("bkt", {}, boundary="seq/03"), Snapshot("bkt", {}, boundary="seq/05")
    for snapshot, key in ((failed, "seq/02"), (later, "seq/04")):
        checkpoint.pending[key] = "e"
        snapshot.claims.append(Claim(checkpoint, [(key, "e")], boundary=snapshot.boundary))
    producer.cursor = "seq/05"

    async def scenario() -> None:
        await producer.advance([AdvanceItem(failed, AdvanceOutcome(acked=0, failed=1))])
        assert (producer.cursor, producer.epoch) == ("seq/01", 1)
        await producer.advance([AdvanceItem(later, AdvanceOutcome(acked=1, failed=0))])

    asyncio.run(scenario())
    assert (checkpoint.after, checkpoint.pending, checkpoint.dirty) == ("seq/01", {}, False)
    assert checkpoint.is_new("seq/02", "e") and checkpoint.is_new("seq/04", "e")
