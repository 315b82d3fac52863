"""Table references beyond a plain table: ``numbers(...)`` and ``t PARTITION ...``."""

from __future__ import annotations

from typing import Any

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


def test_numbers_generates_a_bigint_column(doris: DorisClient) -> None:
    assert doris.run('SELECT * FROM numbers("number" = "4")') == [{"number": n} for n in range(4)]
    rows = doris.run('SELECT n.number FROM numbers("number" = "3", "const_value" = "7") AS n')
    assert rows == [{"number": 7}] * 3


def test_numbers_feeds_an_insert(doris: DorisClient) -> None:
    doris.run("CREATE TABLE t (k BIGINT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1")
    doris.run('INSERT INTO t SELECT number, number * 10 FROM numbers("number" = "5") WHERE number > 1')
    assert [r["v"] for r in doris.run("SELECT v FROM t ORDER BY k")] == [20, 30, 40]


def test_numbers_errors_as_doris(doris: DorisClient) -> None:
    _, message = doris.error('SELECT * FROM numbers("const_value" = "1")')
    assert (
        message
        == "errCode = 2, detailMessage = Can not build FunctionGenTable 'numbers'. error: number not set"
    )
    _, message = doris.error('SELECT * FROM numbers("number" = "ten")')
    assert message.endswith("error: cannot parse param value ten")


PARTITIONED = (
    "CREATE TABLE p (dt DATE, v INT) DUPLICATE KEY(dt) "
    'PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ("2024-02-01"), '
    'PARTITION p2 VALUES LESS THAN ("2024-03-01"), PARTITION p3 VALUES LESS THAN ("2024-04-01")) '
    "DISTRIBUTED BY HASH(dt) BUCKETS 1"
)


def _partitioned(doris: DorisClient) -> None:
    doris.run(PARTITIONED)
    doris.run("INSERT INTO p VALUES ('2024-01-05', 1), ('2024-02-05', 2), ('2024-03-05', 3)")


def test_select_from_named_partitions(doris: DorisClient) -> None:
    _partitioned(doris)
    assert doris.run("SELECT v FROM p PARTITION p2") == [{"v": 2}]
    assert [r["v"] for r in doris.run("SELECT v FROM p PARTITION (p1, p3) ORDER BY v")] == [1, 3]
    assert [r["v"] for r in doris.run("SELECT x.v FROM p PARTITIONS (p3) x")] == [3]
    assert doris.run("SELECT count(*) AS c FROM p PARTITION (p1) WHERE v > 5") == [{"c": 0}]


def test_select_from_an_unknown_partition(doris: DorisClient) -> None:
    _partitioned(doris)
    _, message = doris.error("SELECT v FROM p PARTITION (p1, p9)")
    assert message == "errCode = 2, detailMessage = Partition: p9 is not exists on table p"


def test_window_partition_by_is_left_alone(doris: DorisClient) -> None:
    _partitioned(doris)
    rows = doris.run("SELECT v, row_number() OVER (PARTITION BY v ORDER BY dt) AS r FROM p ORDER BY v")
    assert [r["r"] for r in rows] == [1, 1, 1]
