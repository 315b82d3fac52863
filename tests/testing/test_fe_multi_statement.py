"""Several statements in one COM_QUERY, over pymysql, as Doris runs them.

Doris parses the whole query text with its lexer (``DorisLexer.g4``) and runs every statement,
whether or not the client asked for multi-statements (``ConnectProcessor.executeQuery``). A
client without CLIENT_MULTI_STATEMENTS (pymysql's default) gets only the last statement's
result; the earlier statements' effects stay. The first statement that fails stops the rest,
and a query Doris cannot lex runs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pymysql
import pytest

from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE


@pytest.fixture(scope="module")
def fe() -> Iterator[LocalDorisFE]:
    with LocalDorisFE() as server:
        yield server


@pytest.fixture
def conn(fe: LocalDorisFE, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A pymysql connection without CLIENT_MULTI_STATEMENTS, in a database of its own."""
    connection = pymysql.connect(
        host=fe.host, port=fe.port, user=fe.user, password=fe.password, autocommit=True
    )
    db = "ms_" + request.node.name.replace("[", "_").replace("]", "").replace("-", "_")[:40]
    with connection.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}`")
        cur.execute(f"USE `{db}`")
    try:
        yield connection
    finally:
        connection.close()


def tables(conn: Any) -> set[str]:
    with conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        return {row[0] for row in cur.fetchall()}


def query(conn: Any, sql: str) -> tuple[Any, Any]:
    """(description, rows) of the one result pymysql reads for ``sql``."""
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.description, cur.fetchall()


def test_client_flag_is_off_by_default(conn: Any) -> None:
    from pymysql.constants import CLIENT

    assert not conn.client_flag & CLIENT.MULTI_STATEMENTS


def test_every_statement_runs_and_the_last_result_is_returned(conn: Any) -> None:
    description, rows = query(
        conn, "CREATE TABLE a (k INT); INSERT INTO a VALUES (1), (2); SELECT k * 10 AS k10 FROM a ORDER BY k"
    )
    assert [d[0] for d in description] == ["k10"]
    assert rows == ((10,), (20,))
    assert tables(conn) == {"a"}


def test_select_then_drop_drops_the_table_as_doris_does(conn: Any) -> None:
    query(conn, "CREATE TABLE victim (k INT)")
    assert tables(conn) == {"victim"}
    description, _ = query(conn, "SELECT 1; DROP TABLE victim")
    assert description is None  # the last statement's OK, not the SELECT's rows
    assert tables(conn) == set()


def test_first_error_stops_the_rest_and_earlier_effects_stay(conn: Any) -> None:
    with pytest.raises(pymysql.MySQLError) as info:
        query(
            conn,
            "CREATE TABLE before_err (k INT); SELECT * FROM no_such_table; CREATE TABLE after_err (k INT)",
        )
    assert "no_such_table" in str(info.value.args[1])
    assert tables(conn) == {"before_err"}
    assert query(conn, "SELECT 5")[1] == ((5,),)  # the connection goes on


def test_a_query_doris_cannot_lex_runs_nothing(conn: Any) -> None:
    with pytest.raises(pymysql.MySQLError):
        query(conn, "CREATE TABLE never (k INT); SELECT 'unclosed")
    assert tables(conn) == set()


def test_a_carriage_return_ends_a_line_comment(conn: Any) -> None:
    query(conn, "SELECT 1 -- note\r; CREATE TABLE after_cr (k INT)")
    assert tables(conn) == {"after_cr"}


def test_a_backslash_newline_continues_a_line_comment(conn: Any) -> None:
    _, rows = query(conn, "SELECT 3 -- note \\\n; CREATE TABLE hidden (k INT)")
    assert rows == ((3,),)
    assert tables(conn) == set()


def test_bracketed_comments_nest(conn: Any) -> None:
    _, rows = query(conn, "/* outer /* inner */ ; CREATE TABLE nested (k INT) */ SELECT 4")
    assert rows == ((4,),)
    assert tables(conn) == set()


def test_a_hash_starts_no_comment(conn: Any) -> None:
    with pytest.raises(pymysql.MySQLError):
        query(conn, "CREATE TABLE by_hash (k INT) # ; SELECT 1")
    assert tables(conn) == set()


def test_semicolons_in_strings_names_and_comments_separate_nothing(conn: Any) -> None:
    description, rows = query(conn, "SELECT 'a;b' AS `x;y` /* ; */ -- ;\n")
    assert [d[0] for d in description] == ["x;y"]
    assert rows == (("a;b",),)


def test_empty_statements_and_a_trailing_semicolon_are_skipped(conn: Any) -> None:
    assert query(conn, ";; SELECT 1;;  ; SELECT 2 ;")[1] == ((2,),)


def test_with_multi_statements_every_result_comes_back(fe: LocalDorisFE) -> None:
    from pymysql.constants import CLIENT

    connection = pymysql.connect(
        host=fe.host, port=fe.port, user=fe.user, password=fe.password, client_flag=CLIENT.MULTI_STATEMENTS
    )
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1; SELECT 'x;y' -- ;\r; SELECT 3")
            results = [cur.fetchall()]
            while cur.nextset():
                results.append(cur.fetchall())
        assert results == [((1,),), (("x;y",),), ((3,),)]
    finally:
        connection.close()
