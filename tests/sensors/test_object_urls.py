"""Sensors given the OSS console's object URL instead of an ``oss://`` URI, against the local OSS.

The local OSS answers as ``oss-cn-beijing.aliyuncs.com``; its connection's region is cn-beijing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_doris_oss.sensors.key import OssKeySensor
from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.sensors.key import OssKeySensor

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    OssKeySensor(task_id="wait", poke_interval=0.3, timeout=60, deferrable=True, bucket_key=KEY)
"""


def requests_to(local_oss: Any, bucket: str) -> list[Any]:
    return [r for r in local_oss.requests if r.host.startswith(bucket + ".")]


def test_key_sensor_waits_in_the_triggerer_for_a_console_url(run_dag, local_oss, oss_conn):
    local_oss.client().put_object(Bucket=oss_conn, Key="in/東京 1.csv", Body=b"abc")
    key = f"https://{oss_conn}.oss-cn-beijing.aliyuncs.com/in/%E6%9D%B1%E4%BA%AC%201.csv"
    result = run_dag(DAG.replace("KEY", repr(key)))
    assert result.state == "success"
    assert [(f["Bucket"], f["Key"], f["Size"]) for f in result.xcom("wait")] == [
        (oss_conn, "in/東京 1.csv", 3)
    ]


def test_keys_unchanged_sensor_lists_the_prefix_a_url_names(local_oss, oss_conn):
    local_oss.client().put_object(Bucket=oss_conn, Key="drop/a.csv", Body=b"a")
    sensor = OssKeysUnchangedSensor(
        task_id="quiet",
        prefix=f"https://{oss_conn}.oss-cn-beijing-internal.aliyuncs.com/drop/",
        inactivity_period=0,
    )
    assert sensor.poke({}) in (True, False)
    listed = [
        parse_qs(r.query, keep_blank_values=True).get("prefix", [""])[0]
        for r in requests_to(local_oss, oss_conn)
        if "list-type=2" in r.query
    ]
    assert listed == ["drop/"]


@pytest.mark.parametrize(
    "sensor",
    [
        lambda b: OssKeySensor(task_id="s", bucket_key=f"https://{b}.oss-cn-hangzhou.aliyuncs.com/in/a.csv"),
        lambda b: OssKeysUnchangedSensor(task_id="s", prefix=f"https://{b}.oss-cn-hangzhou.aliyuncs.com/in/"),
    ],
)
def test_a_url_in_another_region_is_refused_before_any_request(local_oss, oss_conn, sensor):
    task = sensor(oss_conn)
    before = len(requests_to(local_oss, oss_conn))  # the bucket's creation
    with pytest.raises(ValueError, match=r"region 'cn-hangzhou', but connection 'doris_oss_default' uses"):
        task.poke({})
    assert len(requests_to(local_oss, oss_conn)) == before
