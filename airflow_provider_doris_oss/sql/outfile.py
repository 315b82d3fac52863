"""``<query> INTO OUTFILE "s3://..." FORMAT AS fmt PROPERTIES (...)`` statements."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.export import COMPRESS_TYPES, file_size_text
from airflow_provider_doris_oss.sql.quoting import quote_string, render_properties
from airflow_provider_doris_oss.sql.tokenizer import check_one_statement, tokenize
from airflow_provider_doris_oss.sql.values import (
    as_bool,
    check_storage,
    choose,
    non_empty_str,
    refuse_collisions,
    to_s3_uri,
)

OUTFILE_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "parquet", "orc")
CSV_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types")
_CSV_ONLY = ("column_separator", "line_delimiter", "with_bom")
OUTFILE_PROPERTIES = (
    "column_separator",
    "line_delimiter",
    "max_file_size",
    "delete_existing_files",
    "file_suffix",
    "success_file_name",
    "with_bom",
    "compress_type",
)


def prepare_query(query: str) -> str:
    """The query without one trailing ``;``, refused unless it is a single SELECT (or WITH ... SELECT)."""
    if not isinstance(query, str) or not query.strip():
        raise DorisSqlError("sql: the query is empty; give a SELECT statement.")
    tokens = tokenize(query, field="sql")
    if tokens and tokens[-1].text == ";":
        query = query[: tokens[-1].start].rstrip()
        tokens = tokens[:-1]
    if not tokens:
        raise DorisSqlError("sql: the query is empty; give a SELECT statement.")
    if any(t.text == ";" for t in tokens):
        raise DorisSqlError("sql: holds more than one statement; give a single SELECT query.")
    check_one_statement(query + "\n", field="sql")  # the builder writes a newline after the query
    words = [t.upper for t in tokens if t.kind == "word"]
    for first, second in itertools.pairwise(words):
        if first == "INTO" and second == "OUTFILE":
            raise DorisSqlError(
                "sql: already contains INTO OUTFILE. Give only the SELECT; the operator adds INTO OUTFILE "
                "with the target URI and the connection's properties."
            )
    lead = next((t for t in tokens if t.text != "("), None)
    if lead is None or lead.kind != "word" or lead.upper not in ("SELECT", "WITH"):
        shown = lead.text if lead is not None else query.strip()[:20]
        raise DorisSqlError(
            f"sql: starts with {shown!r}, which is not a query. INTO OUTFILE exports the result of a SELECT "
            "(or WITH ... SELECT); write the statement as a query."
        )
    if lead.upper == "WITH" and "SELECT" not in words:
        raise DorisSqlError("sql: a WITH clause must be followed by a SELECT.")
    if words.count("INTO"):
        raise DorisSqlError("sql: contains INTO; give a plain SELECT, the operator adds INTO OUTFILE.")
    return query


def build_outfile(
    query: str,
    target_uri: str,
    storage: Mapping[str, str],
    *,
    format: str = "csv",
    properties: Mapping[str, object] | None = None,
) -> str:
    """``<query>\\nINTO OUTFILE "s3://..." FORMAT AS <fmt> PROPERTIES (<storage>, <file options>)``."""
    body = prepare_query(query)
    fmt = choose(format, OUTFILE_FORMATS, field="format")
    options: dict[str, str] = {}
    for key, value in (properties or {}).items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name not in OUTFILE_PROPERTIES:
            raise DorisSqlError(
                f"properties: {key!r} is not an OUTFILE file option. "
                f"Valid keys: {', '.join(OUTFILE_PROPERTIES)}; "
                "storage properties come from the OSS connection."
            )
        if name in options:
            raise DorisSqlError(f"properties: {key!r} is given twice (names are case-insensitive).")
        field = f"properties[{name!r}]"
        if name in _CSV_ONLY and fmt not in CSV_FORMATS:
            raise DorisSqlError(f"{field}: applies to CSV formats only, not format {fmt!r}; leave it out.")
        if name == "max_file_size":
            options[name] = file_size_text(value, field=field)  # type: ignore[arg-type]
        elif name in ("delete_existing_files", "with_bom"):
            options[name] = "true" if as_bool(value, field=field) else "false"
        elif name == "compress_type":
            allowed = COMPRESS_TYPES.get(fmt)
            if allowed is None:
                raise DorisSqlError(f"{field}: OUTFILE compresses Parquet and ORC output only.")
            options[name] = choose(str(value), allowed, field=field, upper=True)
        else:
            options[name] = non_empty_str(value, field=field)
    checked_storage = check_storage(storage)
    refuse_collisions(options, checked_storage, field="properties")
    merged = {**checked_storage, **options}
    # The newline ends any trailing line comment in the user's query before INTO OUTFILE.
    return (
        f"{body}\nINTO OUTFILE {quote_string(to_s3_uri(target_uri, field='target_uri'))}\n"
        f"FORMAT AS {fmt}\nPROPERTIES (\n{render_properties(merged)}\n)"
    )
