"""Expressions and queries are checked against Doris's grammar before the engine or sqlglot sees them."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.testing.doris_fe.expressions import parse_expression
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.query_check import check_whole_query


def expression_end(text: str) -> str:
    """The source text after the expression at the start of ``text`` ('' when it is all of it)."""
    tokens = tokenize(text)
    end = parse_expression(text, tokens, 0)
    return "" if tokens[end].kind == EOF else text[tokens[end].start :]


def error(call, text: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DorisError) as info:
        call(text)
    assert info.value.code == 1105
    return info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "tmp_c1 + 1",
        "if(k1 > 0, 1, 0)",
        "str_to_date(c, '%Y-%m-%d %H:%i:%s')",
        "k1 = 1 AND k2 IN (1, 2, 3) OR k3 IS NOT NULL",
        "k1 NOT BETWEEN 1 AND 3 XOR k2 <=> NULL",
        "CASE c WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END",
        "CASE WHEN a > 1 THEN 1 END",
        "CAST(k1 AS DECIMAL(10, 2)) * -2",
        "cast(a AS ARRAY<MAP<STRING, INT>>)",
        "x -> x + 1",
        "array_map((x, y) -> x + y, a, b)",
        "now() - INTERVAL 1 DAY",
        "@@session.time_zone = 'UTC'",
        "count(DISTINCT a) OVER (PARTITION BY b ORDER BY c DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
        "left(a, 2) LIKE 'x%' ESCAPE '!'",
        "a[1] = [1, 2][2]",
        "`select` = DATE '2024-01-01'",
        "db.t.c = 1 && NOT b",
        "k1 = (SELECT max(a) FROM t) AND EXISTS (SELECT 1)",
    ],
)
def test_expressions_doris_accepts_parse_to_the_end(text: str) -> None:
    assert expression_end(text) == ""


def test_an_expression_ends_where_the_next_word_cannot_continue_it() -> None:
    # The caller (a Broker Load's WHERE) then meets 'k1' where a clause or ')' belongs.
    assert expression_end("k1 k1 <=> NULL") == "k1 <=> NULL"
    assert expression_end("a = 1 DELETE ON b = 2") == "DELETE ON b = 2"


@pytest.mark.parametrize(
    ("text", "offending", "pos"),
    [
        ("substr(, 1, 3)", "','", 7),
        ("CASE c WHEN 1 LABEL 'a' END", "'LABEL'", 14),
        ("k1 IN 1", "'1'", 6),
        ("a NOT NULL", "'NULL'", 6),
        ("CAST(a AS)", "')'", 9),
        ("a +", "'<EOF>'", 3),
        ("1 = DEFAULT", "'DEFAULT'", 4),
    ],
)
def test_malformed_expressions_fail_at_the_offending_token(text: str, offending: str, pos: int) -> None:
    message = error(lambda t: parse_expression(t, tokenize(t), 0), text)
    assert f"input {offending}" in message
    assert message.endswith(f"(line 1, pos {pos})")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a, b AS c, 'x' y FROM db.t AS x JOIN u ON x.a = u.a WHERE a > 1 GROUP BY a "
        "HAVING count(*) > 1 ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 5",
        "WITH c (x) AS (SELECT 1) SELECT * FROM c",
        "SELECT * FROM s3('uri' = 's3://b/k', 'format' = 'csv') t",
        "SELECT * FROM t PARTITION p1 WHERE k = 1",
        "SELECT * FROM t TEMPORARY PARTITIONS (p1, p2) LIMIT 1, 2",
        "(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1",
        "SELECT 1 FROM t LEFT SEMI JOIN u USING (a) CROSS JOIN v",
        "SELECT x.* FROM (SELECT * FROM t) x WHERE a IN (SELECT b FROM u)",
        "SELECT * FROM numbers('number' = '10');",
        "VALUES (1, 'a'), (2, 'b')",
    ],
)
def test_queries_doris_accepts_pass_the_check(sql: str) -> None:
    check_whole_query(sql, tokenize(sql))


@pytest.mark.parametrize(
    ("sql", "offending", "pos"),
    [
        ("SELECT * FROM FROM t", "'FROM'", 14),
        ("SELECT a, , NULL FROM t", "','", 10),
        ("SELECT a FROM t ORDER BY  DESC", "'DESC'", 26),
        ("SELECT a FROM t LIMIT 'x'", "''x''", 22),
        ("SELECT a FROM t WHERE", "'<EOF>'", 21),
        ("SELECT a FROM t t2 t3", "'t3'", 19),
        ("SELECT a FROM t JOIN ON a = b", "'ON'", 21),
        ("SELECT a\nFROM t GROUP a", "'a'", 13),
    ],
)
def test_malformed_queries_fail_where_doris_fails(sql: str, offending: str, pos: int) -> None:
    message = error(lambda s: check_whole_query(s, tokenize(s)), sql)
    assert f"input {offending}" in message
    line = sql.count("\n") + 1
    assert message.endswith(f"(line {line}, pos {pos})")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * EXCEPT (a, b) FROM t",
        "SELECT t.* REPLACE (a + 1 AS a) FROM t",
        "SELECT CONVERT(a, INT), CONVERT(b USING utf8) FROM t",
        "SELECT k, e FROM t LATERAL VIEW explode(arr) tmp AS e WHERE k > 1",
        "SELECT DATABASE(), CURRENT_USER(), VERSION(), @@version_comment",
    ],
)
def test_doris_only_query_forms_pass_the_check(sql: str) -> None:
    check_whole_query(sql, tokenize(sql))


@pytest.mark.parametrize(
    ("sql", "pos"),
    [
        ("SELECT * FROM FROM t", 14),
        ("SELECT a, , NULL FROM t", 10),
        ("SELECT a FROM t ORDER BY  DESC", 26),
        ("WITH c AS (SELECT 1) SELECT FROM c", 28),
    ],
)
def test_the_engine_checks_queries_by_doris_grammar_before_sqlglot(sql: str, pos: int) -> None:
    from airflow_provider_doris_oss.testing.doris_fe import sqlmap

    message = error(sqlmap.parse, sql)
    assert message.endswith(f"(line 1, pos {pos})")
