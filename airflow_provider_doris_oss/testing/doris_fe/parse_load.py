"""Broker Load: ``LOAD LABEL ... (data descriptions) WITH S3 (...) PROPERTIES (...) COMMENT``."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, STRING, syntax_error
from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    DataDesc,
    LoadStmt,
)


def load_statement(p: Parser) -> LoadStmt:
    p.expect_kw("LOAD")
    p.expect_kw("LABEL")
    parts = p.multipart()
    if len(parts) > 2:
        raise syntax_error(p.sql, p.tokens[p.pos - 1], "'('")
    db, label = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    p.expect_op("(")
    descs = [_data_desc(p)]
    while p.accept_op(","):
        descs.append(_data_desc(p))
    p.expect_op(")")
    kind, name, storage = with_storage(p) if p.tok.is_kw("WITH") else ("NONE", None, dict[str, str]())
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    comment = p.string() if p.accept_kw("COMMENT") else None
    p.end()
    return LoadStmt(db, label, descs, kind, name, storage, properties, comment)


def with_storage(p: Parser) -> tuple[str, str | None, dict[str, str]]:
    p.expect_kw("WITH")
    kind = p.expect_kw("S3", "HDFS", "BROKER", "RESOURCE", "LOCAL")
    name = None
    if kind in ("BROKER", "RESOURCE"):
        name = p.identifier() if p.tok.kind != STRING else p.string()
        props = p.property_list() if p.tok.is_op("(") else {}
        return kind, name, props
    return kind, name, p.property_list()


def _data_desc(p: Parser) -> DataDesc:
    d = DataDesc()
    if p.tok.is_kw("WITH") and p.peek().is_kw("MERGE", "APPEND", "DELETE"):
        p.advance()
        d.merge_type = p.advance().value.upper()
    elif p.tok.is_kw("MERGE", "APPEND", "DELETE"):
        d.merge_type = p.advance().value.upper()
    p.expect_kw("DATA")
    p.expect_kw("INFILE")
    p.expect_op("(")
    d.uris.append(p.string())
    while p.accept_op(","):
        d.uris.append(p.string())
    p.expect_op(")")
    if p.grammar.negative_data_desc and p.tok.is_kw("NEGATIVE"):
        p.advance()
        d.negative = True
    p.expect_kw("INTO")
    p.expect_kw("TABLE")
    d.table = p.identifier()
    if p.tok.is_op("."):
        raise p.error("{<EOF>, ';', ')', ',', 'PARTITION', 'TEMPORARY', 'COLUMNS', 'LINES', 'FORMAT', '('}")
    if p.tok.is_kw("TEMPORARY", "PARTITION", "PARTITIONS"):
        d.temporary_partition, d.partitions = p.partition_spec()
    if p.tok.is_kw("COLUMNS") and p.peek().is_kw("TERMINATED"):
        p.advance()
        p.advance()
        p.expect_kw("BY")
        d.column_separator = p.string()
    if p.accept_kw("LINES"):
        p.expect_kw("TERMINATED")
        p.expect_kw("BY")
        d.line_delimiter = p.string()
    if p.accept_kw("FORMAT"):
        p.expect_kw("AS")
        d.format = p.advance().value if p.tok.kind in (STRING, IDENT) else p.string()
    if p.accept_kw("COMPRESS_TYPE"):
        p.expect_kw("AS")
        d.compress_type = p.advance().value if p.tok.kind in (STRING, IDENT) else p.string()
    if p.tok.is_op("("):
        d.columns = p.identifier_list()
    if p.tok.is_kw("COLUMNS") and p.peek().is_kw("FROM"):
        p.advance()
        p.advance()
        p.expect_kw("PATH")
        p.expect_kw("AS")
        d.columns_from_path = p.identifier_list()
    if p.accept_kw("SET"):
        p.expect_op("(")
        while True:
            column = p.identifier()
            p.expect_op("=")
            d.set_exprs.append((column, p.expression_text()))
            if p.accept_op(")"):
                break
            if not p.accept_op(","):
                raise p.error("{')', ','}")
    if p.accept_kw("PRECEDING"):
        p.expect_kw("FILTER")
        d.preceding_filter = p.expression_text()
    if p.accept_kw("WHERE"):
        d.where = p.expression_text(boolean=True)
    if p.tok.is_kw("DELETE") and p.peek().is_kw("ON"):
        p.advance()
        p.advance()
        d.delete_on = p.expression_text()
    if p.accept_kw("ORDER"):
        p.expect_kw("BY")
        d.order_by = p.identifier()
    if p.accept_kw("PROPERTIES"):
        d.properties = p.property_list()
    if not (p.tok.is_op(")") or p.tok.is_op(",")):
        raise p.error("{')', ','}")
    return d
