"""The sensor example DAG runs on the local OSS, in poke and deferrable modes."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_sensor.py"


@pytest.mark.parametrize("deferrable", [False, True])
def test_example_oss_sensor_dag(run_dag, local_oss, oss_conn, monkeypatch, deferrable):
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", oss_conn)
    monkeypatch.setenv("DORIS_OSS_DEMO_QUIET_SECONDS", "1")
    monkeypatch.setenv("DORIS_OSS_DEMO_POKE_SECONDS", "0.3")
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="incoming/2026-03-01/a.csv", Body=b"x,y\n")
    client.put_object(Bucket=oss_conn, Key="incoming/2026-03-01/readme.txt", Body=b"")
    client.put_object(Bucket=oss_conn, Key="incoming/2026-03-02/b.csv", Body=b"x,y\n")
    source = EXAMPLE.read_text().replace('"example_oss_sensor"', '"{dag_id}"')
    # The default comes from [operators] default_deferrable when the module is first imported;
    # the test sets the mode explicitly so both paths run in one process.
    assert source.count("timeout=60 * 60,") == 2
    source = source.replace("timeout=60 * 60,", f"timeout=60 * 60, deferrable={deferrable},")
    result = run_dag(source, logical_date=pendulum.datetime(2026, 3, 1, tz="UTC"))
    assert result.task_states == {
        "wait_for_first_csv": "success",
        "wait_for_writer_to_finish": "success",
        "report": "success",
    }
    assert result.xcom("report") == ["incoming/2026-03-01/a.csv"]
