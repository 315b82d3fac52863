"""Wait for a day's files in OSS, then for the writer to finish, then report what arrived.

Environment (defaults in brackets): ``DORIS_OSS_DEMO_BUCKET`` [demo-bucket],
``DORIS_OSS_DEMO_INCOMING_PREFIX`` [incoming/], ``DORIS_OSS_DEMO_QUIET_SECONDS`` [30],
``DORIS_OSS_DEMO_POKE_SECONDS`` [5]. Connection: ``doris_oss_default``.
Both sensors defer to the triggerer when ``[operators] default_deferrable`` is on; the
wildcard is resolved by listing only ``incoming/<ds>/``, and listing stops at the first match.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import DAG, task

from airflow_provider_doris_oss.sensors import OssKeySensor, OssKeysUnchangedSensor

BUCKET = os.environ.get("DORIS_OSS_DEMO_BUCKET", "demo-bucket")
PREFIX = os.environ.get("DORIS_OSS_DEMO_INCOMING_PREFIX", "incoming/")
QUIET_SECONDS = float(os.environ.get("DORIS_OSS_DEMO_QUIET_SECONDS", "30"))
POKE_SECONDS = float(os.environ.get("DORIS_OSS_DEMO_POKE_SECONDS", "5"))


def not_empty(files: list[dict[str, Any]], **context: Any) -> bool:
    """``check_fn``: every matched file has content."""
    return all((f.get("Size") or 0) > 0 for f in files)


with DAG(
    "example_oss_sensor",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["example", "oss"],
):
    first_file = OssKeySensor(
        task_id="wait_for_first_csv",
        bucket_key=f"oss://{BUCKET}/{PREFIX}{{{{ ds }}}}/*.csv",
        wildcard_match=True,
        check_fn=not_empty,
        poke_interval=POKE_SECONDS,
        timeout=60 * 60,
    )
    writer_done = OssKeysUnchangedSensor(
        task_id="wait_for_writer_to_finish",
        bucket_name=BUCKET,
        prefix=f"{PREFIX}{{{{ ds }}}}/",
        inactivity_period=QUIET_SECONDS,
        min_objects=1,
        poke_interval=POKE_SECONDS,
        timeout=60 * 60,
    )

    @task
    def report(files: Any) -> list[str]:
        """The keys the first sensor matched (its XCom: one metadata dict per object)."""
        return [f["Key"] for f in files]

    first_file >> writer_done >> report(first_file.output)
