"""``INSERT ... VALUES (..., DEFAULT)``: the cell takes the column's default, as in Doris."""

from __future__ import annotations

from typing import Any

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

TABLE = (
    "CREATE TABLE d (k INT NOT NULL, s VARCHAR(10) DEFAULT 'none', n INT NULL, "
    "t DATETIME DEFAULT CURRENT_TIMESTAMP, r INT NOT NULL) "
    "DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1"
)


def test_default_cells_take_the_column_default(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run("INSERT INTO d VALUES (1, DEFAULT, DEFAULT, DEFAULT, 5), (2, 'x', 7, '2024-01-01 00:00:00', 6)")
    rows = doris.run("SELECT k, s, n, t IS NOT NULL AS has_t FROM d ORDER BY k")
    assert rows == [{"k": 1, "s": "none", "n": None, "has_t": 1}, {"k": 2, "s": "x", "n": 7, "has_t": 1}]


def test_default_in_a_column_list(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run("INSERT INTO d (r, k, s) VALUES (9, 3, default)")
    assert doris.run("SELECT k, s, r FROM d") == [{"k": 3, "s": "none", "r": 9}]


def test_default_for_a_not_null_column_without_one(doris: DorisClient) -> None:
    doris.run(TABLE)
    _, message = doris.error("INSERT INTO d VALUES (4, 'y', 1, DEFAULT, DEFAULT)")
    assert message == "errCode = 2, detailMessage = Column has no default value, column=r"
