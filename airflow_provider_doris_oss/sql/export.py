"""``EXPORT TABLE ... TO "s3://..." PROPERTIES (...) WITH S3 (...)`` statements."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.labels import validate_label
from airflow_provider_doris_oss.sql.quoting import (
    quote_identifier,
    quote_identifier_list,
    quote_string,
    quote_table,
    render_properties,
)
from airflow_provider_doris_oss.sql.text_checks import check_expression
from airflow_provider_doris_oss.sql.values import (
    as_bool,
    as_int,
    check_storage,
    choose,
    non_empty_str,
    to_s3_uri,
)

EXPORT_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "parquet", "orc")
CSV_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types")
COMPRESS_TYPES = {
    "parquet": ("SNAPPY", "GZIP", "BROTLI", "ZSTD", "LZ4", "PLAIN"),
    "orc": ("ZLIB", "SNAPPY", "ZSTD", "PLAIN"),
}
_SIZE = re.compile(r"(\d+)\s*(B|KB|MB|GB|TB)?", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
MIN_FILE_SIZE = 5 << 20


def file_size_text(value: int | str, *, field: str = "max_file_size") -> str:
    """A file size (bytes, or text such as ``512MB``) of at least 5MB, as Doris reads it."""
    if isinstance(value, bool):
        raise DorisSqlError(f"{field}: {value!r} is not a size; give bytes or text such as '512MB'.")
    text = str(value).strip()
    match = _SIZE.fullmatch(text)
    if not match:
        raise DorisSqlError(f"{field}: {value!r} is not a size; give bytes or text such as '512MB'.")
    size = int(match.group(1)) * _UNITS[(match.group(2) or "B").upper()]
    if size < MIN_FILE_SIZE:
        raise DorisSqlError(f"{field}: {value!r} is below Doris's minimum of 5MB.")
    return f"{match.group(1)}{(match.group(2) or '').upper()}"


def csv_columns_text(columns: Sequence[str], *, field: str = "columns") -> str:
    """Column names joined with commas (Doris splits the property value on ``,``)."""
    if isinstance(columns, str) or not columns:
        raise DorisSqlError(f"{field}: give a non-empty list of column names.")
    for name in columns:
        quote_identifier(name)
        if "," in name:
            raise DorisSqlError(f"{field}: column {name!r} contains ',', which Doris's list cannot carry.")
    return ",".join(columns)


def build_export(
    db_table: str | Sequence[str],
    target_uri: str,
    storage: Mapping[str, str],
    *,
    partitions: Sequence[str] | None = None,
    where: str | None = None,
    columns: Sequence[str] | None = None,
    label: str | None = None,
    format: str | None = None,
    column_separator: str | None = None,
    line_delimiter: str | None = None,
    max_file_size: int | str | None = None,
    parallelism: int | None = None,
    delete_existing_files: bool | None = None,
    with_bom: bool | None = None,
    data_consistency: str | None = None,
    timeout: int | None = None,
    compress_type: str | None = None,
) -> str:
    """``EXPORT TABLE t [PARTITION (...)] [WHERE ...] TO "s3://..." [PROPERTIES (...)] WITH S3 (...)``."""
    fmt = choose(format, EXPORT_FORMATS, field="format") if format is not None else None
    is_csv = fmt is None or fmt in CSV_FORMATS
    props: dict[str, str] = {}
    if label is not None:
        props["label"] = validate_label(label)
    if fmt is not None:
        props["format"] = fmt
    if columns is not None:
        props["columns"] = csv_columns_text(columns)
    for name, value in (("column_separator", column_separator), ("line_delimiter", line_delimiter)):
        if value is not None:
            if not is_csv:
                raise DorisSqlError(f"{name}: applies to CSV formats only, not format {fmt!r}; leave it out.")
            props[name] = non_empty_str(value, field=name)
    if max_file_size is not None:
        props["max_file_size"] = file_size_text(max_file_size)
    if parallelism is not None:
        props["parallelism"] = str(as_int(parallelism, field="parallelism", minimum=1))
    if delete_existing_files is not None:
        flag = as_bool(delete_existing_files, field="delete_existing_files")
        props["delete_existing_files"] = "true" if flag else "false"
    if with_bom is not None:
        if not is_csv:
            raise DorisSqlError(f"with_bom: applies to CSV formats only, not format {fmt!r}; leave it out.")
        props["with_bom"] = "true" if as_bool(with_bom, field="with_bom") else "false"
    if data_consistency is not None:
        props["data_consistency"] = choose(data_consistency, ("partition", "none"), field="data_consistency")
    if timeout is not None:
        props["timeout"] = str(as_int(timeout, field="timeout", minimum=1))
    if compress_type is not None:
        allowed = COMPRESS_TYPES.get(fmt or "csv")
        if allowed is None:
            raise DorisSqlError(
                "compress_type: EXPORT compresses Parquet and ORC output only; set format to parquet or orc."
            )
        props["compress_type"] = choose(compress_type, allowed, field="compress_type", upper=True)
    parts = [f"EXPORT TABLE {quote_table(db_table)}"]
    if partitions is not None:
        parts.append(f"PARTITION {quote_identifier_list(partitions, field='partitions')}")
    if where is not None:
        parts.append(f"WHERE {check_expression(where, field='where')}")
    parts.append(f"TO {quote_string(to_s3_uri(target_uri, field='target_uri'))}")
    if props:
        parts.append(f"PROPERTIES (\n{render_properties(props)}\n)")
    parts.append(f"WITH S3 (\n{render_properties(check_storage(storage), field='storage')}\n)")
    return "\n".join(parts)
