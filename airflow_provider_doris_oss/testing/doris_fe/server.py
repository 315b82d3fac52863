"""``LocalDorisFE``: a MySQL-protocol server on 127.0.0.1 answering as a Doris frontend does.

Built on mysql-mimic: its connection is extended where Doris differs (statements are taken raw,
before any parsing; OK packets carry the affected-row count and Doris's info string; error packets
carry Doris's code, SQL state and message; authentication answers in Doris's words).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import functools
import itertools
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from mysql_mimic import packets
from mysql_mimic.auth import (
    AuthInfo,
    AuthState,
    Forbidden,
    IdentityProvider,
    NativePasswordAuthPlugin,
    Success,
    User,
)
from mysql_mimic.connection import Connection
from mysql_mimic.constants import DEFAULT_SERVER_CAPABILITIES
from mysql_mimic.results import ResultColumn
from mysql_mimic.results import ResultSet as MimicResultSet
from mysql_mimic.server import MysqlServer
from mysql_mimic.session import BaseSession
from mysql_mimic.stream import MysqlStream
from mysql_mimic.types import (
    Capabilities,
    ColumnType,
    ServerStatus,
    str_fixed,
    str_len,
    uint_1,
    uint_2,
    uint_len,
)
from mysql_mimic.variables import GlobalVariables, SessionVariables

from airflow_provider_doris_oss.testing.doris_fe.admission import (
    ASYNC_LOADING_LOAD_TASK_POOL_SIZE,
    COMPACTION_RATE,
    DESIRED_MAX_WAITING_JOBS,
    MAX_RUNNING_TXN_NUM_PER_DB,
    MAX_TABLET_VERSION_NUM,
    Admission,
    AdmissionLimits,
)
from airflow_provider_doris_oss.testing.doris_fe.dispatch import StatementRouter
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState, OkResult, Result, ResultSet
from airflow_provider_doris_oss.testing.doris_fe.releases import profile
from airflow_provider_doris_oss.testing.doris_fe.session_vars import statement_timeout
from airflow_provider_doris_oss.testing.doris_fe.statement_log import StatementLog

if TYPE_CHECKING:
    from airflow.sdk import Connection as AirflowConnection

    from airflow_provider_doris_oss.testing.local_oss import LocalOss

_CAPABILITIES = (
    DEFAULT_SERVER_CAPABILITIES
    | Capabilities.CLIENT_MULTI_STATEMENTS
    | Capabilities.CLIENT_MULTI_RESULTS
    | Capabilities.CLIENT_TRANSACTIONS
)
_BUILTIN_USERS = ("root", "admin")


def _column_type(rows: list[tuple[Any, ...]], index: int) -> ColumnType:
    """The MySQL type of a result column, from its first non-NULL value (DECIMAL as NEWDECIMAL)."""
    value = next((row[index] for row in rows if row[index] is not None), None)
    typed = getattr(value, "column_type", None)  # results.DateText: a year-0 DATE/DATETIME as text
    if typed is not None:
        return ColumnType.DATE if typed == "DATE" else ColumnType.DATETIME
    if isinstance(value, bool):
        return ColumnType.TINY
    if isinstance(value, int):
        return ColumnType.LONGLONG
    if isinstance(value, float):
        return ColumnType.DOUBLE
    if isinstance(value, decimal.Decimal):
        return ColumnType.NEWDECIMAL
    if isinstance(value, dt.datetime):
        return ColumnType.DATETIME
    if isinstance(value, dt.date):
        return ColumnType.DATE
    if isinstance(value, bytes):
        return ColumnType.BLOB
    return ColumnType.VAR_STRING


# ------------------------------------------------------------------ authentication


class _DorisPassword(NativePasswordAuthPlugin):
    """``mysql_native_password`` for Doris's built-in users, refusing as Doris words it."""

    def __init__(self, passwords: dict[str, str], peer: str) -> None:
        self.passwords = passwords
        self.peer = peer

    async def auth(self, auth_info: AuthInfo | None = None) -> AuthState:
        if auth_info and auth_info.handshake_plugin_name == self.name and auth_info.handshake_auth_data:
            nonce = auth_info.handshake_auth_data.rstrip(b"\x00")
        else:
            from mysql_mimic import utils

            nonce = utils.nonce(20)
            auth_info = yield nonce + b"\x00"
        user = auth_info.user
        known = user.name in self.passwords
        if known and self.password_matches(user=user, scramble=auth_info.data, nonce=nonce):
            yield Success(user.name)
        else:
            using = "YES" if auth_info.data else "NO"
            yield Forbidden(f"Access denied for user '{user.name}'@'{self.peer}' (using password: {using})")


class _DorisIdentities(IdentityProvider):
    def __init__(self, passwords: dict[str, str], peer: str) -> None:
        self.plugin = _DorisPassword(passwords, peer)
        self.passwords = passwords

    def get_plugins(self) -> list[NativePasswordAuthPlugin]:
        return [self.plugin]

    async def get_user(self, username: str) -> User | None:
        password = self.passwords.get(username, "")
        auth_string = NativePasswordAuthPlugin.create_auth_string(password) if password else None
        return User(name=username, auth_string=auth_string, auth_plugin=self.plugin.name)


# ------------------------------------------------------------------------- session


class _DorisSession(BaseSession):
    """mysql-mimic's view of a connection; the statements themselves go to a ``StatementRouter``."""

    def __init__(self, fe: LocalDorisFE, peer: str) -> None:
        self.fe = fe
        self.peer = peer
        self.variables = SessionVariables(GlobalVariables())
        self.variables.set("version", fe.state.release.mysql_version, force=True)
        self.variables.set("version_comment", fe.state.release.version_comment, force=True)
        self.username: str | None = None
        self.database: str | None = None
        self.router: StatementRouter | None = None

    def start_router(self, connection_id: int) -> StatementRouter:
        self.router = StatementRouter(
            self.fe.state,
            connection_id=connection_id,
            user=self.username or "",
            host=self.peer,
            database=self.database,
            log=self.fe.statement_log,
        )
        return self.router

    async def handle_query(self, sql: str, attrs: dict[str, str]) -> Any:
        """The path of prepared statements and COM_FIELD_LIST: one statement, no OK details."""
        assert self.router is not None
        result = await asyncio.to_thread(self.router.run, sql)
        if isinstance(result, ResultSet):
            return (result.rows, result.columns)
        return None

    async def use(self, database: str) -> None:
        assert self.router is not None
        await asyncio.to_thread(self.router.run, "USE `" + database.replace("`", "``") + "`")


# ---------------------------------------------------------------------- connection


class _DorisConnection(Connection):
    """A mysql-mimic connection whose statements, OK packets and errors are Doris's."""

    session: _DorisSession

    async def authenticate(
        self,
        username: str,
        auth_response: bytes,
        client_plugin_name: str | None,
        connect_attrs: dict[str, str],
        auth_state: AuthState | None = None,
        server_plugin: Any = None,
    ) -> None:
        database = self.session.database
        if database and not self.session.fe.state.engine.database_exists(database):
            self.session.username = None
            await self.stream.write(
                self._error(DorisError(f"errCode = 2, detailMessage = Unknown database '{database}'", 1049))
            )
            return
        await super().authenticate(
            username, auth_response, client_plugin_name, connect_attrs, auth_state, server_plugin
        )

    async def command_phase(self) -> None:
        if self.session.username is None:
            return  # authentication failed: the error packet is sent, close as Doris does
        self.session.start_router(self.connection_id)
        await super().command_phase()

    async def handle_init_db(self, data: bytes) -> None:
        router = self.session.router
        assert router is not None
        database = packets.parse_com_init_db(self.client_charset, data)
        try:
            await asyncio.to_thread(router.run, "USE `" + database.replace("`", "``") + "`")
        except DorisError as exc:
            await self.stream.write(self._error(exc))
            return
        await self.stream.write(self.ok())

    async def handle_query(self, data: bytes) -> None:
        router = self.session.router
        assert router is not None
        com_query = packets.parse_com_query(
            capabilities=self.capabilities, client_charset=self.client_charset, data=data
        )
        # As Doris's ConnectProcessor.executeQuery: every statement runs, the first error stops
        # the rest; a client without CLIENT_MULTI_STATEMENTS gets only the last result.
        statements = router.split(com_query.sql) or [com_query.sql]
        every_result = Capabilities.CLIENT_MULTI_STATEMENTS in self.capabilities
        for i, statement in enumerate(statements):
            last = i == len(statements) - 1
            try:
                await self.session.fe.stall_if_asked(
                    statement, functools.partial(statement_timeout, statement, router.variables)
                )
            except DorisError as exc:  # stalled past the session's timeout: cancelled, not run
                if router.log is not None:
                    router.log.write(router.connection_id, statement, f"error: {exc.code} {exc.message}")
                await self.stream.write(self._error(exc))
                return
            try:
                result = await asyncio.to_thread(router.run, statement)
            except DorisError as exc:
                await self.stream.write(self._error(exc))
                return
            if every_result or last:
                await self._write_result(result, not last)

    async def _write_result(self, result: Result, more: bool) -> None:
        flags = ServerStatus.SERVER_MORE_RESULTS_EXISTS if more else 0
        if isinstance(result, OkResult):
            await self.stream.write(self._ok(result, flags))
            return
        rows = [tuple(row) for row in result.rows]
        if not result.columns:
            await self.stream.write(self._ok(OkResult(), flags))
            return
        columns = [ResultColumn(name, _column_type(rows, i)) for i, name in enumerate(result.columns)]
        saved: ServerStatus = cast(Any, self).status_flags
        self.status_flags = saved | flags
        try:
            await self.write_text_resultset(MimicResultSet(rows=rows, columns=columns))
        finally:
            self.status_flags = saved

    def _ok(self, result: OkResult, flags: int) -> bytes:
        parts = [uint_1(0), uint_len(result.affected_rows), uint_len(0)]
        parts.append(uint_2(int(self.status_flags | ServerStatus.SERVER_STATUS_AUTOCOMMIT | flags)))
        parts.append(uint_2(result.warnings))
        if result.info:
            info = result.info.encode("utf-8")
            parts.append(str_len(info) if Capabilities.CLIENT_SESSION_TRACK in self.capabilities else info)
        return b"".join(parts)

    def _error(self, exc: DorisError) -> bytes:
        parts = [uint_1(0xFF), uint_2(exc.code)]
        if Capabilities.CLIENT_PROTOCOL_41 in self.capabilities:
            parts.append(str_fixed(1, b"#"))
            parts.append(str_fixed(5, exc.sqlstate.encode("ascii")[:5].ljust(5, b"0")))
        parts.append(exc.message.encode("utf-8"))
        return b"".join(parts)


# -------------------------------------------------------------------------- server


class _DorisServer(MysqlServer):
    def __init__(self, fe: LocalDorisFE) -> None:
        super().__init__(capabilities=_CAPABILITIES)
        self.fe = fe
        self.writers: set[asyncio.StreamWriter] = set()

    async def _client_connected_cb(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        host = str(peer[0]) if peer else "127.0.0.1"
        session = _DorisSession(self.fe, host)
        connection = _DorisConnection(
            stream=MysqlStream(reader, writer),
            session=session,
            control=self.control,
            server_capabilities=self.capabilities,
            identity_provider=_DorisIdentities(self.fe.passwords, host),
        )
        control_id = await self.control.add(connection)
        connection.connection_id = self.fe.next_connection_id()
        self.writers.add(writer)
        try:
            await connection.start()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()
            await self.control.remove(control_id)


# ------------------------------------------------------------------------ public


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
        self._server: _DorisServer | None = None
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
        server = _DorisServer(self)
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
