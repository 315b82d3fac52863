"""End to end: Airflow's own triggerer and scheduler run the event example DAG against the local OSS.

A real ``airflow triggerer`` runs ``OssObjectEventTrigger`` for the asset in
``example_dags/example_oss_event.py``; the real ``airflow scheduler`` turns its asset events
into DAG runs. The triggerer is then restarted (a new process) and must not report the same
objects again, while a changed object is reported once more. Everything runs on 127.0.0.1
with its own sqlite DB and free ports. Only events and DAG-run creation are asserted here; task
execution (through the execution API server) is covered by ``test_flagship_e2e.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.testing.airflow_processes import LocalAirflow

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_event.py"


class Deployment(LocalAirflow):
    """The example DAG's Airflow home; ``events()`` lists the reported (key, ETag) pairs."""

    def events(self) -> list[tuple[str, str]]:
        return [(p["key"], p["etag"]) for p in self.asset_events()]


@pytest.fixture
def deployment(tmp_path: Path, local_oss: Any, oss_bucket: str) -> Iterator[Deployment]:
    env = {
        "AIRFLOW_CONN_DORIS_OSS_DEFAULT": local_oss.connection(
            "doris_oss_default", bucket=oss_bucket
        ).as_json(),
        "DORIS_OSS_DEMO_BUCKET": oss_bucket,
        "DORIS_OSS_DEMO_POLL_INTERVAL": "1",
    }
    with Deployment(tmp_path / "airflow", [EXAMPLE], env) as deployment:
        deployment.prepare()
        yield deployment


def test_real_triggerer_fires_once_per_object_and_the_scheduler_creates_runs(
    deployment, local_oss, oss_bucket
):
    assert deployment.query("select classpath from trigger") == [
        ("airflow_provider_doris_oss.triggers.object_event.OssObjectEventTrigger",)
    ]
    client = local_oss.client()
    client.put_object(Bucket=oss_bucket, Key="landing/old.csv", Body=b"1")
    deployment.start("triggerer")
    deployment.start("scheduler")
    # start_from="now": the object already there is recorded as seen, never reported.
    deployment.wait_for(
        lambda: checkpoint_keys(local_oss, oss_bucket) == {"landing/old.csv"}, "the starting checkpoint"
    )
    client.put_object(Bucket=oss_bucket, Key="landing/first.csv", Body=b"1")
    client.put_object(Bucket=oss_bucket, Key="elsewhere/ignored.csv", Body=b"1")

    deployment.wait_for(lambda: len(deployment.events()) >= 1, "the first asset event")
    deployment.wait_for(
        lambda: bool(deployment.query("select 1 from dag_run where dag_id = 'example_oss_event'")),
        "a DAG run",
    )
    [(run_type,)] = deployment.query("select run_type from dag_run where dag_id = 'example_oss_event'")
    assert run_type == "asset_triggered"

    client.put_object(Bucket=oss_bucket, Key="landing/second.csv", Body=b"1")
    deployment.wait_for(lambda: len(deployment.events()) >= 2, "the second asset event")
    stored = client.list_objects_v2(Bucket=oss_bucket, Prefix="_airflow_doris_oss/").get("Contents", [])
    checkpoints = sum(1 for o in stored if o["Key"].endswith(".json"))
    deployment.wait_for(
        lambda: (
            checkpoint_keys(local_oss, oss_bucket)
            == {"landing/old.csv", "landing/first.csv", "landing/second.csv"}
        ),
        "the checkpoint to hold both objects",
    )

    deployment.stop("triggerer")
    client.put_object(Bucket=oss_bucket, Key="landing/first.csv", Body=b"changed")
    deployment.start("triggerer")
    deployment.wait_for(lambda: len(deployment.events()) >= 3, "the changed object's event")
    # Let the restarted triggerer poll several more times: nothing else may be reported.
    marker = f"landing/marker-{uuid.uuid4().hex[:6]}.csv"
    client.put_object(Bucket=oss_bucket, Key=marker, Body=b"1")
    deployment.wait_for(lambda: any(k == marker for k, _ in deployment.events()), "the marker object")

    keys = [k for k, _ in deployment.events()]
    assert keys == ["landing/first.csv", "landing/second.csv", "landing/first.csv", marker]
    etags = [e for k, e in deployment.events() if k == "landing/first.csv"]
    assert etags[0] != etags[1]
    assert checkpoints == 1
    deployment.wait_for(
        lambda: (
            deployment.query("select count(*) from dag_run where dag_id = 'example_oss_event'")[0][0] >= 2
        ),
        "runs for the later events",
    )


def checkpoint_keys(local_oss: Any, bucket: str) -> set[str]:
    client = local_oss.client()
    listing = client.list_objects_v2(Bucket=bucket, Prefix="_airflow_doris_oss/").get("Contents", [])
    keys: set[str] = set()
    for obj in listing:
        if not obj["Key"].endswith(".json"):
            continue  # the start marker
        keys |= set(json.loads(client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())["objects"])
    return keys
