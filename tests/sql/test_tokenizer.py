"""The package's lexer against Doris's rules (DorisLexer.g4, and the legacy scanner 2.x falls back
to), and the one-statement check of raw-SQL fields built on it."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.sql import DorisSqlError
from airflow_provider_doris_oss.sql.outfile import prepare_query
from airflow_provider_doris_oss.sql.text_checks import check_expression
from airflow_provider_doris_oss.sql.tokenizer import (
    DIALECTS,
    LEGACY,
    NEREIDS,
    NEREIDS_HINT_TOKENS,
    identifier_value,
    lex,
    string_value,
)


def kinds(text: str, dialect=NEREIDS) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(text, dialect)]


def semicolons(text: str, dialect=NEREIDS) -> int:
    return sum(1 for t in lex(text, dialect) if t.kind == "punct" and t.text == ";")


# ------------------------------------------------------------------ the lexer


def test_a_line_comment_ends_at_cr_as_well_as_lf() -> None:
    assert kinds("1 -- x\r; 2") == [("number", "1"), ("comment", "-- x\r"), ("punct", ";"), ("number", "2")]
    assert kinds("1 -- x\r\n;")[1] == ("comment", "-- x\r\n")


def test_a_line_comment_needs_no_space_and_continues_past_backslash_newline() -> None:
    assert kinds("1--1") == [("number", "1"), ("comment", "--1")]
    assert semicolons("1 -- a \\\n; DROP TABLE t") == 0
    assert semicolons("1 -- a \\\n; DROP TABLE t", LEGACY) == 1  # the legacy scanner ends it at LF
    assert semicolons("1 -- a \\\r\n; DROP TABLE t") == 1  # CR after the backslash still ends it


def test_bracketed_comments_nest_in_nereids_not_in_the_legacy_scanner() -> None:
    text = "/* a /* b */ ; c */ 1"
    assert kinds(text) == [("comment", "/* a /* b */ ; c */"), ("number", "1")]
    assert semicolons(text, LEGACY) == 1
    assert kinds("/* a /* b */")[0][0] == "unclosed"


def test_hints_are_comments_now_and_tokens_before_3_1() -> None:
    text = "SELECT /*+ SET_VAR(a = 1); */ 1"
    assert semicolons(text, NEREIDS) == 0
    assert semicolons(text, NEREIDS_HINT_TOKENS) == 1
    # Before 3.1 a hint cannot open a nested comment, so the outer comment ends early (as Spark).
    assert semicolons("/* x /*+ h */ ; */", NEREIDS_HINT_TOKENS) == 1
    assert semicolons("/* x /*+ h */ ; */", NEREIDS) == 0
    assert semicolons("1 -- + ; x\n", LEGACY) == 1  # a legacy "-- +" hint is tokens to the line end


def test_hash_starts_no_comment_and_only_four_characters_are_whitespace() -> None:
    assert kinds("a # b") == [("word", "a"), ("unrecognized", "#"), ("word", "b")]
    assert kinds("a\fb")[1] == ("unrecognized", "\f")
    assert kinds("a\u00a0b") == [("word", "a\u00a0b")]  # non-ASCII characters are letters


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'a\\'b'", "a'b"),
        ('"a""b"', 'a"b'),
        ("'a''b'", "a'b"),
        ("'\\n\\t\\r\\b\\0\\Z'", "\n\t\r\b\0\x1a"),
        ("'\\%\\_\\x'", "\\%\\_x"),
        ("r'C:\\dir'", "C:\\dir"),
        ('R"a\\"', "a\\"),
        ("'a;b'", "a;b"),
    ],
)
def test_string_literals(literal: str, value: str) -> None:
    tokens = lex(literal)
    assert [t.kind for t in tokens] == ["string"]
    assert string_value(tokens[0].text) == value


def test_a_raw_string_ends_at_its_first_quote() -> None:
    assert semicolons("r'\\' ; DROP TABLE t; '") == 2
    assert semicolons("'\\' ; DROP TABLE t; '") == 0


def test_backticked_names_double_the_backtick() -> None:
    tokens = lex("`a``;b`.`c`")
    assert [t.kind for t in tokens] == ["identifier", "punct", "identifier"]
    assert identifier_value(tokens[0].text) == "a`;b"


def test_numbers_and_words() -> None:
    assert kinds("1.5e-3 .5 12L 2.x x1") == [
        ("number", "1.5e-3"),
        ("number", ".5"),
        ("number", "12L"),
        ("number", "2"),
        ("punct", "."),
        ("word", "x"),
        ("word", "x1"),
    ]


def test_unclosed_strings_and_names() -> None:
    for text in ("'abc", '"abc\\"', "`abc", "r'abc"):
        assert lex(text)[-1].kind == "unclosed", text


# ------------------------------------------------------------------ the checks


@pytest.mark.parametrize(
    "hidden",
    [
        "1 = 1 -- x\r; DROP TABLE demo.victim",  # the example: CR ends the comment
        "1 = 1 -- x \\\n; DROP TABLE demo.victim",  # the legacy scanner ends it at the LF
        "1 /* a /* b */ ; DROP TABLE demo.victim */",  # nested for Nereids, flat for legacy
        "1 /*+ ; DROP TABLE demo.victim */",  # a hint's body is tokens before 3.1
        "1 = 1 # ; DROP TABLE demo.victim",
        "1; DROP TABLE demo.victim",
        "r'\\' ; DROP TABLE demo.victim; '",
        "1 -- + \r; DROP TABLE demo.victim",
    ],
)
def test_a_hidden_second_statement_is_refused(hidden: str) -> None:
    with pytest.raises(DorisSqlError, match="where"):
        check_expression(hidden, field="where")


@pytest.mark.parametrize(
    "text",
    [
        "k1 > 0 -- note \\",
        "k1 > 0 -- + hint \\",
        "k -- +*/--",
        "'unclosed",
        "`unclosed",
        "1 /* open",
        "a\fb",
        "a\0",
    ],
)
def test_text_that_does_not_end_whole_is_refused(text: str) -> None:
    with pytest.raises(DorisSqlError, match="where"):
        check_expression(text, field="where")


def test_hash_gets_a_clear_message() -> None:
    with pytest.raises(DorisSqlError, match="'#' starts no comment"):
        check_expression("k1 > 0 # note", field="where")


@pytest.mark.parametrize(
    ("text", "returned"),
    [
        (" k1 > 0 ", "k1 > 0"),
        ("k1 = 'a;b' AND `c;d` = 1", "k1 = 'a;b' AND `c;d` = 1"),
        ("k1 > 0 /* a; b */", "k1 > 0 /* a; b */"),
        ("k1 > 0 -- note", "k1 > 0 -- note\n"),  # the newline comes back, so nothing is swallowed
        ("k1 > 0 -- note\n", "k1 > 0 -- note\n"),
    ],
)
def test_expressions_that_pass(text: str, returned: str) -> None:
    assert check_expression(text, field="where") == returned


def test_every_dialect_is_consulted() -> None:
    assert {d.name for d in DIALECTS} >= {NEREIDS.name, NEREIDS_HINT_TOKENS.name, LEGACY.name}


def test_outfile_query_check() -> None:
    assert prepare_query("SELECT 1 -- note;") == "SELECT 1 -- note;"
    assert prepare_query("SELECT 1;") == "SELECT 1"
    for bad in ("SELECT 1 -- x\r; DROP TABLE t", "SELECT 1 -- x \\", "SELECT /*+ a; */ 1", "SELECT 1 # x"):
        with pytest.raises(DorisSqlError, match="sql"):
            prepare_query(bad)
