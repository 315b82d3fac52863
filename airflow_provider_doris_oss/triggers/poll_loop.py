"""The event trigger's own poll loop, for Airflow without shared trigger streams (3.0 to 3.2).

Airflow 3.3 tells a shared stream's producer when every event derived from a listing is stored
in the metadata DB (ack mode), and only then does ``OssObjectEventTrigger`` write its checkpoint.
Before 3.3 a trigger is a plain async generator and learns nothing of the kind: the triggerer's
runner appends a yielded event to an in-memory queue and resumes the generator at once; it sends
that queue to its supervisor about once a second, and the supervisor writes the events to the DB
right after it read them (``TriggerRunner.run_trigger`` / ``sync_state_to_supervisor`` and
``TriggerRunnerSupervisor.handle_events`` in ``airflow/jobs/triggerer_job_runner.py``, 3.0.6 to
3.2.2). So here a listing's claims are committed only when both hold:

- every event of that listing was handed over (the triggerer resumed the generator after the last
  one), and
- a later poll has started at least ``PERSIST_MARGIN`` seconds after that.

The checkpoint therefore never runs ahead of what Airflow stored, as long as the triggerer stores
an event within ``PERSIST_MARGIN`` seconds (about two in practice). A triggerer that dies in
between reports those objects again after its restart: twice, never lost. The stand-ins for
``AdvanceItem``, ``AdvanceOutcome`` and ``SharedStreamProducer`` let the trigger's producer be the
same class on every version (``version_compat``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from airflow.triggers.base import TriggerEvent

    from airflow_provider_doris_oss.triggers.object_event import ListingProducer, OssObjectEventTrigger

# Seconds after its hand-over by which the triggerer of Airflow 3.0-3.2 has stored an event.
PERSIST_MARGIN = 10.0


@dataclass(frozen=True)
class AdvanceOutcome:
    """How a listing's events were resolved (stand-in for Airflow 3.3's class of that name)."""

    acked: int = 0
    failed: int = 0
    rejected: int = 0


class AdvanceItem(NamedTuple):
    """One listing handed back to the producer, and its outcome."""

    broker_payload: Any
    outcome: AdvanceOutcome


class SharedStreamProducer:
    """The producer interface of Airflow 3.3's shared streams, for the trigger's own poll loop."""

    def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
        """Yield ``(raw_event, broker_payload)`` pairs."""
        raise TypeError(f"{type(self).__name__} must define open_stream()")

    async def advance(self, batch: Sequence[AdvanceItem]) -> None:
        """Commit what the resolved items carry."""

    async def aclose(self) -> None:
        """Release the producer's resources."""


async def run_own_poll_loop(
    trigger: OssObjectEventTrigger, producer: ListingProducer, margin: float = PERSIST_MARGIN
) -> AsyncIterator[TriggerEvent]:
    """Run ``trigger`` on its own listings; commit each listing's claims only once Airflow stored them."""
    # The producer's own types on every version (these stand-ins below 3.3).
    from airflow_provider_doris_oss.version_compat import AdvanceItem, AdvanceOutcome

    handed_over: deque[tuple[float, Any]] = deque()

    async def listings() -> AsyncIterator[Any]:
        async for raw_event, payload in producer.open_stream():
            # A new poll: commit the listings whose events were handed over at least `margin` ago.
            now = time.monotonic()
            stored = []
            while handed_over and now - handed_over[0][0] >= margin:
                stored.append(AdvanceItem(handed_over.popleft()[1], AdvanceOutcome(acked=1, failed=0)))
            if stored:
                await producer.advance(stored)
            yield raw_event
            # Resumed: the triggerer has queued every event derived from this listing.
            handed_over.append((time.monotonic(), payload))

    try:
        async for event in trigger.filter_shared_stream(listings()):
            yield event
    finally:
        await producer.aclose()
