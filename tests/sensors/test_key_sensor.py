"""OssKeySensor in poke and deferrable modes through dag.test(), against the local OSS."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import pytest

DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.sensors.key import OssKeySensor

def big_enough(files, **context):
    return all(f["Size"] >= 5 for f in files)

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    OssKeySensor(task_id="wait", poke_interval=0.3, timeout=TIMEOUT, deferrable=DEFERRABLE, ARGS)
"""


def sensor_dag(args: str, *, deferrable: bool, timeout: float = 60) -> str:
    return DAG.replace("ARGS", args).replace("DEFERRABLE", str(deferrable)).replace("TIMEOUT", str(timeout))


def put(local_oss, bucket: str, key: str, body: bytes = b"hello") -> None:
    local_oss.client().put_object(Bucket=bucket, Key=key, Body=body)


def put_later(local_oss, bucket: str, key: str, body: bytes = b"hello") -> threading.Thread:
    """Upload ``key`` once the sensor has looked at the bucket, so the object arrives mid-wait."""

    def wait_then_put() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(
                r.host.startswith(bucket + ".") and r.method in ("GET", "HEAD") for r in local_oss.requests
            ):
                time.sleep(0.5)
                put(local_oss, bucket, key, body)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=wait_then_put)
    thread.start()
    return thread


def list_prefixes(local_oss, bucket: str) -> list[str]:
    """The prefix of every ListObjects request made to ``bucket``."""
    return [
        parse_qs(r.query, keep_blank_values=True).get("prefix", [""])[0]
        for r in local_oss.requests
        if r.host.startswith(bucket + ".") and "list-type=2" in r.query
    ]


@pytest.mark.parametrize("deferrable", [False, True])
def test_exact_key_present(run_dag, local_oss, oss_conn, deferrable):
    put(local_oss, oss_conn, "in/a.csv", b"abcdef")
    result = run_dag(sensor_dag('bucket_key="in/a.csv"', deferrable=deferrable))
    assert result.state == "success"
    files = result.xcom("wait")
    assert [(f["Key"], f["Size"], f["Bucket"]) for f in files] == [("in/a.csv", 6, oss_conn)]


@pytest.mark.parametrize("deferrable", [False, True])
def test_object_arriving_mid_wait(run_dag, local_oss, oss_conn, deferrable):
    timer = put_later(local_oss, oss_conn, "late/x.parquet")
    try:
        result = run_dag(sensor_dag('bucket_key="late/x.parquet"', deferrable=deferrable))
    finally:
        timer.join()
    assert result.state == "success"
    assert [f["Key"] for f in result.xcom("wait")] == ["late/x.parquet"]


@pytest.mark.parametrize("deferrable", [False, True])
def test_full_uri_and_list_of_keys_need_all(run_dag, local_oss, oss_conn, oss_bucket, deferrable):
    put(local_oss, oss_conn, "k/one")
    timer = put_later(local_oss, oss_conn, "k/two")
    try:
        result = run_dag(
            sensor_dag(
                f'bucket_key=["oss://{oss_bucket}/k/one", "s3://{oss_bucket}/k/two"]', deferrable=deferrable
            )
        )
    finally:
        timer.join()
    assert result.state == "success"
    assert sorted(f["Key"] for f in result.xcom("wait")) == ["k/one", "k/two"]


def test_missing_key_times_out_in_poke_mode(run_dag, local_oss, oss_conn):
    put(local_oss, oss_conn, "k/one")
    result = run_dag(sensor_dag('bucket_key=["k/one", "k/never"]', deferrable=False, timeout=2))
    assert result.state == "failed"
    assert result.task_states["wait"] == "failed"


def test_deferring_carries_the_sensor_timeout(local_oss, oss_conn):
    """dag.test() runs triggers inline and ignores deferral timeouts, so the hand-off is checked here."""
    from datetime import timedelta

    from airflow.sdk.exceptions import TaskDeferred

    from airflow_provider_doris_oss.sensors.key import OssKeySensor
    from airflow_provider_doris_oss.triggers.key import OssKeyTrigger

    sensor = OssKeySensor(
        task_id="wait",
        bucket_key=["k/never", "n/*.csv"],
        wildcard_match=True,
        timeout=90,
        poke_interval=4,
        deferrable=True,
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    assert deferred.value.timeout == timedelta(seconds=90)
    trigger = deferred.value.trigger
    assert isinstance(trigger, OssKeyTrigger)
    assert trigger.bucket_keys == [f"oss://{oss_conn}/k/never", f"oss://{oss_conn}/n/*.csv"]
    assert (trigger.mode, trigger.poke_interval, trigger.should_check_fn) == ("wildcard", 4.0, False)


@pytest.mark.parametrize("deferrable", [False, True])
def test_wildcard_lists_only_the_literal_prefix(run_dag, local_oss, oss_conn, deferrable):
    for i in range(5):
        put(local_oss, oss_conn, f"other/{i}.csv")
        put(local_oss, oss_conn, f"data/2026/{i}.json")
    timer = put_later(local_oss, oss_conn, "data/2026/11/part-0.csv")
    try:
        result = run_dag(
            sensor_dag('bucket_key="data/2026/*.csv", wildcard_match=True', deferrable=deferrable)
        )
    finally:
        timer.join()
    assert result.state == "success"
    assert [f["Key"] for f in result.xcom("wait")] == ["data/2026/11/part-0.csv"]
    prefixes = list_prefixes(local_oss, oss_conn)
    assert prefixes, "the sensor made no ListObjects request"
    assert set(prefixes) == {"data/2026/"}


@pytest.mark.parametrize("deferrable", [False, True])
def test_regex_lists_only_its_literal_prefix(run_dag, local_oss, oss_conn, deferrable):
    put(local_oss, oss_conn, "logs/2026-11-25.txt")
    put(local_oss, oss_conn, "logs/2026-11-26.csv")
    put(local_oss, oss_conn, "zzz/2026-11-26.csv")
    result = run_dag(
        sensor_dag(r'bucket_key=r"logs/2026-\d+-26\.csv", use_regex=True', deferrable=deferrable)
    )
    assert result.state == "success"
    assert [f["Key"] for f in result.xcom("wait")] == ["logs/2026-11-26.csv"]
    assert set(list_prefixes(local_oss, oss_conn)) == {"logs/2026-"}


@pytest.mark.parametrize("deferrable", [False, True])
def test_check_fn_waits_until_it_agrees(run_dag, local_oss, oss_conn, deferrable):
    put(local_oss, oss_conn, "chk/a.bin", b"abc")
    timer = put_later(local_oss, oss_conn, "chk/a.bin", b"abcdefgh")
    try:
        result = run_dag(
            sensor_dag(
                'bucket_key="chk/*.bin", wildcard_match=True, check_fn=big_enough', deferrable=deferrable
            )
        )
    finally:
        timer.join()
    assert result.state == "success"
    assert [(f["Key"], f["Size"]) for f in result.xcom("wait")] == [("chk/a.bin", 8)]


def test_metadata_keys_come_from_head(run_dag, local_oss, oss_conn):
    local_oss.client().put_object(Bucket=oss_conn, Key="m/a", Body=b"x", ContentType="text/csv")
    result = run_dag(
        sensor_dag('bucket_key="m/*", wildcard_match=True, metadata_keys=["ContentType"]', deferrable=True)
    )
    assert result.state == "success"
    [meta] = result.xcom("wait")
    assert meta["ContentType"] == "text/csv"
    assert meta["Key"] == "m/a"


def test_wildcard_and_regex_together_are_refused():
    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    with pytest.raises(ValueError, match="wildcard_match and use_regex"):
        OssKeySensor(task_id="t", bucket_key="a*", wildcard_match=True, use_regex=True)


def test_deferrable_default_follows_config(monkeypatch):
    """The default is read from [operators] default_deferrable when the module is imported."""
    import json
    import subprocess
    import sys

    probe = (
        "import json\n"
        "from airflow_provider_doris_oss.sensors.key import OssKeySensor\n"
        "from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor\n"
        "print(json.dumps([OssKeySensor(task_id='a', bucket_key='k').deferrable,"
        " OssKeysUnchangedSensor(task_id='b', prefix='p/').deferrable]))\n"
    )
    seen = {}
    for value in ("True", "False"):
        monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", value)
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        seen[value] = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"True": [True, True], "False": [False, False]}


def test_reschedule_mode_frees_the_slot_between_pokes(run_dag, local_oss, oss_conn):
    """mode="reschedule" survives the match mode and serialization: each early poke ends UP_FOR_RESCHEDULE."""
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session

    timer = put_later(local_oss, oss_conn, "resched/flag")
    try:
        result = run_dag(
            sensor_dag('bucket_key="resched/*", wildcard_match=True, mode="reschedule"', deferrable=False)
        )
    finally:
        timer.join()
    assert result.state == "success"
    assert [f["Key"] for f in result.xcom("wait")] == ["resched/flag"]
    with create_session() as session:
        ti = (
            session.query(TaskInstance)
            .filter_by(dag_id=result.dag_id, run_id=result.run_id, task_id="wait")
            .one()
        )
        reschedules = session.query(TaskReschedule).filter_by(ti_id=ti.id).count()
        serialized_task = SerializedDagModel.get(result.dag_id, session=session).dag.get_task("wait")
    assert reschedules >= 1, "the sensor never ended a try UP_FOR_RESCHEDULE"
    assert ti.try_number == 1  # reschedules are not retries
    assert serialized_task.reschedule is True  # what the scheduler reads from the serialized DAG


def test_match_mode_does_not_touch_the_sensor_mode():
    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    sensor = OssKeySensor(task_id="t", bucket_key="a/*", wildcard_match=True, mode="reschedule")
    assert (sensor.mode, sensor.reschedule, sensor.match_mode) == ("reschedule", True, "wildcard")
    assert OssKeySensor(task_id="u", bucket_key="a").mode == "poke"


DATETIME_DAG = """
import datetime
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.sensors.key import OssKeySensor

def modified_is_a_datetime(files):
    kinds = {type(f["LastModified"]).__name__ for f in files}
    if not all(isinstance(f["LastModified"], datetime.datetime) for f in files):
        raise TypeError(f"LastModified arrived as {kinds}")
    return True

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    OssKeySensor(task_id="wait", poke_interval=0.3, timeout=60, deferrable=DEFERRABLE,
                 bucket_key="dt/*.csv", wildcard_match=True, metadata_keys=["LastModified"],
                 check_fn=modified_is_a_datetime)
"""


@pytest.mark.parametrize("deferrable", [False, True])
def test_check_fn_gets_datetimes_in_both_paths(run_dag, local_oss, oss_conn, deferrable):
    timer = put_later(local_oss, oss_conn, "dt/a.csv")
    try:
        result = run_dag(DATETIME_DAG.replace("DEFERRABLE", str(deferrable)))
    finally:
        timer.join()
    assert result.state == "success"
    [meta] = result.xcom("wait")
    assert meta["Key"] == "dt/a.csv"


COUNTING_DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.sensors.key import OssKeySensor

def count(files, **context):
    with open(SEEN, "w") as out:  # check_fn runs in the task: it reports through a file
        out.write(str(len(files)))
    return len(files) >= 130

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    OssKeySensor(task_id="wait", poke_interval=0.3, timeout=60, deferrable=DEFERRABLE,
                 bucket_key="many/*.csv", wildcard_match=True, check_fn=count)
"""


@pytest.mark.parametrize("deferrable", [False, True])
def test_xcom_carries_at_most_max_xcom_files(run_dag, local_oss, oss_conn, tmp_path, deferrable):
    from concurrent.futures import ThreadPoolExecutor

    client = local_oss.client()
    keys = [f"many/{i:04d}.csv" for i in range(130)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: client.put_object(Bucket=oss_conn, Key=k, Body=b"1"), keys[:-1]))
    seen = tmp_path / "seen"
    source = COUNTING_DAG.replace("SEEN", repr(str(seen))).replace("DEFERRABLE", str(deferrable))
    timer = put_later(local_oss, oss_conn, keys[-1])  # check_fn says no until the last one is there
    try:
        result = run_dag(source)
    finally:
        timer.join()
    assert result.state == "success"
    assert int(seen.read_text()) == 130  # check_fn judged every match
    assert [m["Key"] for m in result.xcom("wait")] == keys[:100]


def test_max_xcom_files_is_validated():
    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    with pytest.raises(ValueError, match="max_xcom_files must be 0 or more"):
        OssKeySensor(task_id="t", bucket_key="k", max_xcom_files=-1)
