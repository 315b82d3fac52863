"""The local FE parses as strictly as Doris's grammar: reserved words, empty lists, WHERE forms."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_doris_oss.testing.doris_fe import parser
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    LoadStmt,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
    TvfQueryStmt,
)

S3 = '"s3.endpoint" = "e", "s3.region" = "r", "s3.access_key" = "a", "s3.secret_key" = "s"'


def refused(sql: str) -> str:
    with pytest.raises(DorisError) as info:
        parser.parse(sql)
    assert info.value.code == 1105
    return info.value.message


def load(table: str) -> str:
    return f'LOAD LABEL db.l1 (DATA INFILE("s3://b/f") INTO TABLE {table}) WITH S3 ({S3})'


@pytest.mark.parametrize("word", ["ADD", "DATABASE", "INDEX", "INT", "DEFAULT", "USING", "INSERT", "range"])
def test_reserved_words_are_no_bare_identifiers(word: str) -> None:
    message = refused(load(word))
    assert f"mismatched input '{word}' expecting" in message
    assert message.endswith("(line 1, pos 53)")
    assert isinstance(parser.parse(load(f"`{word}`")), LoadStmt)  # backticked, it is a name


@pytest.mark.parametrize("word", ["label", "data", "comment", "format", "negative", "end", "status", "s3"])
def test_non_reserved_keywords_are_identifiers(word: str) -> None:
    stmt = parser.parse(load(word))
    assert isinstance(stmt, LoadStmt) and stmt.descs[0].table == word


def test_a_reserved_word_as_a_property_value_is_refused_a_string_is_not() -> None:
    message = refused(f'EXPORT TABLE t TO "s3://b/x/" PROPERTIES ("format" = select) WITH S3 ({S3})')
    assert "input 'select'" in message
    assert parser.parse(f'EXPORT TABLE t TO "s3://b/x/" PROPERTIES ("format" = csv) WITH S3 ({S3})')


@pytest.mark.parametrize(
    ("sql", "token", "pos"),
    [
        ("SHOW SHOW LOAD", "SHOW SHOW", 5),
        ("SHOW SELECT 1", "SHOW SELECT", 5),
        ('CANCEL CANCEL LOAD WHERE LABEL = "l"', "CANCEL CANCEL", 7),
        ('LOAD LOAD LABEL db.l (DATA INFILE("s3://b/f") INTO TABLE t)', "LOAD LOAD", 5),
    ],
)
def test_garbage_after_a_known_verb_is_a_syntax_error(sql: str, token: str, pos: int) -> None:
    message = refused(sql)
    assert f"no viable alternative at input '{token}'" in message
    assert message.endswith(f"(line 1, pos {pos})")


def test_a_partition_without_parentheses_loads_into_it() -> None:
    stmt = parser.parse(load("t PARTITION p1"))
    assert isinstance(stmt, LoadStmt) and stmt.descs[0].partitions == ["p1"]
    insert = parser.parse(f'INSERT INTO t PARTITION p1 SELECT * FROM s3("uri" = "s3://b/f", {S3})')
    assert isinstance(insert, TvfQueryStmt) and insert.partitions == ["p1"]


def test_show_load_takes_like_as_a_label_pattern() -> None:
    stmt = parser.parse('SHOW LOAD FROM db LIKE "l%"')
    assert isinstance(stmt, ShowJobsStmt)
    assert [(c.key, c.op, c.value) for c in stmt.conditions] == [("LABEL", "LIKE", "l%")]


def test_show_load_where_with_a_name_parses_and_fails_as_doris_analyses_it() -> None:
    message = refused("SHOW LOAD FROM db WHERE LABEL = l1")
    assert message.startswith("errCode = 2, detailMessage = Where clause should looks like: LABEL =")
    assert "mismatched" not in message


def test_show_load_where_with_two_words_is_a_syntax_error() -> None:
    message = refused('SHOW LOAD WHERE LABEL LABEL = "x"')
    assert "input 'LABEL'" in message and message.endswith("(line 1, pos 22)")


def test_show_load_warnings_with_a_condition_and_a_limit() -> None:
    stmt = parser.parse('SHOW LOAD WARNINGS FROM db WHERE LABEL = "l1" LIMIT 10')
    assert isinstance(stmt, ShowLoadWarningsStmt)
    assert (stmt.url, stmt.db, stmt.limit) == ("", "db", 10)
    assert [(c.key, c.value) for c in stmt.conditions] == [("LABEL", "l1")]


def test_an_empty_table_function_argument_list_parses() -> None:
    stmt = parser.parse("SELECT * FROM s3()")
    assert isinstance(stmt, TvfQueryStmt) and list(stmt.tvfs.values()) == [{}]


def test_insert_select_query_is_checked_before_sqlglot() -> None:
    message = refused(f'INSERT INTO t SELECT a, , b FROM s3("uri" = "s3://b/f", {S3})')
    assert "input ','" in message and message.endswith("(line 1, pos 24)")
    message = refused(f'SELECT * FROM s3("uri" = "s3://b/f", {S3}) t WHERE a a')
    assert "input 'a'" in message


def test_export_where_is_a_doris_expression() -> None:
    message = refused(f'EXPORT TABLE t WHERE substr(, 1) = "a" TO "s3://b/x/" WITH S3 ({S3})')
    assert "input ','" in message and message.endswith("(line 1, pos 28)")


@pytest.mark.parametrize(
    ("sql", "pos"), [("SHOW SHOW LOAD", 5), ('LOAD LOAD LABEL l (DATA INFILE("s3://b/f") INTO TABLE t)', 5)]
)
def test_the_server_answers_garbage_after_a_verb_with_the_syntax_error(
    doris: Any, sql: str, pos: int
) -> None:
    code, message = doris.error(sql)
    assert code == 1105
    assert message.startswith("errCode = 2, detailMessage = \nno viable alternative at input")
    assert message.endswith(f"(line 1, pos {pos})")
