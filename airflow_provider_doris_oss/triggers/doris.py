"""``DorisJobTrigger``: wait in the triggerer for a Doris LOAD or EXPORT job, found by its label."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_doris_oss.arguments import JOB_TRIGGER, check_arguments
from airflow_provider_doris_oss.sql import error_message, is_nothing_to_cancel, rows_by_name
from airflow_provider_doris_oss.sql.jobs import (
    DorisJobKind,
    describe,
    is_connection_lost,
    job_kind,
    plain_row,
    poll_delays,
)


class DorisJobTrigger(BaseTrigger):
    """Poll ``SHOW LOAD``/``SHOW EXPORT`` for a label until its newest job is FINISHED or CANCELLED.

    pymysql runs in worker threads (``asyncio.to_thread``), so the event loop never blocks; the
    Connection is fetched with ``BaseHook.aget_connection`` in the loop. A dropped FE connection
    is reopened (up to ``max_reconnects`` times in a row) and polling resumes by label.

    Yields one event: ``{"status": "final", "label", "database", "state", "row"}`` with the job's
    SHOW row as plain JSON, or ``{"status": "error", "label", "database", "message"}``.

    :param doris_conn_id: the Doris connection.
    :param kind: ``load`` or ``export``.
    :param database: the job's database.
    :param label: the job's label.
    :param poll_interval: the longest pause between polls (the first come sooner: ``poll_delays``).
    :param max_reconnects: consecutive failed reconnects before giving up.
    """

    def __init__(
        self,
        *,
        doris_conn_id: str,
        kind: str,
        database: str,
        label: str,
        poll_interval: float = 10.0,
        max_reconnects: int = 5,
        operator_state: dict[str, Any] | None = None,
    ) -> None:
        check_arguments(type(self).__name__, JOB_TRIGGER, locals())
        super().__init__()
        job_kind(kind)
        self.doris_conn_id = doris_conn_id
        self.kind = kind
        self.database = database
        self.label = label
        self.poll_interval = float(poll_interval)
        self.max_reconnects = int(max_reconnects)
        # The deferring task's state, handed back in the final event: dag.test() resumes a task with
        # the event alone (it drops defer(kwargs=...)), so the task must not depend on the kwargs.
        self.operator_state = operator_state

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "doris_conn_id": self.doris_conn_id,
                "kind": self.kind,
                "database": self.database,
                "label": self.label,
                "poll_interval": self.poll_interval,
                "max_reconnects": self.max_reconnects,
                "operator_state": self.operator_state,
            },
        )

    @property
    def job(self) -> DorisJobKind:
        """The job kind this trigger waits for."""
        return job_kind(self.kind)

    async def _hook(self) -> Any:
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.version_compat import aget_connection

        connection = await aget_connection(self.doris_conn_id)
        return DorisHook(doris_conn_id=self.doris_conn_id, connection=connection)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        sql = self.job.show(self.database, self.label)
        try:
            hook = await self._hook()
        except Exception as error:
            yield self._error(f"cannot read connection {self.doris_conn_id!r}: {error}")
            return
        conn: Any = None
        failures = 0
        last: str | None = None
        delays = poll_delays(self.poll_interval)
        try:
            while True:
                try:
                    if conn is None:
                        conn = await asyncio.to_thread(hook.get_conn)
                    rows = await asyncio.to_thread(_fetch, conn, sql)
                    failures = 0
                except Exception as error:
                    if not is_connection_lost(error):
                        yield self._error(f"Doris answered {sql!r} with: {error_message(error)}")
                        return
                    await _close(conn)
                    conn = None
                    failures += 1
                    if failures > self.max_reconnects:
                        yield self._error(
                            f"lost the connection to the Doris FE ({error_message(error)}) and could not "
                            f"reopen it after {failures} attempts"
                        )
                        return
                    self.log.warning(
                        "Lost the connection to the Doris FE (%s); reconnecting (attempt %d of %d).",
                        error_message(error),
                        failures,
                        self.max_reconnects,
                    )
                    await asyncio.sleep(0 if failures == 1 else min(self.poll_interval, 5.0))
                    continue
                newest = max(rows, key=lambda r: self.job.parse_row(r).job_id or -1, default=None)
                if newest is None:
                    yield self._error(f"no {self.job.title} job has label {self.label} in {self.database}")
                    return
                status = self.job.parse_row(newest)
                if status.is_final:
                    yield TriggerEvent(
                        {
                            "status": "final",
                            "label": self.label,
                            "database": self.database,
                            "state": status.state,
                            "row": plain_row(newest),
                            "operator_state": self.operator_state,
                        }
                    )
                    return
                progress = describe(status)
                if progress != last:
                    self.log.info("%s %s: %s.", self.job.title, self.label, progress)
                    last = progress
                await asyncio.sleep(next(delays))
        finally:
            await _close(conn)

    def _error(self, message: str) -> TriggerEvent:
        return TriggerEvent(
            {"status": "error", "label": self.label, "database": self.database, "message": message}
        )

    async def on_kill(self) -> None:
        """The user killed the deferred task: cancel the job ("nothing to cancel" is fine).

        A CANCEL whose connection drops or times out (the connection's ``read_timeout``) is sent
        again on a new connection, up to ``max_reconnects`` times.
        """
        hook = await self._hook()
        sql = self.job.cancel(self.database, self.label)
        for attempt in range(1, self.max_reconnects + 2):
            conn: Any = None
            try:
                conn = await asyncio.to_thread(hook.get_conn)
                await asyncio.to_thread(_fetch, conn, sql)
                self.log.info("Cancelled %s %s.", self.job.title, self.label)
                return
            except Exception as error:
                if is_nothing_to_cancel(error):
                    self.log.info("Nothing to cancel under label %s: %s", self.label, error_message(error))
                    return
                if not is_connection_lost(error) or attempt > self.max_reconnects:
                    raise
                self.log.warning(
                    "Lost the connection to the Doris FE while cancelling (%s); trying again (%d of %d).",
                    error_message(error),
                    attempt,
                    self.max_reconnects,
                )
            finally:
                await _close(conn)


def _fetch(conn: Any, sql: str) -> list[dict[str, Any]]:
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return rows_by_name(cursor)


async def _close(conn: Any) -> None:
    if conn is None:
        return
    try:
        await asyncio.to_thread(conn.close)
    except Exception:
        return
