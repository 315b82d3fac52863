"""The example DAG runs on the local stand-ins: table created, CSV staged and loaded, count printed."""

from __future__ import annotations

import uuid
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_broker_load.py"


def test_example_broker_load_dag_runs_on_the_stand_ins(
    run_dag, local_doris_fe, oss_conn, local_oss, monkeypatch
):
    database = f"demo_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", oss_conn)
    monkeypatch.setenv("DORIS_OSS_DEMO_CSV", str(EXAMPLE.parent / "data" / "orders.csv"))
    monkeypatch.setenv("DORIS_OSS_DEMO_DATABASE", database)
    monkeypatch.setenv("DORIS_OSS_DEMO_TABLE", "orders")
    source = EXAMPLE.read_text().replace('"example_doris_broker_load"', '"{dag_id}"')
    result = run_dag(source)
    assert result.task_states == {
        "create_table": "success",
        "load_orders": "success",
        "print_row_count": "success",
    }
    expected = len((EXAMPLE.parent / "data" / "orders.csv").read_text().splitlines())
    assert result.xcom("print_row_count") == expected
    assert result.xcom("load_orders")["loaded_rows"] == expected
    listing = local_oss.client().list_objects_v2(Bucket=oss_conn, Prefix="staging/")
    assert listing.get("KeyCount", 0) == 0
