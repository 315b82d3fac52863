"""Fuzzing every value the sql/ builders quote: each stays one string literal or one backticked
identifier under every reading of Doris's lexer (Nereids 3.1+, Nereids 2.1-3.0, the legacy
scanner), and decodes back to the value given."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from airflow_provider_doris_oss.sql import DataDescription, DorisSqlError, build_broker_load
from airflow_provider_doris_oss.sql.catalog import build_create_catalog
from airflow_provider_doris_oss.sql.export import build_export
from airflow_provider_doris_oss.sql.quoting import (
    quote_identifier,
    quote_identifier_list,
    quote_string,
    quote_table,
    render_properties,
    split_table_name,
)
from airflow_provider_doris_oss.sql.tokenizer import DIALECTS, Token, identifier_value, lex, string_value
from airflow_provider_doris_oss.sql.tvf import build_insert_from_s3, build_s3_tvf

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that end or change literals, names, comments and statements, mixed with any text.
SPECIAL = [*"'\"`\\;-/*+#.()=,\r\n\t\f\0\x1a\b %_ ", "--", "/*", "*/", "/*+", "''", '""', "``", "\\\n"]
piece = st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=("Cs",)))
values = st.lists(piece, max_size=12).map("".join)
# Names hold something besides white space (the builders refuse blank names, naming the field).
names = values.filter(lambda v: v.strip() != "" and "\0" not in v)
STORAGE = {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": "ak", "s3.secret_key": "sk"}


def tokens(sql: str) -> dict[str, list[Token]]:
    """The tokens of ``sql`` under each dialect, comments included."""
    return {d.name: lex(sql, d) for d in DIALECTS}


def one_literal(quoted: str, value: str) -> None:
    for dialect, found in tokens(f"SELECT {quoted} FROM t").items():
        kinds = [t.kind for t in found]
        assert kinds == ["word", "string", "word", "word"], (dialect, quoted, found)
        assert found[1].text == quoted
        assert string_value(found[1].text) == value


def one_identifier(quoted: str, value: str) -> None:
    for dialect, found in tokens(f"SELECT {quoted} FROM t").items():
        assert [t.kind for t in found] == ["word", "identifier", "word", "word"], (dialect, quoted, found)
        assert identifier_value(found[1].text) == value


@FUZZ
@given(values)
def test_quote_string_is_one_literal(value: str) -> None:
    one_literal(quote_string(value), value)


@FUZZ
@given(names)
def test_quote_identifier_is_one_name(value: str) -> None:
    one_identifier(quote_identifier(value), value)


@FUZZ
@given(names, names)
def test_quote_table_is_two_names_and_parses_back(db: str, table: str) -> None:
    quoted = quote_table((db, table))
    for dialect, found in tokens(quoted).items():
        assert [t.kind for t in found] == ["identifier", "punct", "identifier"], (dialect, quoted)
        assert (identifier_value(found[0].text), identifier_value(found[2].text)) == (db, table)
    assert split_table_name(quoted) == (db, table)


@FUZZ
@given(st.lists(names, min_size=1, max_size=4))
def test_quote_identifier_list_keeps_every_name(items: list[str]) -> None:
    for found in tokens(quote_identifier_list(items, field="columns")).values():
        assert [identifier_value(t.text) for t in found if t.kind == "identifier"] == items
        assert [t.text for t in found if t.kind == "punct"] == ["(", *[","] * (len(items) - 1), ")"]


@FUZZ
@given(st.dictionaries(names, values, min_size=1, max_size=3))
def test_render_properties_keeps_every_pair(props: dict[str, str]) -> None:
    for found in tokens(render_properties(props)).values():
        assert [t.kind for t in found] == (["string", "punct", "string", "punct"] * len(props))[:-1]
        strings = [string_value(t.text) for t in found if t.kind == "string"]
        assert strings == [x for pair in props.items() for x in pair]
        assert [t.text for t in found if t.kind == "punct"] == ["=", ","] * (len(props) - 1) + ["="]


@FUZZ
@given(names, names, values, values)
def test_broker_load_keeps_every_value_in_its_place(
    table: str, column: str, separator: str, comment: str
) -> None:
    separator = separator or ","
    desc = DataDescription(
        "oss://bucket/data.csv", quote_identifier(table), columns=[column], column_separator=separator
    )
    storage = {"s3.endpoint": "e", "s3.secret_key": comment or "k"}
    sql = build_broker_load("db", "label_1", desc, storage, comment=comment or None)
    for dialect, found in tokens(sql).items():
        assert not [t for t in found if t.kind in ("unclosed", "unrecognized", "comment")], dialect
        assert not [t for t in found if t.kind == "punct" and t.text == ";"], dialect
        names_found = [identifier_value(t.text) for t in found if t.kind == "identifier"]
        assert names_found == ["db", "label_1", table, column], dialect
        strings = [string_value(t.text) for t in found if t.kind == "string"]
        assert strings[0] == "s3://bucket/data.csv" and separator in strings and (comment or "k") in strings
        if comment:
            assert strings[-1] == comment


def no_second_statement(sql: str) -> dict[str, list[Token]]:
    """The statement's tokens under every dialect, after checking none is broken or a ';'."""
    found = tokens(sql)
    for dialect, toks in found.items():
        assert not [t for t in toks if t.kind in ("unclosed", "unrecognized", "comment")], dialect
        assert not [t for t in toks if t.kind == "punct" and t.text == ";"], dialect
    return found


@FUZZ
@given(
    names,
    names,
    st.lists(names, min_size=1, max_size=2),
    st.lists(names.filter(lambda v: "," not in v), min_size=1, max_size=2),  # EXPORT's list is comma-joined
    values,
)
def test_export_keeps_every_value_in_its_place(
    db: str, table: str, partitions: list[str], columns: list[str], separator: str
) -> None:
    separator = separator or ","
    sql = build_export(
        (db, table),
        "oss://bucket/out/",
        STORAGE,
        partitions=partitions,
        columns=columns,
        column_separator=separator,
    )
    for toks in no_second_statement(sql).values():
        assert [identifier_value(t.text) for t in toks if t.kind == "identifier"] == [db, table, *partitions]
        strings = [string_value(t.text) for t in toks if t.kind == "string"]
        assert separator in strings and ",".join(columns) in strings


@FUZZ
@given(names, names, st.lists(names, min_size=1, max_size=2), values, values)
def test_insert_from_s3_keeps_every_value_in_its_place(
    db: str, table: str, columns: list[str], path: str, separator: str
) -> None:
    separator = separator or ","
    uri = "oss://bucket/in/" + path.replace("\0", "") + "x.csv"
    try:
        tvf = build_s3_tvf(uri, "csv", STORAGE, {"column_separator": separator})
    except DorisSqlError:  # a path the URI check refuses never reaches a statement
        assume(False)
        return
    sql = build_insert_from_s3((db, table), tvf, columns=columns, label="l_1")
    for toks in no_second_statement(sql).values():
        assert [identifier_value(t.text) for t in toks if t.kind == "identifier"] == [
            db,
            table,
            "l_1",
            *columns,
        ]
        strings = [string_value(t.text) for t in toks if t.kind == "string"]
        assert separator in strings and any(
            s.endswith("x.csv") and s.startswith("s3://bucket/in/") for s in strings
        )


@FUZZ
@given(names, values, values)
def test_create_catalog_keeps_every_value_in_its_place(name: str, warehouse: str, comment: str) -> None:
    props = {"type": "iceberg", "warehouse": warehouse or "w"}
    sql = build_create_catalog(name, props, STORAGE, comment=comment or None)
    for toks in no_second_statement(sql).values():
        assert [identifier_value(t.text) for t in toks if t.kind == "identifier"] == [name]
        strings = [string_value(t.text) for t in toks if t.kind == "string"]
        assert (warehouse or "w") in strings and (not comment or comment in strings)
