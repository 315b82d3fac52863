"""Waiting out Doris's admission limits inside a task: back-off with jitter, a deadline, a log line.

A LOAD refused because too many loads are unfinished (``desired_max_waiting_jobs``), or a job
CANCELLED because the database had too many running transactions (``max_running_txn_num_per_db``)
or a tablet too many versions (-235, ``max_tablet_version_num``), is not the task's failure: the
task waits (``sql.jobs.admission_delay``) and tries again, until its ``execution_timeout`` (or
``DEFAULT_ADMISSION_WAIT`` without one). The deadline is wall-clock time, so it survives a deferral.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_doris_oss.sql.jobs import (
    FIRST_ADMISSION_DELAY,
    MAX_ADMISSION_DELAY,
    AdmissionLimit,
    admission_delay,
)

# How long a task without an execution_timeout waits out refusals: Broker Load's own default
# timeout (4 h), the longest Doris would let the refused load run anyway.
DEFAULT_ADMISSION_WAIT = 4 * 3600.0


if TYPE_CHECKING:  # a Protocol costs its class creation at every DAG file's import
    from typing import Protocol

    class _Log(Protocol):
        def warning(self, msg: Any, /, *args: Any, **kw: Any) -> Any: ...


class AdmissionWaitExpired(Exception):
    """Doris kept refusing until the task's wait ended; the text names the limit and the fix."""


@dataclass
class AdmissionWait:
    """The waits of one task: when it gives up (epoch seconds) and how many waits so far."""

    deadline: float
    waits: int = 0
    budget: str = "the default wait of 4 h (no execution_timeout)"
    # The back-off; tests shorten it.
    first_delay: ClassVar[float] = FIRST_ADMISSION_DELAY
    max_delay: ClassVar[float] = MAX_ADMISSION_DELAY

    @classmethod
    def starting_now(cls, execution_timeout: timedelta | None) -> AdmissionWait:
        """A wait that ends with the task's ``execution_timeout`` (counted from now)."""
        if execution_timeout is None:
            return cls(time.time() + DEFAULT_ADMISSION_WAIT)
        seconds = execution_timeout.total_seconds()
        return cls(time.time() + seconds, budget=f"the task's execution_timeout ({seconds:g} s)")

    @classmethod
    def from_state(cls, state: Any, execution_timeout: timedelta | None) -> AdmissionWait:
        """The wait saved before a deferral, or a new one when the state was lost."""
        if isinstance(state, dict) and isinstance(state.get("deadline"), int | float):
            return cls(float(state["deadline"]), int(state.get("waits") or 0), str(state.get("budget") or ""))
        return cls.starting_now(execution_timeout)

    def to_state(self) -> dict[str, Any]:
        """JSON for a deferral's kwargs."""
        return {"deadline": self.deadline, "waits": self.waits, "budget": self.budget}

    def pause(self, limit: AdmissionLimit, what: str, detail: str, log: _Log) -> None:
        """Sleep before the next try, logging the limit and the wait; raise once the deadline passed.

        ``what`` names the refused thing (``Broker Load <label>``), ``detail`` is Doris's message.
        """
        now = time.time()
        if now >= self.deadline:
            raise AdmissionWaitExpired(
                f"{what}: Doris refused it for now ({limit.name}: {limit.reason}; {detail}) and was still "
                f"refusing after {self.waits} waits, when {self.budget} ended. Let fewer loads run at "
                f"once (an Airflow pool, docs/production.md), batch files into fewer loads, or give "
                f"the task a longer execution_timeout."
            )
        delay = admission_delay(self.waits, random.random(), first=self.first_delay, cap=self.max_delay)
        delay = min(delay, max(0.0, self.deadline - now))
        self.waits += 1
        until = datetime.fromtimestamp(self.deadline, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        log.warning(
            "%s: Doris refused it for now, %s (%s: %s). Waiting %.1f s before trying again "
            "(wait %d; giving up at %s, %s).",
            what,
            limit.reason,
            limit.name,
            detail,
            delay,
            self.waits,
            until,
            self.budget,
        )
        time.sleep(delay)
