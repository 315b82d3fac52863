"""Queries the FE handles itself: ``... INTO OUTFILE``, the ``S3()`` table function (in SELECT and
INSERT ... SELECT) and ``DESC FUNCTION s3(...)``.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, Token, syntax_error
from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser
from airflow_provider_doris_oss.testing.doris_fe.query_check import check_query
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    TVF_PLACEHOLDER,
    DescFunctionStmt,
    OutfileStmt,
    TvfQueryStmt,
)


def find_outfile(tokens: list[Token]) -> int | None:
    depth = 0
    for i, token in enumerate(tokens[:-1]):
        if token.is_op("("):
            depth += 1
        elif token.is_op(")"):
            depth -= 1
        elif token.is_kw("INTO") and tokens[i + 1].is_kw("OUTFILE"):
            return i
    return None


def find_tvfs(tokens: list[Token]) -> list[int]:
    found = []
    for i in range(1, len(tokens) - 1):
        token = tokens[i]
        if (
            token.kind == IDENT
            and token.value.lower() == "s3"
            and tokens[i + 1].is_op("(")
            and (tokens[i - 1].is_kw("FROM", "JOIN") or tokens[i - 1].is_op(","))
        ):
            found.append(i)
    return found


def outfile_statement(p: Parser, index: int) -> OutfileStmt:
    query = p.sql[: p.tokens[index].start].rstrip()
    if not query:
        raise syntax_error(p.sql, p.tokens[index], "{'SELECT', 'WITH', '('}")
    _check_query_until(p, 0, index)
    p.pos = index + 2
    path = p.string()
    fmt = "csv"
    if p.accept_kw("FORMAT"):
        p.expect_kw("AS")
        if p.tok.kind != IDENT:
            raise p.error("IDENTIFIER")
        fmt = p.advance().value
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    stmt = OutfileStmt(query, path, fmt, properties)
    inner = [i for i in find_tvfs(p.tokens) if i < index]
    if inner:
        rewritten = tvf_query_statement(Parser(query, [*p.tokens[:index], p.tokens[-1]]), inner)
        stmt.query, stmt.tvfs = rewritten.query, rewritten.tvfs
    return stmt


def tvf_query_statement(p: Parser, indexes: list[int]) -> TvfQueryStmt:
    stmt = TvfQueryStmt("", {})
    head_end = 0
    if p.tok.is_kw("INSERT"):
        head_end = _insert_head(p, stmt)
    outfile = find_outfile(p.tokens)
    _check_query_until(p, p.pos, len(p.tokens) - 1 if outfile is None else outfile)
    pieces: list[str] = []
    cursor = head_end
    for n, index in enumerate(indexes):
        p.pos = index + 1
        start = p.tokens[index].start
        props = p.property_list(allow_empty=True)
        name = TVF_PLACEHOLDER.format(n)
        stmt.tvfs[name] = props
        pieces.append(p.sql[cursor:start])
        pieces.append(name)
        cursor = p.tokens[p.pos - 1].end
    pieces.append(p.sql[cursor:])
    stmt.query = "".join(pieces).strip().rstrip(";").strip()
    return stmt


def _check_query_until(p: Parser, start: int, end: int) -> None:
    """Check the query from token ``start`` by Doris's grammar; it must end at token ``end``
    (``INTO OUTFILE``, or the end of the statement with an optional ``;``).
    """
    stop = check_query(p.sql, p.tokens, start)
    if stop < end and p.tokens[stop].is_op(";") and end == len(p.tokens) - 1:
        stop += 1
    if stop != end:
        expecting = "{<EOF>, ';'}" if end == len(p.tokens) - 1 else "{'INTO'}"
        raise syntax_error(p.sql, p.tokens[stop], expecting)


def desc_function_statement(p: Parser) -> DescFunctionStmt | None:
    p.advance()
    p.advance()
    if not (p.tok.kind == IDENT and p.tok.value.lower() == "s3" and p.peek().is_op("(")):
        return None
    p.advance()
    params = p.property_list(allow_empty=True)
    p.end()
    return DescFunctionStmt(params)


def _insert_head(p: Parser, stmt: TvfQueryStmt) -> int:
    """Parse ``INSERT {INTO | OVERWRITE TABLE} t [PARTITION (.. | *)] [WITH LABEL l] [(cols)]``.

    Returns where the query starts.
    """
    p.expect_kw("INSERT")
    if p.accept_kw("OVERWRITE"):
        p.expect_kw("TABLE")
        stmt.overwrite = True
    else:
        p.expect_kw("INTO")
    parts = p.multipart()
    stmt.insert_db, stmt.insert_table = (parts[-2], parts[-1]) if len(parts) >= 2 else (None, parts[0])
    if p.tok.is_kw("TEMPORARY", "PARTITION", "PARTITIONS"):
        star = p.peek().is_op("(") and p.peek(2).is_op("*")  # PARTITION (*), not (`*`)
        temporary, stmt.partitions = p.partition_spec()
        if not temporary and not star:
            from airflow_provider_doris_oss.testing.doris_fe.parse_insert_head import named_partitions

            stmt.partitions = named_partitions(stmt.partitions, stmt.insert_table)
    if p.accept_kw("WITH"):
        p.expect_kw("LABEL")
        stmt.label = p.identifier()
    if p.tok.is_op("(") and not p.peek().is_kw("SELECT", "WITH"):
        stmt.columns = p.identifier_list()
    if not (p.tok.is_kw("SELECT", "WITH") or p.tok.is_op("(")):
        raise p.error("{'(', 'SELECT', 'WITH'}")
    return p.tok.start
