"""EXPORT TABLE (a background job) and SELECT ... INTO OUTFILE (written at once)."""

from __future__ import annotations

import secrets

from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.jobs import ExportJob
from airflow_provider_doris_oss.testing.doris_fe.loader import convert_separator
from airflow_provider_doris_oss.testing.doris_fe.model import (
    FEState,
    OkResult,
    ResultSet,
    StatementContext,
    check_label,
)
from airflow_provider_doris_oss.testing.doris_fe.partitions import unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.runner import start
from airflow_provider_doris_oss.testing.doris_fe.statement_common import database_of
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import ExportStmt, OutfileStmt
from airflow_provider_doris_oss.testing.doris_fe.storage import parse_storage, split_uri
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
DEFAULT_EXPORT_TIMEOUT = 7200


def _check_path(path: str) -> None:
    scheme = path.split("://", 1)[0].lower() if "://" in path else ""
    if scheme == "file":
        raise doris_error(
            "Exporting results to local disk is not allowed. To enable this feature, you need to add "
            "`enable_outfile_to_local=true` in fe.conf and restart FE"
        )
    if scheme not in ("s3", "oss"):
        raise doris_error(
            f"Invalid export path: {path}. The local Doris FE writes only to s3:// (or oss://) paths."
        )
    split_uri(path)


def _write_options(fmt: str, props: dict[str, str], fe: FEState) -> tuple[WriteOptions, bool]:
    fmt = fmt.lower()
    if fmt not in OUTFILE_FORMATS:
        raise doris_error(f"format:{fmt} is not supported.")
    size = parse_file_size(props["max_file_size"]) if props.get("max_file_size") else DEFAULT_FILE_SIZE
    delete = props.get("delete_existing_files", "false").lower() == "true" and fe.enable_delete_existing_files
    success = props.get("success_file_name")
    if success is not None and (not success or "/" in success or success in (".", "..")):
        raise doris_error(f"Invalid file name format: {success}")
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


def run_export(stmt: ExportStmt, ctx: StatementContext) -> OkResult:
    fe = ctx.fe
    db = database_of(ctx, stmt.db)
    for key in stmt.properties:
        if key.lower() not in EXPORT_PROPERTIES:
            raise doris_error(f"Invalid property key: [{key}]")
    props = {k.lower(): v for k, v in stmt.properties.items()}
    info = fe.engine.table_info(db, stmt.table)
    if stmt.partitions:
        if not info.partitions:
            raise doris_error(f"Table[{stmt.table}] is not partitioned.")
        unknown = unknown_partition(stmt.partitions, info.partitions)
        if unknown is not None:
            raise doris_error(f"Partition [{unknown}] does not exist in Table[{stmt.table}]")
    columns = None
    if "columns" in props:
        if not props["columns"].strip():
            raise doris_error("columns can not be empty")
        columns = [c.strip().lower() for c in props["columns"].split(",") if c.strip()]
        names = {c.name.lower(): c.name for c in info.columns}
        for column in columns:
            if column not in names:
                raise doris_error(f"unknown column [{column}] in table [{stmt.table}]")
        columns = [names[c] for c in columns]
    try:
        parallelism = int(props.get("parallelism", "1"))
    except ValueError as exc:
        raise doris_error("The value of parallelism is invalid!") from exc
    try:
        timeout = int(props.get("timeout", str(DEFAULT_EXPORT_TIMEOUT)))
    except ValueError as exc:
        raise doris_error(f"Invalid timeout value: {props['timeout']}") from exc
    if props.get("data_consistency", "partition").lower() not in ("partition", "none"):
        raise doris_error("The value of data_consistency is invalid, only `partition` and `none` is allowed")
    options, delete = _write_options(props.get("format", "csv"), props, fe)
    if stmt.storage_kind != "S3":
        given = "An EXPORT without WITH" if stmt.storage_kind == "NONE" else f"WITH {stmt.storage_kind}"
        raise doris_error(
            f"{given} is not emulated by the local Doris FE: export WITH S3 (...) to an s3:// path."
        )
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
            raise doris_error(f"Label [{label}] has already been used.")
        start(fe, job)
    return OkResult()


def _uuid() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


# ---------------------------------------------------------------------------------------------
# OUTFILE
# ---------------------------------------------------------------------------------------------


def run_outfile(stmt: OutfileStmt, ctx: StatementContext) -> ResultSet:
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
