"""Partition routing and INSERT OVERWRITE in the local FE, as Doris does them.

INSERT OVERWRITE TABLE t PARTITION (p, ...) replaces exactly those partitions; a row outside them
is filtered (strict mode: the statement fails and the table is untouched); PARTITION (*) replaces
the partitions the new rows fall in; no PARTITION replaces the whole table.
"""

from __future__ import annotations

from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

RANGE_DDL = (
    "CREATE TABLE ev (dt DATE, id INT, name VARCHAR(20)) DUPLICATE KEY(dt, id) "
    "PARTITION BY RANGE(dt) ("
    'PARTITION p20260101 VALUES LESS THAN ("2026-01-02"), '
    'PARTITION p20260102 VALUES LESS THAN ("2026-01-03"), '
    'PARTITION p20260103 VALUES [("2026-01-03"), ("2026-01-04"))) '
    'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)
SEED = (
    "INSERT INTO ev VALUES ('2026-01-01', 1, 'a'), ('2026-01-02', 2, 'b'), ('2026-01-02', 3, 'c'), "
    "('2026-01-03', 4, 'd')"
)


def rows(doris: DorisClient, table: str = "ev") -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in doris.run(f"SELECT * FROM {table} ORDER BY 1, 2")]


@pytest.fixture
def ev(doris: DorisClient) -> DorisClient:
    doris.run(RANGE_DDL)
    doris.run(SEED)
    return doris


def _day(d: str) -> Any:
    import datetime

    return datetime.date.fromisoformat(d)


def test_overwrite_named_partition_replaces_only_it(ev: DorisClient) -> None:
    ev.run("INSERT OVERWRITE TABLE ev PARTITION (p20260102) WITH LABEL ow_1 VALUES ('2026-01-02', 9, 'z')")
    assert rows(ev) == [
        (_day("2026-01-01"), 1, "a"),
        (_day("2026-01-02"), 9, "z"),
        (_day("2026-01-03"), 4, "d"),
    ]
    assert ev.error(
        "INSERT OVERWRITE TABLE ev PARTITION (p20260102) WITH LABEL ow_1 VALUES ('2026-01-02', 8, 'y')"
    )[1].endswith("Label [ow_1] has already been used.")


def test_row_outside_named_partitions_fails_in_strict_mode_and_keeps_the_table(ev: DorisClient) -> None:
    before = rows(ev)
    code, message = ev.error(
        "INSERT OVERWRITE TABLE ev PARTITION (p20260102) WITH LABEL ow_bad "
        "VALUES ('2026-01-02', 7, 'x'), ('2026-01-03', 8, 'y')"
    )
    assert code == 1105 and "no partition for this tuple" in message
    assert rows(ev) == before
    ev.run("INSERT OVERWRITE TABLE ev PARTITION (p20260102) WITH LABEL ow_bad VALUES ('2026-01-02', 7, 'x')")
    assert (_day("2026-01-02"), 7, "x") in rows(ev)  # the failed statement's label was not kept


def test_non_strict_filters_rows_outside_the_partitions(ev: DorisClient) -> None:
    ev.run("SET enable_insert_strict = false")
    affected, _ = ev.execute(
        "INSERT OVERWRITE TABLE ev PARTITION (p20260101) VALUES ('2026-01-01', 5, 'e'), ('2026-02-01', 6, 'f')"
    )
    assert affected == 1
    assert rows(ev)[0] == (_day("2026-01-01"), 5, "e") and len(rows(ev)) == 4


def test_overwrite_star_replaces_the_partitions_the_rows_fall_in(ev: DorisClient) -> None:
    ev.run("INSERT OVERWRITE TABLE ev PARTITION (*) VALUES ('2026-01-01', 10, 'j'), ('2026-01-03', 11, 'k')")
    assert rows(ev) == [
        (_day("2026-01-01"), 10, "j"),
        (_day("2026-01-02"), 2, "b"),
        (_day("2026-01-02"), 3, "c"),
        (_day("2026-01-03"), 11, "k"),
    ]


def test_overwrite_without_partitions_replaces_the_table(ev: DorisClient) -> None:
    ev.run("INSERT OVERWRITE TABLE ev VALUES ('2026-01-02', 12, 'l')")
    assert rows(ev) == [(_day("2026-01-02"), 12, "l")]


def test_plain_insert_routes_and_refuses_rows_beyond_the_ranges(ev: DorisClient) -> None:
    _, message = ev.error("INSERT INTO ev VALUES ('2027-05-05', 13, 'm')")
    assert "no partition for this tuple" in message
    ev.run("INSERT INTO ev PARTITION (p20260103) VALUES ('2026-01-03', 14, 'n')")
    outside = ev.error("INSERT INTO ev PARTITION (p20260103) VALUES ('2026-01-01', 15, 'o')")[1]
    assert "no partition for this tuple" in outside
    assert len(rows(ev)) == 5


def test_list_partitions_by_string(doris: DorisClient) -> None:
    doris.run(
        "CREATE TABLE city (city VARCHAR(10), n INT) DUPLICATE KEY(city) PARTITION BY LIST(city) ("
        'PARTITION p_north VALUES IN ("beijing", "harbin"), PARTITION p_south VALUES IN ("guangzhou")) '
        "DISTRIBUTED BY HASH(n) BUCKETS 1"
    )
    doris.run("INSERT INTO city VALUES ('beijing', 1), ('harbin', 2), ('guangzhou', 3)")
    doris.run("INSERT OVERWRITE TABLE city PARTITION (p_north) VALUES ('harbin', 20)")
    assert rows(doris, "city") == [("guangzhou", 3), ("harbin", 20)]
    assert "no partition for this tuple" in doris.error("INSERT INTO city VALUES ('lhasa', 4)")[1]


def test_auto_partition_star_creates_partitions_only_when_allowed(doris: DorisClient) -> None:
    doris.run(
        "CREATE TABLE auto_ev (dt DATE NOT NULL, id INT) DUPLICATE KEY(dt) "
        "AUTO PARTITION BY RANGE (date_trunc(`dt`, 'day')) () DISTRIBUTED BY HASH(id) BUCKETS 1"
    )
    doris.run("INSERT INTO auto_ev VALUES ('2026-01-01', 1), ('2026-01-02', 2)")
    assert "PARTITION p20260101000000" in doris.run("SHOW CREATE TABLE auto_ev")[0]["Create Table"]
    doris.run("INSERT OVERWRITE TABLE auto_ev PARTITION (*) VALUES ('2026-01-02', 20)")
    assert rows(doris, "auto_ev") == [(_day("2026-01-01"), 1), (_day("2026-01-02"), 20)]
    message = doris.error("INSERT OVERWRITE TABLE auto_ev PARTITION (*) VALUES ('2026-01-05', 5)")[1]
    assert "no partition for this tuple" in message
    doris.run("SET enable_auto_create_when_overwrite = true")
    doris.run("INSERT OVERWRITE TABLE auto_ev PARTITION (*) VALUES ('2026-01-05', 5), ('2026-01-01', 10)")
    assert rows(doris, "auto_ev") == [
        (_day("2026-01-01"), 10),
        (_day("2026-01-02"), 20),
        (_day("2026-01-05"), 5),
    ]


def test_overwrite_from_s3_replaces_the_partition(ev: DorisClient) -> None:
    bucket = ev.oss.create_bucket("fe-part-" + ev.db.replace("_", "-")[-12:])
    ev.oss.client().put_object(Bucket=bucket, Key="d2.csv", Body=b"2026-01-02,21,u\n2026-01-02,22,v\n")
    affected, info = ev.execute(
        "INSERT OVERWRITE TABLE ev PARTITION (p20260102) WITH LABEL ow_s3 SELECT * FROM S3("
        f'"uri" = "s3://{bucket}/d2.csv", "format" = "csv", "column_separator" = ",", {ev.storage()})'
    )
    assert affected == 2 and "'label':'ow_s3'" in info
    assert rows(ev) == [
        (_day("2026-01-01"), 1, "a"),
        (_day("2026-01-02"), 21, "u"),
        (_day("2026-01-02"), 22, "v"),
        (_day("2026-01-03"), 4, "d"),
    ]
    jobs = ev.run('SHOW LOAD WHERE LABEL = "ow_s3"')
    assert [(j["Label"], j["Type"], j["State"]) for j in jobs] == [("ow_s3", "INSERT", "FINISHED")]


def _broker_load(doris: DorisClient, label: str, bucket: str, key: str, ratio: str) -> dict[str, Any]:
    doris.run(
        f'LOAD LABEL {label} (DATA INFILE ("s3://{bucket}/{key}") INTO TABLE ev COLUMNS TERMINATED BY "," '
        f"(dt, id, name)) WITH S3 ({doris.storage()}) "
        f'PROPERTIES ("max_filter_ratio" = "{ratio}")'
    )
    return doris.wait("LOAD", label)


def test_broker_load_counts_rows_without_a_partition_as_filtered(ev: DorisClient) -> None:
    bucket = ev.oss.create_bucket("fe-bl-" + ev.db.replace("_", "-")[-12:])
    ev.put(bucket, "in.csv", b"2026-01-03,40,q\n2027-01-01,41,r\n")
    before = rows(ev)
    job = _broker_load(ev, "bl_strict", bucket, "in.csv", "0")
    assert (job["State"], job["ErrorMsg"]) == (
        "CANCELLED",
        "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel",
    )
    assert rows(ev) == before
    job = _broker_load(ev, "bl_lenient", bucket, "in.csv", "0.5")
    assert job["State"] == "FINISHED"
    assert job["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=1; dpp.norm.ALL=1"
    assert rows(ev) == [*before, (_day("2026-01-03"), 40, "q")]


# Doris 2.0+ keeps partitions in OlapTable.nameToPartition, a TreeMap in natural (case-sensitive)
# order, and looks names up with getPartition(name) = nameToPartition.get(name): names match exactly.


def test_partition_names_match_exactly_in_inserts(ev: DorisClient) -> None:
    for statement in (
        "INSERT INTO ev PARTITION (P20260103) VALUES ('2026-01-03', 30, 'x')",
        "INSERT OVERWRITE TABLE ev PARTITION (P20260102) VALUES ('2026-01-02', 31, 'y')",
        "INSERT INTO ev PARTITION P20260103 VALUES ('2026-01-03', 32, 'z')",
    ):
        _, message = ev.error(statement)
        assert message.endswith("Unknown partition 'P20260102' in table 'ev'") or message.endswith(
            "Unknown partition 'P20260103' in table 'ev'"
        ), message
    ev.run("INSERT INTO ev PARTITION (p20260103) VALUES ('2026-01-03', 33, 'w')")
    assert (_day("2026-01-03"), 33, "w") in rows(ev)


def test_partition_names_match_exactly_in_loads_and_exports(ev: DorisClient) -> None:
    bucket = ev.oss.create_bucket("fe-case-" + ev.db.replace("_", "-")[-12:])
    ev.put(bucket, "in.csv", b"2026-01-03,50,q\n")
    _, message = ev.error(
        f'LOAD LABEL bl_case (DATA INFILE ("s3://{bucket}/in.csv") INTO TABLE ev PARTITION (P20260103) '
        f'COLUMNS TERMINATED BY "," (dt, id, name)) WITH S3 ({ev.storage()})'
    )
    assert message.endswith("Unknown partition 'P20260103' in table 'ev'"), message
    _, message = ev.error(
        f'EXPORT TABLE ev PARTITION (P20260101) TO "s3://{bucket}/out/x_" WITH S3 ({ev.storage()})'
    )
    assert message.endswith("Partition [P20260101] does not exist in Table[ev]"), message


def test_a_backticked_star_is_a_name_not_partition_star(ev: DorisClient) -> None:
    before = rows(ev)
    for statement in (
        "INSERT OVERWRITE TABLE ev PARTITION (`*`) VALUES ('2026-01-01', 60, 's')",
        "INSERT INTO ev PARTITION (`*`) VALUES ('2026-01-01', 61, 't')",
        "INSERT OVERWRITE TABLE ev PARTITION (p20260101, `*`) VALUES ('2026-01-01', 62, 'u')",
    ):
        _, message = ev.error(statement)
        assert message.endswith("Unknown partition '*' in table 'ev'"), message
    bucket = ev.oss.create_bucket("fe-star-" + ev.db.replace("_", "-")[-12:])
    ev.put(bucket, "d1.csv", b"2026-01-01,63,v\n")
    _, message = ev.error(
        "INSERT OVERWRITE TABLE ev PARTITION (`*`) SELECT * FROM S3("
        f'"uri" = "s3://{bucket}/d1.csv", "format" = "csv", "column_separator" = ",", {ev.storage()})'
    )
    assert message.endswith("Unknown partition '*' in table 'ev'"), message
    assert rows(ev) == before
