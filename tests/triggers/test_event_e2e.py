"""End to end: Airflow's own triggerer and scheduler run the event example DAG against the local OSS.

A real ``airflow triggerer`` runs ``OssObjectEventTrigger`` for the asset in
``example_dags/example_oss_event.py``; the real ``airflow scheduler`` turns its asset events
into DAG runs. The triggerer is then restarted (a new process) and must not report the same
objects again, while a changed object is reported once more. Everything runs on 127.0.0.1
with its own sqlite DB and free ports. Task execution itself would need an API server, so
only event and DAG-run creation are asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_event.py"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DEADLINE = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Deployment:
    """An Airflow home with its own sqlite DB, and the processes started in it."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def cli(self, *args: str) -> None:
        result = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"airflow {' '.join(args)} failed:\n{result.stderr[-3000:]}"

    def start(self, name: str) -> None:
        log = open(self.home / f"{name}-{len(self.processes)}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [AIRFLOW, name], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql).fetchall()

    def events(self) -> list[tuple[str, str]]:
        rows = self.query("select extra from asset_event order by id")
        return [(json.loads(e)["payload"]["key"], json.loads(e)["payload"]["etag"]) for (e,) in rows]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            for name, process in self.processes.items():
                assert process.poll() is None, f"airflow {name} exited; see {self.home}"
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"gave up waiting for {what}; events: {self.events()}; logs in {self.home}"
                )
            time.sleep(0.5)


@pytest.fixture
def deployment(tmp_path: Path, local_oss: Any, oss_bucket: str) -> Iterator[Deployment]:
    home = tmp_path / "airflow"
    (home / "dags").mkdir(parents=True)
    shutil.copy(EXAMPLE, home / "dags" / EXAMPLE.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW_CONN_DORIS_OSS_DEFAULT": local_oss.connection(
                "doris_oss_default", bucket=oss_bucket
            ).as_json(),
            "DORIS_OSS_DEMO_BUCKET": oss_bucket,
            "DORIS_OSS_DEMO_POLL_INTERVAL": "1",
        }
    )
    deployment = Deployment(home, env)
    deployment.cli("db", "migrate")
    deployment.cli("dags", "reserialize")
    try:
        yield deployment
    finally:
        for name in list(deployment.processes):
            deployment.stop(name)


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
    checkpoints = client.list_objects_v2(Bucket=oss_bucket, Prefix="_airflow_doris_oss/").get("KeyCount", 0)
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
        keys |= set(json.loads(client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())["objects"])
    return keys
