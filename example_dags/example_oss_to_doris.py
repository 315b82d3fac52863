"""Every object version that lands under an OSS prefix is loaded into Doris exactly once, in batches.

``OssObjectEventTrigger`` watches the prefix and sends one asset event per new or changed object
(key + ETag). Each run of this DAG plans batches (``BatchLedger.plan``) and maps one Broker Load
over each batch (not over each object), a batch being up to ``DORIS_OSS_DEMO_BATCH_FILES`` files
and ``DORIS_OSS_DEMO_BATCH_BYTES`` bytes:

- Each batch's Broker Load also loads the batch's member list into a ledger table, in the same
  job (one transaction): a version is in the ledger exactly when its rows are in the table.
- The plan runs alone (``max_active_runs=1``), waits for any batch job still running, and skips
  every version the ledger holds, so no version is in two loads that can both finish, whatever
  retries, restarts, re-reported events or re-runs happen. The label of a batch is derived from
  its sorted bucket/key/ETag set, so a retried load finds its own job.
- A version overwritten or deleted before its run is skipped (its bytes are gone; the new version
  has its own event); use write-once keys where every version must be loaded.
- Airflow gives an asset-triggered run only the events stamped before its queue entry was
  created; events queued behind it (while this DAG's one active run defers the next) or landing
  as it is created join no run (apache/airflow#54659). So each plan sweeps the inbox asset's
  events since the previous plan, and the DAG also runs every ``DORIS_OSS_DEMO_SWEEP_SECONDS``:
  every reported version is planned by the next run, with no further object needed.

``DORIS_OSS_DEMO_LOAD_MODE=object`` loads each version with a Broker Load of its own (batches of
one file), everything else unchanged.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_INBOX_PREFIX`` [inbox/], ``DORIS_OSS_DEMO_POLL_INTERVAL`` [30],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_EVENT_TABLE`` [orders_events],
``DORIS_OSS_DEMO_LEDGER_TABLE`` [oss_loaded_objects], ``DORIS_OSS_DEMO_LOAD_MODE`` [batch],
``DORIS_OSS_DEMO_BATCH_FILES`` [1000], ``DORIS_OSS_DEMO_BATCH_BYTES`` [10 GiB],
``DORIS_OSS_DEMO_SWEEP_SECONDS`` [300], ``DORIS_OSS_DEMO_RETRY_SECONDS`` [60]. Connections:
``doris_oss_default`` (with write access to ``_airflow_doris_oss/`` in the bucket: the watcher's
checkpoint, the open batches and the sweep cursor) and ``doris_default``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, AssetWatcher, DeltaTriggerTimetable, task

from airflow_provider_doris_oss.batches import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, ledger_table_sql
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

DAG_ID = "example_oss_to_doris"
BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
PREFIX = os.environ.get("DORIS_OSS_DEMO_INBOX_PREFIX", "inbox/")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = os.environ.get("DORIS_OSS_DEMO_EVENT_TABLE", "orders_events")
LEDGER = os.environ.get("DORIS_OSS_DEMO_LEDGER_TABLE", "oss_loaded_objects")
LOAD_MODE = os.environ.get("DORIS_OSS_DEMO_LOAD_MODE", "batch")
if LOAD_MODE not in ("batch", "object"):
    raise ValueError(f"DORIS_OSS_DEMO_LOAD_MODE: {LOAD_MODE!r} is neither 'batch' nor 'object'.")
BATCH_FILES = int(os.environ.get("DORIS_OSS_DEMO_BATCH_FILES", DEFAULT_MAX_FILES))
MAX_FILES = 1 if LOAD_MODE == "object" else BATCH_FILES  # per-object loads: batches of one file
MAX_BYTES = int(os.environ.get("DORIS_OSS_DEMO_BATCH_BYTES", DEFAULT_MAX_BYTES))
SWEEP = timedelta(seconds=float(os.environ.get("DORIS_OSS_DEMO_SWEEP_SECONDS", "300")))
# Where the open batches and the sweep cursor live (one ledger per DAG).
STATE_URI = f"oss://{BUCKET}/_airflow_doris_oss/batched-loads/{DAG_ID}/"

inbox = Asset(
    name="oss_orders_inbox",
    uri=f"oss://{BUCKET}/{PREFIX}",
    watchers=[
        AssetWatcher(
            name="oss_orders_inbox_watcher",
            trigger=OssObjectEventTrigger(
                prefix=f"oss://{BUCKET}/{PREFIX}",
                poll_interval=float(os.environ.get("DORIS_OSS_DEMO_POLL_INTERVAL", "30")),
                # Objects already in the inbox when the watcher first starts are not loaded.
                start_from="now",
            ),
        )
    ],
)

with DAG(
    DAG_ID,
    # A run when inbox events are queued, and one every SWEEP at the latest.
    schedule=AssetOrTimeSchedule(timetable=DeltaTriggerTimetable(SWEEP), assets=[inbox]),
    # Plans must not overlap: each one trusts that no other batch is being formed or loaded.
    max_active_runs=1,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(seconds=float(os.environ.get("DORIS_OSS_DEMO_RETRY_SECONDS", "60"))),
    },
    tags=["example", "oss", "doris", "event-driven"],
) as dag:
    create_tables = SQLExecuteQueryOperator(
        task_id="create_tables",
        conn_id="doris_default",
        sql=[
            f"CREATE DATABASE IF NOT EXISTS `{DATABASE}`",
            # DUPLICATE KEY keeps every loaded row: a second load of a file would show as duplicates.
            f"""
            CREATE TABLE IF NOT EXISTS `{DATABASE}`.`{TABLE}` (
                order_id BIGINT,
                customer VARCHAR(64),
                amount DECIMAL(10, 2),
                order_date DATE
            )
            DUPLICATE KEY (order_id)
            DISTRIBUTED BY HASH (order_id) BUCKETS 1
            PROPERTIES ("replication_num" = "1")
            """,
            ledger_table_sql(f"{DATABASE}.{LEDGER}", properties={"replication_num": "1"}),
        ],
    )

    @task(inlets=[inbox])
    def plan_batches(**context: Any) -> list[dict[str, Any]]:
        """Batches of the object versions not loaded yet: this run's events, the events since the
        last plan, and the open batches of earlier runs (retried, or split in halves if they failed)."""
        from airflow_provider_doris_oss.batch_ledger import BatchLedger

        ledger = BatchLedger(table=f"{DATABASE}.{LEDGER}", state_uri=STATE_URI)
        data = {
            "table": f"{DATABASE}.{TABLE}",
            "format": "csv",
            "column_separator": ",",
            "columns": ["order_id", "customer", "amount", "order_date"],
        }
        return ledger.plan_loads(context, inbox, data, max_files=MAX_FILES, max_bytes=MAX_BYTES)

    planned = plan_batches()
    load_batch = DorisBrokerLoadOperator.partial(
        task_id="load_batch",
        inlets=[inbox],
        properties={"timeout": 3600, "max_filter_ratio": 0},
        poll_interval=1,
    ).expand_kwargs(planned)

    create_tables >> planned
