"""SHOW LOAD / SHOW EXPORT / SHOW LOAD WARNINGS, CANCEL LOAD / CANCEL EXPORT, and EXPORT TABLE."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, NUMBER, QIDENT, STRING
from airflow_provider_doris_oss.testing.doris_fe.parse_load import with_storage
from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CancelStmt,
    Condition,
    ExportStmt,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
)


def show_load_statement(p: Parser) -> ShowJobsStmt | ShowLoadWarningsStmt:
    if p.peek(2).is_kw("WARNINGS"):
        p.advance()
        p.advance()
        p.advance()
        p.expect_kw("ON")
        url = p.string()
        p.end()
        return ShowLoadWarningsStmt(url)
    return show_jobs_statement(p, "LOAD")


def _from_db(p: Parser) -> str | None:
    if p.accept_kw("FROM", "IN"):
        return p.identifier()
    return None


def _conditions(p: Parser) -> tuple[list[Condition], str]:
    conditions = [_condition(p)]
    connector = "AND"
    while p.tok.is_kw("AND", "OR"):
        connector = p.advance().value.upper()
        conditions.append(_condition(p))
    return conditions, connector


def _condition(p: Parser) -> Condition:
    token = p.tok
    if token.kind not in (IDENT, QIDENT):
        raise p.error("{IDENTIFIER}")
    key = p.advance().value.upper()
    if p.accept_op("="):
        op = "="
    elif p.accept_kw("LIKE"):
        op = "LIKE"
    else:
        raise p.error("{'=', 'LIKE'}")
    if p.tok.kind in (STRING, NUMBER):
        value = p.advance().value
    else:
        raise p.error("STRING_LITERAL")
    return Condition(key, op, value)


def show_jobs_statement(p: Parser, kind: str) -> ShowJobsStmt:
    p.expect_kw("SHOW")
    p.expect_kw(kind)
    db = _from_db(p)
    conditions: list[Condition] = []
    if p.accept_kw("WHERE"):
        conditions, connector = _conditions(p)
        if connector == "OR":
            raise where_error(kind)
    order_by: list[tuple[str, bool]] = []
    if p.accept_kw("ORDER"):
        p.expect_kw("BY")
        while True:
            column = p.identifier()
            desc = False
            if p.tok.is_kw("ASC", "DESC"):
                desc = p.advance().value.upper() == "DESC"
            order_by.append((column, desc))
            if not p.accept_op(","):
                break
    limit, offset = None, 0
    if p.accept_kw("LIMIT"):
        first = _int(p)
        if p.accept_op(","):
            offset, limit = first, _int(p)
        else:
            limit = first
            if p.accept_kw("OFFSET"):
                offset = _int(p)
    p.end()
    return ShowJobsStmt(kind, db, conditions, order_by, limit, offset)


def _int(p: Parser) -> int:
    if p.tok.kind != NUMBER or not p.tok.value.isdigit():
        raise p.error("INTEGER_VALUE")
    return int(p.advance().value)


def where_error(kind: str) -> Exception:
    from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

    if kind == "EXPORT":
        return DorisError(
            "errCode = 2, detailMessage = Where clause should looks like below: "
            ' ID = $your_job_id, or STATE = "PENDING|EXPORTING|FINISHED|CANCELLED", '
            'or LABEL = "xxx" or LABEL like "xxx%"'
        )
    return DorisError(
        'errCode = 2, detailMessage = Where clause should looks like: LABEL = "your_load_label",'
        ' or LABEL LIKE "matcher",  or STATE = "PENDING|ETL|LOADING|FINISHED|CANCELLED", '
        "or compound predicate with operator AND"
    )


def cancel_statement(p: Parser) -> CancelStmt:
    p.expect_kw("CANCEL")
    kind = p.expect_kw("LOAD", "EXPORT")
    db = _from_db(p)
    conditions: list[Condition] = []
    connector = "AND"
    if p.accept_kw("WHERE"):
        conditions, connector = _conditions(p)
    p.end()
    return CancelStmt(kind, db, conditions, connector)


def export_statement(p: Parser) -> ExportStmt:
    p.expect_kw("EXPORT")
    p.expect_kw("TABLE")
    parts = p.multipart()
    if len(parts) > 2:
        parts = parts[-2:]
    db, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    partitions: list[str] = []
    if p.accept_kw("PARTITION", "PARTITIONS"):
        partitions = p.identifier_list()
    where = None
    if p.accept_kw("WHERE"):
        where = p.capture_expr(("TO",))
    p.expect_kw("TO")
    path = p.string()
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    if p.tok.kind == EOF or p.tok.is_op(";"):
        kind, name, storage = "NONE", None, dict[str, str]()
    else:
        kind, name, storage = with_storage(p)
    p.end()
    return ExportStmt(db, table, partitions, where, path, properties, kind, name, storage)
