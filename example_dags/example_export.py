"""Export a Doris table to OSS with EXPORT TABLE, waiting for the job (deferrable if configured).

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_TABLE`` [orders] (the table
``example_doris_broker_load`` fills), ``DORIS_OSS_DEMO_EXPORT_PREFIX`` [export/orders_],
``DORIS_OSS_DEMO_EXPORT_FORMAT`` [parquet]. Connections: ``doris_default``, ``doris_oss_default``.
The job's label is derived from the run, so a retried task never exports twice; the task
returns the files Doris wrote, confirmed in OSS.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.export import DorisExportOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = f"{DATABASE}.{os.environ.get('DORIS_OSS_DEMO_TABLE', 'orders')}"
PREFIX = os.environ.get("DORIS_OSS_DEMO_EXPORT_PREFIX", "export/orders_")

with DAG(
    "example_doris_export",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss"],
):
    DorisExportOperator(
        task_id="export_orders",
        table=TABLE,
        target_uri=f"oss://{BUCKET}/{PREFIX}",
        format=os.environ.get("DORIS_OSS_DEMO_EXPORT_FORMAT", "parquet"),
        poll_interval=1,
    )
