"""The shared core of operators that run one asynchronous Doris job (Broker Load, EXPORT) by label.

A job is found again by its label alone, so every step is safe to repeat: a retried task looks
the label up before submitting, a dropped FE connection is reopened and the wait resumes by
label, and a deferred task resumes from the trigger's final SHOW row.

- The job kinds (``LOAD_JOB``, ``EXPORT_JOB``), the poll schedule and the SHOW parsing live in
  ``sql.jobs``, shared with the trigger (re-exported here).
- ``DorisJobClient`` (in ``job_client``, re-exported here): the statements of one kind on one
  database, over an FE connection that is reopened when it drops.
- ``DorisJobOperator``: look up, submit, wait (poke or deferrable), cancel on kill.

Doris's admission limits are waited out, not failed on (``_admission``): a LOAD refused while too
many loads are unfinished is submitted again after a back-off (looked up by label first, as every
submit is); a job CANCELLED by the running-transaction limit or by -235 (too many versions) is
submitted again under the next label attempt. The task fails only when its execution_timeout ends.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.operators._admission import AdmissionWait
from airflow_provider_doris_oss.operators._lineage import JobLineage
from airflow_provider_doris_oss.operators.job_client import (
    ADMISSION_STATE,
    DorisAdmissionRefused,
    DorisConnectionLost,
    DorisJobClient,
    DorisJobError,
    DorisJobPlan,
    comment_fingerprint,
    fingerprint,
    job_comment,
    task_label,
    wait_out,
)
from airflow_provider_doris_oss.sql.jobs import (
    EXPORT_JOB,
    JOB_KINDS,
    LOAD_JOB,
    DorisJobKind,
    JobStatus,
    JsonValue,
    admission_limit,
    describe,
    is_connection_lost,
    job_kind,
    plain_row,
    poll_delays,
)
from airflow_provider_doris_oss.version_compat import conf

if TYPE_CHECKING:
    from airflow.sdk import Context


__all__ = [
    "EXPORT_JOB",
    "JOB_KINDS",
    "LOAD_JOB",
    "AdmissionWait",
    "DorisAdmissionRefused",
    "DorisConnectionLost",
    "DorisJobClient",
    "DorisJobError",
    "DorisJobKind",
    "DorisJobOperator",
    "DorisJobPlan",
    "JobStatus",
    "JsonValue",
    "comment_fingerprint",
    "describe",
    "fingerprint",
    "is_connection_lost",
    "job_comment",
    "job_kind",
    "plain_row",
    "poll_delays",
    "task_label",
]


class DorisJobOperator(JobLineage, BaseOperator):
    """Base for operators that submit one asynchronous Doris job under a label and wait for it.

    Subclasses set ``job_kind`` and implement ``plan_job`` (what to submit) and ``job_finished``
    (the XCom value); ``job_failed`` may add detail to the failure message. Waiting happens
    on the worker (poke mode) or in ``DorisJobTrigger`` (``deferrable=True``).

    :param doris_conn_id: the Doris connection.
    :param poll_interval: the longest pause between SHOW statements while the job runs; the
        first polls come sooner (1 s, 1.5 s, 2 s, ... up to ``poll_interval``; ``sql.jobs.poll_delays``).
    :param deferrable: wait in the triggerer instead of on the worker.
    """

    job_kind: ClassVar[DorisJobKind]

    def __init__(
        self,
        *,
        doris_conn_id: str = "doris_default",
        poll_interval: float = 10.0,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (
            isinstance(poll_interval, bool)
            or not isinstance(poll_interval, int | float)
            or poll_interval <= 0
        ):
            raise ValueError(f"poll_interval: {poll_interval!r} must be a positive number of seconds.")
        self.doris_conn_id = doris_conn_id
        self.poll_interval = float(poll_interval)
        self.deferrable = deferrable
        self._running: DorisJobClient | None = None

    @abstractmethod
    def plan_job(self, context: Context) -> DorisJobPlan:
        """What to submit: database, base label, statement renderer, fingerprint, staging."""

    @abstractmethod
    def job_finished(self, context: Context, status: JobStatus, state: dict[str, Any]) -> Any:
        """Act on a FINISHED job (clean up, record lineage) and return the XCom value."""

    def job_failed(self, client: DorisJobClient, status: JobStatus, state: dict[str, Any]) -> str:
        """The failure message for a CANCELLED job (Doris's ErrorMsg)."""
        reason = ": ".join(p for p in (status.error_type, status.error_msg) if p) or "no reason given"
        return (
            f"{self.job_kind.title} {status.label} (job {status.job_id}) in database "
            f"{client.database} ended CANCELLED: {client.mask(reason)}."
        )

    def resume_state(self, context: Context, database: str | None) -> dict[str, Any]:
        """The completion state when a deferral's kwargs were lost (``dag.test()`` drops them)."""
        return {"database": database}

    def job_secrets(self) -> Iterable[str | None]:
        """Values to mask in logged SQL and messages (the OSS keys)."""
        return ()

    def job_client(self, database: str, admission: AdmissionWait | None = None) -> DorisJobClient:
        """A client for this operator's job kind on ``database`` (the connection opens on first use)."""
        from airflow_provider_doris_oss.hooks.doris import DorisHook

        return DorisJobClient(
            DorisHook(doris_conn_id=self.doris_conn_id),
            self.job_kind,
            database,
            log=self.log,
            secrets=self.job_secrets(),
            reconnect_delay=min(self.poll_interval, 5.0),
            admission=admission,
        )

    def execute(self, context: Context) -> Any:
        plan = self.plan_job(context)
        admission = AdmissionWait.starting_now(self.execution_timeout)
        return self._run_job(context, plan, admission, prepare=True)

    def _run_job(
        self,
        context: Context,
        plan: DorisJobPlan,
        admission: AdmissionWait,
        *,
        prepare: bool,
        after: str | None = None,
    ) -> Any:
        """Start the plan's job and wait for it; a job CANCELLED by an admission limit starts again."""
        with self.job_client(plan.database, admission) as client:
            self._running = client
            try:
                label, status, submitted = client.start(plan, prepare=prepare, after=after)
                while True:
                    state = {**plan.state, "submitted": submitted, ADMISSION_STATE: admission.to_state()}
                    if not status.is_final:
                        if self.deferrable:
                            self._defer(plan.database, label, state)
                        status = client.wait(label, self.poll_interval)
                    if not self._wait_out_cancelled(status, admission, plan.database):
                        break
                    label, status, again = client.start(plan, prepare=False, after=status.label)
                    submitted = submitted or again
            finally:
                self._running = None
            return self._complete(context, client, status, state)

    def _wait_out_cancelled(self, status: JobStatus, admission: AdmissionWait, database: str) -> bool:
        """Whether ``status`` is a job CANCELLED by an admission limit; if so, wait before the next try."""
        message = " ".join(p for p in (status.error_type, status.error_msg) if p)
        limit = admission_limit(message) if status.is_cancelled else None
        if limit is None:
            return False
        what = (
            f"{self.job_kind.title} {status.label} (job {status.job_id}) in database {database} "
            "ended CANCELLED"
        )
        detail = doris_sql.mask_secrets(message, tuple(s for s in self.job_secrets() if s))
        wait_out(admission, limit, what, detail, self.log)
        return True

    def _defer(self, database: str, label: str, state: dict[str, Any]) -> None:
        from airflow_provider_doris_oss.triggers.doris import DorisJobTrigger

        self.log.info("Deferring: the triggerer waits for %s %s.", self.job_kind.title, label)
        self.defer(
            trigger=DorisJobTrigger(
                doris_conn_id=self.doris_conn_id,
                kind=self.job_kind.name,
                database=database,
                label=label,
                poll_interval=self.poll_interval,
                operator_state=state,
            ),
            method_name="execute_complete",
            kwargs={"database": database, "label": label, "state": state},
            timeout=self.execution_timeout,
        )

    def execute_complete(
        self,
        context: Context,
        event: dict[str, Any] | None = None,
        *,
        database: str | None = None,
        label: str | None = None,
        state: dict[str, Any] | None = None,
    ) -> Any:
        """Resume after the trigger: the event carries the job's label, database and final SHOW row."""
        event = event or {}
        label = label or event.get("label")
        database = database or event.get("database")
        if event.get("status") != "final" or not isinstance(event.get("row"), dict) or not database:
            message = event.get("message") or f"the trigger sent no final status ({event!r})"
            raise DorisJobError(f"Waiting for {self.job_kind.title} {label} failed: {message}")
        if state is None and isinstance(event.get("operator_state"), dict):
            state = event["operator_state"]  # dag.test() hands back the event alone
        if state is None:
            state = self.resume_state(context, database)
        status = self.job_kind.parse_row(event["row"])
        admission = AdmissionWait.from_state(state.get(ADMISSION_STATE), self.execution_timeout)
        if self._wait_out_cancelled(status, admission, database):
            plan = self.plan_job(context)
            return self._run_job(context, plan, admission, prepare=False, after=status.label)
        with self.job_client(database) as client:
            return self._complete(context, client, status, state)

    def _complete(
        self, context: Context, client: DorisJobClient, status: JobStatus, state: dict[str, Any]
    ) -> Any:
        if status.is_finished:
            self.log.info("%s %s: %s.", self.job_kind.title, status.label, describe(status))
            return self.job_finished(context, status, state)
        raise DorisJobError(self.job_failed(client, status, state))

    def on_kill(self) -> None:
        """Cancel the running job; "nothing to cancel" answers are not errors."""
        running = self._running
        if running is None or running.current_label is None:
            return
        # A connection of its own: the task's connection may be in the middle of a statement.
        with self.job_client(running.database) as client:
            client.cancel(running.current_label)
