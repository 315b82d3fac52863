"""Create an Iceberg catalog whose warehouse is in OSS; the OSS keys come from the connection.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_CATALOG`` [oss_iceberg], ``DORIS_OSS_DEMO_WAREHOUSE`` [warehouse/].
Connections: ``doris_default``, ``doris_oss_default``.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.catalog import DorisCreateCatalogOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
WAREHOUSE = os.environ.get("DORIS_OSS_DEMO_WAREHOUSE", "warehouse/")

with DAG(
    "example_doris_catalog",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss"],
):
    DorisCreateCatalogOperator(
        task_id="create_iceberg_catalog",
        catalog_name=os.environ.get("DORIS_OSS_DEMO_CATALOG", "oss_iceberg"),
        catalog_properties={
            "type": "iceberg",
            "iceberg.catalog.type": "hadoop",
            "warehouse": f"oss://{BUCKET}/{WAREHOUSE}",
        },
        comment="Iceberg tables in OSS",
    )
