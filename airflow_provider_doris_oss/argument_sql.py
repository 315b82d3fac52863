"""Argument checks that ask the statement builders: the same rules the statement is built by, at DAG parse.

Each check imports its builder on first use (``sql`` is standard library only, but a DAG file that
only imports an operator should not load it). A value the builders refuse is refused in
``__init__`` when it holds no template, and after rendering when it does; the text names the
argument as the user wrote it. The multi-argument checks build a statement from placeholders and
the given options, so combinations (a CSV-only option with Parquet, ...) fail at parse too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from airflow_provider_doris_oss.argument_checks import (
    items_of,
    mapping,
    names,
    shown,
    string_mapping,
    text,
    texts,
)

# Stand-ins where a dry build needs a value the check does not judge.
STORAGE = {"s3.endpoint": "placeholder"}
SOURCE = "oss://placeholder-bucket/key"
TARGET = "oss://placeholder-bucket/out/x_"
PENDING: Any = type("Pending", (), {"__repr__": lambda self: "<template>", "__bool__": lambda self: True})()
"""A templated value not rendered yet (truthy: it is given); cross-argument checks skip what it decides."""


def refused(call: Callable[[], object]) -> str | None:
    """The builder's refusal text (it names the field), or None."""
    try:
        call()
    except ValueError as error:
        return str(error)
    return None


def expression(name: str, value: Any) -> str | None:
    """A raw SQL expression (``where``): one expression, no ``;``, ``#``, open comment or parenthesis."""
    from airflow_provider_doris_oss.sql.text_checks import check_expression

    return text(name, value) or refused(lambda: check_expression(value, field=name))


def expressions(name: str, value: Any) -> str | None:
    """One expression or a non-empty list of them (``select_list``)."""
    from airflow_provider_doris_oss.sql.text_checks import check_expression

    problem = texts(name, value)
    if problem:
        return problem
    for where, item in items_of(value, name):
        problem = refused(partial(check_expression, item, field=where))
        if problem:
            return problem
    return None


def set_expressions(name: str, value: Any) -> str | None:
    """``{"column": "expression"}`` with every expression checked as ``where`` is."""
    from airflow_provider_doris_oss.sql.text_checks import check_expression

    problem = string_mapping(name, value)
    for column, expr in value.items() if problem is None else ():
        problem = refused(partial(check_expression, expr, field=f"{name}[{column!r}]"))
        if problem:
            return problem
    return problem


def identifiers(name: str, value: Any) -> str | None:
    """Names Doris can hold (no NUL)."""
    problem = names(name, value)
    if problem:
        return problem
    from airflow_provider_doris_oss.sql.quoting import quote_identifier

    for where, item in items_of(list(value), name):
        problem = refused(partial(quote_identifier, item))
        if problem:
            return f"{where}: {problem}"
    return None


def csv_columns(name: str, value: Any) -> str | None:
    """EXPORT's columns: names Doris can hold, none with a ``,`` (the property is comma-separated)."""
    from airflow_provider_doris_oss.sql.export import csv_columns_text

    return identifiers(name, value) or refused(lambda: csv_columns_text(value, field=name))


def table_name(name: str, value: Any) -> str | None:
    """``db.table`` or ``table`` as Doris reads a dotted name."""
    from airflow_provider_doris_oss.sql.quoting import quote_table

    return text(name, value) or refused(lambda: quote_table(value, field=name))


def identifier(name: str, value: Any) -> str | None:
    """One name (a database, a catalog)."""
    from airflow_provider_doris_oss.sql.quoting import quote_identifier

    problem = text(name, value) or refused(lambda: quote_identifier(value))
    return problem if problem is None or problem.startswith(name) else f"{name}: {problem}"


def label(name: str, value: Any) -> str | None:
    """A job label Doris accepts (``[-_A-Za-z0-9]``, 1 to 128)."""
    from airflow_provider_doris_oss.sql.labels import validate_label

    return text(name, value) or refused(lambda: validate_label(value))


def query(name: str, value: Any) -> str | None:
    """OUTFILE's query: one SELECT (or WITH ... SELECT, a parenthesised or set-operation query)."""
    if not isinstance(value, str):
        return f"{name} must be a SELECT statement as a string (or a .sql file name), not {shown(value)}."
    from airflow_provider_doris_oss.sql.outfile import prepare_query

    return refused(lambda: prepare_query(value))


def file_size(name: str, value: Any) -> str | None:
    """A file size Doris accepts: bytes, or text such as ``"512MB"``, at least 5MB."""
    from airflow_provider_doris_oss.sql.export import file_size_text

    return refused(lambda: file_size_text(value, field=name))


def job_properties(name: str, value: Any) -> str | None:
    """Broker Load job properties: Doris's whitelist, each value in its domain."""
    from airflow_provider_doris_oss.sql.broker_load import JOB_PROPERTIES, check_properties

    hint = " (Broker Load job property)"
    return mapping(name, value) or refused(
        lambda: check_properties(value, JOB_PROPERTIES, field=name, hint=hint)
    )


def format_properties(name: str, value: Any) -> str | None:
    """Data-description properties (``jsonpaths``, ``skip_lines``, ...), each value in its domain."""
    from airflow_provider_doris_oss.sql.broker_load import FORMAT_PROPERTIES, check_properties

    hint = " (Broker Load ignores unknown data-description properties)"
    return mapping(name, value) or refused(
        lambda: check_properties(value, FORMAT_PROPERTIES, field=name, hint=hint)
    )


def catalog_properties(name: str, value: Any) -> str | None:
    """A catalog's own properties: ``type`` given, no OSS storage property (the connection has those)."""
    from airflow_provider_doris_oss.sql.catalog import build_create_catalog

    return mapping(name, value) or refused(lambda: build_create_catalog("c", value, STORAGE))


# ---- checks over several arguments: ``values`` maps each name to its value (``PENDING`` if templated)


def _given(values: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: values[k] for k in keys if values.get(k) is not None}


def overwrite_partitions(values: Mapping[str, Any]) -> str | None:
    """INSERT: ``overwrite=True`` names what it replaces; ``"*"`` is for overwrites only."""
    partitions, overwrite = values.get("partitions"), values.get("overwrite")
    if partitions is PENDING:
        return None
    if overwrite is True and not partitions:
        return (
            f"overwrite=True needs partitions, not {shown(partitions)}: the partition(s) to replace, e.g. "
            "partitions=['p{{ ds_nodash }}'], or partitions='*' for those the rows fall in. The operator "
            "never replaces a whole table; a template that renders empty is refused the same way."
        )
    if partitions == "*" and overwrite is not True:
        return "partitions='*' is for overwrites; set overwrite=True or name the partitions."
    return None


INSERT_READER_OPTIONS = (
    "format",
    "reader_options",
    "column_separator",
    "line_delimiter",
    "csv_schema",
    "read_json_by_line",
)


def reader_options(values: Mapping[str, Any]) -> str | None:
    """INSERT's S3() options: the named ones with ``reader_options``, as the table function gets them."""
    from airflow_provider_doris_oss.sql.tvf import build_s3_tvf

    merged = dict(values.get("reader_options") or {})
    for key in INSERT_READER_OPTIONS[2:]:
        if values.get(key) is None:
            continue
        if any(str(k).strip().lower() == key for k in merged):
            return f"reader_options: {key!r} is also given as a parameter; keep one of them."
        merged[key] = values[key]
    fmt = str(values.get("format"))  # a str: the format's own rule ran first
    return refused(lambda: build_s3_tvf(SOURCE, fmt, STORAGE, merged, field="reader_options"))


EXPORT_OPTIONS = (
    "format",
    "column_separator",
    "line_delimiter",
    "max_file_size",
    "parallelism",
    "delete_existing_files",
    "with_bom",
    "data_consistency",
    "timeout",
    "compress_type",
)


def export_options(values: Mapping[str, Any]) -> str | None:
    """EXPORT's PROPERTIES, each and together (a CSV-only option with Parquet, compression per format)."""
    from airflow_provider_doris_oss.sql.export import build_export

    return refused(lambda: build_export("t", TARGET, STORAGE, **_given(values, *EXPORT_OPTIONS)))


OUTFILE_OPTIONS = (
    "column_separator",
    "line_delimiter",
    "max_file_size",
    "delete_existing_files",
    "success_file_name",
    "file_suffix",
    "with_bom",
    "compress_type",
)


def outfile_options(values: Mapping[str, Any]) -> str | None:
    """OUTFILE's format and file options, each and together."""
    from airflow_provider_doris_oss.sql.outfile import build_outfile

    options = _given(values, *OUTFILE_OPTIONS)
    fmt = str(values.get("format"))  # a str: the format's own rule ran first
    return refused(
        lambda: build_outfile("SELECT 1", TARGET, STORAGE, format=fmt, properties=options, field=None)
    )


BROKER_LOAD_SOURCES = ("source_uris", "local_files", "data_descriptions")
BROKER_LOAD_SINGLE = (
    "format",
    "compress_type",
    "column_separator",
    "line_delimiter",
    "columns",
    "columns_from_path",
    "set",
    "where",
    "partitions",
    "format_properties",
)


def broker_load_sources(values: Mapping[str, Any]) -> str | None:
    """Exactly one source; with ``data_descriptions`` no single-source option; ``staging_uri`` with files."""
    given = [n for n in BROKER_LOAD_SOURCES if values.get(n)]
    if len(given) != 1:
        got = f" (got {', '.join(given)})." if given else "."
        return f"Give exactly one of source_uris, local_files or data_descriptions{got}"
    if values.get("data_descriptions"):
        mixed = [n for n in ("table", *BROKER_LOAD_SINGLE) if values.get(n) is not None]
        if mixed:
            return (
                f"{', '.join(mixed)}: with data_descriptions each description names its own table and "
                "options; move them into the descriptions."
            )
    elif values.get("table") is None:
        return "table: give the target table as 'db.table'."
    if values.get("staging_uri") is not None and not values.get("local_files"):
        return "staging_uri: only used with local_files; leave it out."
    return None


def broker_load_description(values: Mapping[str, Any]) -> str | None:
    """The single-source options as one ``data_desc``: each, and together (CSV-only options, ...)."""
    if values.get("data_descriptions"):
        return None
    from airflow_provider_doris_oss.sql.broker_load import DataDescription

    # where, set and partitions are judged by their own rules and take part in no combination.
    alone = ("where", "set", "partitions")
    options = {k: v for k, v in _given(values, *BROKER_LOAD_SINGLE).items() if k not in alone}
    options["properties"] = options.pop("format_properties", None)
    return refused(lambda: DataDescription(source_uris=SOURCE, table="t", **options))


def data_descriptions(name: str, value: Any) -> str | None:
    """Each description complete and valid, as the operator builds it."""
    from airflow_provider_doris_oss.sql.data_descriptions import description_of

    for where, desc in items_of(list(value), name):
        problem = refused(partial(description_of, desc, field=where))
        if problem:
            return problem
    return None
