"""Broker Load: ``LOAD LABEL ...`` checked as Doris checks it, then started as a background job."""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss.sql.quoting import quote_string
from airflow_provider_doris_oss.testing.doris_fe import fileio, statement_nodes
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.jobs import LoadJob
from airflow_provider_doris_oss.testing.doris_fe.loader import LoadOptions, convert_separator
from airflow_provider_doris_oss.testing.doris_fe.model import (
    Engine,
    OkResult,
    StatementContext,
    TableInfo,
    check_label,
)
from airflow_provider_doris_oss.testing.doris_fe.partitions import unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.runner import start
from airflow_provider_doris_oss.testing.doris_fe.statement_common import bool_property, database_of
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import LoadStmt
from airflow_provider_doris_oss.testing.doris_fe.storage import check_storage, parse_storage, split_uri

LOAD_PROPERTIES = frozenset(
    [
        "timeout",
        "max_filter_ratio",
        "exec_mem_limit",
        "strict_mode",
        "partial_columns",
        "partial_update_new_key_behavior",
        "timezone",
        "load_parallelism",
        "send_batch_parallelism",
        "load_to_single_tablet",
        "skip_lines",
        "trim_double_quotes",
        "priority",
    ]
)
DEFAULT_LOAD_TIMEOUT = 14400


def _load_properties(props: dict[str, str]) -> dict[str, Any]:
    for key in props:
        if key not in LOAD_PROPERTIES:
            raise doris_error(f"{key} is invalid property")
    out: dict[str, Any] = {}
    raw = props.get("timeout")
    try:
        out["timeout"] = int(raw) if raw is not None else DEFAULT_LOAD_TIMEOUT
    except ValueError as exc:
        raise doris_error(f"Timeout is not a number: {raw}") from exc
    if out["timeout"] < 0:
        raise doris_error("Timeout must greater than 0")
    raw = props.get("max_filter_ratio")
    try:
        out["max_filter_ratio"] = float(raw) if raw is not None else 0.0
    except ValueError as exc:
        raise doris_error("max_filter_ratio is not a number.") from exc
    if not 0.0 <= out["max_filter_ratio"] <= 1.0:
        raise doris_error("max_filter_ratio must between 0.0 and 1.0.")
    if "exec_mem_limit" in props and not props["exec_mem_limit"].lstrip("-").isdigit():
        raise doris_error("Execute memory limit is not Long")
    out["strict_mode"] = bool_property(props, "strict_mode")
    bool_property(props, "partial_columns")
    bool_property(props, "load_to_single_tablet")
    out["trim_double_quotes"] = bool_property(props, "trim_double_quotes")
    for key in ("send_batch_parallelism", "load_parallelism"):
        if key in props:
            if not props[key].isdigit():
                raise doris_error(f"{key} is not a number")
            if int(props[key]) < 1:
                raise doris_error(f"{key} must be greater than 0")
    if "skip_lines" in props and not props["skip_lines"].isdigit():
        raise doris_error("skip_lines is not a number")
    out["skip_lines"] = int(props.get("skip_lines", "0"))
    priority = props.get("priority", "NORMAL")
    if priority not in ("LOW", "NORMAL", "HIGH"):
        raise doris_error("priority must be in [LOW/NORMAL/HIGH].")
    out["priority"] = priority
    behavior = props.get("partial_update_new_key_behavior")
    if behavior is not None and behavior.upper() not in ("APPEND", "ERROR"):
        raise doris_error(
            "partial_update_new_key_behavior should be one of {'APPEND', 'ERROR'}, but found " + behavior
        )
    return out


def _check_desc(desc: statement_nodes.DataDesc, info: TableInfo) -> None:
    if desc.format:
        fileio.check_format(desc.format)
    if desc.compress_type:
        fileio.check_compress(desc.compress_type)
    props = {k.lower(): v for k, v in desc.properties.items()}
    for key in ("enclose", "escape"):
        if key in props and len(props[key]) != 1:
            raise doris_error(f"{key} must be single-char")
    for sep_name, sep in (
        ("column separator", desc.column_separator),
        ("line delimiter", desc.line_delimiter),
    ):
        if sep is not None and not convert_separator(sep):
            raise doris_error(f"{sep_name} is empty")
    if desc.merge_type in ("MERGE", "DELETE") and info.keys_type != "UNIQUE_KEYS":
        raise doris_error("load by MERGE or DELETE is only supported in unique tables.")
    if desc.merge_type == "MERGE" and not desc.delete_on:
        raise doris_error("Excepted DELETE ON clause when merge type is MERGE.")
    if desc.delete_on and desc.merge_type != "MERGE":
        raise doris_error("not support DELETE ON clause when merge type is not MERGE.")
    names = {c.name.lower() for c in info.columns}
    if desc.order_by is not None:
        seq = {k.lower(): v for k, v in info.properties.items()}
        has_sequence = "function_column.sequence_col" in seq or "function_column.sequence_type" in seq
        if info.keys_type != "UNIQUE_KEYS" or not has_sequence:
            raise doris_error(f"There is no sequence column in the table {info.name}.")
        if desc.order_by.lower() not in names and desc.order_by.lower() not in {
            c.lower() for c in desc.columns or []
        }:
            raise doris_error(f"Unknown column '{desc.order_by}' in table '{info.name}'")
    for column, _ in desc.set_exprs:
        if column.lower() not in names:
            raise doris_error(f"Unknown column '{column}' in table '{info.name}'")
    unknown = unknown_partition(desc.partitions, info.partitions)
    if unknown is not None:
        raise doris_error(f"Unknown partition '{unknown}' in table '{info.name}'")


def _check_negative(engine: Engine, db: str, info: TableInfo) -> None:
    """NEGATIVE (2.1's legacy grammar) loads into an aggregate table whose value columns are all SUM."""
    if info.keys_type != "AGG_KEYS":  # Doris's words: the check is that the table IS aggregate
        raise doris_error("Load for AGG_KEYS table should not specify NEGATIVE")
    found = engine.query_arrow(
        "SELECT COLUMN_NAME, EXTRA FROM information_schema.columns WHERE TABLE_SCHEMA = "
        f"{quote_string(db)} AND TABLE_NAME = {quote_string(info.name)} ORDER BY ORDINAL_POSITION",
        db,
    )
    keys = {k.lower() for k in info.key_columns}
    for name, aggregation in zip(found.column(0).to_pylist(), found.column(1).to_pylist(), strict=True):
        if name.lower() not in keys and aggregation != "SUM":
            raise doris_error(f"Column is not SUM AggregateType. column:{name}")


def run_load(stmt: LoadStmt, ctx: StatementContext) -> OkResult:
    fe = ctx.fe
    db = database_of(ctx, stmt.db)
    check_label(stmt.label)
    if stmt.storage_kind != "S3":
        given = "A LOAD without WITH" if stmt.storage_kind == "NONE" else f"WITH {stmt.storage_kind}"
        raise doris_error(
            f"{given} is not emulated by the local Doris FE: use WITH S3 with the storage "
            "properties (s3.endpoint, s3.access_key, s3.secret_key, ...)."
        )
    options = _load_properties(stmt.properties)
    for desc in stmt.descs:
        _check_desc(desc, fe.engine.table_info(db, desc.table))
        if desc.negative:
            _check_negative(fe.engine, db, fe.engine.table_info(db, desc.table))
    storage = parse_storage(stmt.storage_props)
    buckets = [split_uri(uri)[0] for desc in stmt.descs for uri in desc.uris]
    check_storage(storage, fe.oss_proxy, buckets)
    fe.reserve_label(db, stmt.label, "LOAD")
    job = LoadJob(
        job_id=fe.next_id(),
        label=stmt.label,
        db=db,
        user=ctx.user,
        timeout=options["timeout"],
        descs=stmt.descs,
        storage=storage,
        max_filter_ratio=options["max_filter_ratio"],
        strict_mode=options["strict_mode"],
        priority=options["priority"],
        options=LoadOptions(options["strict_mode"], options["trim_double_quotes"], options["skip_lines"]),
        comment=stmt.comment or "",
        txn_id=fe.next_id(),
    )
    start(fe, job)
    return OkResult()
