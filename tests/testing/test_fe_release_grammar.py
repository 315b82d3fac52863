"""What a release's own grammar lets through runs as that release runs it (releases.Grammar)."""

from __future__ import annotations

from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

AGG = (
    "CREATE TABLE agg (k INT, v BIGINT SUM, w DOUBLE SUM) AGGREGATE KEY(k) "
    'DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


def _negative_load(doris: DorisClient, bucket: str, label: str, table: str) -> str:
    return (
        f'LOAD LABEL {label} (DATA INFILE ("s3://{bucket}/in/a.csv") NEGATIVE INTO TABLE {table} '
        f'COLUMNS TERMINATED BY ",") WITH S3 ({doris.storage()})'
    )


@pytest.mark.parametrize("doris_version", ["2.1.2"])
def test_negative_on_2_1_loads_sum_columns_negated(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(AGG)
    doris.run("INSERT INTO agg VALUES (1, 10, 1.5), (2, 20, 2.5)")
    doris.put(oss_bucket, "in/a.csv", b"1,3,0.5\n2,20,\n")
    doris.run(_negative_load(doris, oss_bucket, "neg1", "agg"))
    assert doris.wait("LOAD", "neg1")["State"] == "FINISHED"
    got = [tuple(r.values()) for r in doris.run("SELECT k, v, w FROM agg ORDER BY k")]
    assert got == [(1, 7, 1.0), (2, 0, 2.5)]


@pytest.mark.parametrize("doris_version", ["2.1.2"])
@pytest.mark.parametrize(
    ("ddl", "message"),
    [
        (
            "CREATE TABLE t (k INT, v BIGINT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 "
            'PROPERTIES ("replication_num" = "1")',
            "Load for AGG_KEYS table should not specify NEGATIVE",
        ),
        (
            "CREATE TABLE t (k INT, v BIGINT SUM, m BIGINT MAX) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) "
            'BUCKETS 1 PROPERTIES ("replication_num" = "1")',
            "Column is not SUM AggregateType. column:m",
        ),
    ],
)
def test_negative_on_2_1_needs_an_all_sum_aggregate_table(
    doris: DorisClient, oss_bucket: str, ddl: str, message: str
) -> None:
    doris.run(ddl)
    code, text = doris.error(_negative_load(doris, oss_bucket, "neg2", "t"))
    assert (code, text) == (1105, f"errCode = 2, detailMessage = {message}")
    assert doris.run('SHOW LOAD WHERE LABEL = "neg2"') == []


@pytest.mark.parametrize("doris_version", ["3.0.3", "3.1", "4.0"])
def test_negative_after_2_1_is_a_syntax_error_at_it(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(AGG)
    sql = _negative_load(doris, oss_bucket, "neg3", "agg")
    code, text = doris.error(sql)
    assert code == 1105
    assert text.startswith("errCode = 2, detailMessage = \n") and "'NEGATIVE'" in text
    assert text.endswith(f"(line 1, pos {sql.index('NEGATIVE')})")
