"""Fault suite of the event watcher's checkpoint (issue 15): what happens to it, and what must follow.

| the checkpoint is ... | expected outcome | test |
|---|---|---|
| deleted while the triggerer is down | what landed meanwhile reported exactly once, a WARNING naming it | tests/triggers/test_event_checkpoint.py (vanished) |
| deleted while the watcher runs | rewritten from memory, a WARNING; every object reported once | here |
| truncated (found at start) | loud failure naming it; nothing reported, nothing overwritten | here |
| truncated while the watcher runs | rewritten from memory, a WARNING; every object reported once | here |
| replaced by another watcher's (at start) | loud failure naming both watchers | tests/triggers/test_event_checkpoint.py |
| replaced by another watcher's while running | loud failure at the next write; the other's document kept | here |
| unreadable (403) at start | loud failure naming it and the access needed; nothing written | here |
| unwritable (403) for a while | kept in memory, written once OSS lets it; every object reported once | here |
| written by two instances at once | every object reported, at most once per instance; merged; a WARNING | here |

Every watcher runs through the trigger's own ``run()`` (its listing producer, committing a listing's
claims once the next listing is pulled), against LocalOss behind the fault proxy.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.client import OssOperationError
from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
from airflow_provider_doris_oss.triggers.checkpoint_document import ForeignCheckpointError
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

CHECKPOINTS = "_airflow_doris_oss/event-checkpoints/"
NAME = "suite"
KEY = f"{CHECKPOINTS}{NAME}.json"
BOUND = 60.0


class Watch:
    """One watcher's ``run()`` consumed in a task: its events, and how it ended."""

    def __init__(self, **kwargs: Any) -> None:
        options = {"prefix": "in/", "poll_interval": 0.2, "checkpoint_name": NAME} | kwargs
        self.trigger = OssObjectEventTrigger(**options)
        self.events: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for event in self.trigger.run():
            self.events.append(dict(event.payload))

    def keys(self) -> list[str]:
        return [e["key"] for e in self.events]

    async def until(self, condition: Callable[[], Any], what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BOUND
        while not condition():
            if self.task.done():
                self.task.result()
                raise AssertionError(f"the watcher ended before {what}")
            if loop.time() > deadline:
                raise AssertionError(f"gave up waiting for {what}; events: {self.keys()}")
            await asyncio.sleep(0.05)

    async def polls(self, faulty: Any, n: int = 4) -> None:
        """Let the watcher list ``n`` more times (and so commit what it reported)."""
        start = faulty.proxy.count(query="list-type")
        await self.until(lambda: faulty.proxy.count(query="list-type") >= start + n, f"{n} more listings")

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def run(scenario: Callable[[], Any]) -> Any:
    async def main() -> Any:
        try:
            return await asyncio.wait_for(scenario(), 3 * BOUND)
        finally:
            await close_shared_clients()

    return asyncio.run(main())


def put(faulty: Any, key: str, body: bytes = b"1") -> str:
    return str(faulty.oss.client().put_object(Bucket=faulty.bucket, Key=key, Body=body)["ETag"])


def stored(faulty: Any) -> dict[str, Any] | None:
    client = faulty.oss.client()
    try:
        body = client.get_object(Bucket=faulty.bucket, Key=KEY)["Body"].read()
    except client.exceptions.NoSuchKey:
        return None
    try:
        return dict(json.loads(body))
    except ValueError:
        return None


def recorded(faulty: Any) -> dict[str, str]:
    return dict((stored(faulty) or {}).get("objects", {}))


async def quiet_restart(faulty: Any) -> list[str]:
    """A later watcher of the same checkpoint: what it reports over several listings."""
    later = Watch()
    try:
        await later.polls(faulty, 5)
    finally:
        await later.stop()
    return later.keys()


def test_deleted_while_running_is_rewritten_from_memory(
    faulty_oss: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    put(faulty_oss, "in/old.csv")

    async def scenario() -> tuple[list[str], list[str]]:
        watch = Watch()
        try:
            await watch.until(lambda: stored(faulty_oss), "the starting checkpoint")
            faulty_oss.oss.client().delete_object(Bucket=faulty_oss.bucket, Key=KEY)
            put(faulty_oss, "in/new.csv")
            await watch.until(lambda: "in/new.csv" in recorded(faulty_oss), "the checkpoint written again")
            await watch.polls(faulty_oss)
        finally:
            await watch.stop()
        return watch.keys(), await quiet_restart(faulty_oss)

    reported, later = run(scenario)
    assert (reported, later) == (["in/new.csv"], [])
    assert sorted(recorded(faulty_oss)) == ["in/new.csv", "in/old.csv"]
    assert "disappeared while the watcher was running" in capsys.readouterr().out


def test_truncated_at_start_fails_loudly_and_is_left_as_found(faulty_oss: Any) -> None:
    put(faulty_oss, "in/a.csv")
    truncated = b'{"version": 2, "objects": {"in/a.csv": "\\"e'
    put(faulty_oss, KEY, truncated)

    async def scenario() -> BaseException:
        watch = Watch(start_from="beginning")
        await asyncio.wait([watch.task], timeout=BOUND)
        assert watch.task.done() and watch.events == []
        return watch.task.exception() or AssertionError("the watcher ended without an error")

    error = run(scenario)
    assert isinstance(error, ValueError) and f"oss://{faulty_oss.bucket}/{KEY}" in str(error)
    assert "not valid JSON" in str(error) and "start marker" in str(error)  # the fix
    assert faulty_oss.oss.client().get_object(Bucket=faulty_oss.bucket, Key=KEY)["Body"].read() == truncated


def test_truncated_while_running_is_rewritten_from_memory(
    faulty_oss: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    put(faulty_oss, "in/old.csv")

    async def scenario() -> tuple[list[str], list[str]]:
        watch = Watch()
        try:
            await watch.until(lambda: stored(faulty_oss), "the starting checkpoint")
            put(faulty_oss, KEY, b'{"version": 2, "obj')
            put(faulty_oss, "in/new.csv")
            await watch.until(lambda: "in/new.csv" in recorded(faulty_oss), "the checkpoint written again")
            await watch.polls(faulty_oss)
        finally:
            await watch.stop()
        return watch.keys(), await quiet_restart(faulty_oss)

    assert run(scenario) == (["in/new.csv"], [])
    assert sorted(recorded(faulty_oss)) == ["in/new.csv", "in/old.csv"]
    assert "is not valid JSON" in capsys.readouterr().out


def test_replaced_by_another_watchers_while_running_stops_loudly(faulty_oss: Any) -> None:
    """Two watchers share a checkpoint name: the one that finds the other's document stops, and
    does not overwrite it."""
    put(faulty_oss, "in/old.csv")
    foreign = {
        "version": 2,
        "identity": {
            "bucket": faulty_oss.bucket,
            "pattern": "other/",
            "mode": "prefix",
            "ordered_keys": False,
        },
        "objects": {"other/x.csv": '"e"'},
    }

    async def scenario() -> BaseException:
        watch = Watch()
        await watch.until(lambda: stored(faulty_oss), "the starting checkpoint")
        put(faulty_oss, KEY, json.dumps(foreign).encode())
        put(faulty_oss, "in/new.csv")
        await asyncio.wait([watch.task], timeout=BOUND)
        assert watch.task.done(), "the watcher kept running on another watcher's checkpoint"
        return watch.task.exception() or AssertionError("the watcher ended without an error")

    error = run(scenario)
    assert isinstance(error, ForeignCheckpointError), error
    assert "belongs to another watcher" in str(error) and "other/" in str(error)
    assert stored(faulty_oss) == foreign


def test_unreadable_at_start_fails_loudly_without_writing(faulty_oss: Any) -> None:
    put(faulty_oss, "in/a.csv")
    faulty_oss.proxy.inject("access_denied", method="GET", path=f"/{CHECKPOINTS}", times=None)

    async def scenario() -> BaseException:
        watch = Watch()
        await asyncio.wait([watch.task], timeout=BOUND)
        assert watch.task.done() and watch.events == []
        return watch.task.exception() or AssertionError("the watcher ended without an error")

    error = run(scenario)
    assert isinstance(error, OssOperationError), error
    message = str(error)
    assert f"oss://{faulty_oss.bucket}/{KEY}" in message and "AccessDenied" in message
    assert "read and write access" in message
    assert faulty_oss.proxy.count(method="PUT", path=f"/{CHECKPOINTS}") == 0, "nothing may be written"


def test_unwritable_for_a_while_loses_nothing(faulty_oss: Any, capsys: pytest.CaptureFixture[str]) -> None:
    put(faulty_oss, "in/old.csv")

    async def scenario() -> tuple[list[str], list[str]]:
        watch = Watch()
        try:
            await watch.until(lambda: stored(faulty_oss), "the starting checkpoint")
            denied = faulty_oss.proxy.inject("access_denied", path=f"/{CHECKPOINTS}", times=12)
            put(faulty_oss, "in/a.csv")
            put(faulty_oss, "in/b.csv")
            await watch.until(lambda: len(watch.events) >= 2, "both events")
            await watch.until(lambda: denied.injected >= 12, "the denied writes")
            await watch.until(
                lambda: sorted(recorded(faulty_oss)) == ["in/a.csv", "in/b.csv", "in/old.csv"], "the write"
            )
            await watch.polls(faulty_oss)
        finally:
            await watch.stop()
        return watch.keys(), await quiet_restart(faulty_oss)

    reported, later = run(scenario)
    assert sorted(reported) == ["in/a.csv", "in/b.csv"] and later == []
    assert "Could not write checkpoint" in capsys.readouterr().out


def test_two_instances_at_once_report_everything_and_merge(
    faulty_oss: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two triggerers running one watcher during a handover. OSS's PutObject has no If-Match, so the
    checkpoint cannot be locked; each instance merges what the other wrote before it writes."""
    put(faulty_oss, "in/old.csv")
    arrivals = [f"in/{n}.csv" for n in range(6)]

    async def scenario() -> tuple[Watch, Watch, list[str]]:
        first = Watch()
        await first.until(lambda: stored(faulty_oss), "the starting checkpoint")
        second = Watch(poll_interval=0.3)  # the same watcher on another triggerer
        try:
            for key in arrivals:
                put(faulty_oss, key)
                await asyncio.sleep(0.25)
            for watch in (first, second):
                await watch.until(lambda w=watch: set(w.keys()) >= set(arrivals), "every object")
            await first.until(
                lambda: sorted(recorded(faulty_oss)) == sorted([*arrivals, "in/old.csv"]), "merged"
            )
            await first.polls(faulty_oss)
        finally:
            await first.stop()
            await second.stop()
        return first, second, await quiet_restart(faulty_oss)

    first, second, later = run(scenario)
    for watch in (first, second):
        counts = Counter((e["key"], e["etag"]) for e in watch.events)
        assert set(k for k, _ in counts) == set(arrivals) and max(counts.values()) == 1, counts
    assert later == [], "after the overlap, nothing is reported again"
    assert "written by another instance of this watcher" in capsys.readouterr().out
