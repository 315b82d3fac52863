"""The MySQL protocol side of the local FE: mysql-mimic's server, connection and session, made Doris's.

Its connection is extended where Doris differs (statements are taken raw, before any parsing;
OK packets carry the affected-row count and Doris's info string; error packets carry Doris's
code, SQL state and message; authentication answers in Doris's words).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import functools
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

from airflow_provider_doris_oss.testing.doris_fe.dispatch import StatementRouter
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, OkResult, Result, ResultSet
from airflow_provider_doris_oss.testing.doris_fe.session_vars import statement_timeout

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.doris_fe.server import LocalDorisFE

_CAPABILITIES = (
    DEFAULT_SERVER_CAPABILITIES
    | Capabilities.CLIENT_MULTI_STATEMENTS
    | Capabilities.CLIENT_MULTI_RESULTS
    | Capabilities.CLIENT_TRANSACTIONS
)


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


class DorisServer(MysqlServer):
    """mysql-mimic's server, accepting each client as a Doris connection of ``fe``."""

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
