"""Fuzzing the raw-SQL check: text the check passes never gives Doris a second statement.

Raw-SQL parameters (``where``, ``set``, ``preceding_filter``, ``delete_on``, select lists, the
OUTFILE ``sql``) are SQL by design. The check must refuse every text that, placed in the
builder's statement, shows Doris a ``;`` or changes how the rest of the statement reads, under
every reading of Doris's lexer: Nereids 3.1+ (hints are comments), Nereids 2.1-3.0 (hints are
tokens), and the legacy scanner 2.x falls back to (flat comments, no backslash-newline).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_doris_oss.sql import DataDescription, DorisSqlError, build_broker_load
from airflow_provider_doris_oss.sql.export import build_export
from airflow_provider_doris_oss.sql.outfile import build_outfile
from airflow_provider_doris_oss.sql.text_checks import check_expression
from airflow_provider_doris_oss.sql.tokenizer import DIALECTS, lex

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
STORAGE = {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": "ak", "s3.secret_key": "sk"}

# Pieces of SQL, ordinary and hostile: comments of every form, line ends, quotes, hints, ';'.
PIECES = [
    "k1",
    " ",
    "1",
    "=",
    ">",
    "AND",
    "(",
    ")",
    ",",
    ";",
    "DROP TABLE demo.victim",
    "'",
    '"',
    "`",
    "\\",
    "'a;b'",
    '"x\\"y"',
    "r'\\'",
    'R"\\"',
    "`c;d`",
    "`e``f`",
    "--",
    "-- c",
    "-- +",
    "/*",
    "*/",
    "/*+",
    "/* ; */",
    "/* /* */",
    "#",
    "\r",
    "\n",
    "\r\n",
    "\\\n",
    "\t",
    "\f",
    "\0",
    "*",
    "-",
    "/",
    "+",
    "é",
    "\uff1b",  # a fullwidth semicolon is a letter to Doris
]
fragments = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)


def semicolon_free(sql: str) -> bool:
    return all(
        not any(
            t.kind in ("unclosed", "unrecognized") or (t.kind == "punct" and t.text == ";")
            for t in lex(sql, d)
        )
        for d in DIALECTS
    )


def tail_intact(sql: str, tail: str) -> bool:
    """Whether the builder's text after the fragment reads, under every dialect, as it does alone."""
    assert sql.endswith(tail)
    offset = len(sql) - len(tail)
    for dialect in DIALECTS:
        # A "-- +" hint of the legacy scanner ends at the builder's newline: that end is the hint's.
        whole = [
            (t.kind, t.text, t.start - offset)
            for t in lex(sql, dialect)
            if t.start >= offset and not (t.start == offset and t.kind == "punct" and t.text == "\n")
        ]
        alone = [(t.kind, t.text, t.start) for t in lex(tail, dialect)]
        if whole != alone:
            return False
    return True


@FUZZ
@given(fragments)
def test_where_of_export(fragment: str) -> None:
    try:
        where = check_expression(fragment, field="where")
    except DorisSqlError:
        return
    sql = build_export("demo.t", "oss://bucket/out/", STORAGE, where=fragment)
    start = sql.index("\nWHERE ") + len("\nWHERE ")
    assert sql[start : start + len(where)] == where
    tail = sql[start + len(where) :]
    assert semicolon_free(sql), (fragment, sql)
    assert tail_intact(sql, tail), (fragment, sql)


@FUZZ
@given(fragments)
def test_set_mapping_of_broker_load(fragment: str) -> None:
    try:
        expr = check_expression(fragment, field="set")
    except DorisSqlError:
        return
    desc = DataDescription("oss://bucket/a.csv", "t", columns=["k"], set={"k": fragment})
    sql = build_broker_load("demo", "label_1", desc, STORAGE)
    start = sql.index("SET (`k` = ") + len("SET (`k` = ")
    assert sql[start : start + len(expr)] == expr
    tail = sql[start + len(expr) :]
    assert tail.startswith(")")
    assert semicolon_free(sql), (fragment, sql)
    assert tail_intact(sql, tail), (fragment, sql)


@FUZZ
@given(fragments)
def test_outfile_query(fragment: str) -> None:
    query = "SELECT " + fragment
    try:
        sql = build_outfile(query, "oss://bucket/out/", STORAGE)
    except DorisSqlError:
        return
    tail = sql[sql.index("\nINTO OUTFILE ") :]
    assert semicolon_free(sql), (fragment, sql)
    assert tail_intact(sql, tail), (fragment, sql)


@FUZZ
@given(fragments, st.sampled_from(DIALECTS))
def test_a_second_statement_under_any_reading_is_refused(fragment: str, dialect: object) -> None:
    """The converse, stated directly: a ';' any Doris reading sees means the check refuses."""
    text = "k1 = 1 " + fragment
    sees_semicolon = any(t.kind == "punct" and t.text == ";" for t in lex(text, dialect))  # type: ignore[arg-type]
    if sees_semicolon:
        try:
            check_expression(text, field="where")
        except DorisSqlError:
            return
        raise AssertionError(f"accepted {text!r}, in which Doris's {dialect.name} sees ';'")  # type: ignore[attr-defined]


def test_the_strategy_reaches_both_outcomes() -> None:
    """The pieces make passing and refused texts alike (a fuzz that only refuses proves nothing)."""
    assert check_expression("k1 = 'a;b' /* ; */ AND `c;d` > 1 -- c", field="where")
    for hidden in ("k1 -- c\r; DROP TABLE demo.victim", "k1 /*+ ; */", "k1 # ;", "k1 /* /* */ ; */"):
        try:
            check_expression(hidden, field="where")
        except DorisSqlError:
            continue
        raise AssertionError(hidden)
