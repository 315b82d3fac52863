"""What the worker and the triggerer share about asynchronous Doris jobs (LOAD, EXPORT).

- ``DorisJobKind``: a kind's SHOW and CANCEL statements and its row parser; ``JOB_KINDS`` maps
  the names a trigger serialises to the kinds.
- ``poll_delays``: the wait's schedule, fast at first, then every ``poll_interval``.
- ``admission_limit``, ``admission_delay``: which Doris limit refused a load for now (to be waited
  out, not failed on), and the back-off between tries.
- ``is_connection_lost``, ``plain_row``, ``describe``: reading the FE's answers.

Operators and triggers both import this module; neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from airflow_provider_doris_oss.sql.show import cancel_export, cancel_load, show_export, show_load

if TYPE_CHECKING:
    from airflow_provider_doris_oss.sql.results import ExportJobStatus, LoadJobStatus

# The row parsers (sql.results) are imported when a row is parsed, not when a DAG file is.
JobStatus: TypeAlias = "LoadJobStatus | ExportJobStatus"
JsonValue = str | int | float | bool | None

# Client-side MySQL errors (CR_*, 2000-2999: cannot connect, server gone, connection lost or timed out).
_CLIENT_ERRORS = range(2000, 3000)

# The poll schedule: the first poll after 1 s, each delay 1.5 times the one before, at most
# 2 s apart while the wait is younger than 6 s (a job of up to 5 s is noticed within 2 s of
# finishing), never more than poll_interval.
FIRST_POLL_DELAY = 1.0
POLL_BACKOFF = 1.5
FAST_POLL_WINDOW = 6.0
FAST_POLL_MAX_DELAY = 2.0


# The classes here are named tuples rather than frozen dataclasses: as immutable, and cheaper to
# define when a DAG file imports an operator (about 0.5 ms each on a quiet machine).
class DorisJobKind(NamedTuple):
    """What one kind of asynchronous Doris job looks like: its SHOW and CANCEL statements and rows."""

    name: str
    title: str
    show: Callable[[str, str], str]
    cancel: Callable[[str, str], str]
    parse_row: Callable[[Mapping[str, Any]], JobStatus]
    has_comment: bool = False

    def latest(self, rows: Iterable[Mapping[str, Any]]) -> JobStatus | None:
        """The newest job (highest JobId) among the SHOW rows for one label, or None."""
        from airflow_provider_doris_oss.sql.results import pick_latest

        return pick_latest(self.parse_row(row) for row in rows)


def _load_status(row: Mapping[str, Any]) -> LoadJobStatus:
    from airflow_provider_doris_oss.sql.results import LoadJobStatus

    return LoadJobStatus.from_row(row)


def _export_status(row: Mapping[str, Any]) -> ExportJobStatus:
    from airflow_provider_doris_oss.sql.results import ExportJobStatus

    return ExportJobStatus.from_row(row)


LOAD_JOB = DorisJobKind("load", "Broker Load", show_load, cancel_load, _load_status, True)
EXPORT_JOB = DorisJobKind("export", "EXPORT", show_export, cancel_export, _export_status)
JOB_KINDS: dict[str, DorisJobKind] = {kind.name: kind for kind in (LOAD_JOB, EXPORT_JOB)}


def job_kind(name: str) -> DorisJobKind:
    """The kind registered under ``name`` (``load`` or ``export``)."""
    try:
        return JOB_KINDS[name]
    except KeyError:
        raise ValueError(f"kind: {name!r} is not a Doris job kind; use one of {sorted(JOB_KINDS)}.") from None


def poll_delays(
    poll_interval: float,
    *,
    first: float = FIRST_POLL_DELAY,
    backoff: float = POLL_BACKOFF,
    fast_window: float = FAST_POLL_WINDOW,
    fast_max: float = FAST_POLL_MAX_DELAY,
) -> Iterator[float]:
    """Seconds to sleep before each next poll of a running job: 1, 1.5, 2, 2, 5.1, 7.6, 10, 10, ...

    Short jobs are noticed soon after they finish; a long job costs a few polls more than
    polling every ``poll_interval`` from the start (five more over ten minutes at 10 s).
    """
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float) or poll_interval <= 0:
        raise ValueError(f"poll_interval: {poll_interval!r} must be a positive number of seconds.")
    delay, elapsed = first, 0.0
    while True:
        step = min(delay, poll_interval)
        if elapsed < fast_window:
            step = min(step, fast_max)
        yield step
        elapsed += step
        delay *= backoff


class AdmissionLimit(NamedTuple):
    """A Doris limit that refused a load for now; waiting is the remedy. ``name`` is Doris's setting."""

    name: str
    reason: str


# Doris's words for each limit (LoadManager; DatabaseTransactionMgr; the BE's RowsetBuilder), with
# the older LoadManager text and the Stream Load form of -235 too. Compiled on first use (``re``'s
# cache), not when a DAG file imports an operator.
_ADMISSION_LIMITS = (
    (
        r"There are more th[ae]n \d+ (unfinished load jobs|load jobs in waiting queue)",
        AdmissionLimit("desired_max_waiting_jobs", "too many unfinished load jobs on the FE"),
    ),
    (
        r"current running txns on db \d+ is \d+, larger than limit \d+",
        AdmissionLimit("max_running_txn_num_per_db", "too many running transactions in the database"),
    ),
    (
        r"\[E-235\]|TOO_MANY_VERSION|err=-235\b|version count: \d+, exceed limit: \d+",
        AdmissionLimit(
            "max_tablet_version_num", "too many data versions in a tablet; compaction is behind (-235)"
        ),
    ),
)

FIRST_ADMISSION_DELAY = 5.0
MAX_ADMISSION_DELAY = 60.0


def admission_limit(message: str | None) -> AdmissionLimit | None:
    """The admission limit Doris's error or ErrorMsg names, or None for any other failure."""
    for pattern, limit in _ADMISSION_LIMITS:
        if message and re.search(pattern, message, re.I):
            return limit
    return None


def admission_delay(
    waits: int, jitter: float, *, first: float = FIRST_ADMISSION_DELAY, cap: float = MAX_ADMISSION_DELAY
) -> float:
    """Seconds to wait before trying again after ``waits`` earlier waits: doubling from ``first``,
    at most ``cap``, scaled by ``0.5 + jitter / 2`` (``jitter`` in [0, 1)) so that tasks refused
    together do not come back together."""
    base = min(cap, first * 2.0 ** min(waits, 32))
    return base * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))


def is_connection_lost(error: BaseException) -> bool:
    """Whether a pymysql error means the connection is gone or timed out (not an answer from Doris)."""
    from pymysql.err import InterfaceError, OperationalError

    if isinstance(error, InterfaceError):
        return True
    if isinstance(error, OperationalError):
        code = error.args[0] if error.args else None
        return isinstance(code, int) and code in _CLIENT_ERRORS
    return isinstance(error, ConnectionError | TimeoutError)


def plain_row(row: Mapping[str, Any]) -> dict[str, JsonValue]:
    """A SHOW row with JSON-safe values (bytes decoded, timestamps and decimals as text)."""
    out: dict[str, JsonValue] = {}
    for key, value in row.items():
        if value is None or isinstance(value, str | int | float | bool):
            out[str(key)] = value
        elif isinstance(value, bytes | bytearray):
            out[str(key)] = value.decode("utf-8", "replace")
        else:
            out[str(key)] = str(value)
    return out


def describe(status: JobStatus) -> str:
    """``job 42 LOADING (ETL:100%; LOAD:50%)`` for logs."""
    progress = f" ({status.progress})" if status.progress else ""
    return f"job {status.job_id} {status.state}{progress}"
