"""Routing one client statement: session statements here, Doris-specific ones to ``statements``, the rest
to the engine.

``StatementRouter`` holds one connection's state (current database, variables, the last INSERT) and
logs every statement it runs to the statement log, when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.sql.tokenizer import NEREIDS, lex
from airflow_provider_doris_oss.testing.doris_fe import load_admin
from airflow_provider_doris_oss.testing.doris_fe.errors import shape
from airflow_provider_doris_oss.testing.doris_fe.model import (
    DorisError,
    FEState,
    OkResult,
    Result,
    ResultSet,
    StatementContext,
)
from airflow_provider_doris_oss.testing.doris_fe.session_vars import run_set, show_variables
from airflow_provider_doris_oss.testing.doris_fe.statement_split import split_statements, words
from airflow_provider_doris_oss.testing.doris_fe.variables import SessionVariables

if TYPE_CHECKING:
    from sqlglot import exp

    from airflow_provider_doris_oss.testing.doris_fe.statement_log import StatementLog

Handler = Callable[[str, StatementContext], "Result | None"]
_INFO_FUNCTIONS = re.compile(
    r"@@|\b(DATABASE|SCHEMA|VERSION|CONNECTION_ID|USER|CURRENT_USER|SESSION_USER|LAST_INSERT_ID)\s*\(",
    re.IGNORECASE,
)


def doris_statements() -> Handler | None:
    """``statements.handle`` (the Doris-specific statements), when that module is present."""
    try:
        from airflow_provider_doris_oss.testing.doris_fe import statements
    except ImportError:
        return None
    handle: Handler = statements.handle
    return handle


class StatementRouter:
    """One connection's statements: split, routed, run and logged."""

    def __init__(
        self,
        fe: FEState,
        *,
        connection_id: int,
        user: str,
        host: str,
        database: str | None = None,
        log: StatementLog | None = None,
    ) -> None:
        self.fe = fe
        self.connection_id = connection_id
        self.user = user
        self.host = host
        self.database = database
        self.variables = SessionVariables(fe.global_variables)
        self.last_insert: Any = None
        self.log = log
        self._handler = doris_statements()

    def split(self, sql: str) -> list[str]:
        """The statements of one query string, their comments blanked out (the engine's own lexer
        reads comments otherwise); an unreadable string is one statement (that fails)."""
        try:
            parts = split_statements(sql)
        except DorisError:
            return [sql]
        return [_without_comments(part) for part in parts]

    def run(self, sql: str) -> Result:
        """Run one statement, logging it with its outcome."""
        try:
            result = self._run(sql)
        except Exception as exc:  # every failure leaves in Doris's shape (errors.shape), never internals
            error = shape(exc, sql)
            if self.log is not None:
                self.log.write(self.connection_id, sql, f"error: {error.code} {error.message}")
            if error is exc:
                raise
            raise error from exc
        if self.log is not None:
            self.log.write(self.connection_id, sql, "ok")
        return result

    def _run(self, sql: str) -> Result:
        head = words(sql, 3)
        if not head and not split_statements(sql):
            raise DorisError("Query was empty", 1065, "42000")
        first = head[0] if head else ""
        if first == "SET":
            return run_set(sql, self.variables)
        if head in (["COMMIT"], ["ROLLBACK"], ["BEGIN"], ["START", "TRANSACTION"]) or (
            first in ("COMMIT", "ROLLBACK") and head[1:2] == ["WORK"]
        ):
            return OkResult()
        if first == "SHOW":
            shown = self._show(sql, head)
            if shown is not None:
                return shown
        if first == "SELECT" and _INFO_FUNCTIONS.search(sql):
            sql = self._substitute(sql)
        refusal = self.fe.release.refusal(sql)  # a statement form this Doris release cannot parse
        if refusal is not None:
            raise refusal
        ctx = StatementContext(
            self.connection_id, self.user, self.database, self.fe, self.last_insert, self.variables.values
        )
        result = load_admin.handle(sql, ctx)
        if result is None and self._handler is not None:
            result = self._handler(sql, ctx)
            if head[:2] == ["LOAD", "LABEL"]:
                load_admin.remember_origin(sql, ctx)
        if result is None:
            result = self.fe.engine.execute(sql, ctx)
        self.database = ctx.database
        self.last_insert = ctx.last_insert
        return result

    # ----------------------------------------------------------------- SHOW

    def _show(self, sql: str, head: list[str]) -> Result | None:
        rest = head[1:]
        if rest[:1] in (["SESSION"], ["GLOBAL"], ["LOCAL"]):
            rest = rest[1:]
        if rest[:1] == ["VARIABLES"]:
            return show_variables(sql, self.variables, "GLOBAL" if head[1:2] == ["GLOBAL"] else "SESSION")
        if rest[:1] in (["WARNINGS"], ["ERRORS"]):
            return ResultSet(["Level", "Code", "Message"], [])
        if rest[:1] == ["COLLATION"]:
            return ResultSet(
                ["Collation", "Charset", "Id", "Default", "Compiled", "Sortlen"],
                [("utf8mb4_0900_bin", "utf8mb4", 309, "Yes", "Yes", 1)],
            )
        if rest[:1] in (["CHARSET"], ["CHARACTER"]):
            return ResultSet(
                ["Charset", "Description", "Default collation", "Maxlen"],
                [("utf8mb4", "UTF-8 Unicode", "utf8mb4_0900_bin", 4)],
            )
        return None

    # -------------------------------------------------- SELECT @@var, DATABASE()

    def _substitute(self, sql: str) -> str:
        from sqlglot import exp

        from airflow_provider_doris_oss.testing.doris_fe import sqlmap

        try:
            tree = sqlmap.parse(sql)
        except DorisError:
            return sql  # not a plain query (S3(...), INTO OUTFILE ...): left to its handler
        if not isinstance(tree, exp.Select) or "OUTFILE" in sql.upper():
            return sql
        if any(f.name.upper() == "S3" for f in tree.find_all(exp.Anonymous)):
            return sql
        named: list[Any] = []
        for item in tree.expressions:
            if isinstance(item, (exp.Alias, exp.Column, exp.Star)):
                named.append(item)
            else:
                named.append(exp.alias_(item, _column_name(item), quoted=True))
        tree.set("expressions", named)
        return tree.transform(self._replace).sql(dialect="doris")

    def _replace(self, node: exp.Expression) -> exp.Expression:
        from sqlglot import exp

        value: Any
        if isinstance(node, exp.SessionParameter):
            scope = str(node.args.get("kind") or "SESSION").upper()
            value = self.variables.get(node.name, "GLOBAL" if scope == "GLOBAL" else "SESSION")
        elif isinstance(node, exp.CurrentSchema):
            value = self.database
        elif isinstance(node, getattr(exp, "CurrentVersion", ())) or (  # sqlglot 27: VERSION() is Anonymous
            isinstance(node, exp.Anonymous) and node.name.upper() == "VERSION"
        ):
            value = self.variables.get("version")
        elif isinstance(node, exp.CurrentUser):
            value = f"'{self.user}'@'%'"
        elif isinstance(node, exp.Anonymous) and node.name.upper() in ("USER", "SESSION_USER"):
            value = f"'{self.user}'@'{self.host}'"
        elif isinstance(node, exp.Anonymous) and node.name.upper() == "CONNECTION_ID":
            value = self.connection_id
        elif isinstance(node, exp.Anonymous) and node.name.upper() == "LAST_INSERT_ID":
            value = 0
        else:
            return node
        if value is None:
            return exp.null()
        if isinstance(value, float):
            return exp.cast(exp.Literal.number(value), "DOUBLE")
        if isinstance(value, int):
            return exp.Literal.number(value)
        return exp.Literal.string(str(value))


def _without_comments(sql: str) -> str:
    """``sql`` with each comment replaced by a space (or its newlines), as Doris's parser ignores them."""
    out: list[str] = []
    at = 0
    for token in lex(sql, NEREIDS):
        if token.kind == "comment":
            out.append(sql[at : token.start])
            out.append("\n" * token.text.count("\n") or " ")
            at = token.end
    out.append(sql[at:])
    return "".join(out).strip()


def _column_name(item: exp.Expression) -> str:
    from sqlglot import exp

    if isinstance(item, exp.CurrentSchema):
        return "database()"
    if isinstance(item, exp.SessionParameter):
        return item.sql(dialect="doris")
    return item.sql(dialect="doris", normalize_functions="lower")
