"""A job found under a label is taken as the task's own only when it does what the task does."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.job import DorisJobError


class Events(dict):  # type: ignore[type-arg]
    def __missing__(self, key: Any) -> Any:
        self[key] = SimpleNamespace(extra={})
        return self[key]


def context(task_id: str = "t", run_id: str = "manual__1") -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="d", task_id=task_id, run_id=run_id, map_index=-1, try_number=1)
    return {"ti": ti, "outlet_events": Events()}


@pytest.fixture
def two_tables(doris: Any) -> Any:
    doris.run("INSERT INTO orders VALUES (1, 'ann', 10), (2, 'bob', 20)")
    doris.run(
        "CREATE TABLE t2 (id INT, name VARCHAR(40)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    doris.run("INSERT INTO t2 VALUES (7, 'other')")
    return doris


def export(doris: Any, table: str, prefix: str, **kwargs: Any) -> DorisExportOperator:
    return DorisExportOperator(
        task_id="t",
        table=f"{doris.db}.{table}",
        target_uri=f"oss://{doris.bucket}/{prefix}",
        label="shared-export",
        poll_interval=0.1,
        **kwargs,
    )


def test_an_export_of_another_table_under_the_label_is_refused(two_tables: Any) -> None:
    first = export(two_tables, "orders", "a/out_").execute(context())
    assert first["total_rows"] == 2
    with pytest.raises(DorisJobError, match=r"tbl.*t2|t2.*tbl") as raised:
        export(two_tables, "t2", "b/out_").execute(context())
    assert "shared-export" in str(raised.value)
    assert two_tables.objects("b/") == {}


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"target": "elsewhere/out_"}, "path"),
        ({"columns": ["id"]}, "columns"),
        ({"format": "parquet"}, "format"),
    ],
)
def test_an_export_that_differs_in_path_columns_or_format_is_refused(
    two_tables: Any, change: dict[str, Any], word: str
) -> None:
    export(two_tables, "orders", "a/out_", columns=["id", "name"], format="csv").execute(context())
    kwargs: dict[str, Any] = {"columns": ["id", "name"], "format": "csv"}
    kwargs.update({k: v for k, v in change.items() if k != "target"})
    with pytest.raises(DorisJobError, match=word):
        export(two_tables, "orders", change.get("target", "a/out_"), **kwargs).execute(context())


def test_a_retry_of_the_same_export_is_still_found(two_tables: Any) -> None:
    first = export(two_tables, "orders", "a/out_", columns=["id", "name"]).execute(context())
    again = export(two_tables, "orders", "a/out_", columns=["ID", " name"]).execute(context())
    assert (again["submitted"], again["job_id"]) == (False, first["job_id"])


def insert(doris: Any, table: str, columns: list[str]) -> DorisOssInsertOperator:
    return DorisOssInsertOperator(
        task_id="t",
        table=f"{doris.db}.{table}",
        source_uri=f"oss://{doris.bucket}/in/*.csv",
        format="csv",
        column_separator=",",
        columns=columns,
        select_list=["cast(c1 as int)", "c2"],
        label="shared-insert",
    )


def test_an_insert_into_another_table_with_a_reused_label_is_not_taken_as_loaded(two_tables: Any) -> None:
    two_tables.put("in/a.csv", "5,eve\n")
    first = insert(two_tables, "orders", ["id", "name"]).execute(context())
    second = insert(two_tables, "t2", ["id", "name"]).execute(context())
    assert first["already_loaded"] is False
    assert second["already_loaded"] is False
    assert first["label"] != second["label"]
    assert sorted(r["id"] for r in two_tables.run("SELECT id FROM t2")) == [5, 7]
    retry = insert(two_tables, "t2", ["id", "name"]).execute(context())
    assert (retry["already_loaded"], retry["label"]) == (True, second["label"])
    assert sorted(r["id"] for r in two_tables.run("SELECT id FROM t2")) == [5, 7]


def test_a_broker_load_does_not_take_an_insert_under_its_label_as_its_own(two_tables: Any) -> None:
    two_tables.put("in/a.csv", "5,eve\n")
    # A plain INSERT took the label first; SHOW LOAD lists it (Type INSERT, empty Comment).
    two_tables.run("INSERT INTO t2 WITH LABEL taken_by_insert SELECT 8, 'x'")
    assert [r["Type"] for r in two_tables.run('SHOW LOAD WHERE LABEL = "taken_by_insert"')] == ["INSERT"]
    op = DorisBrokerLoadOperator(
        task_id="t",
        table=f"{two_tables.db}.orders",
        source_uris=f"oss://{two_tables.bucket}/in/*.csv",
        format="csv",
        column_separator=",",
        columns=["id", "name"],
        label="taken_by_insert",
        poll_interval=0.1,
    )
    with pytest.raises(DorisJobError, match="INSERT"):
        op.execute(context())
    assert sorted(r["id"] for r in two_tables.run("SELECT id FROM orders")) == [1, 2]
