"""Run one Doris statement that carries OSS credentials: masked in the log and in errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_doris_oss import sql as doris_sql

# pymysql's CR_SERVER_LOST: "Lost connection to MySQL server during query" (a read timed out).
_CR_SERVER_LOST = 2013

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.doris import DorisHook


class InfoLog(Protocol):
    """Anything with a logging-style ``info`` (a task's ``self.log``)."""

    def info(self, event: Any, *args: Any, **kw: Any) -> Any: ...


class DorisStatementError(RuntimeError):
    """Doris refused a statement; the message is Doris's own, with secrets masked."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StatementResult:
    """What one statement answered: rows keyed by column name, or an OK packet's count and info."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    affected_rows: int = 0
    info: str | None = None


# How long a synchronous job statement (INSERT, OUTFILE) may run when the task sets no
# execution_timeout: Doris's own default insert_timeout.
STATEMENT_TIMEOUT = 14400.0


def statement_timeout(execution_timeout: timedelta | None) -> float:
    """Seconds a statement that does the whole job may take: the task's ``execution_timeout``, or 4 h."""
    if execution_timeout is None:
        return STATEMENT_TIMEOUT
    return max(execution_timeout.total_seconds(), 1.0)


def run_statement(
    hook: DorisHook,
    sql: str,
    *,
    secrets: Iterable[str | None],
    log: InfoLog,
    read_timeout: float | None = None,
) -> StatementResult:
    """Execute ``sql`` on a fresh connection; the SQL is logged and errors are raised masked.

    The answer is awaited at most ``read_timeout`` seconds (default: the connection's
    ``read_timeout``); a stalled FE raises ``DorisStatementError`` saying so.
    """
    hidden = [s for s in secrets if s]
    log.info("Running on Doris:\n%s", doris_sql.mask_secrets(sql, hidden))
    limit = read_timeout if read_timeout is not None else hook.read_timeout
    conn = hook.get_conn(read_timeout=limit)
    try:
        hook.check_release(sql, conn)  # a statement this Doris release cannot parse is not sent
        cursor = conn.cursor()
        try:
            try:
                cursor.execute(sql)
            except Exception as error:
                code = error.args[0] if error.args and isinstance(error.args[0], int) else None
                text = doris_sql.mask_secrets(doris_sql.error_message(error), hidden)
                if code == _CR_SERVER_LOST and "timed out" in text:
                    text += (
                        f": the Doris FE sent no answer within {limit:g} s. The statement may still "
                        "run in Doris; raise the task's execution_timeout if it is only slow."
                    )
                raise DorisStatementError(text, code) from None
            rows = doris_sql.rows_by_name(cursor)
            # pymysql keeps the OK packet's info string (e.g. an INSERT's label and txnId) here.
            message = getattr(getattr(cursor, "_result", None), "message", None)
            if isinstance(message, bytes | bytearray):
                message = message.decode("utf-8", "replace")
            return StatementResult(rows=rows, affected_rows=max(cursor.rowcount or 0, 0), info=message)
        finally:
            cursor.close()
    finally:
        conn.close()
