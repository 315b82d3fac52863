"""The Doris-specific statements of the local FE: Broker Load, EXPORT, OUTFILE, S3(), catalogs.

``handle`` parses a statement with the emulator's own grammar; it returns None for statements
that are not one of these, which the dispatcher hands to the table engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe import catalogs, parser, statement_nodes
from airflow_provider_doris_oss.testing.doris_fe.export_statements import run_export, run_outfile
from airflow_provider_doris_oss.testing.doris_fe.job_statements import (
    run_cancel,
    run_show_jobs,
    run_show_load_warnings,
)
from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, OP, QIDENT, tokenize
from airflow_provider_doris_oss.testing.doris_fe.load_statements import run_load
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, Result, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CancelStmt,
    ExportStmt,
    LoadStmt,
    OutfileStmt,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
    TvfQueryStmt,
)
from airflow_provider_doris_oss.testing.doris_fe.tvf_statements import run_desc_function, run_tvf

_MINE = re.compile(
    r"^\s*(LOAD\b|SHOW\b|CANCEL\b|EXPORT\b|"
    r"(CREATE|DROP|REFRESH)\s+CATALOG)|INTO\s+OUTFILE|\bS3\s*\(",
    re.IGNORECASE,
)


def handle(sql: str, ctx: StatementContext) -> Result | None:
    """Run ``sql`` if it is one of the Doris-specific statements; None if it is not."""
    try:
        stmt = parser.parse(sql, ctx.fe.release.grammar)
    except DorisError:
        if _MINE.search(sql):
            raise
        return None
    if stmt is None:
        _refuse_external_catalog(sql, ctx)
        return None
    handler = _HANDLERS[type(stmt)]
    return handler(stmt, ctx)


# ---------------------------------------------------------------------------------------------
# External catalogs
# ---------------------------------------------------------------------------------------------


def _refuse_external_catalog(sql: str, ctx: StatementContext) -> None:
    """A query naming ``catalog.db.table`` of a recorded external catalog is refused clearly."""
    if not ctx.fe.catalogs:
        return
    try:
        tokens = tokenize(sql)
    except DorisError:
        return
    names = set(ctx.fe.catalogs)
    if tokens and tokens[0].is_kw("SWITCH") and tokens[1].value in names:
        raise catalogs.not_emulated(tokens[1].value)
    for i in range(len(tokens) - 4):
        a, dot1, _, dot2, _ = tokens[i : i + 5]
        if (
            a.kind in (IDENT, QIDENT)
            and a.value in names
            and dot1.kind == OP
            and dot1.value == "."
            and (dot2.kind == OP and dot2.value == ".")
        ):
            raise catalogs.not_emulated(a.value)
    if tokens[0].is_kw("USE") and len(tokens) > 2 and tokens[1].value in names and tokens[2].is_op("."):
        raise catalogs.not_emulated(tokens[1].value)


_HANDLERS: dict[type, Callable[[Any, StatementContext], Result]] = {
    LoadStmt: run_load,
    ShowJobsStmt: run_show_jobs,
    ShowLoadWarningsStmt: run_show_load_warnings,
    CancelStmt: run_cancel,
    ExportStmt: run_export,
    OutfileStmt: run_outfile,
    TvfQueryStmt: run_tvf,
    statement_nodes.DescFunctionStmt: run_desc_function,
    statement_nodes.CreateCatalogStmt: lambda s, c: catalogs.create(c.fe, s),
    statement_nodes.DropCatalogStmt: lambda s, c: catalogs.drop(c.fe, s),
    statement_nodes.ShowCatalogsStmt: lambda s, c: catalogs.show(c.fe, s),
    statement_nodes.RefreshCatalogStmt: lambda s, c: catalogs.refresh(c.fe, s),
}
