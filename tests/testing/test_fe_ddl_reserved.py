"""CREATE TABLE and INSERT refuse the words Doris reserves as bare names, as Doris's grammar does.

Backticked, a reserved word is a name like any other. Which words are reserved is the keyword table
(``doris_fe/keywords.tsv``, from Doris's grammar); ``COMMENT`` and ``LABEL`` are keywords it does not reserve.
"""

from __future__ import annotations

from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
TAIL = 'DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")'


def _refused_at(doris: DorisClient, sql: str, word: str) -> None:
    code, message = doris.error(sql)
    assert code == 1105
    assert message.startswith("errCode = 2, detailMessage = \n"), message
    assert f"input '{word}'" in message, message
    line = sql.count("\n", 0, sql.index(word)) + 1
    assert message.endswith(
        f"(line {line}, pos {sql.index(word) - (sql.rfind(chr(10), 0, sql.index(word)) + 1)})"
    )


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        (f"CREATE TABLE t (k INT, add INT) {TAIL}", "add"),
        (f"CREATE TABLE t (k INT, `a` INT,\n  database VARCHAR(10)) {TAIL}", "database"),
        (f"CREATE TABLE t (index INT, k INT) {TAIL}", "index"),  # INDEX starts an index definition
        (f"CREATE TABLE int (k INT) {TAIL}", "int"),
        (f"CREATE TABLE t (k INT, v INT) DUPLICATE KEY(using) {TAIL[len('DUPLICATE KEY(k) ') :]}", "using"),
    ],
)
def test_a_reserved_word_as_a_bare_name_is_a_syntax_error_at_it(
    doris: DorisClient, sql: str, word: str
) -> None:
    _refused_at(doris, sql, word)
    assert doris.run("SHOW TABLES") == []


def test_a_reserved_word_in_insert_is_a_syntax_error_at_it(doris: DorisClient) -> None:
    doris.run(f"CREATE TABLE t (k INT, `add` INT) {TAIL}")
    _refused_at(doris, "INSERT INTO t (k, add) VALUES (1, 2)", "add")
    _refused_at(doris, "INSERT INTO t WITH LABEL default VALUES (1, 2)", "default")
    assert doris.run("SELECT * FROM t") == []


def test_backticked_reserved_words_and_unreserved_keywords_are_names(doris: DorisClient) -> None:
    doris.run(f"CREATE TABLE `int` (k INT, `add` INT, `database` VARCHAR(5), label INT, comment INT) {TAIL}")
    doris.run("INSERT INTO `int` (k, `add`, `database`, label, comment) VALUES (1, 2, 'x', 3, 4)")
    assert [
        tuple(r.values()) for r in doris.run("SELECT k, `add`, `database`, label, comment FROM `int`")
    ] == [(1, 2, "x", 3, 4)]
