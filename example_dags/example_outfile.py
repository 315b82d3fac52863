"""Write a query's result to OSS with SELECT ... INTO OUTFILE.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_TABLE`` [orders] (the table
``example_doris_broker_load`` fills), ``DORIS_OSS_DEMO_OUTFILE_PREFIX`` [outfile/orders_],
``DORIS_OSS_DEMO_DOWNLOAD_TO`` [unset: no download]. Connections: ``doris_default``,
``doris_oss_default``. The task returns the files it wrote, and the target prefix is an
``oss://`` asset that data-aware DAGs can be scheduled on.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = f"{DATABASE}.{os.environ.get('DORIS_OSS_DEMO_TABLE', 'orders')}"
PREFIX = os.environ.get("DORIS_OSS_DEMO_OUTFILE_PREFIX", "outfile/orders_")

with DAG(
    "example_doris_outfile",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss"],
):
    DorisOutfileOperator(
        task_id="orders_to_oss",
        sql=f"SELECT * FROM {TABLE} ORDER BY 1",
        target_uri=f"oss://{BUCKET}/{PREFIX}",
        format="csv_with_names",
        column_separator=",",
        download_to=os.environ.get("DORIS_OSS_DEMO_DOWNLOAD_TO") or None,
    )
