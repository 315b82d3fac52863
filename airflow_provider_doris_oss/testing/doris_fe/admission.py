"""Doris's admission limits for loads, as the local FE enforces them, with Doris's defaults and words.

- ``desired_max_waiting_jobs`` (FE ``Config.java``, 100): ``LoadManager`` refuses a LOAD while
  that many Broker Loads are unfinished (PENDING or LOADING, counted over every database).
- ``async_loading_load_task_pool_size`` and ``async_pending_load_task_pool_size`` (FE, 10 each):
  Broker Loads run that many at a time; the rest stay PENDING, first come first served. A PENDING
  job's timeout starts only when it is scheduled.
- ``max_running_txn_num_per_db`` (FE, 1000 in 2.1 and 3.0; 10000 on master since mid-2025): a
  transaction begins only below it. A Broker Load begins its transaction when it leaves the queue
  (its pending task) and is CANCELLED when refused; an INSERT is refused with the error.
- ``max_tablet_version_num`` (BE, 2000): every load or INSERT adds a data version to the tablets
  it writes; a write into a tablet holding more versions fails with -235 (``TOO_MANY_VERSION``)
  until compaction has merged them. Here versions are counted per table (one tablet standing for
  all of a table's) and compaction merges ``compaction_rate`` versions per second, down to one.

This module is plain bookkeeping: it answers with Doris's messages; the statement and job code
turns them into errors or CANCELLED jobs.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

DESIRED_MAX_WAITING_JOBS = 100
ASYNC_LOADING_LOAD_TASK_POOL_SIZE = 10
MAX_RUNNING_TXN_NUM_PER_DB = 1000
MAX_TABLET_VERSION_NUM = 2000
# Not a Doris setting: how fast the stand-in's compaction merges versions of one table.
COMPACTION_RATE = 100.0

WAITING_LIMIT = "desired_max_waiting_jobs"
TXN_LIMIT = "max_running_txn_num_per_db"
VERSION_LIMIT = "max_tablet_version_num"

_INTEGER_LIMITS = {
    "max_waiting_load_jobs": ("desired_max_waiting_jobs", DESIRED_MAX_WAITING_JOBS),
    "max_running_load_jobs": ("async_loading_load_task_pool_size", ASYNC_LOADING_LOAD_TASK_POOL_SIZE),
    "max_running_txn_per_db": ("max_running_txn_num_per_db", MAX_RUNNING_TXN_NUM_PER_DB),
    "tablet_version_limit": ("the BE's max_tablet_version_num", MAX_TABLET_VERSION_NUM),
}


def waiting_message(limit: int) -> str:
    """LoadManager's refusal of a LOAD past ``desired_max_waiting_jobs``."""
    return (
        f"There are more than {limit} unfinished load jobs, please retry later. "
        "You can use `SHOW LOAD` to view submitted jobs"
    )


def txn_message(db_id: int, running: int, limit: int) -> str:
    """DatabaseTransactionMgr's refusal of a transaction past ``max_running_txn_num_per_db``."""
    return f"current running txns on db {db_id} is {running}, larger than limit {limit}"


def version_message(count: int, limit: int, tablet_id: int) -> str:
    """The BE's -235 (``RowsetBuilder::check_tablet_version_count``)."""
    return (
        f"[E-235]failed to init rowset builder. version count: {count}, exceed limit: {limit}, "
        f"tablet: {tablet_id}. Please reduce the frequency of loading data or adjust the "
        "max_tablet_version_num or time_series_max_tablet_version_num in be.conf to a larger value."
    )


@dataclass(frozen=True)
class AdmissionLimits:
    """The limits a ``LocalDorisFE`` enforces; every default is Doris's (see the module docstring)."""

    max_waiting_load_jobs: int = DESIRED_MAX_WAITING_JOBS
    max_running_load_jobs: int = ASYNC_LOADING_LOAD_TASK_POOL_SIZE
    max_running_txn_per_db: int = MAX_RUNNING_TXN_NUM_PER_DB
    tablet_version_limit: int = MAX_TABLET_VERSION_NUM
    compaction_rate: float = COMPACTION_RATE

    def __post_init__(self) -> None:
        for name, (doris_name, default) in _INTEGER_LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{name}: {value!r} must be a whole number of at least 1 ({doris_name}; "
                    f"Doris's default is {default})."
                )
        rate = self.compaction_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < math.inf:
            raise ValueError(
                f"compaction_rate: {rate!r} must be a number of versions per second, 0 or more "
                f"(0: no compaction; default {COMPACTION_RATE:g})."
            )


class _Job(Protocol):
    @property
    def job_id(self) -> int: ...

    @property
    def final(self) -> bool: ...


@dataclass
class _Versions:
    count: float = 1.0  # a new tablet holds one version, [0-1]
    at: float = 0.0


@dataclass
class Admission:
    """The queue of PENDING Broker Loads, running slots, running transactions and table versions."""

    limits: AdmissionLimits = field(default_factory=AdmissionLimits)
    clock: Callable[[], float] = time.monotonic
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _unfinished: dict[int, _Job] = field(default_factory=dict, repr=False)
    _queue: list[int] = field(default_factory=list, repr=False)
    _running: set[int] = field(default_factory=set, repr=False)
    _txns: Counter[str] = field(default_factory=Counter, repr=False)
    _versions: dict[tuple[str, str], _Versions] = field(default_factory=dict, repr=False)
    _ids: dict[Any, int] = field(default_factory=dict, repr=False)
    _next_id: itertools.count[int] = field(default_factory=lambda: itertools.count(10002), repr=False)
    _refusals: Counter[str] = field(default_factory=Counter, repr=False)
    _peaks: Counter[str] = field(default_factory=Counter, repr=False)

    # ------------------------------------------------------------------ the queue

    def admit_load(self, job: _Job) -> str | None:
        """Queue a new Broker Load, or return Doris's refusal when too many are unfinished."""
        with self._cond:
            for job_id in [i for i, j in self._unfinished.items() if j.final]:
                del self._unfinished[job_id]
            if len(self._unfinished) >= self.limits.max_waiting_load_jobs:
                self._refusals[WAITING_LIMIT] += 1
                return waiting_message(self.limits.max_waiting_load_jobs)
            self._unfinished[job.job_id] = job
            self._queue.append(job.job_id)
            self._peak("unfinished_load_jobs", len(self._unfinished))
            return None

    def wait_for_slot(self, job: _Job) -> bool:
        """Block until ``job`` may run (first in line, a slot free); False if it ended meanwhile."""
        with self._cond:
            while True:
                if job.final:
                    self._drop(job.job_id)
                    return False
                free = len(self._running) < self.limits.max_running_load_jobs
                if free and self._queue and self._queue[0] == job.job_id:
                    self._queue.pop(0)
                    self._running.add(job.job_id)
                    self._peak("running_load_jobs", len(self._running))
                    self._cond.notify_all()
                    return True
                self._cond.wait(1.0)  # woken by release_slot and wake; the timeout is a safety net

    def release_slot(self, job: _Job) -> None:
        """``job`` stopped running (or never will): free its slot and its place in line."""
        with self._cond:
            self._drop(job.job_id)

    def wake(self) -> None:
        """A job ended elsewhere (cancelled, timed out): let the jobs in line look again."""
        with self._cond:
            self._cond.notify_all()

    def _drop(self, job_id: int) -> None:
        self._running.discard(job_id)
        if job_id in self._queue:
            self._queue.remove(job_id)
        self._cond.notify_all()

    # ------------------------------------------------------------ transactions

    def begin_txn(self, db: str) -> str | None:
        """Begin a transaction in ``db``, or return Doris's refusal past ``max_running_txn_num_per_db``."""
        with self._cond:
            running = self._txns[db]
            if running >= self.limits.max_running_txn_per_db:
                self._refusals[TXN_LIMIT] += 1
                return txn_message(self._id(("db", db)), running, self.limits.max_running_txn_per_db)
            self._txns[db] = running + 1
            self._peak("running_txns_per_db", running + 1)
            return None

    def end_txn(self, db: str) -> None:
        """A transaction of ``db`` ended (visible or aborted)."""
        with self._cond:
            self._txns[db] = max(0, self._txns[db] - 1)

    # ---------------------------------------------------------------- versions

    def version_refusal(self, db: str, tables: list[str]) -> str | None:
        """The BE's -235 for the first of ``tables`` holding more versions than the limit, or None."""
        with self._cond:
            for table in tables:
                count = self._count(db, table)
                if count > self.limits.tablet_version_limit:
                    self._refusals[VERSION_LIMIT] += 1
                    tablet = self._id(("tablet", db, table.lower()))
                    return version_message(count, self.limits.tablet_version_limit, tablet)
            return None

    def add_versions(self, db: str, tables: list[str]) -> None:
        """A load or INSERT into ``tables`` became visible: one version more in each."""
        with self._cond:
            for table in dict.fromkeys(t.lower() for t in tables):
                entry = self._versions.setdefault((db, table), _Versions(at=self.clock()))
                entry.count = self._current(entry) + 1
                entry.at = self.clock()
                self._peak("versions_per_table", math.ceil(entry.count))

    def versions(self, db: str, table: str) -> int:
        """The versions ``table`` holds now (compaction applied)."""
        with self._cond:
            return self._count(db, table)

    def _count(self, db: str, table: str) -> int:
        entry = self._versions.get((db, table.lower()))
        return 1 if entry is None else math.ceil(self._current(entry))

    def _current(self, entry: _Versions) -> float:
        return max(1.0, entry.count - self.limits.compaction_rate * (self.clock() - entry.at))

    # ------------------------------------------------------------------ reading

    def stats(self) -> dict[str, Any]:
        """Refusals per limit, peaks, and what is waiting and running now."""
        with self._cond:
            return {
                "refusals": dict(self._refusals),
                "peaks": dict(self._peaks),
                "waiting_load_jobs": len(self._queue),
                "running_load_jobs": len(self._running),
            }

    def _id(self, key: Any) -> int:
        if key not in self._ids:
            self._ids[key] = next(self._next_id)
        return self._ids[key]

    def _peak(self, name: str, value: int) -> None:
        self._peaks[name] = max(self._peaks[name], value)
