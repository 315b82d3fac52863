"""The ``S3(...)`` table function and ``INSERT {INTO | OVERWRITE TABLE} ... SELECT ... FROM S3(...)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.labels import validate_label
from airflow_provider_doris_oss.sql.quoting import (
    quote_identifier,
    quote_identifier_list,
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
    refuse_collisions,
    to_s3_uri,
)

TVF_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "json", "parquet", "orc", "avro")
_BOOL_OPTIONS = (
    "read_json_by_line",
    "strip_outer_array",
    "num_as_string",
    "fuzzy_parse",
    "trim_double_quotes",
    "use_path_style",
    "force_parsing_by_standard_uri",
)
_TEXT_OPTIONS = (
    "column_separator",
    "line_delimiter",
    "compress_type",
    "json_root",
    "jsonpaths",
    "csv_schema",
    "path_partition_keys",
    "resource",
)
TVF_OPTIONS = tuple(sorted((*_BOOL_OPTIONS, *_TEXT_OPTIONS, "skip_lines")))


def build_s3_tvf(
    source_uri: str,
    format: str,
    storage: Mapping[str, str],
    options: Mapping[str, object] | None = None,
    *,
    field: str = "options",
) -> str:
    """``S3("uri" = ..., "format" = ..., <storage>, <reader options>)``; option names are case-insensitive.

    Errors about ``options`` name it ``field`` (the caller's parameter, e.g. ``reader_options``).
    """
    checked: dict[str, str] = {}
    for key, value in (options or {}).items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name in ("uri", "format"):
            raise DorisSqlError(f"{field}: {key!r} comes from the source_uri/format arguments; remove it.")
        if name not in TVF_OPTIONS:
            raise DorisSqlError(
                f"{field}: {key!r} is not an S3 table-function reader option. "
                f"Valid keys: {', '.join(TVF_OPTIONS)}."
            )
        if name in checked:
            raise DorisSqlError(f"{field}: {key!r} is given twice (names are case-insensitive).")
        option = f"{field}[{name!r}]"
        if name in _BOOL_OPTIONS:
            checked[name] = "true" if as_bool(value, field=option) else "false"
        elif name == "skip_lines":
            checked[name] = str(as_int(value, field=option, minimum=0))
        else:
            checked[name] = non_empty_str(value, field=option)
    checked_storage = check_storage(storage)
    refuse_collisions(checked, checked_storage, field=field)
    head = {
        "uri": to_s3_uri(source_uri, field="source_uri"),
        "format": choose(format, TVF_FORMATS, field="format"),
    }
    return f"S3(\n{render_properties({**head, **checked_storage, **checked})}\n)"


def build_insert_from_s3(
    db_table: str | Sequence[str],
    tvf: str,
    *,
    label: str | None = None,
    columns: Sequence[str] | None = None,
    select_list: str | Sequence[str] = "*",
    where: str | None = None,
    partitions: str | Sequence[str] | None = None,
    overwrite: bool = False,
) -> str:
    """``INSERT INTO t [PARTITION (...)] [WITH LABEL l] [(cols)] SELECT ... FROM <tvf> [WHERE ...]``.

    With ``overwrite``: ``INSERT OVERWRITE TABLE t PARTITION (p, ...) ...`` replaces exactly those
    partitions in one transaction; ``partitions="*"`` replaces the partitions the new rows fall in;
    no partitions replaces the whole table. ``"*"`` is for overwrites only.
    """
    if not isinstance(tvf, str) or not tvf.startswith("S3("):
        raise DorisSqlError("tvf: pass the text returned by build_s3_tvf().")
    if not isinstance(overwrite, bool):
        raise DorisSqlError(f"overwrite: must be True or False, not {overwrite!r}.")
    if isinstance(select_list, str):
        select = check_expression(select_list, field="select_list")
    else:
        items = [check_expression(e, field=f"select_list[{i}]") for i, e in enumerate(select_list)]
        if not items:
            raise DorisSqlError("select_list: give at least one expression, or '*'.")
        select = ", ".join(items)
    parts = [f"INSERT {'OVERWRITE TABLE' if overwrite else 'INTO'} {quote_table(db_table)}"]
    if partitions == "*":
        if not overwrite:
            raise DorisSqlError("partitions: '*' (the partitions the rows fall in) needs overwrite=True.")
        parts.append("PARTITION (*)")
    elif isinstance(partitions, str):
        raise DorisSqlError(f"partitions: pass a list of partition names, or '*', not {partitions!r}.")
    elif partitions is not None:
        parts.append(f"PARTITION {quote_identifier_list(partitions, field='partitions')}")
    if label is not None:
        # An INSERT label is an identifier; a quoted string there is a syntax error in Doris.
        parts.append(f"WITH LABEL {quote_identifier(validate_label(label))}")
    if columns is not None:
        parts.append(quote_identifier_list(columns, field="columns"))
    parts.append(f"SELECT {select}\nFROM {tvf}")
    if where is not None:
        parts.append(f"WHERE {check_expression(where, field='where')}")
    return "\n".join(parts)
