"""Doris job plumbing shared by the job operators: errors, labels and fingerprints, the plan, and
``DorisJobClient`` (the statements of one job kind on one database, over an FE connection that is
reopened when it drops)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.operators._admission import AdmissionWait, AdmissionWaitExpired
from airflow_provider_doris_oss.sql.jobs import (
    AdmissionLimit,
    DorisJobKind,
    JobStatus,
    admission_limit,
    describe,
    is_connection_lost,
    poll_delays,
)
from airflow_provider_doris_oss.version_compat import AirflowException

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.doris import DorisHook

# How many CANCELLED attempts (label, label_r1, label_r2, ...) a task walks past before giving up:
# more than a default admission wait (4 h) uses at the longest back-off (60 s).
MAX_LABEL_ATTEMPTS = 1000
# The key of the admission wait (deadline, waits) in the state handed across a deferral.
ADMISSION_STATE = "admission_wait"
_FINGERPRINT_IN_COMMENT = r"\bsources=([0-9a-f]{8,64})\b"  # compiled on first use, not at DAG parse

if TYPE_CHECKING:  # a Protocol costs its class creation at every DAG file's import
    from typing import Protocol

    class _Log(Protocol):
        def info(self, msg: Any, /, *args: Any, **kw: Any) -> Any: ...

        def warning(self, msg: Any, /, *args: Any, **kw: Any) -> Any: ...


class DorisJobError(AirflowException):
    """Doris refused a job statement, or a job could not be found or did not finish; secrets masked."""


class DorisConnectionLost(DorisJobError):
    """The FE connection dropped and could not be reopened within the allowed attempts."""


class DorisAdmissionRefused(DorisJobError):
    """Doris refused a submit for now (``limit``): no job was created; try again later."""

    def __init__(self, message: str, limit: AdmissionLimit) -> None:
        super().__init__(message)
        self.limit = limit


def wait_out(admission: AdmissionWait, limit: AdmissionLimit, what: str, detail: str, log: _Log) -> None:
    """``admission.pause``, failing as a ``DorisJobError`` once the task's wait has ended."""
    try:
        admission.pause(limit, what, detail, log)
    except AdmissionWaitExpired as expired:
        raise DorisJobError(str(expired)) from None


def fingerprint(parts: Iterable[str]) -> str:
    """A short hex digest of the parts that define what a job reads and writes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def job_comment(context: Context, source_fingerprint: str) -> str:
    """``Airflow dag_id=... task_id=... run_id=... sources=<fingerprint>`` for a job's COMMENT."""
    ti = context["ti"]
    task = ti.task_id if ti.map_index is None or ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
    return f"Airflow dag_id={ti.dag_id} task_id={task} run_id={ti.run_id} sources={source_fingerprint}"


def task_label(context: Context, given: str | None) -> str:
    """``given`` (validated), or the label derived from the task instance (dag, task, run, map index)."""
    if given:
        return doris_sql.validate_label(str(given))
    ti = context["ti"]
    return doris_sql.derive_label(ti.dag_id, ti.task_id, ti.run_id, map_index=ti.map_index)


def comment_fingerprint(comment: str | None) -> str | None:
    """The ``sources=`` fingerprint a job's COMMENT carries, or None."""
    match = re.search(_FINGERPRINT_IN_COMMENT, comment or "")
    return match.group(1) if match else None


@dataclass
class DorisJobPlan:
    """What an operator asks the core to run.

    ``statement(label)`` renders the submit statement (with credentials) for a label;
    ``fingerprint`` is compared with the one in a found job's COMMENT; ``differences(status)``
    names what a found job does otherwise than this task (for kinds without a COMMENT, from the
    job's own SHOW columns); ``before_submit`` runs
    once, only when a job is actually submitted (e.g. staging files); ``state`` is JSON handed
    back on completion, also across a deferral.
    """

    database: str
    label: str
    statement: Callable[[str], str]
    fingerprint: str | None = None
    differences: Callable[[JobStatus], list[str]] | None = None
    before_submit: Callable[[], None] | None = None
    state: dict[str, Any] = field(default_factory=dict)


class DorisJobClient:
    """Run one job kind's statements on one database; a dropped FE connection is reopened.

    Idempotent statements (SHOW, CANCEL) are retried after a reconnect; a submit never is: its
    outcome is read back by label instead.
    """

    reconnect_attempts = 5

    def __init__(
        self,
        hook: DorisHook,
        kind: DorisJobKind,
        database: str,
        *,
        log: _Log,
        secrets: Iterable[str | None] = (),
        reconnect_delay: float = 1.0,
        admission: AdmissionWait | None = None,
    ) -> None:
        self.hook = hook
        self.kind = kind
        self.database = database
        self.log = log
        self.secrets = tuple(s for s in secrets if s)
        self.reconnect_delay = reconnect_delay
        # Waiting out admission refusals: until the task's execution_timeout (set by the operator).
        self.admission = admission if admission is not None else AdmissionWait.starting_now(None)
        self._conn: Any = None
        self.current_label: str | None = None
        # The pauses between polls in ``wait``: poll_delays, or another schedule (benchmarks).
        self.poll_schedule: Callable[[float], Iterator[float]] = poll_delays

    def __enter__(self) -> DorisJobClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the FE connection, if open."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                self.log.info("The FE connection was already closed.")

    def mask(self, text: str) -> str:
        """``text`` with the OSS secrets and every secret-named property value masked."""
        return doris_sql.mask_secrets(text, self.secrets)

    def query(self, sql: str, *, retry: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        """Execute ``sql`` and return its rows keyed by column name.

        Every FE read is bounded: by the connection's ``read_timeout``, or by ``timeout`` seconds
        on a connection of its own (a submit). A lost or timed-out connection is reopened and
        the statement repeated (``retry``), at most ``reconnect_attempts`` times in a row;
        Doris's own errors raise ``DorisJobError``.
        """
        failures = 0
        while True:
            try:
                if timeout is not None:
                    with closing(self.hook.get_conn(read_timeout=timeout)) as own:
                        return self._run(own, sql)
                if self._conn is None:
                    self._conn = self.hook.get_conn()
                return self._run(self._conn, sql)
            except Exception as error:
                if not is_connection_lost(error):
                    raise DorisJobError(self.mask(doris_sql.error_message(error))) from None
                if timeout is None:  # the shared connection broke; a submit's own one is closed already
                    self.close()
                failures += 1
                reason = self.mask(doris_sql.error_message(error))
                if "timed out" in reason:
                    limit = timeout if timeout is not None else self.hook.read_timeout
                    reason += (
                        f"; the FE sent no answer within {limit:g} s (connection {self.hook.get_conn_id()!r}"
                        f" extra {'submit_timeout' if timeout is not None else 'read_timeout'})"
                    )
                if not retry or failures > self.reconnect_attempts:
                    raise DorisConnectionLost(
                        f"Lost the connection to the Doris FE ({reason}) and could not reopen it "
                        f"after {failures} attempts."
                    ) from None
                self.log.warning(
                    "Lost the connection to the Doris FE (%s); reconnecting (attempt %d of %d).",
                    reason,
                    failures,
                    self.reconnect_attempts,
                )
                if failures > 1:
                    time.sleep(self.reconnect_delay)

    @staticmethod
    def _run(conn: Any, sql: str) -> list[dict[str, Any]]:
        with closing(conn.cursor()) as cursor:
            cursor.execute(sql)
            return doris_sql.rows_by_name(cursor)

    def lookup(self, label: str) -> JobStatus | None:
        """The newest job under ``label``, or None when Doris has none."""
        return self.kind.latest(self.query(self.kind.show(self.database, label)))

    def start(
        self, plan: DorisJobPlan, *, prepare: bool = True, after: str | None = None
    ) -> tuple[str, JobStatus, bool]:
        """Find the plan's job by label, or submit it; returns (label, status, submitted).

        A FINISHED, PENDING or running job under the label is the task's own job (checked by
        the COMMENT's fingerprint where the kind has one). A CANCELLED one moves on to the next
        label attempt. ``Label ... has already been used`` on submit means: look it up again.
        A submit Doris refuses for now (an admission limit) is waited out and tried again, the
        label looked up first. ``prepare=False``: ``before_submit`` already ran in this task.
        ``after``: a label attempt this task saw CANCELLED; the walk starts at the next one.
        """
        attempt, label = 0, plan.label
        if after is not None:
            attempt = self._attempt_of(plan.label, after) + 1
            label = doris_sql.next_label_attempt(plan.label, attempt)
        prepared, refused_by_label = not prepare, False
        steps = 0
        while steps < MAX_LABEL_ATTEMPTS * 3:
            steps += 1
            self.current_label = label
            status = self.lookup(label)
            if status is not None and status.is_cancelled:
                attempt += 1
                if attempt > MAX_LABEL_ATTEMPTS:
                    break
                nxt = doris_sql.next_label_attempt(plan.label, attempt)
                self.log.info(
                    "%s %s under label %s ended CANCELLED (%s); using label %s.",
                    self.kind.title,
                    f"job {status.job_id}",
                    label,
                    status.error_msg or status.error_type or "no message",
                    nxt,
                )
                label, refused_by_label = nxt, False
                continue
            if status is not None:
                self._check_owner(label, status, plan)
                self.log.info("Found %s %s under label %s.", self.kind.title, describe(status), label)
                return label, status, False
            if refused_by_label:
                raise DorisJobError(
                    f"Label {label} is already used in database {self.database}, but not by a "
                    f"{self.kind.title} job (labels are shared with INSERT, Stream Load and EXPORT). "
                    "Pass another label."
                )
            if not prepared and plan.before_submit is not None:
                plan.before_submit()
            prepared = True
            try:
                outcome = self.submit(label, plan.statement(label))
            except DorisAdmissionRefused as refused:
                what = f"{self.kind.title} {label} in database {self.database}"
                wait_out(self.admission, refused.limit, what, str(refused), self.log)
                steps -= 1  # a wait is not a label step; the deadline bounds the waits
                continue
            if outcome is True:
                status = self.lookup(label)
                if status is None:
                    raise DorisJobError(
                        f"Doris accepted {self.kind.title} {label} but SHOW shows no job under that label."
                    )
                self.log.info("Submitted %s %s under label %s.", self.kind.title, describe(status), label)
                return label, status, True
            refused_by_label = outcome is False
        raise DorisJobError(
            f"{self.kind.title} under label {plan.label} was cancelled {MAX_LABEL_ATTEMPTS} times in "
            f"database {self.database}; pass a new label after fixing the cause."
        )

    @staticmethod
    def _attempt_of(base: str, label: str) -> int:
        """Which attempt ``label`` is of ``base`` (0: the base label itself)."""
        if label == base:
            return 0
        for attempt in range(1, MAX_LABEL_ATTEMPTS + 1):
            if doris_sql.next_label_attempt(base, attempt) == label:
                return attempt
        raise DorisJobError(f"Label {label} is not an attempt of label {base}.")

    def submit(self, label: str, sql: str) -> bool | None:
        """Send the submit statement: True if accepted, False if the label is taken, None if unknown.

        Raises ``DorisAdmissionRefused`` when Doris refuses it for now (an admission limit).
        """
        self.log.info("Submitting %s %s:\n%s", self.kind.title, label, self.mask(sql))
        self.hook.check_release(sql)  # a statement this Doris release cannot parse is not sent
        try:
            self.query(sql, retry=False, timeout=self.hook.submit_timeout)
        except DorisConnectionLost as error:
            self.log.warning("%s The outcome is unknown; looking label %s up again.", error, label)
            return None
        except DorisJobError as error:
            if doris_sql.is_label_already_used(str(error)):
                self.log.info("Doris says label %s is already used; looking it up again.", label)
                return False
            limit = admission_limit(str(error))
            if limit is not None:
                raise DorisAdmissionRefused(str(error), limit) from None
            raise DorisJobError(f"Doris refused {self.kind.title} {label}: {error}") from None
        return True

    def _check_owner(self, label: str, status: JobStatus, plan: DorisJobPlan) -> None:
        """Refuse a job under ``label`` that is not this task's: another type, sources or target."""
        owner = f"Label {label} in database {self.database} belongs to {self.kind.title} job {status.job_id}"
        advice = "Pass another label (or CLEAN LABEL it if the job is yours and no longer needed)."
        load_type = getattr(status, "load_type", None)
        if self.kind.has_comment and load_type and load_type != "BROKER":
            raise DorisJobError(
                f"Label {label} in database {self.database} belongs to a {load_type} job "
                f"({status.job_id}, {status.state}), not to a Broker Load of this task. {advice}"
            )
        differences = plan.differences(status) if plan.differences is not None else []
        if differences:
            raise DorisJobError(
                f"{owner} ({status.state}), which is not this task's: {'; '.join(differences)}. "
                f"Another task or a manual job used the label, or the task changed since. {advice}"
            )
        if plan.fingerprint is None or not self.kind.has_comment:
            return
        comment = getattr(status, "comment", None)
        if comment is None:
            self.log.warning(
                "%s %s under label %s has no comment; taking it as this task's job.",
                self.kind.title,
                status.job_id,
                label,
            )
            return
        if comment_fingerprint(comment) != plan.fingerprint:
            raise DorisJobError(
                f"{owner} ({status.state}, comment {comment!r}), which does not carry this task's "
                f"source fingerprint {plan.fingerprint}: another task or a manual load used the label, "
                f"or the task's sources changed since. {advice}"
            )

    def wait(self, label: str, poll_interval: float) -> JobStatus:
        """Poll the label until its newest job is FINISHED or CANCELLED (schedule: ``poll_delays``)."""
        self.current_label = label
        last: tuple[str, str | None] | None = None
        delays = self.poll_schedule(poll_interval)
        while True:
            status = self.lookup(label)
            if status is None:
                raise DorisJobError(
                    f"No {self.kind.title} job has label {label} in database {self.database} any more "
                    "(its label was cleaned while the task waited)."
                )
            if status.is_final:
                return status
            if (status.state, status.progress) != last:
                self.log.info("%s %s: %s.", self.kind.title, label, describe(status))
                last = (status.state, status.progress)
            time.sleep(next(delays))

    def cancel(self, label: str) -> bool:
        """Cancel the label's running job; False when there was nothing to cancel."""
        sql = self.kind.cancel(self.database, label)
        self.log.info("Cancelling %s %s: %s", self.kind.title, label, self.mask(sql))
        try:
            self.query(sql)
        except DorisJobError as error:
            if doris_sql.is_nothing_to_cancel(str(error)):
                self.log.info("Nothing to cancel under label %s: %s", label, error)
                return False
            raise
        return True
