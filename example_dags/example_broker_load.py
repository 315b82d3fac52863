"""Stage a local CSV in OSS and Broker Load it into Doris every day, then print the row count.

Environment (defaults in brackets):

- ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket]: the bucket the CSV is staged in.
- ``DORIS_OSS_DEMO_CSV`` [``data/orders.csv`` next to this file]: the local file (or glob).
- ``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_TABLE`` [orders]: the target table,
  created if missing (UNIQUE KEY on ``order_id``, so loading the same file again keeps one
  row per order).

Connections: ``doris_default`` (the FE) and ``doris_oss_default`` (endpoint and keys). The load
label is derived from the run, so a retried task never loads the same day twice; the staged
file is removed once the load has FINISHED.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, task

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
CSV = os.environ.get("DORIS_OSS_DEMO_CSV", str(Path(__file__).parent / "data" / "orders.csv"))
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = os.environ.get("DORIS_OSS_DEMO_TABLE", "orders")

with DAG(
    "example_doris_broker_load",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss"],
):
    create_table = SQLExecuteQueryOperator(
        task_id="create_table",
        conn_id="doris_default",
        sql=[
            f"CREATE DATABASE IF NOT EXISTS `{DATABASE}`",
            f"""
            CREATE TABLE IF NOT EXISTS `{DATABASE}`.`{TABLE}` (
                order_id BIGINT,
                customer VARCHAR(64),
                amount DECIMAL(10, 2),
                order_date DATE
            )
            UNIQUE KEY (order_id)
            DISTRIBUTED BY HASH (order_id) BUCKETS 1
            PROPERTIES ("replication_num" = "1")
            """,
        ],
    )

    load_orders = DorisBrokerLoadOperator(
        task_id="load_orders",
        table=f"{DATABASE}.{TABLE}",
        local_files=CSV,
        staging_uri=f"oss://{BUCKET}/staging/",
        format="csv",
        column_separator=",",
        columns=["order_id", "customer", "amount", "order_date"],
        properties={"timeout": 3600, "max_filter_ratio": 0},
        poll_interval=2,
    )

    @task
    def print_row_count() -> int:
        from airflow_provider_doris_oss.hooks.doris import DorisHook

        count = DorisHook(doris_conn_id="doris_default").get_first(
            f"SELECT COUNT(*) FROM `{DATABASE}`.`{TABLE}`"
        )[0]
        print(f"{DATABASE}.{TABLE} holds {count} rows")
        return int(count)

    create_table >> load_orders >> print_row_count()
