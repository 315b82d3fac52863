"""object_label through real Broker Loads on the local FE: a key with quotes loads once, and one
object version goes into two tables of one database only with a prefix per table (docs/operators.md)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import DorisJobError
from airflow_provider_doris_oss.sql.labels import object_label

TABLE = (
    "CREATE TABLE `{name}` (id INT, name VARCHAR(40)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
    'BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


def context(task_id: str) -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="labels", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti}


def load(doris: Any, table: str, key: str, label: str, task_id: str = "load") -> dict[str, Any]:
    operator = DorisBrokerLoadOperator(
        task_id=task_id,
        table=f"{doris.db}.{table}",
        source_uris=f"oss://{doris.bucket}/{key}",
        format="csv",
        column_separator=",",
        columns=["id", "name"],
        label=label,
        poll_interval=0.1,
    )
    return dict(operator.execute(context(task_id)))


def rows(doris: Any, table: str) -> list[tuple[int, str]]:
    return [(r["id"], r["name"]) for r in doris.run(f"SELECT id, name FROM `{table}` ORDER BY id")]


@pytest.mark.parametrize("key", ['"', '""', 'inbox/say "hi".csv'])
def test_a_key_with_quotes_gets_a_label_and_loads_once(doris: Any, key: str) -> None:
    doris.run(TABLE.format(name="quoted"))
    doris.put(key, "1,ann\n2,bob\n")
    etag = doris.oss.client().head_object(Bucket=doris.bucket, Key=key)["ETag"]
    label = object_label(doris.bucket, key, etag)

    first = load(doris, "quoted", key, label)
    again = load(doris, "quoted", key, label)  # the same version reported twice

    assert (first["state"], first["submitted"]) == ("FINISHED", True)
    assert (again["submitted"], again["job_id"]) == (False, first["job_id"])
    assert rows(doris, "quoted") == [(1, "ann"), (2, "bob")]


def test_one_version_into_two_tables_of_one_database_needs_a_prefix_per_table(doris: Any) -> None:
    for table in ("orders_raw", "orders_audit"):
        doris.run(TABLE.format(name=table))
    key = "inbox/o-1.csv"
    doris.put(key, "1,ann\n")
    etag = doris.oss.client().head_object(Bucket=doris.bucket, Key=key)["ETag"]

    # One label for both tables: the second load finds the first table's job under it and is refused.
    shared = object_label(doris.bucket, key, etag)
    load(doris, "orders_raw", key, shared, task_id="raw")
    with pytest.raises(DorisJobError, match=shared):
        load(doris, "orders_audit", key, shared, task_id="audit")
    assert rows(doris, "orders_audit") == []

    # The documented way: a prefix per target table.
    raw = load(doris, "orders_raw", key, object_label(doris.bucket, key, etag, prefix="raw"), "raw")
    audit = load(doris, "orders_audit", key, object_label(doris.bucket, key, etag, prefix="audit"), "audit")
    assert raw["state"] == audit["state"] == "FINISHED"
    assert rows(doris, "orders_audit") == [(1, "ann")]
    assert rows(doris, "orders_raw") == [(1, "ann"), (1, "ann")]  # once under `shared`, once under `raw`
