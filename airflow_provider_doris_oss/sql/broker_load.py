"""``LOAD LABEL ... WITH S3`` (Broker Load) statements from typed data descriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.labels import validate_label
from airflow_provider_doris_oss.sql.quoting import (
    quote_identifier,
    quote_identifier_list,
    quote_string,
    quote_table,
    render_properties,
    split_table_name,
)
from airflow_provider_doris_oss.sql.text_checks import check_expression
from airflow_provider_doris_oss.sql.values import (
    as_bool,
    as_float,
    as_int,
    check_storage,
    choose,
    non_empty_str,
    to_s3_uri,
)

LOAD_FORMATS = (
    "csv",
    "csv_with_names",
    "csv_with_names_and_types",
    "hive_text",
    "json",
    "parquet",
    "orc",
    "arrow",
)
CSV_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "hive_text")
COMPRESS_TYPES = ("GZ", "BZ2", "LZ4FRAME", "LZ4BLOCK", "LZOP", "LZO", "DEFLATE", "SNAPPYBLOCK", "PLAIN")
MERGE_TYPES = ("APPEND", "MERGE", "DELETE")
PRIORITIES = ("LOW", "NORMAL", "HIGH")


def _one_char(value: object, *, field: str) -> str:
    text = non_empty_str(value, field=field)
    if len(text.encode()) != 1 or text == "\0":
        raise DorisSqlError(f"{field}: {value!r} must be exactly one single-byte character (not NUL).")
    return text


def _bool_text(value: object, *, field: str) -> str:
    return "true" if as_bool(value, field=field) else "false"


def _int_text(minimum: int, maximum: int | None = None) -> Any:
    return lambda v, *, field: str(as_int(v, field=field, minimum=minimum, maximum=maximum))


def _str_text(value: object, *, field: str) -> str:
    return non_empty_str(value, field=field)


# data_desc PROPERTIES Doris reads; Doris silently ignores any other key, so others are refused.
FORMAT_PROPERTIES: dict[str, Any] = {
    "jsonpaths": _str_text,
    "json_root": _str_text,
    "strip_outer_array": _bool_text,
    "num_as_string": _bool_text,
    "fuzzy_parse": _bool_text,
    "enclose": _one_char,
    "escape": _one_char,
    "trim_double_quotes": _bool_text,
    "skip_lines": _int_text(0),
    "line_delimiter": _str_text,
}


def _ratio(value: object, *, field: str) -> str:
    return repr(as_float(value, field=field, minimum=0.0, maximum=1.0))


def _priority(value: object, *, field: str) -> str:
    return choose(str(value), PRIORITIES, field=field, upper=True)


def _new_key_behavior(value: object, *, field: str) -> str:
    return choose(str(value), ("APPEND", "ERROR"), field=field, upper=True)


# Job PROPERTIES (Doris's LoadCommand whitelist) with their domains.
JOB_PROPERTIES: dict[str, Any] = {
    "timeout": _int_text(1, 259200),
    "max_filter_ratio": _ratio,
    "exec_mem_limit": _int_text(1),
    "strict_mode": _bool_text,
    "partial_columns": _bool_text,
    "partial_update_new_key_behavior": _new_key_behavior,
    "timezone": _str_text,
    "load_parallelism": _int_text(1),
    "send_batch_parallelism": _int_text(1),
    "load_to_single_tablet": _bool_text,
    "skip_lines": _int_text(0),
    "trim_double_quotes": _bool_text,
    "priority": _priority,
}


def check_properties(
    given: Mapping[str, object] | None, allowed: Mapping[str, Any], *, field: str, hint: str = ""
) -> dict[str, str]:
    """Validate ``given`` against a whitelist of key -> value checker; keys are matched lower-cased."""
    checked: dict[str, str] = {}
    for key, value in (given or {}).items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name not in allowed:
            raise DorisSqlError(
                f"{field}: {key!r} is not a property Doris reads here{hint}. "
                f"Valid keys: {', '.join(sorted(allowed))}."
            )
        if name in checked:
            raise DorisSqlError(f"{field}: {key!r} is given twice (names are case-insensitive).")
        checked[name] = allowed[name](value, field=f"{field}[{name!r}]")
    return checked


def _names(value: Sequence[str] | None, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise DorisSqlError(f"{field}: give a list of names, not the single string {value!r}.")
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise DorisSqlError(f"{field}[{i}]: give a non-empty name string, not {name!r}.")
    return tuple(value)


@dataclass(frozen=True)
class DataDescription:
    """One Broker Load ``data_desc``: which files go into which table, and how to read them."""

    source_uris: str | Sequence[str]
    table: str
    format: str | None = None
    compress_type: str | None = None
    column_separator: str | None = None
    line_delimiter: str | None = None
    columns: Sequence[str] | None = None
    columns_from_path: Sequence[str] | None = None
    set: Mapping[str, str] | None = None
    preceding_filter: str | None = None
    where: str | None = None
    partitions: Sequence[str] | None = None
    temporary_partitions: Sequence[str] | None = None
    merge_type: str | None = None
    delete_on: str | None = None
    order_by: str | None = None
    properties: Mapping[str, object] | None = field(default=None)

    def __post_init__(self) -> None:
        uris = (self.source_uris,) if isinstance(self.source_uris, str) else tuple(self.source_uris)
        if not uris:
            raise DorisSqlError("source_uris: give at least one oss:// or s3:// URI.")
        object.__setattr__(self, "source_uris", uris)
        db, _ = split_table_name(self.table, field="table") if isinstance(self.table, str) else (None, "")
        if not isinstance(self.table, str) or db is not None:
            raise DorisSqlError(
                f"table: {self.table!r} must be a bare table name; Broker Load takes the database from the "
                "label (LOAD LABEL db.label), so write 'table', not 'db.table' (a dot inside a name "
                "is written in backticks: `t.x`)."
            )
        for name in ("columns", "columns_from_path", "partitions", "temporary_partitions"):
            object.__setattr__(self, name, _names(getattr(self, name), name))
        if self.partitions and self.temporary_partitions:
            raise DorisSqlError("partitions and temporary_partitions: give one of them, not both.")
        self.render()  # validates every remaining option now, not at submit time

    def render(self) -> str:
        """The ``data_desc`` text, clauses in Doris's grammar order."""
        lines: list[str] = []
        merge = None
        if self.merge_type:
            merge = choose(self.merge_type, MERGE_TYPES, field="merge_type", upper=True)
        if merge == "MERGE" and not self.delete_on:
            raise DorisSqlError("delete_on: merge_type MERGE needs a delete_on expression (DELETE ON ...).")
        if self.delete_on and merge != "MERGE":
            raise DorisSqlError("delete_on: only valid with merge_type='MERGE'; set it or drop delete_on.")
        if merge:
            lines.append(merge)
        uris = ", ".join(
            quote_string(to_s3_uri(u, field=f"source_uris[{i}]")) for i, u in enumerate(self.source_uris)
        )
        lines.append(f"DATA INFILE ({uris})")
        lines.append(f"INTO TABLE {quote_table(self.table, field='table')}")
        if self.partitions:
            lines.append(f"PARTITION {quote_identifier_list(self.partitions, field='partitions')}")
        if self.temporary_partitions:
            parts = quote_identifier_list(self.temporary_partitions, field="temporary_partitions")
            lines.append(f"TEMPORARY PARTITION {parts}")
        fmt = choose(self.format, LOAD_FORMATS, field="format") if self.format else None
        for name, clause in (("column_separator", "COLUMNS"), ("line_delimiter", "LINES")):
            value = getattr(self, name)
            if value is None:
                continue
            non_empty_str(value, field=name)
            if fmt is not None and fmt not in CSV_FORMATS:
                raise DorisSqlError(f"{name}: applies to CSV formats only, not format {fmt!r}; leave it out.")
            lines.append(f"{clause} TERMINATED BY {quote_string(value)}")
        if fmt:
            lines.append(f"FORMAT AS {quote_string(fmt)}")
        if self.compress_type:
            compress = choose(self.compress_type, COMPRESS_TYPES, field="compress_type", upper=True)
            lines.append(f"COMPRESS_TYPE AS {quote_string(compress)}")
        if self.columns is not None:
            lines.append(quote_identifier_list(self.columns, field="columns"))
        if self.columns_from_path is not None:
            from_path = quote_identifier_list(self.columns_from_path, field="columns_from_path")
            lines.append(f"COLUMNS FROM PATH AS {from_path}")
        if self.set is not None:
            if not isinstance(self.set, Mapping) or not self.set:
                raise DorisSqlError("set: give a non-empty mapping of column name to SQL expression.")
            mappings = ", ".join(
                f"{quote_identifier(col)} = {check_expression(expr, field=f'set[{col!r}]')}"
                for col, expr in self.set.items()
            )
            lines.append(f"SET ({mappings})")
        if self.preceding_filter is not None:
            pre = check_expression(self.preceding_filter, field="preceding_filter")
            lines.append(f"PRECEDING FILTER {pre}")
        if self.where is not None:
            lines.append(f"WHERE {check_expression(self.where, field='where')}")
        if self.delete_on:
            lines.append(f"DELETE ON {check_expression(self.delete_on, field='delete_on')}")
        if self.order_by is not None:
            lines.append(f"ORDER BY {quote_identifier(self.order_by)}")
        props = check_properties(
            self.properties,
            FORMAT_PROPERTIES,
            field="properties",
            hint=" (Broker Load ignores unknown data-description properties)",
        )
        if "line_delimiter" in props and self.line_delimiter is not None:
            raise DorisSqlError("line_delimiter: given both as an argument and in properties; keep one.")
        if props:
            lines.append(f"PROPERTIES (\n{render_properties(props)}\n)")
        return "\n".join(lines)


def build_broker_load(
    db: str,
    label: str,
    descriptions: DataDescription | Sequence[DataDescription],
    storage: Mapping[str, str],
    *,
    properties: Mapping[str, object] | None = None,
    comment: str | None = None,
) -> str:
    """``LOAD LABEL db.label (data_desc, ...) WITH S3 (...) [PROPERTIES (...)] [COMMENT "..."]``."""
    descs = (descriptions,) if isinstance(descriptions, DataDescription) else tuple(descriptions)
    if not descs:
        raise DorisSqlError("descriptions: give at least one DataDescription.")
    for i, desc in enumerate(descs):
        if not isinstance(desc, DataDescription):
            raise DorisSqlError(f"descriptions[{i}]: {type(desc).__name__} is not a DataDescription.")
    job = check_properties(properties, JOB_PROPERTIES, field="properties", hint=" (Broker Load job property)")
    parts = [
        f"LOAD LABEL {quote_identifier(db)}.{quote_identifier(validate_label(label))}",
        "(\n" + ",\n".join(d.render() for d in descs) + "\n)",
        f"WITH S3 (\n{render_properties(check_storage(storage), field='storage')}\n)",
    ]
    if job:
        parts.append(f"PROPERTIES (\n{render_properties(job)}\n)")
    if comment is not None:
        parts.append(f"COMMENT {quote_string(comment)}")
    return "\n".join(parts)
