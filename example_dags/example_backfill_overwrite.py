"""A daily load that is safe to re-run: each day's files replace that day's partition.

``INSERT OVERWRITE TABLE events PARTITION (p<yyyymmdd>) WITH LABEL ... SELECT ... FROM S3(...)``
reads ``oss://<bucket>/events/dt=<ds>/`` and atomically replaces the day's partition. Re-running
a past day (a backfill, a manual run for a date already loaded, corrected files) replaces that
day's rows instead of adding them a second time, and leaves every other day untouched. A row in
the files that belongs to another day fails the insert and changes nothing.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_EVENTS_TABLE`` [events]. Connections:
``doris_default`` and ``doris_oss_default``. Files are CSV ``event_date,event_id,kind``.

The table is created with one RANGE partition per day of 2026 so the example runs anywhere; in
production let Doris keep the days ahead with dynamic partitions (``"dynamic_partition.enable" =
"true"``, ``"dynamic_partition.time_unit" = "DAY"``, ``"dynamic_partition.prefix" = "p"``).
"""

from __future__ import annotations

import datetime as dt
import os

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG

from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = os.environ.get("DORIS_OSS_DEMO_EVENTS_TABLE", "events")
FIRST_DAY = dt.date(2026, 1, 1)


def daily_partitions(first: dt.date, days: int) -> str:
    """``PARTITION p20260101 VALUES LESS THAN ("2026-01-02"), ...``: one partition per day."""
    items = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        items.append(f'PARTITION p{day:%Y%m%d} VALUES LESS THAN ("{day + dt.timedelta(days=1)}")')
    return ",\n".join(items)


with DAG(
    "example_doris_backfill_overwrite",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "doris", "oss", "backfill"],
):
    create_table = SQLExecuteQueryOperator(
        task_id="create_table",
        conn_id="doris_default",
        sql=[
            f"CREATE DATABASE IF NOT EXISTS `{DATABASE}`",
            f"""
            CREATE TABLE IF NOT EXISTS `{DATABASE}`.`{TABLE}` (
                event_date DATE,
                event_id BIGINT,
                kind VARCHAR(32)
            )
            DUPLICATE KEY (event_date, event_id)
            PARTITION BY RANGE (event_date) ({daily_partitions(FIRST_DAY, 365)})
            DISTRIBUTED BY HASH (event_id) BUCKETS 1
            PROPERTIES ("replication_num" = "1")
            """,
        ],
    )
    load_day = DorisOssInsertOperator(
        task_id="load_day",
        table=f"{DATABASE}.{TABLE}",
        source_uri=f"oss://{BUCKET}/events/dt={{{{ ds }}}}/*.csv",
        format="csv",
        column_separator=",",
        columns=["event_date", "event_id", "kind"],
        select_list=["cast(c1 as date)", "cast(c2 as bigint)", "c3"],
        overwrite=True,
        partitions=["p{{ ds_nodash }}"],
    )
    create_table >> load_day
