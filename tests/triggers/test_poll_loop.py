"""The event trigger's own poll loop (Airflow 3.0-3.2, no shared streams): the checkpoint never runs ahead.

A listing's claims may be committed only after the triggerer took every event of that listing
(resumed the generator past the last one) and a later poll started at least the margin after that,
so that Airflow 3.0-3.2's triggerer has stored those events by then. A trigger that dies in
between reports the objects again from a new instance: twice, never lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
from airflow_provider_doris_oss.triggers.object_event import ListingProducer, OssObjectEventTrigger
from airflow_provider_doris_oss.triggers.poll_loop import run_own_poll_loop
from tests.triggers.conftest import checkpoint_objects


class RecordingProducer:
    """Yields numbered listings every ``interval``; records when each one is committed."""

    def __init__(self, listings: int, interval: float, log: list[tuple[str, int, float]]) -> None:
        self.listings, self.interval, self.log = listings, interval, log

    async def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
        for number in range(self.listings):
            if number:
                await asyncio.sleep(self.interval)
            self.log.append(("listed", number, time.monotonic()))
            yield number, number

    async def advance(self, batch: Any) -> None:
        for item in batch:
            assert item.outcome.failed == 0
            self.log.append(("committed", item.broker_payload, time.monotonic()))

    async def aclose(self) -> None:
        self.log.append(("closed", -1, time.monotonic()))


class TwoEventsPerListing:
    """A trigger whose filter yields two events per listing."""

    async def filter_shared_stream(self, listings: AsyncIterator[Any]) -> AsyncIterator[tuple[int, int]]:
        async for number in listings:
            yield number, 0
            yield number, 1


def run_loop(listings: int, interval: float, margin: float) -> list[tuple[str, int, float]]:
    log: list[tuple[str, int, float]] = []

    async def triggerer() -> None:
        producer = RecordingProducer(listings, interval, log)
        async for number, index in run_own_poll_loop(TwoEventsPerListing(), producer, margin=margin):  # type: ignore[arg-type]
            log.append(("taken", number * 10 + index, time.monotonic()))

    asyncio.run(triggerer())
    return log


def test_a_listing_is_committed_after_its_events_were_taken_and_a_later_poll_past_the_margin():
    margin = 0.25
    log = run_loop(listings=6, interval=0.1, margin=margin)
    committed = {number: at for kind, number, at in log if kind == "committed"}
    assert committed, log
    for number, at in committed.items():
        last_taken = max(t for kind, n, t in log if kind == "taken" and n // 10 == number)
        assert at - last_taken >= margin, (number, log)
        later_polls = [t for kind, n, t in log if kind == "listed" and n > number and t <= at]
        assert later_polls, f"listing {number} was committed before a later poll started: {log}"
    # The last listings' events were taken less than the margin before the loop ended: never committed.
    assert 5 not in committed and 4 not in committed


def test_without_a_later_poll_nothing_is_committed():
    log = run_loop(listings=1, interval=0.1, margin=0.0)
    assert [kind for kind, _, _ in log] == ["listed", "taken", "taken", "closed"]


def test_a_killed_watcher_reports_its_uncommitted_objects_again_never_loses_them(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    kwargs = {"prefix": "in/", "poll_interval": 0.1, "start_from": "beginning"}

    async def life(margin: float, wanted: int, linger: float = 0.0) -> list[str]:
        """Run a watcher until it reported ``wanted`` objects and ``linger`` more seconds, then kill it."""
        trigger = OssObjectEventTrigger(**kwargs)
        keys: list[str] = []

        async def consume() -> None:
            async for event in run_own_poll_loop(trigger, ListingProducer(trigger), margin=margin):
                keys.append(event.payload["key"])

        task = asyncio.ensure_future(consume())
        try:
            deadline = time.monotonic() + 60
            while len(keys) < wanted and not task.done() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await asyncio.sleep(linger)
        finally:
            task.cancel()  # the watcher dies here, as in a killed triggerer
            await asyncio.gather(task, return_exceptions=True)
            await close_shared_clients()
        return keys

    client.put_object(Bucket=bucket, Key="in/a.csv", Body=b"1")
    client.put_object(Bucket=bucket, Key="in/b.csv", Body=b"1")
    # Killed right after handing both events over: nothing committed, so both come again.
    assert sorted(asyncio.run(life(margin=30.0, wanted=2))) == ["in/a.csv", "in/b.csv"]
    assert checkpoint_objects(local_oss, bucket) == {} or not any(checkpoint_objects(local_oss, bucket).values())
    assert sorted(asyncio.run(life(margin=30.0, wanted=2))) == ["in/a.csv", "in/b.csv"]
    # A watcher that lives past the margin and a later poll commits; its successor reports nothing old.
    assert sorted(asyncio.run(life(margin=0.2, wanted=2, linger=1.5))) == ["in/a.csv", "in/b.csv"]
    assert set(next(iter(checkpoint_objects(local_oss, bucket).values()))) == {"in/a.csv", "in/b.csv"}
    client.put_object(Bucket=bucket, Key="in/c.csv", Body=b"1")
    assert asyncio.run(life(margin=0.2, wanted=1)) == ["in/c.csv"]
