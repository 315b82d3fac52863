"""The example DAGs behind ``make demo``: insert from OSS, then OUTFILE, then EXPORT, on one local FE."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).parents[2] / "example_dags"


@pytest.fixture
def fe(local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import pymysql

    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss) as server:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", server.connection().as_json())
        monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", oss_conn)
        conn = pymysql.connect(host=server.host, port=server.port, user="root", password="", autocommit=True)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE demo")
            cur.execute(
                "CREATE TABLE demo.orders (order_id BIGINT, customer VARCHAR(64), amount DECIMAL(10, 2), "
                "order_date DATE) UNIQUE KEY(order_id) DISTRIBUTED BY HASH(order_id) BUCKETS 1 "
                'PROPERTIES ("replication_num" = "1")'
            )
        server.test_conn = conn
        yield server
        conn.close()


def example(name: str, dag_id: str) -> str:
    return (EXAMPLES / name).read_text().replace(f'"{dag_id}"', '"{dag_id}"')


@pytest.mark.parametrize(
    ("name", "dag_id"),
    [
        ("example_export.py", "example_doris_export"),
        ("example_outfile.py", "example_doris_outfile"),
        ("example_insert_from_oss.py", "example_doris_insert_from_oss"),
        ("example_catalog.py", "example_doris_catalog"),
    ],
)
def test_the_example_dag_imports_cleanly(name: str, dag_id: str) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(EXAMPLES / name))
    assert bag.import_errors == {}
    assert bag.dag_ids == [dag_id]


def test_insert_then_outfile_then_export_examples(
    fe: Any, local_oss: Any, oss_conn: str, run_dag: Any
) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    client = local_oss.client()
    client.put_object(
        Bucket=oss_conn, Key="incoming/orders-1.csv", Body=b"1,ann,10.50,2026-01-05\n2,bob,20.00,2026-01-06\n"
    )
    client.put_object(Bucket=oss_conn, Key="incoming/orders-2.csv", Body=b"3,chlo\xc3\xa9,30.25,2026-01-07\n")

    inserted = run_dag(example("example_insert_from_oss.py", "example_doris_insert_from_oss"))
    assert inserted.state == "success", inserted.task_states
    assert inserted.xcom("insert_orders")["rows"] == 3
    with fe.test_conn.cursor() as cur:
        cur.execute("SELECT order_id, customer, amount, order_date FROM demo.orders ORDER BY order_id")
        assert [tuple(map(str, row)) for row in cur.fetchall()] == [
            ("1", "ann", "10.50", "2026-01-05"),
            ("2", "bob", "20.00", "2026-01-06"),
            ("3", "chloé", "30.25", "2026-01-07"),
        ]

    written = run_dag(example("example_outfile.py", "example_doris_outfile"))
    assert written.state == "success", written.task_states
    (file,) = written.xcom("orders_to_oss")["files"]
    key = file["uri"].removeprefix(f"oss://{oss_conn}/")
    body = client.get_object(Bucket=oss_conn, Key=key)["Body"].read().decode()
    assert body.splitlines() == [
        "order_id,customer,amount,order_date",
        "1,ann,10.50,2026-01-05",
        "2,bob,20.00,2026-01-06",
        "3,chloé,30.25,2026-01-07",
    ]

    exported = run_dag(example("example_export.py", "example_doris_export"))
    assert exported.state == "success", exported.task_states
    result = exported.xcom("export_orders")
    assert result["total_rows"] == 3 and all(f["uri"].endswith(".parquet") for f in result["files"])

    with create_session() as session:
        uris = {
            uri
            for (uri,) in session.query(AssetModel.uri)
            .join(AssetEvent, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetEvent.source_run_id.in_([written.run_id, exported.run_id]))
        }
    assert uris == {f"oss://{oss_conn}/outfile/orders_", f"oss://{oss_conn}/export/orders_"}
