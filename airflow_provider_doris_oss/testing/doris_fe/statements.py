"""The Doris-specific statements of the local FE: Broker Load, EXPORT, OUTFILE, S3(), catalogs.

``handle`` parses a statement with the emulator's own grammar; it returns None for statements
that are not one of these, which the dispatcher hands to the table engine.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe import catalogs, fileio, parser, statement_nodes
from airflow_provider_doris_oss.testing.doris_fe.convert import (
    CellError,
    check_filter_ratio,
    convert_cell,
    filter_ratio,
)
from airflow_provider_doris_oss.testing.doris_fe.jobs import (
    EXPORT_COLUMNS,
    LOAD_COLUMNS,
    ExportJob,
    Job,
    LoadJob,
    error_log_url,
    record_insert,
)
from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, OP, QIDENT, tokenize
from airflow_provider_doris_oss.testing.doris_fe.loader import LoadOptions, convert_separator
from airflow_provider_doris_oss.testing.doris_fe.model import (
    DorisError,
    FEState,
    OkResult,
    Result,
    ResultSet,
    StatementContext,
    TableInfo,
    check_label,
)
from airflow_provider_doris_oss.testing.doris_fe.parse_jobs import where_error
from airflow_provider_doris_oss.testing.doris_fe.partitions import unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.results import arrow_rows
from airflow_provider_doris_oss.testing.doris_fe.runner import finish_cancelled, insert_transaction, start
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CancelStmt,
    Condition,
    ExportStmt,
    LoadStmt,
    OutfileStmt,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
    TvfQueryStmt,
)
from airflow_provider_doris_oss.testing.doris_fe.storage import check_storage, parse_storage, split_uri
from airflow_provider_doris_oss.testing.doris_fe.tvf import read_tvf
from airflow_provider_doris_oss.testing.doris_fe.writer import (
    DEFAULT_FILE_SIZE,
    OUTFILE_COLUMNS,
    OUTFILE_FORMATS,
    WriteOptions,
    delete_existing,
    parse_file_size,
    write_files,
)

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
EXPORT_PROPERTIES = frozenset(
    [
        "label",
        "column_separator",
        "line_delimiter",
        "columns",
        "format",
        "max_file_size",
        "parallelism",
        "delete_existing_files",
        "with_bom",
        "timeout",
        "data_consistency",
        "compress_type",
        "exec_mem_limit",
    ]
)
LOAD_STATES = ("PENDING", "ETL", "LOADING", "COMMITTED", "FINISHED", "CANCELLED", "RETRY", "UNKNOWN")
EXPORT_STATES = ("PENDING", "IN_QUEUE", "EXPORTING", "FINISHED", "CANCELLED")
DEFAULT_LOAD_TIMEOUT = 14400
DEFAULT_EXPORT_TIMEOUT = 7200
_MINE = re.compile(
    r"^\s*(LOAD\s+LABEL|SHOW\s+(LOAD|EXPORT|CATALOGS)|CANCEL\s+(LOAD|EXPORT)|EXPORT\b|"
    r"(CREATE|DROP|REFRESH)\s+CATALOG)|INTO\s+OUTFILE|\bS3\s*\(",
    re.IGNORECASE,
)


def _err(text: str, code: int = 1105, sqlstate: str = "HY000") -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}", code, sqlstate)


def handle(sql: str, ctx: StatementContext) -> Result | None:
    """Run ``sql`` if it is one of the Doris-specific statements; None if it is not."""
    try:
        stmt = parser.parse(sql)
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
# Helpers
# ---------------------------------------------------------------------------------------------


def _database(ctx: StatementContext, explicit: str | None) -> str:
    db = explicit or ctx.database
    if not db:
        raise _err("No database selected", 1046, "3D000")
    if not ctx.fe.engine.database_exists(db):
        raise _err(f"Unknown database '{db}'", 1049, "42000")
    return db


def _like(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _matches(job: Job, conditions: Sequence[Condition], connector: str = "AND") -> bool:
    results = []
    for cond in conditions:
        if cond.key == "LABEL":
            hit = (
                _like(cond.value).match(job.label) is not None
                if cond.op == "LIKE"
                else job.label == cond.value
            )
        elif cond.key == "STATE":
            hit = job.state == cond.value.upper()
        else:
            hit = str(job.job_id) == cond.value
        results.append(hit)
    if not results:
        return True
    return any(results) if connector == "OR" else all(results)


def _check_conditions(conditions: Sequence[Condition], kind: str) -> None:
    keys = ("LABEL", "STATE", "ID") if kind == "EXPORT" else ("LABEL", "STATE")
    states = EXPORT_STATES if kind == "EXPORT" else LOAD_STATES
    seen: set[str] = set()
    for cond in conditions:
        if cond.key not in keys or cond.key in seen or (cond.key != "LABEL" and cond.op == "LIKE"):
            raise where_error(kind)
        if cond.key == "STATE" and cond.value.upper() not in states:
            raise where_error(kind)
        if cond.key == "ID" and not cond.value.isdigit():
            raise where_error(kind)
        seen.add(cond.key)
    if kind == "EXPORT" and len(conditions) > 1:
        raise where_error(kind)


def _jobs(fe: FEState, kind: str, db: str) -> list[Any]:
    with fe.lock:
        return [j for j in fe.jobs if j.kind == kind and j.db == db]


def _bool(props: dict[str, str], key: str, default: bool = False) -> bool:
    value = props.get(key)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise _err(f"{key} is not a boolean")
    return value.lower() == "true"


# ---------------------------------------------------------------------------------------------
# LOAD
# ---------------------------------------------------------------------------------------------


def _load_properties(props: dict[str, str]) -> dict[str, Any]:
    for key in props:
        if key not in LOAD_PROPERTIES:
            raise _err(f"{key} is invalid property")
    out: dict[str, Any] = {}
    raw = props.get("timeout")
    try:
        out["timeout"] = int(raw) if raw is not None else DEFAULT_LOAD_TIMEOUT
    except ValueError as exc:
        raise _err(f"Timeout is not a number: {raw}") from exc
    if out["timeout"] < 0:
        raise _err("Timeout must greater than 0")
    raw = props.get("max_filter_ratio")
    try:
        out["max_filter_ratio"] = float(raw) if raw is not None else 0.0
    except ValueError as exc:
        raise _err("max_filter_ratio is not a number.") from exc
    if not 0.0 <= out["max_filter_ratio"] <= 1.0:
        raise _err("max_filter_ratio must between 0.0 and 1.0.")
    if "exec_mem_limit" in props and not props["exec_mem_limit"].lstrip("-").isdigit():
        raise _err("Execute memory limit is not Long")
    out["strict_mode"] = _bool(props, "strict_mode")
    _bool(props, "partial_columns")
    _bool(props, "load_to_single_tablet")
    out["trim_double_quotes"] = _bool(props, "trim_double_quotes")
    for key in ("send_batch_parallelism", "load_parallelism"):
        if key in props:
            if not props[key].isdigit():
                raise _err(f"{key} is not a number")
            if int(props[key]) < 1:
                raise _err(f"{key} must be greater than 0")
    if "skip_lines" in props and not props["skip_lines"].isdigit():
        raise _err("skip_lines is not a number")
    out["skip_lines"] = int(props.get("skip_lines", "0"))
    priority = props.get("priority", "NORMAL")
    if priority not in ("LOW", "NORMAL", "HIGH"):
        raise _err("priority must be in [LOW/NORMAL/HIGH].")
    out["priority"] = priority
    behavior = props.get("partial_update_new_key_behavior")
    if behavior is not None and behavior.upper() not in ("APPEND", "ERROR"):
        raise _err(
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
            raise _err(f"{key} must be single-char")
    for sep_name, sep in (
        ("column separator", desc.column_separator),
        ("line delimiter", desc.line_delimiter),
    ):
        if sep is not None and not convert_separator(sep):
            raise _err(f"{sep_name} is empty")
    if desc.merge_type in ("MERGE", "DELETE") and info.keys_type != "UNIQUE_KEYS":
        raise _err("load by MERGE or DELETE is only supported in unique tables.")
    if desc.merge_type == "MERGE" and not desc.delete_on:
        raise _err("Excepted DELETE ON clause when merge type is MERGE.")
    if desc.delete_on and desc.merge_type != "MERGE":
        raise _err("not support DELETE ON clause when merge type is not MERGE.")
    names = {c.name.lower() for c in info.columns}
    if desc.order_by is not None:
        seq = {k.lower(): v for k, v in info.properties.items()}
        has_sequence = "function_column.sequence_col" in seq or "function_column.sequence_type" in seq
        if info.keys_type != "UNIQUE_KEYS" or not has_sequence:
            raise _err(f"There is no sequence column in the table {info.name}.")
        if desc.order_by.lower() not in names and desc.order_by.lower() not in {
            c.lower() for c in desc.columns or []
        }:
            raise _err(f"Unknown column '{desc.order_by}' in table '{info.name}'")
    for column, _ in desc.set_exprs:
        if column.lower() not in names:
            raise _err(f"Unknown column '{column}' in table '{info.name}'")
    unknown = unknown_partition(desc.partitions, info.partitions)
    if unknown is not None:
        raise _err(f"Unknown partition '{unknown}' in table '{info.name}'")


def _load(stmt: LoadStmt, ctx: StatementContext) -> OkResult:
    fe = ctx.fe
    db = _database(ctx, stmt.db)
    check_label(stmt.label)
    if stmt.storage_kind != "S3":
        given = "A LOAD without WITH" if stmt.storage_kind == "NONE" else f"WITH {stmt.storage_kind}"
        raise _err(
            f"{given} is not emulated by the local Doris FE: use WITH S3 with the storage "
            "properties (s3.endpoint, s3.access_key, s3.secret_key, ...)."
        )
    options = _load_properties(stmt.properties)
    for desc in stmt.descs:
        _check_desc(desc, fe.engine.table_info(db, desc.table))
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


# ---------------------------------------------------------------------------------------------
# SHOW / CANCEL
# ---------------------------------------------------------------------------------------------


def _show_jobs(stmt: ShowJobsStmt, ctx: StatementContext) -> ResultSet:
    db = _database(ctx, stmt.db)
    _check_conditions(stmt.conditions, stmt.kind)
    release = ctx.fe.release
    columns = release.load_columns(LOAD_COLUMNS) if stmt.kind == "LOAD" else EXPORT_COLUMNS
    jobs = [j for j in _jobs(ctx.fe, stmt.kind, db) if _matches(j, stmt.conditions)]
    rows = [j.show_row(release) for j in sorted(jobs, key=lambda j: j.job_id)]
    lookup = {c.lower(): i for i, c in enumerate(columns)}
    for name, desc in reversed(stmt.order_by):
        index = lookup.get(name.lower())
        if index is None:
            raise _err(f"Title name[{name}] does not exist")
        rows.sort(key=lambda r, i=index: (r[i] is not None, r[i]), reverse=desc)  # type: ignore[misc]
    rows = rows[stmt.offset :]
    if stmt.limit is not None:
        rows = rows[: stmt.limit]
    return ResultSet(list(columns), rows)


def _show_load_warnings(stmt: ShowLoadWarningsStmt, ctx: StatementContext) -> Result:
    from airflow_provider_doris_oss.testing.doris_fe.load_admin import show_load_warnings

    return show_load_warnings(stmt, ctx)


def _cancel(stmt: CancelStmt, ctx: StatementContext) -> OkResult:
    db = _database(ctx, stmt.db)
    keys = {c.key for c in stmt.conditions}
    if not keys or not keys <= {"LABEL", "STATE"} or len(keys) != len(stmt.conditions):
        raise where_error(stmt.kind)
    matched = [j for j in _jobs(ctx.fe, stmt.kind, db) if _matches(j, stmt.conditions, stmt.connector)]
    if stmt.kind == "LOAD":
        matched = [j for j in matched if getattr(j, "load_type", "BROKER") == "BROKER"]
    if not matched:
        raise _err("Load job does not exist" if stmt.kind == "LOAD" else "Export job(s) do not exist")
    pending = [j for j in matched if not j.final]
    if not pending:
        raise _err(
            "There is no uncompleted job"
            if stmt.kind == "LOAD"
            else "All export job(s) are at final state (CANCELLED/FINISHED)"
        )
    for job in pending:
        finish_cancelled(ctx.fe, job, "USER_CANCEL", "user cancel")
    return OkResult()


# ---------------------------------------------------------------------------------------------
# EXPORT
# ---------------------------------------------------------------------------------------------


def _check_path(path: str) -> None:
    scheme = path.split("://", 1)[0].lower() if "://" in path else ""
    if scheme == "file":
        raise _err(
            "Exporting results to local disk is not allowed. To enable this feature, you need to add "
            "`enable_outfile_to_local=true` in fe.conf and restart FE"
        )
    if scheme not in ("s3", "oss"):
        raise _err(f"Invalid export path: {path}. The local Doris FE writes only to s3:// (or oss://) paths.")
    split_uri(path)


def _write_options(fmt: str, props: dict[str, str], fe: FEState) -> tuple[WriteOptions, bool]:
    fmt = fmt.lower()
    if fmt not in OUTFILE_FORMATS:
        raise _err(f"format:{fmt} is not supported.")
    size = parse_file_size(props["max_file_size"]) if props.get("max_file_size") else DEFAULT_FILE_SIZE
    delete = props.get("delete_existing_files", "false").lower() == "true" and fe.enable_delete_existing_files
    success = props.get("success_file_name")
    if success is not None and (not success or "/" in success or success in (".", "..")):
        raise _err(f"Invalid file name format: {success}")
    options = WriteOptions(
        format=fmt,
        column_separator=convert_separator(props.get("column_separator", "\t")),
        line_delimiter=convert_separator(props.get("line_delimiter", "\n")),
        max_file_size=size,
        with_bom=props.get("with_bom", "false").lower() == "true",
        compress_type=props.get("compress_type"),
        file_suffix=props.get("file_suffix"),
        success_file_name=success,
    )
    return options, delete


def _export(stmt: ExportStmt, ctx: StatementContext) -> OkResult:
    fe = ctx.fe
    db = _database(ctx, stmt.db)
    for key in stmt.properties:
        if key.lower() not in EXPORT_PROPERTIES:
            raise _err(f"Invalid property key: [{key}]")
    props = {k.lower(): v for k, v in stmt.properties.items()}
    info = fe.engine.table_info(db, stmt.table)
    if stmt.partitions:
        if not info.partitions:
            raise _err(f"Table[{stmt.table}] is not partitioned.")
        unknown = unknown_partition(stmt.partitions, info.partitions)
        if unknown is not None:
            raise _err(f"Partition [{unknown}] does not exist in Table[{stmt.table}]")
    columns = None
    if "columns" in props:
        if not props["columns"].strip():
            raise _err("columns can not be empty")
        columns = [c.strip().lower() for c in props["columns"].split(",") if c.strip()]
        names = {c.name.lower(): c.name for c in info.columns}
        for column in columns:
            if column not in names:
                raise _err(f"unknown column [{column}] in table [{stmt.table}]")
        columns = [names[c] for c in columns]
    try:
        parallelism = int(props.get("parallelism", "1"))
    except ValueError as exc:
        raise _err("The value of parallelism is invalid!") from exc
    try:
        timeout = int(props.get("timeout", str(DEFAULT_EXPORT_TIMEOUT)))
    except ValueError as exc:
        raise _err(f"Invalid timeout value: {props['timeout']}") from exc
    if props.get("data_consistency", "partition").lower() not in ("partition", "none"):
        raise _err("The value of data_consistency is invalid, only `partition` and `none` is allowed")
    options, delete = _write_options(props.get("format", "csv"), props, fe)
    if stmt.storage_kind != "S3":
        given = "An EXPORT without WITH" if stmt.storage_kind == "NONE" else f"WITH {stmt.storage_kind}"
        raise _err(f"{given} is not emulated by the local Doris FE: export WITH S3 (...) to an s3:// path.")
    _check_path(stmt.path)
    storage = parse_storage(stmt.storage_props)
    label = props.get("label") or f"export_{_uuid()}"
    check_label(label)
    types = {c.name: c.doris_type for c in info.columns}
    job = ExportJob(
        job_id=fe.next_id(),
        label=label,
        db=db,
        user=ctx.user,
        timeout=timeout,
        table=info.name,
        partitions=list(stmt.partitions),
        where=stmt.where,
        path=stmt.path,
        columns=columns,
        columns_text=props.get("columns", ""),
        write=WriteOptions(**{**options.__dict__, "column_types": types}),
        parallelism=max(1, parallelism),
        delete_existing_files=delete,
        max_file_size_text=props.get("max_file_size", ""),
        storage=storage,
    )
    with fe.lock:
        # Export labels are ExportMgr's own namespace in Doris, apart from load and insert labels.
        if any(isinstance(j, ExportJob) and j.db == db and j.label == label and j.state != "CANCELLED"
               for j in fe.jobs):  # fmt: skip
            raise _err(f"Label [{label}] has already been used.")
        start(fe, job)
    return OkResult()


def _uuid() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


# ---------------------------------------------------------------------------------------------
# OUTFILE
# ---------------------------------------------------------------------------------------------


def _outfile(stmt: OutfileStmt, ctx: StatementContext) -> ResultSet:
    fe = ctx.fe
    props = {k.lower(): v for k, v in stmt.properties.items()}
    options, delete = _write_options(stmt.format, props, fe)
    _check_path(stmt.path)
    storage = parse_storage(props)
    bindings = {name: read_tvf(params, fe.oss_proxy) for name, params in stmt.tvfs.items()}
    table = fe.engine.query_arrow(stmt.query, ctx.database, bindings)
    if delete:
        delete_existing(storage, fe.oss_proxy, stmt.path)
    result = write_files(table, stmt.path, options, storage, fe.oss_proxy)
    return ResultSet(list(OUTFILE_COLUMNS), [result.row()])


# ---------------------------------------------------------------------------------------------
# S3() table function
# ---------------------------------------------------------------------------------------------


def _tvf(stmt: TvfQueryStmt, ctx: StatementContext) -> Result:
    fe = ctx.fe
    bindings = {name: read_tvf(params, fe.oss_proxy) for name, params in stmt.tvfs.items()}
    if stmt.insert_table is None:
        table = fe.engine.query_arrow(stmt.query, ctx.database, bindings)
        return ResultSet(list(table.column_names), arrow_rows(table))
    return _insert(stmt, ctx, bindings)


def _insert(stmt: TvfQueryStmt, ctx: StatementContext, bindings: dict[str, Any]) -> OkResult:
    import pyarrow as pa

    fe = ctx.fe
    db = _database(ctx, stmt.insert_db)
    assert stmt.insert_table is not None
    info = fe.engine.table_info(db, stmt.insert_table)
    by_name = {c.name.lower(): c for c in info.columns}
    if stmt.columns is not None:
        for name in stmt.columns:
            if name.lower() not in by_name:
                raise _err(f"Unknown column '{name}' in target table.")
        targets = [by_name[n.lower()] for n in stmt.columns]
    else:
        targets = list(info.columns)
    unknown = unknown_partition(stmt.partitions, info.partitions)
    if unknown is not None:
        raise _err(f"Unknown partition '{unknown}' in table '{info.name}'")
    label = stmt.label or f"insert_{secrets.token_hex(8)}_{secrets.token_hex(8)}"
    fe.reserve_label(db, label, "INSERT")
    try:
        with insert_transaction(fe, db, info.name):
            result = fe.engine.query_arrow(stmt.query, ctx.database, bindings)
            if result.num_columns != len(targets):
                raise _err("insert into cols should be corresponding to the query output")
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
                raise _err(f"Insert has filtered data in strict mode. url: {error_log_url()}")
            data = pa.table({c.name: pa.array(converted[c.name], type=c.arrow_type) for c in targets})
            check_filter_ratio(strict, rejected, rejected + data.num_rows, filter_ratio(ctx.variables))
            if data.num_rows == 0 and rejected:
                raise _err(f"all partitions have no load data. url: {error_log_url()}")
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


def _desc_function(stmt: statement_nodes.DescFunctionStmt, ctx: StatementContext) -> ResultSet:
    table = read_tvf(stmt.params, ctx.fe.oss_proxy)
    rows = [(f.name, _tvf_type(f.type), "Yes", "false", None, "NONE") for f in table.schema]
    return ResultSet(["Field", "Type", "Null", "Key", "Default", "Extra"], rows)


def _tvf_type(arrow_type: Any) -> str:
    name = fileio.doris_type_of(arrow_type)
    return "TEXT" if name == "STRING" else name


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
    LoadStmt: _load,
    ShowJobsStmt: _show_jobs,
    ShowLoadWarningsStmt: _show_load_warnings,
    CancelStmt: _cancel,
    ExportStmt: _export,
    OutfileStmt: _outfile,
    TvfQueryStmt: _tvf,
    statement_nodes.DescFunctionStmt: _desc_function,
    statement_nodes.CreateCatalogStmt: lambda s, c: catalogs.create(c.fe, s),
    statement_nodes.DropCatalogStmt: lambda s, c: catalogs.drop(c.fe, s),
    statement_nodes.ShowCatalogsStmt: lambda s, c: catalogs.show(c.fe, s),
    statement_nodes.RefreshCatalogStmt: lambda s, c: catalogs.refresh(c.fe, s),
}
