"""SHOW LOAD / SHOW EXPORT / SHOW LOAD WARNINGS, CANCEL LOAD / CANCEL EXPORT, and EXPORT TABLE."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, NUMBER, QIDENT, STRING
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
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
    """``SHOW LOAD ...``, or ``SHOW LOAD WARNINGS {ON "url" | [FROM db] [wildWhere] [LIMIT n]}``."""
    if p.peek(2).is_kw("WARNINGS"):
        p.advance()
        p.advance()
        p.advance()
        if p.accept_kw("ON"):
            url = p.string()
            p.end()
            return ShowLoadWarningsStmt(url)
        stmt = ShowLoadWarningsStmt("", db=_from_db(p))
        stmt.conditions, connector = _wild_where(p, "WARNINGS", ("LIMIT",))
        if connector == "OR":
            raise where_error("WARNINGS")
        if p.accept_kw("LIMIT"):
            stmt.limit = _limit(p)[0]
        p.end()
        return stmt
    return show_jobs_statement(p, "LOAD")


def _from_db(p: Parser) -> str | None:
    if p.accept_kw("FROM", "IN"):
        return p.identifier()
    return None


def _wild_where(p: Parser, kind: str, follow: tuple[str, ...] = ()) -> tuple[list[Condition], str]:
    """``wildWhere``: ``LIKE "pattern"`` (a label pattern) or ``WHERE expression``.

    The expression is parsed by Doris's grammar first (a syntax error where Doris finds one);
    then it must be the conditions SHOW and CANCEL understand, or Doris's "Where clause should
    looks like" error is raised.
    """
    if p.accept_kw("LIKE"):
        return [Condition("LABEL", "LIKE", p.string())], "AND"
    if not p.accept_kw("WHERE"):
        return [], "AND"
    start = p.pos
    p.expression_text()
    if not (p.tok.kind == EOF or p.tok.is_op(";") or p.tok.is_kw(*follow)):
        raise p.error("{<EOF>, ';'" + "".join(f", '{word}'" for word in follow) + "}")
    end = p.pos
    p.pos = start
    try:
        conditions, connector = _conditions(p)
    except DorisError:
        raise where_error(kind) from None
    if p.pos != end:
        raise where_error(kind)
    return conditions, connector


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
    conditions, connector = _wild_where(p, kind, ("ORDER", "LIMIT"))
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
    limit, offset = _limit(p) if p.accept_kw("LIMIT") else (None, 0)
    p.end()
    return ShowJobsStmt(kind, db, conditions, order_by, limit, offset)


def _limit(p: Parser) -> tuple[int, int]:
    """``limitClause`` after LIMIT: ``n``, ``n OFFSET m`` or ``m, n``; the limit and the offset."""
    first = _int(p)
    if p.accept_op(","):
        return _int(p), first
    return first, _int(p) if p.accept_kw("OFFSET") else 0


def _int(p: Parser) -> int:
    if p.tok.kind != NUMBER or not p.tok.value.isdigit():
        raise p.error("INTEGER_VALUE")
    return int(p.advance().value)


def where_error(kind: str) -> Exception:
    """Doris's answer to a WHERE that SHOW/CANCEL LOAD/EXPORT (``kind``) or SHOW LOAD WARNINGS cannot use."""
    if kind == "WARNINGS":
        return DorisError(
            'errCode = 2, detailMessage = Where clause should looks like: LABEL = "your_load_label", '
            "or LOAD_JOB_ID = $job_id"
        )
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
    conditions, connector = _wild_where(p, kind)
    p.end()
    return CancelStmt(kind, db, conditions, connector)


def export_statement(p: Parser) -> ExportStmt:
    p.expect_kw("EXPORT")
    p.expect_kw("TABLE")
    parts = p.multipart()
    if len(parts) > 2:
        parts = parts[-2:]
    db, table = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    partitions = p.identifier_list() if p.accept_kw("PARTITION") else []
    where = p.expression_text(boolean=True) if p.accept_kw("WHERE") else None
    p.expect_kw("TO")
    path = p.string()
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    if p.tok.kind == EOF or p.tok.is_op(";"):
        kind, name, storage = "NONE", None, dict[str, str]()
    else:
        kind, name, storage = with_storage(p)
    p.end()
    return ExportStmt(db, table, partitions, where, path, properties, kind, name, storage)
