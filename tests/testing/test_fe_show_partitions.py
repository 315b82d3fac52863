"""SHOW PARTITIONS with the columns of Doris's PartitionsProcDir (OLAP tables)."""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.show_partitions import COLUMNS

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

RANGE_TABLE = (
    "CREATE TABLE p (dt DATE, v INT) DUPLICATE KEY(dt) "
    'PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ("2024-02-01"), '
    'PARTITION p2 VALUES LESS THAN ("2024-03-01")) DISTRIBUTED BY HASH(dt) BUCKETS 2 '
    'PROPERTIES ("replication_num" = "1")'
)


def test_columns_are_dorises(doris: DorisClient) -> None:
    doris.run(RANGE_TABLE)
    assert doris.columns("SHOW PARTITIONS FROM p") == COLUMNS
    assert len(COLUMNS) == 22 and COLUMNS[-2:] == ["CommittedVersion", "RowCount"]


def test_range_partitions_with_their_bounds_and_rows(doris: DorisClient) -> None:
    doris.run(RANGE_TABLE)
    doris.run("INSERT INTO p VALUES ('2024-01-05', 1), ('2024-01-06', 2), ('2024-02-05', 3)")
    rows = doris.run("SHOW PARTITIONS FROM p")
    assert [r["PartitionName"] for r in rows] == ["p1", "p2"]
    first = rows[0]
    assert first["PartitionKey"] == "dt"
    assert first["Range"] == "[types: [DATEV2]; keys: [0000-01-01]; ..types: [DATEV2]; keys: [2024-02-01]; )"
    assert rows[1]["Range"] == "[types: [DATEV2]; keys: [2024-02-01]; ..types: [DATEV2]; keys: [2024-03-01]; )"
    assert (first["DistributionKey"], first["Buckets"], first["ReplicationNum"]) == ("dt", "2", "1")
    assert (first["State"], first["StorageMedium"], first["IsMutable"]) == ("NORMAL", "HDD", "true")
    assert [r["RowCount"] for r in rows] == ["2", "1"]


def test_unpartitioned_table_has_one_partition_named_after_it(doris: DorisClient) -> None:
    doris.run("CREATE TABLE u (k INT) DUPLICATE KEY(k) DISTRIBUTED BY RANDOM BUCKETS 3")
    rows = doris.run(f"SHOW PARTITIONS FROM {doris.db}.u")
    assert [(r["PartitionName"], r["PartitionKey"], r["Range"], r["DistributionKey"]) for r in rows] == [
        ("u", "", "", "RANDOM")
    ]


def test_where_order_and_limit(doris: DorisClient) -> None:
    doris.run(RANGE_TABLE)
    assert [r["PartitionName"] for r in doris.run("SHOW PARTITIONS FROM p WHERE PartitionName = 'p2'")] == ["p2"]
    assert [r["PartitionName"] for r in doris.run("SHOW PARTITIONS FROM p WHERE PartitionName LIKE 'p%'")] == [
        "p1",
        "p2",
    ]
    names = [r["PartitionName"] for r in doris.run("SHOW PARTITIONS FROM p ORDER BY PartitionName DESC LIMIT 1")]
    assert names == ["p2"]
    assert doris.run("SHOW TEMPORARY PARTITIONS FROM p") == []


def test_errors(doris: DorisClient) -> None:
    doris.run(RANGE_TABLE)
    code, message = doris.error("SHOW PARTITIONS FROM nope")
    assert "nope" in message and code == 1105
    _, message = doris.error("SHOW PARTITIONS FROM p WHERE Nope = 1")
    assert "Unknown column 'Nope'" in message
