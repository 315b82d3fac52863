import re

import pytest

from airflow_provider_doris_oss.sql import (
    DorisSqlError,
    derive_label,
    next_label_attempt,
    quote_identifier,
    quote_string,
    quote_table,
    validate_label,
)

HOSTILE = [
    'a"b',
    "a'b",
    "back\\slash",
    'end\\"',
    "\\",
    "line\nbreak",
    "tab\tcr\r",
    "nul\0byte",
    "bs\bsub\x1a",
    "`tick`",
    "日本語/路径",
    '"); DROP TABLE t; --',
    "\\%\\_",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_string_round_trips_as_one_literal(value, doris):
    sql = f"SELECT {quote_string(value)} FROM t"
    assert doris.strings(sql) == [value]
    assert [k for k, _ in doris.lex(sql)] == ["word", "string", "word", "word"]


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_identifier_round_trips(value, doris):
    if "\0" in value:
        with pytest.raises(DorisSqlError, match="NUL"):
            quote_identifier(value)
        return
    assert doris.idents(f"SELECT {quote_identifier(value)}") == [value]


def test_quote_identifier_refuses_empty_and_non_str():
    with pytest.raises(DorisSqlError, match="empty"):
        quote_identifier("")
    with pytest.raises(DorisSqlError):
        quote_identifier(3)  # type: ignore[arg-type]


def test_quote_string_refuses_non_str():
    with pytest.raises(DorisSqlError, match="str"):
        quote_string(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("db.t", "`db`.`t`"),
        ("t", "`t`"),
        (("d.b", "t.x"), "`d.b`.`t.x`"),
        ("`d.b`.`t`", "`d.b`.`t`"),
        ("`a``b`", "`a``b`"),
    ],
)
def test_quote_table(given, expected):
    assert quote_table(given) == expected


@pytest.mark.parametrize("bad", ["a.b.c", ".t", "db.", "`unclosed", ("a", "b", "c"), ""])
def test_quote_table_refuses_ambiguous(bad):
    with pytest.raises(DorisSqlError, match="table"):
        quote_table(bad)


@pytest.mark.parametrize("good", ["a", "A-b_9", "x" * 128])
def test_validate_label_accepts(good):
    assert validate_label(good) == good


@pytest.mark.parametrize("bad", ["", "a.b", "a:b", "a b", "a/b", "x" * 129, "é", "a\n"])
def test_validate_label_refuses_and_names_rule(bad):
    with pytest.raises(DorisSqlError) as err:
        validate_label(bad)
    assert repr(bad) in str(err.value)
    assert "128" in str(err.value)


def test_derive_label_is_stable_valid_and_distinct():
    run = "scheduled__2026-11-25T00:00:00+00:00"
    first = derive_label("dag", "task", run)
    assert first == derive_label("dag", "task", run)
    assert re.fullmatch(r"[-_A-Za-z0-9]{1,128}", first)
    assert first.startswith("airflow_dag_task_scheduled")
    # Sanitising makes these readable parts equal; the hash keeps the labels apart.
    assert derive_label("dag", "task", "a:b") != derive_label("dag", "task", "a_b")
    assert derive_label("d", "t.x", "r") != derive_label("d", "t_x", "r")
    assert derive_label("d", "t", "r", prefix="p").startswith("p_")


def test_derive_label_long_inputs_fit_and_stay_distinct():
    a = derive_label("d" * 300, "t" * 300, "r" * 300 + "1")
    b = derive_label("d" * 300, "t" * 300, "r" * 300 + "2")
    assert a != b
    assert len(a) <= 128 and len(b) <= 128
    assert len(next_label_attempt(a, 999)) <= 128


def test_derive_label_refuses_bad_prefix():
    with pytest.raises(DorisSqlError):
        derive_label("d", "t", "r", prefix="a.b")


def test_next_label_attempt():
    assert next_label_attempt("lbl", 1) != next_label_attempt("lbl", 2)
    assert next_label_attempt("lbl", 1).startswith("lbl")
    long = "x" * 128
    fresh = next_label_attempt(long, 3)
    assert len(fresh) <= 128 and fresh != long
    validate_label(fresh)
    with pytest.raises(DorisSqlError, match=">= 1"):
        next_label_attempt("lbl", 0)
