"""Run once per object that lands under an OSS prefix: event-driven scheduling on an OSS asset.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_LANDING_PREFIX`` [landing/], ``DORIS_OSS_DEMO_POLL_INTERVAL`` [30].
Connection: ``doris_oss_default`` (it needs write access to the bucket's
``_airflow_doris_oss/event-checkpoints/`` prefix, where the watcher records what it reported).

Each new or changed object (key + ETag) produces exactly one asset event, even across
triggerer restarts; the run reads the object's key, ETag and size from the event.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import DAG, Asset, AssetWatcher, task

from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
PREFIX = os.environ.get("DORIS_OSS_DEMO_LANDING_PREFIX", "landing/")

landing = Asset(
    name="oss_landing_objects",
    uri=f"oss://{BUCKET}/{PREFIX}",
    watchers=[
        AssetWatcher(
            name="oss_landing_watcher",
            trigger=OssObjectEventTrigger(
                prefix=f"oss://{BUCKET}/{PREFIX}",
                poll_interval=float(os.environ.get("DORIS_OSS_DEMO_POLL_INTERVAL", "30")),
            ),
        )
    ],
)

with DAG(
    "example_oss_event",
    schedule=[landing],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "oss", "event-driven"],
):

    @task
    def handle_object(**context: Any) -> list[dict[str, Any]]:
        """The objects this run was triggered for (one per run)."""
        events = context["triggering_asset_events"][landing]
        return [event.extra["payload"] for event in events]

    handle_object()
