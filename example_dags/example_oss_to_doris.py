"""Each object that lands under an OSS prefix is loaded into Doris exactly once.

``OssObjectEventTrigger`` watches the prefix and sends one asset event per new or changed object
(key + ETag); the scheduler turns the events into runs of this DAG. A run loads each object it
was triggered for with ``DorisBrokerLoadOperator`` under a label derived from the bucket, key and
ETag (``object_label``). Doris never loads a FINISHED label again, so one object version is loaded
once whatever happens: a retried task, a re-run, or the same object reported again after a
triggerer crash. A rewritten object (new ETag) is a new version and is loaded once more.

A version overwritten before its run starts is skipped (its bytes are gone; the new version has
its own event and run); use write-once keys where every version must be loaded.

Several objects that arrive close together may be handed to one run (Airflow merges the asset
events queued before the scheduler creates the run): the run then loads each of them as its own
mapped task, each under its own label.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_INBOX_PREFIX`` [inbox/], ``DORIS_OSS_DEMO_POLL_INTERVAL`` [30],
``DORIS_OSS_DEMO_DATABASE`` [demo], ``DORIS_OSS_DEMO_EVENT_TABLE`` [orders_events],
``DORIS_OSS_DEMO_RETRY_SECONDS`` [60]. Connections: ``doris_oss_default`` (with write access to
``_airflow_doris_oss/event-checkpoints/`` in the bucket) and ``doris_default``.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, Asset, AssetWatcher, task

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.sql.labels import object_label
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

log = logging.getLogger(__name__)
BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
PREFIX = os.environ.get("DORIS_OSS_DEMO_INBOX_PREFIX", "inbox/")
DATABASE = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
TABLE = os.environ.get("DORIS_OSS_DEMO_EVENT_TABLE", "orders_events")

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
    "example_oss_to_doris",
    schedule=[inbox],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(seconds=float(os.environ.get("DORIS_OSS_DEMO_RETRY_SECONDS", "60"))),
    },
    tags=["example", "oss", "doris", "event-driven"],
):
    create_table = SQLExecuteQueryOperator(
        task_id="create_table",
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
        ],
    )

    @task
    def landed_objects(**context: Any) -> list[dict[str, str]]:
        """One load per object version this run was triggered for, labelled by bucket, key and ETag.

        Broker Load reads an object as it is when the job runs. A version already overwritten
        (its ETag no longer matches) is skipped: its bytes are gone, and the newer version has an
        event, a run and a label of its own, so loading the new bytes here would load them twice.
        """
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook
        from airflow_provider_doris_oss.uris import ObjectUri

        hook = DorisOssHook(oss_conn_id="doris_oss_default")
        loads: dict[str, dict[str, str]] = {}
        for event in context["triggering_asset_events"][inbox]:
            found = event.extra.get("payload") or {}
            label = object_label(found["bucket"], found["key"], found["etag"])
            if label in loads:
                continue
            current = hook.head(ObjectUri(found["bucket"], found["key"]))
            if current is None or current.get("ETag") != found["etag"]:
                print(
                    f"Skipping {found['uri']} ETag {found['etag']}: deleted or overwritten since it landed."
                )
                continue
            loads[label] = {"source_uris": found["uri"], "label": label}
        return list(loads.values())

    load_object = DorisBrokerLoadOperator.partial(
        task_id="load_object",
        table=f"{DATABASE}.{TABLE}",
        format="csv",
        column_separator=",",
        columns=["order_id", "customer", "amount", "order_date"],
        properties={"timeout": 3600, "max_filter_ratio": 0},
        poll_interval=1,
    ).expand_kwargs(landed_objects())

    create_table >> load_object
