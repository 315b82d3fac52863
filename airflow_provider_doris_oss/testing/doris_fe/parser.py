"""``parse``: the local FE's own parser for the Doris statements it handles itself.

It recognises the statement by its first words and hands the tokens to the statement family's
parser (``parse_load``, ``parse_jobs``, ``parse_query``, ``parse_catalog``); anything else is
left to the table engine.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.keywords import RESERVED
from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, syntax_error, tokenize
from airflow_provider_doris_oss.testing.doris_fe.parse_catalog import (
    create_catalog_statement,
    drop_catalog_statement,
    refresh_catalog_statement,
    show_catalogs_statement,
)
from airflow_provider_doris_oss.testing.doris_fe.parse_jobs import (
    cancel_statement,
    export_statement,
    show_jobs_statement,
    show_load_statement,
)
from airflow_provider_doris_oss.testing.doris_fe.parse_load import load_statement
from airflow_provider_doris_oss.testing.doris_fe.parse_query import (
    desc_function_statement,
    find_outfile,
    find_tvfs,
    outfile_statement,
    tvf_query_statement,
)
from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser
from airflow_provider_doris_oss.testing.doris_fe.releases import NEREIDS_GRAMMAR, Grammar
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import Statement

# The reserved words DorisParser.g4's SHOW and CANCEL statements may continue with (SHOW LOAD,
# SHOW CREATE TABLE, CANCEL ALTER TABLE, ...): any other reserved word there is a syntax error.
_NEXT_RESERVED = {
    "SHOW": frozenset(
        ["ALL", "ALTER", "ANALYZE", "AUTO", "BACKEND", "COLUMN", "CREATE", "DATABASE", "DATABASES",
         "DELETE", "EXPORT", "FRONTEND", "FULL", "FUNCTIONS", "GRANTS", "INDEX", "KEY", "KEYS", "LOAD",
         "PARTITION", "PROCEDURE", "REPLICA", "ROLES", "ROW", "SCHEMAS", "SQL_BLOCK_RULE", "SYNC", "TABLE",
         "TABLET", "TABLETS", "TRASH", "TYPE_CAST", "WHITELIST", "WORKLOAD"]
    ),
    "CANCEL": frozenset(["ALTER", "DECOMMISSION", "EXPORT", "LOAD"]),
}  # fmt: skip


def parse(sql: str, grammar: Grammar = NEREIDS_GRAMMAR) -> Statement | None:
    """Parse ``sql`` if it is one of the emulator's Doris statements; None if it is not.

    ``grammar`` is the release's grammar switches (``ReleaseProfile.grammar``); the default is
    DorisParser.g4 on the newest line.
    """
    tokens = tokenize(sql)
    p = Parser(sql, tokens, grammar)
    first = p.tok
    if first.is_kw("LOAD") and p.peek().is_kw("LABEL"):
        return load_statement(p)
    if first.is_kw("LOAD") and not p.peek().is_kw("DATA"):
        raise syntax_error(sql, p.peek(), None, first)
    nxt = p.peek()
    if first.is_kw(*_NEXT_RESERVED) and nxt.kind == IDENT:
        word = nxt.value.upper()
        if word in RESERVED and word not in _NEXT_RESERVED[first.value.upper()]:
            raise syntax_error(sql, nxt, None, first)
    if first.is_kw("SHOW"):
        if nxt.is_kw("LOAD"):
            return show_load_statement(p)
        if nxt.is_kw("EXPORT"):
            return show_jobs_statement(p, "EXPORT")
        if nxt.is_kw("CATALOGS"):
            return show_catalogs_statement(p)
        return None
    if first.is_kw("CANCEL") and p.peek().is_kw("LOAD", "EXPORT"):
        return cancel_statement(p)
    if first.is_kw("EXPORT"):
        return export_statement(p)
    if first.is_kw("CREATE") and p.peek().is_kw("CATALOG"):
        return create_catalog_statement(p)
    if first.is_kw("DROP") and p.peek().is_kw("CATALOG"):
        return drop_catalog_statement(p)
    if first.is_kw("REFRESH") and p.peek().is_kw("CATALOG"):
        return refresh_catalog_statement(p)
    if first.is_kw("DESC", "DESCRIBE") and p.peek().is_kw("FUNCTION"):
        return desc_function_statement(p)
    outfile = find_outfile(tokens)
    if outfile is not None:
        return outfile_statement(p, outfile)
    if first.is_kw("SELECT", "WITH", "INSERT") or first.is_op("("):
        tvfs = find_tvfs(tokens)
        if tvfs:
            return tvf_query_statement(p, tvfs)
    return None
