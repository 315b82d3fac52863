"""Splitting a query string into statements and reading a statement's first words (to route it)."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, tokenize


def words(sql: str, count: int = 4) -> list[str]:
    """The first ``count`` unquoted words of ``sql``, upper-cased (to route a statement)."""
    out: list[str] = []
    for token in tokenize(sql):
        if token.kind != IDENT or len(out) >= count:
            break
        out.append(token.value.upper())
    return out


def split_statements(sql: str) -> list[str]:
    """Split a query string on top-level ``;`` (outside strings, names and comments)."""
    tokens = tokenize(sql)
    parts: list[str] = []
    start, first = 0, None
    for token in tokens:
        if token.is_op(";") or token.kind == EOF:
            if first is not None:
                parts.append(sql[first : token.start].strip())
            start, first = token.end, None
        elif first is None:
            first = token.start
    del start
    return parts
