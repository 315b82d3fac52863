"""Load CSV files from OSS into a Doris table with INSERT INTO ... SELECT ... FROM S3(...).

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_TABLE`` [orders] (the table
``example_doris_broker_load`` creates: order_id, customer, amount, order_date),
``DORIS_OSS_DEMO_INSERT_SOURCE`` [incoming/orders*.csv]. Connections: ``doris_default``,
``doris_oss_default``. The files are read as comma-separated columns c1..c4. The insert is
one transaction under a label derived from the run, so a retried task reports the earlier
insert instead of inserting twice.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = f"{DATABASE}.{os.environ.get('DORIS_OSS_DEMO_TABLE', 'orders')}"
SOURCE = os.environ.get("DORIS_OSS_DEMO_INSERT_SOURCE", "incoming/orders*.csv")

with DAG(
    "example_doris_insert_from_oss",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss"],
):
    DorisOssInsertOperator(
        task_id="insert_orders",
        table=TABLE,
        source_uri=f"oss://{BUCKET}/{SOURCE}",
        format="csv",
        column_separator=",",
        columns=["order_id", "customer", "amount", "order_date"],
        select_list=["cast(c1 as bigint)", "c2", "cast(c3 as decimal(10, 2))", "cast(c4 as date)"],
        where="c1 is not null",
    )
