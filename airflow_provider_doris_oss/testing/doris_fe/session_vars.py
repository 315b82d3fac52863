"""``SET`` and ``SHOW VARIABLES`` statements, read into calls on a connection's ``SessionVariables``.

``SET [GLOBAL|SESSION|LOCAL] name = value[, ...]``, ``SET @@[global.|session.]name = value``,
``SET name = DEFAULT``; ``SET NAMES``/``CHARACTER SET``/``TRANSACTION`` are accepted; a user
variable (``SET @v = 1``) is accepted and not kept. ``SHOW [GLOBAL|SESSION] VARIABLES [LIKE 'p' |
WHERE Variable_name = '...']`` lists Doris's columns.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    IDENT,
    NUMBER,
    QIDENT,
    STRING,
    syntax_error,
    tokenize,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, OkResult, ResultSet
from airflow_provider_doris_oss.testing.doris_fe.variables import SessionVariables

_SCOPES = {"GLOBAL": "GLOBAL", "SESSION": "SESSION", "LOCAL": "SESSION"}
SHOW_COLUMNS = ["Variable_name", "Value", "Default_Value", "Changed"]


def run_set(sql: str, variables: SessionVariables) -> OkResult:
    """Run one ``SET`` statement."""
    tokens = [t for t in tokenize(sql)[1:] if not t.is_op(";")][:-1]
    first = tokens[0] if tokens else None
    second = tokens[1] if len(tokens) > 1 else None
    if first is None:
        raise syntax_error(sql, tokenize(sql)[-1])
    if first.is_kw("NAMES", "CHARSET") or (first.is_kw("CHARACTER") and second and second.is_kw("SET")):
        return OkResult()
    if first.is_kw("TRANSACTION") or (
        first.is_kw("SESSION", "GLOBAL", "LOCAL") and second and second.is_kw("TRANSACTION")
    ):
        return OkResult()
    if first.is_kw("PASSWORD", "PROPERTY", "LDAP_ADMIN_PASSWORD"):
        raise DorisError(
            f"errCode = 2, detailMessage = The local Doris FE does not emulate SET {first.value.upper()}"
        )
    scope = "SESSION"
    for assignment in _split_commas(tokens):
        scope = _assign(sql, assignment, variables, scope)
    return OkResult()


def _assign(sql: str, tokens: list[Any], variables: SessionVariables, scope: str) -> str:
    """Run one ``name = value``; return the scope it used (a ``SET GLOBAL`` prefix carries on)."""
    pos = 0
    if tokens and tokens[0].is_op("@") and len(tokens) > 1 and tokens[1].is_op("@"):
        pos, scope = 2, "SESSION"
        if len(tokens) > pos + 1 and tokens[pos].is_kw(*_SCOPES) and tokens[pos + 1].is_op("."):
            scope = _SCOPES[tokens[pos].value.upper()]
            pos += 2
    elif tokens and tokens[0].is_op("@"):
        return scope  # a user variable: accepted, not kept
    elif tokens and tokens[0].is_kw(*_SCOPES):
        scope = _SCOPES[tokens[0].value.upper()]
        pos = 1
    if pos >= len(tokens) or tokens[pos].kind not in (IDENT, QIDENT):
        raise syntax_error(sql, tokens[pos] if pos < len(tokens) else tokenize(sql)[-1])
    name = tokens[pos].value
    pos += 1
    if pos >= len(tokens) or not (tokens[pos].is_op("=") or tokens[pos].is_op(":=")):
        raise syntax_error(sql, tokens[pos] if pos < len(tokens) else tokenize(sql)[-1], "'='")
    value_tokens = tokens[pos + 1 :]
    if not value_tokens:
        raise syntax_error(sql, tokenize(sql)[-1])
    value: str | None
    if len(value_tokens) == 2 and value_tokens[0].is_op("-") and value_tokens[1].kind == NUMBER:
        value = "-" + value_tokens[1].value
    elif len(value_tokens) == 1 and value_tokens[0].kind in (STRING, NUMBER, IDENT, QIDENT):
        token = value_tokens[0]
        value = token.value
        if token.kind == IDENT and token.is_kw("DEFAULT"):
            value = None
        elif token.kind == IDENT and token.is_kw("TRUE", "FALSE"):
            value = "1" if token.is_kw("TRUE") else "0"  # boolean literals set as 1/0, as Doris does
    else:
        value = sql[value_tokens[0].start : value_tokens[-1].end]
    variables.set(name, value, scope)
    return scope


def _split_commas(tokens: list[Any]) -> list[list[Any]]:
    parts: list[list[Any]] = [[]]
    depth = 0
    for token in tokens:
        if token.is_op("("):
            depth += 1
        elif token.is_op(")"):
            depth -= 1
        if token.is_op(",") and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def show_variables(sql: str, variables: SessionVariables, scope: str) -> ResultSet:
    """``SHOW [GLOBAL] VARIABLES [LIKE 'pattern' | WHERE ...]``."""
    tokens = tokenize(sql)
    pattern = None
    names: set[str] | None = None
    for i, token in enumerate(tokens):
        if token.is_kw("LIKE") and tokens[i + 1].kind == STRING:
            text = tokens[i + 1].value
            regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in text)
            pattern = re.compile(f"^{regex}$", re.IGNORECASE)
        if token.is_kw("WHERE"):
            names = {t.value.lower() for t in tokens[i + 1 :] if t.kind == STRING}
    return ResultSet(list(SHOW_COLUMNS), variables.show(pattern, names, scope))


def statement_timeout(sql: str, variables: SessionVariables) -> tuple[float, DorisError]:
    """The seconds Doris lets ``sql`` run (``insert_timeout`` for INSERT, else ``query_timeout``)
    and the error it answers past them (the coordinator's ``Execute timeout`` for an INSERT, the
    result receiver's ``query timeout, query id = ...`` for a query)."""
    tokens = tokenize(sql)
    if tokens and tokens[0].is_kw("INSERT"):
        error = DorisError("errCode = 2, detailMessage = Execute timeout", 5024)
        return float(variables.get("insert_timeout")), error
    query_id = f"{secrets.token_hex(8)}-{secrets.token_hex(8)}"
    error = DorisError(f"errCode = 2, detailMessage = query timeout, query id = {query_id}")
    return float(variables.get("query_timeout")), error
