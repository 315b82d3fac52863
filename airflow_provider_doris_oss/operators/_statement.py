"""Run one Doris statement that carries OSS credentials: masked in the log and in errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_doris_oss.sql import error_message, mask_secrets, rows_by_name

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


def run_statement(
    hook: DorisHook, sql: str, *, secrets: Iterable[str | None], log: InfoLog
) -> StatementResult:
    """Execute ``sql`` on a fresh connection; the SQL is logged and errors are raised masked."""
    hidden = [s for s in secrets if s]
    log.info("Running on Doris:\n%s", mask_secrets(sql, hidden))
    conn = hook.get_conn()
    try:
        cursor = conn.cursor()
        try:
            try:
                cursor.execute(sql)
            except Exception as error:
                code = error.args[0] if error.args and isinstance(error.args[0], int) else None
                raise DorisStatementError(mask_secrets(error_message(error), hidden), code) from None
            rows = rows_by_name(cursor)
            # pymysql keeps the OK packet's info string (e.g. an INSERT's label and txnId) here.
            message = getattr(getattr(cursor, "_result", None), "message", None)
            if isinstance(message, bytes | bytearray):
                message = message.decode("utf-8", "replace")
            return StatementResult(rows=rows, affected_rows=max(cursor.rowcount or 0, 0), info=message)
        finally:
            cursor.close()
    finally:
        conn.close()
