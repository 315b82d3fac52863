"""``<query> INTO OUTFILE "s3://..." FORMAT AS fmt PROPERTIES (...)`` statements."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.export import COMPRESS_TYPES, file_size_text
from airflow_provider_doris_oss.sql.quoting import quote_string, render_properties
from airflow_provider_doris_oss.sql.text_checks import check_one_statement, tokenize
from airflow_provider_doris_oss.sql.tokenizer import Token
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
    if lead.upper == "WITH":
        main = _after_ctes(tokens[tokens.index(lead) :])
        if main is None or main.upper != "SELECT":
            shown = repr(main.text) if main is not None else "nothing"
            raise DorisSqlError(
                f"sql: the WITH clause leads into {shown}, not a SELECT. INTO OUTFILE exports the result "
                "of a query; write WITH ... SELECT."
            )
    if words.count("INTO"):
        raise DorisSqlError("sql: contains INTO; give a plain SELECT, the operator adds INTO OUTFILE.")
    return query


def _after_ctes(tokens: list[Token]) -> Token | None:
    """The first word of the statement ``WITH [RECURSIVE] name [(cols)] AS (...), ...`` leads into."""

    def skip_group(i: int) -> int:
        depth = 0
        for j in range(i, len(tokens)):
            depth += {"(": 1, ")": -1}.get(tokens[j].text, 0)
            if depth == 0:
                return j + 1
        return len(tokens)

    i = 2 if len(tokens) > 1 and tokens[1].upper == "RECURSIVE" else 1
    while i < len(tokens):
        i += 1  # the CTE's name
        if i < len(tokens) and tokens[i].text == "(":
            i = skip_group(i)
        if i + 1 >= len(tokens) or tokens[i].upper != "AS" or tokens[i + 1].text != "(":
            return None
        i = skip_group(i + 1)
        if i < len(tokens) and tokens[i].text == ",":
            i += 1
            continue
        while i < len(tokens) and tokens[i].text == "(":
            i += 1  # a parenthesised query: its first word decides
        return tokens[i] if i < len(tokens) else None
    return None


def build_outfile(
    query: str,
    target_uri: str,
    storage: Mapping[str, str],
    *,
    format: str = "csv",
    properties: Mapping[str, object] | None = None,
    field: str | None = "properties",
) -> str:
    """``<query>\\nINTO OUTFILE "s3://..." FORMAT AS <fmt> PROPERTIES (<storage>, <file options>)``.

    Errors name an option as ``<field>['name']``, or by its own name when ``field`` is None (an
    operator whose options are separate arguments).
    """
    body = prepare_query(query)
    fmt = choose(format, OUTFILE_FORMATS, field="format")
    options: dict[str, str] = {}
    for key, value in (properties or {}).items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name not in OUTFILE_PROPERTIES:
            raise DorisSqlError(
                f"{field or 'properties'}: {key!r} is not an OUTFILE file option. "
                f"Valid keys: {', '.join(OUTFILE_PROPERTIES)}; "
                "storage properties come from the OSS connection."
            )
        if name in options:
            raise DorisSqlError(
                f"{field or 'properties'}: {key!r} is given twice (names are case-insensitive)."
            )
        where = f"{field}[{name!r}]" if field else str(name)
        if name in _CSV_ONLY and fmt not in CSV_FORMATS:
            raise DorisSqlError(f"{where}: applies to CSV formats only, not format {fmt!r}; leave it out.")
        if name == "max_file_size":
            options[name] = file_size_text(value, field=where)  # type: ignore[arg-type]
        elif name in ("delete_existing_files", "with_bom"):
            options[name] = "true" if as_bool(value, field=where) else "false"
        elif name == "compress_type":
            allowed = COMPRESS_TYPES.get(fmt)
            if allowed is None:
                raise DorisSqlError(f"{where}: OUTFILE compresses Parquet and ORC output only.")
            options[name] = choose(str(value), allowed, field=where, upper=True)
        else:
            options[name] = non_empty_str(value, field=where)
    checked_storage = check_storage(storage)
    refuse_collisions(options, checked_storage, field=field or "properties")
    merged = {**checked_storage, **options}
    # The newline ends any trailing line comment in the user's query before INTO OUTFILE.
    return (
        f"{body}\nINTO OUTFILE {quote_string(to_s3_uri(target_uri, field='target_uri'))}\n"
        f"FORMAT AS {fmt}\nPROPERTIES (\n{render_properties(merged)}\n)"
    )
