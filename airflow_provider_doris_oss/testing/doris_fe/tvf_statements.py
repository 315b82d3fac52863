"""The ``S3()`` table function: SELECT and INSERT ... SELECT from it, and DESC FUNCTION s3(...)."""

from __future__ import annotations

import secrets
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe import fileio, statement_nodes
from airflow_provider_doris_oss.testing.doris_fe.convert import (
    CellError,
    check_filter_ratio,
    convert_cell,
    filter_ratio,
)
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.jobs import error_log_url, record_insert
from airflow_provider_doris_oss.testing.doris_fe.model import OkResult, Result, ResultSet, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.partitions import unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.results import arrow_rows
from airflow_provider_doris_oss.testing.doris_fe.runner import insert_transaction
from airflow_provider_doris_oss.testing.doris_fe.statement_common import database_of
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import TvfQueryStmt
from airflow_provider_doris_oss.testing.doris_fe.tvf import read_tvf


def run_tvf(stmt: TvfQueryStmt, ctx: StatementContext) -> Result:
    fe = ctx.fe
    bindings = {name: read_tvf(params, fe.oss_proxy) for name, params in stmt.tvfs.items()}
    if stmt.insert_table is None:
        table = fe.engine.query_arrow(stmt.query, ctx.database, bindings)
        return ResultSet(list(table.column_names), arrow_rows(table))
    return _insert(stmt, ctx, bindings)


def _insert(stmt: TvfQueryStmt, ctx: StatementContext, bindings: dict[str, Any]) -> OkResult:
    import pyarrow as pa

    fe = ctx.fe
    db = database_of(ctx, stmt.insert_db)
    assert stmt.insert_table is not None
    info = fe.engine.table_info(db, stmt.insert_table)
    by_name = {c.name.lower(): c for c in info.columns}
    if stmt.columns is not None:
        for name in stmt.columns:
            if name.lower() not in by_name:
                raise doris_error(f"Unknown column '{name}' in target table.")
        targets = [by_name[n.lower()] for n in stmt.columns]
    else:
        targets = list(info.columns)
    unknown = unknown_partition(stmt.partitions, info.partitions)
    if unknown is not None:
        raise doris_error(f"Unknown partition '{unknown}' in table '{info.name}'")
    label = stmt.label or f"insert_{secrets.token_hex(8)}_{secrets.token_hex(8)}"
    fe.reserve_label(db, label, "INSERT")
    try:
        with insert_transaction(fe, db, info.name):
            result = fe.engine.query_arrow(stmt.query, ctx.database, bindings)
            if result.num_columns != len(targets):
                raise doris_error("insert into cols should be corresponding to the query output")
            converted: dict[str, list[Any]] = {c.name: [] for c in targets}
            rejected = 0
            strict = ctx.flag("enable_insert_strict", True)
            for record in result.to_pylist():
                values = list(record.values())
                try:
                    cells = [convert_cell(v, c, strict=strict) for v, c in zip(values, targets, strict=True)]
                except CellError:
                    rejected += 1
                    continue
                for column, cell in zip(targets, cells, strict=True):
                    converted[column.name].append(cell)
            if rejected and strict:
                raise doris_error(f"Insert has filtered data in strict mode. url: {error_log_url()}")
            data = pa.table({c.name: pa.array(converted[c.name], type=c.arrow_type) for c in targets})
            check_filter_ratio(strict, rejected, rejected + data.num_rows, filter_ratio(ctx.variables))
            if data.num_rows == 0 and rejected:
                raise doris_error(f"all partitions have no load data. url: {error_log_url()}")
            count = 0
            if data.num_rows or stmt.overwrite:  # an overwrite with no rows still empties its partitions
                count = fe.engine.insert_arrow(
                    db,
                    info.name,
                    data,
                    partitions=stmt.partitions,
                    overwrite=stmt.overwrite,
                    strict=strict,
                    auto_create=ctx.flag("enable_auto_create_when_overwrite", False),
                )
                rejected += data.num_rows - count
    except BaseException:
        fe.release_label(db, label)
        raise
    txn_id = fe.next_id()
    record_insert(fe, db, label, txn_id, count, ctx.user)
    ctx.last_insert = (txn_id, label, db, info.name, "VISIBLE", count, rejected)
    return OkResult(count, f"{{'label':'{label}', 'status':'VISIBLE', 'txnId':'{txn_id}'}}", rejected)


def run_desc_function(stmt: statement_nodes.DescFunctionStmt, ctx: StatementContext) -> ResultSet:
    table = read_tvf(stmt.params, ctx.fe.oss_proxy)
    rows = [(f.name, _tvf_type(f.type), "Yes", "false", None, "NONE") for f in table.schema]
    return ResultSet(["Field", "Type", "Null", "Key", "Default", "Extra"], rows)


def _tvf_type(arrow_type: Any) -> str:
    name = fileio.doris_type_of(arrow_type)
    return "TEXT" if name == "STRING" else name
