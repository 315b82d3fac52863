"""Load CSV files from OSS into a Doris table with INSERT INTO ... SELECT ... FROM S3(...).

Environment (defaults in brackets): ``DORIS_EXAMPLE_BUCKET`` [demo-bucket],
``DORIS_INSERT_TABLE`` [demo.orders], ``DORIS_INSERT_SOURCE`` [staging/orders*.csv].
Connections: ``doris_default``, ``doris_oss_default``. The files are read as comma-separated
columns c1..c3. The insert is one transaction under a label derived from the run, so a
retried task reports the earlier insert instead of inserting twice.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator

BUCKET = os.environ.get("DORIS_EXAMPLE_BUCKET", "demo-bucket")
TABLE = os.environ.get("DORIS_INSERT_TABLE", "demo.orders")
SOURCE = os.environ.get("DORIS_INSERT_SOURCE", "staging/orders*.csv")

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
        select_list=["cast(c1 as int)", "c2", "cast(c3 as int)"],
        where="c1 is not null",
    )
