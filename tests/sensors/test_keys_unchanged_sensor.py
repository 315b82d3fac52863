"""OssKeysUnchangedSensor in poke and deferrable modes through dag.test()."""

from __future__ import annotations

import threading
import time

import pytest

DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    OssKeysUnchangedSensor(task_id="quiet", poke_interval=0.3, timeout=TIMEOUT, deferrable=DEFERRABLE, ARGS)
"""


def sensor_dag(args: str, *, deferrable: bool, timeout: float = 60) -> str:
    return DAG.replace("ARGS", args).replace("DEFERRABLE", str(deferrable)).replace("TIMEOUT", str(timeout))


@pytest.mark.parametrize("deferrable", [False, True])
def test_succeeds_once_the_writer_stops(run_dag, local_oss, oss_conn, oss_bucket, deferrable):
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="out/part-0", Body=b"1")
    writes = [
        threading.Timer(
            0.5 + i * 0.4,
            client.put_object,
            kwargs={"Bucket": oss_conn, "Key": f"out/part-{i}", "Body": b"1"},
        )
        for i in range(1, 4)
    ]
    for timer in writes:
        timer.start()
    try:
        result = run_dag(
            sensor_dag(
                f'prefix="oss://{oss_bucket}/out/", inactivity_period=1.5, min_objects=4',
                deferrable=deferrable,
            )
        )
    finally:
        for timer in writes:
            timer.join()
    assert result.state == "success"


def test_too_few_objects_time_out(run_dag, local_oss, oss_conn):
    local_oss.client().put_object(Bucket=oss_conn, Key="few/1", Body=b"1")
    result = run_dag(
        sensor_dag('prefix="few/", inactivity_period=0, min_objects=2', deferrable=False, timeout=2)
    )
    assert result.state == "failed"


@pytest.mark.parametrize("deferrable", [False, True])
def test_deletions_fail_when_not_allowed(run_dag, local_oss, oss_conn, deferrable):
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="d/1", Body=b"1")
    client.put_object(Bucket=oss_conn, Key="d/2", Body=b"1")
    timer = threading.Thread(target=delete_after_first_listing, args=(local_oss, oss_conn, "d/2"))
    timer.start()
    try:
        result = run_dag(
            sensor_dag(
                'prefix="d/", inactivity_period=30, allow_delete=False', deferrable=deferrable, timeout=60
            )
        )
    finally:
        timer.join()
    assert result.state == "failed"


def delete_after_first_listing(local_oss, bucket: str, key: str) -> None:
    """Delete ``key`` once the sensor has listed the bucket (so it saw the object first)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(r.host.startswith(bucket + ".") and "list-type=2" in r.query for r in local_oss.requests):
            local_oss.client().delete_object(Bucket=bucket, Key=key)
            return
        time.sleep(0.05)


def test_negative_inactivity_period_is_refused():
    from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

    with pytest.raises(ValueError, match="inactivity_period"):
        OssKeysUnchangedSensor(task_id="q", prefix="p/", inactivity_period=-1)


def test_reschedule_mode_is_refused():
    from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

    with pytest.raises(ValueError, match="Only 'poke' is acceptable"):
        OssKeysUnchangedSensor(task_id="q", prefix="p/", mode="reschedule")
