"""``LocalDorisFE``: a MySQL-protocol server on 127.0.0.1 answering as a Doris frontend does.

The protocol side (mysql-mimic made Doris's) is ``protocol``; statements go through ``dispatch``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.admission import (
    ASYNC_LOADING_LOAD_TASK_POOL_SIZE,
    COMPACTION_RATE,
    DESIRED_MAX_WAITING_JOBS,
    MAX_RUNNING_TXN_NUM_PER_DB,
    MAX_TABLET_VERSION_NUM,
    Admission,
    AdmissionLimits,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState
from airflow_provider_doris_oss.testing.doris_fe.protocol import DorisServer
from airflow_provider_doris_oss.testing.doris_fe.releases import profile
from airflow_provider_doris_oss.testing.doris_fe.statement_log import StatementLog

if TYPE_CHECKING:
    from airflow.sdk import Connection as AirflowConnection

    from airflow_provider_doris_oss.testing.local_oss import LocalOss

_BUILTIN_USERS = ("root", "admin")


class LocalDorisFE:
    """A local Doris FE on 127.0.0.1 (random port): a context manager for tests and the demo.

    ``state`` (databases, tables, jobs) outlives ``restart()``. With ``oss=``, jobs reach that
    ``LocalOss`` through its proxy. Every statement is appended to ``statement_log`` and to the
    file the ``DORIS_FE_STATEMENT_LOG`` environment variable names, when set.
    ``job_state_seconds`` paces jobs: each stays at least that long PENDING and then
    LOADING/EXPORTING, as Doris's scheduler does.

    Doris's admission limits hold, with Doris's defaults and messages (``admission``):
    ``max_waiting_load_jobs`` (``desired_max_waiting_jobs``, 100: a LOAD past it is refused),
    ``max_running_load_jobs`` (``async_loading_load_task_pool_size``, 10: the rest wait PENDING),
    ``max_running_txn_per_db`` (``max_running_txn_num_per_db``, 1000 as in 2.1/3.0),
    ``tablet_version_limit`` (the BE's ``max_tablet_version_num``, 2000: past it a write fails
    with -235) and ``compaction_rate`` (versions per second compaction merges per table).

    ``doris_version`` picks the Doris release it answers as (``"2.1.2"``, ``"3.0.3"``, or a line,
    ``"3.1"``, for its newest patch; default the newest line): ``@@version_comment``, SHOW LOAD's
    columns, SHOW EXPORT's ``fileSize``, the missing-file message, and the statements that release
    cannot parse (``releases``).
    """

    def __init__(
        self,
        *,
        user: str = "root",
        password: str = "",
        oss: LocalOss | None = None,
        oss_proxy: str | None = None,
        statement_log: str | Path | None = None,
        port: int = 0,
        job_state_seconds: float = 0.0,
        max_waiting_load_jobs: int = DESIRED_MAX_WAITING_JOBS,
        max_running_load_jobs: int = ASYNC_LOADING_LOAD_TASK_POOL_SIZE,
        max_running_txn_per_db: int = MAX_RUNNING_TXN_NUM_PER_DB,
        tablet_version_limit: int = MAX_TABLET_VERSION_NUM,
        compaction_rate: float = COMPACTION_RATE,
        doris_version: str | None = None,
    ) -> None:
        from airflow_provider_doris_oss.testing.doris_fe.engine import DuckDbEngine

        if user not in _BUILTIN_USERS:
            raise ValueError(f"user must be one of Doris's built-in users {_BUILTIN_USERS}, not {user!r}")
        self.host = "127.0.0.1"
        self.user = user
        self.password = password
        self.passwords = {name: (password if name == user else "") for name in _BUILTIN_USERS}
        limits = AdmissionLimits(
            max_waiting_load_jobs=max_waiting_load_jobs,
            max_running_load_jobs=max_running_load_jobs,
            max_running_txn_per_db=max_running_txn_per_db,
            tablet_version_limit=tablet_version_limit,
            compaction_rate=compaction_rate,
        )
        proxy = oss.proxy_url if oss is not None else oss_proxy
        self.release = profile(doris_version)
        self.state = FEState(
            release=self.release,
            global_variables={
                "version_comment": self.release.version_comment,
                "version": self.release.mysql_version,
            },
            engine=DuckDbEngine(),
            oss_proxy=proxy,
            job_state_seconds=job_state_seconds,
            admission=Admission(limits),
        )
        log_paths = [p for p in (statement_log, os.environ.get("DORIS_FE_STATEMENT_LOG")) if p]
        self.statement_log = StatementLog(*log_paths) if log_paths else None
        self.port = port
        self._connection_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: DorisServer | None = None
        self._stall_lock = threading.Lock()
        self._stalls: list[list[Any]] = []
        self._stalled = 0

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> LocalDorisFE:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the loop thread and the listener."""
        if self._loop is not None:
            return
        library_log = logging.getLogger("mysql_mimic")
        if library_log.level == logging.NOTSET:
            library_log.setLevel(logging.WARNING)  # one INFO line per connection otherwise
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="local-doris-fe", daemon=True)
        self._thread.start()
        self._call(self._listen())

    def stop(self) -> None:
        """Close every connection and the listener, then stop the loop."""
        if self._loop is None:
            return
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop, self._thread = None, None

    def restart(self) -> None:
        """Stop listening and drop every connection, then listen again on the same port; state stays."""
        self._call(self._close())
        self._call(self._listen())

    def drop_connections(self) -> None:
        """Abort every client connection (the listener stays up)."""
        self._call(self._abort_all())

    def next_connection_id(self) -> int:
        """Connection ids as Doris numbers them: small, increasing, never reused."""
        return next(self._connection_ids)

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None, "LocalDorisFE is not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    async def _listen(self) -> None:
        server = DorisServer(self)
        await server.start_server(host=self.host, port=self.port)
        self.port = server.sockets()[0].getsockname()[1]
        self._server = server

    async def _abort_all(self) -> None:
        if self._server is None:
            return
        for writer in list(self._server.writers):
            writer.transport.abort()
        await asyncio.sleep(0)

    async def _close(self) -> None:
        server = self._server
        if server is None:
            return
        server.close()
        await self._abort_all()
        await server.wait_closed()
        self._server = None

    # ------------------------------------------------------------ test controls

    def hold_next_job(self, state: str, seconds: float) -> None:
        """Hold the next LOAD/EXPORT job in ``state`` (e.g. ``PENDING``) for ``seconds``."""
        self.state.controls.hold_next(state, seconds)

    def fail_next_job(self, message: str) -> None:
        """Make the next job end CANCELLED with ``message`` as its error."""
        self.state.controls.fail_next(message)

    def stall_statements(self, pattern: str, seconds: float, count: int = 1) -> None:
        """Answer the next ``count`` statements matching ``pattern`` only after ``seconds``.

        ``pattern`` is a regular expression searched case-insensitively in the statement text.
        The statement is taken, nothing is sent back for ``seconds``, then it runs as usual (its
        answer goes nowhere if the client gave up): an FE that accepts a statement and hangs.
        Other connections are served meanwhile. A stall longer than the session's timeout
        (``insert_timeout`` for an INSERT, ``query_timeout`` otherwise) ends at the timeout with
        Doris's timeout error instead, the statement not run.
        """
        if count < 1 or seconds < 0:
            raise ValueError("count must be >= 1 and seconds >= 0")
        with self._stall_lock:
            self._stalls.append([re.compile(pattern, re.IGNORECASE), float(seconds), int(count)])

    def admission_stats(self) -> dict[str, Any]:
        """Admission refusals per Doris limit, peaks (unfinished and running loads, running
        transactions in a database, versions of a table), and loads waiting and running now."""
        return self.state.admission.stats()

    def table_versions(self, database: str, table: str) -> int:
        """How many data versions ``database.table`` holds now (compaction applied)."""
        return self.state.admission.versions(database, table)

    def stalled_statements(self) -> int:
        """How many statements were stalled so far."""
        return self._stalled

    async def stall_if_asked(
        self, statement: str, timeout_of: Callable[[], tuple[float, DorisError]] | None = None
    ) -> None:
        """Wait as a ``stall_statements`` control asks, if one matches ``statement``. A stall past
        the statement's timeout (``timeout_of``: the session's query/insert timeout and Doris's
        error) ends at it with that error, the statement not run, as Doris cancels it."""
        seconds = None
        with self._stall_lock:
            for stall in self._stalls:
                if stall[0].search(statement):
                    seconds = stall[1]
                    stall[2] -= 1
                    if stall[2] <= 0:
                        self._stalls.remove(stall)
                    self._stalled += 1
                    break
        if seconds is not None:
            timeout, error = timeout_of() if timeout_of is not None else (seconds, None)
            if error is not None and seconds > timeout:
                await asyncio.sleep(timeout)
                raise error
            await asyncio.sleep(seconds)

    # -------------------------------------------------------------- connections

    def connection(self, conn_id: str = "doris_default") -> AirflowConnection:
        """A ``doris`` Airflow connection to this FE (no default schema)."""
        from airflow_provider_doris_oss.version_compat import new_connection

        return new_connection(
            conn_id=conn_id,
            conn_type="doris",
            host=self.host,
            port=self.port,
            login=self.user,
            password=self.password,
        )

    def export_connection(self, conn_id: str = "doris_default") -> str:
        """Set ``AIRFLOW_CONN_<CONN_ID>`` to this FE's connection (JSON form); return the variable name."""
        name = f"AIRFLOW_CONN_{conn_id.upper()}"
        os.environ[name] = self.connection(conn_id).as_json()
        return name
