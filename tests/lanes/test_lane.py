"""The smoke session for the oldest Airflow ``pyproject.toml`` admits (``make test-min``).

Run in ``.venv-min`` (Airflow at the lower bound) and in the main suite alike: the provider
imports, its connection forms come from the provider info, one Broker Load and one sensor
succeed in ``dag.test()`` runs against the local stand-ins.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import uuid
from pathlib import Path
from typing import Any

import airflow
import pytest

import airflow_provider_doris_oss


def test_every_provider_module_imports() -> None:
    package = Path(airflow_provider_doris_oss.__file__).parent
    names = [m.name for m in pkgutil.walk_packages([str(package)], "airflow_provider_doris_oss.")]
    assert {"airflow_provider_doris_oss.operators.broker_load", "airflow_provider_doris_oss.fs.oss"} <= set(
        names
    )
    for name in names:
        importlib.import_module(name)


def test_provider_info_is_valid_and_the_forms_come_from_it() -> None:
    import jsonschema
    from airflow.providers_manager import ProvidersManager

    from airflow_provider_doris_oss.get_provider_info import get_provider_info

    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)
    manager = ProvidersManager()
    assert "airflow-provider-doris-oss" in manager.providers
    widgets = manager.connection_form_widgets
    for field in ("region", "connection_maximum", "use_path_style", "bucket", "proxy"):
        assert f"extra__doris_oss__{field}" in widgets, field
    assert "extra__doris__http_port" in widgets
    declared = next(c for c in get_provider_info()["connection-types"] if c["connection-type"] == "doris_oss")
    behaviour = manager.field_behaviours["doris_oss"]
    assert behaviour["relabeling"] == declared["ui-field-behaviour"]["relabeling"]
    assert behaviour["relabeling"]["host"].startswith("Endpoint")
    assert behaviour["hidden_fields"] == declared["ui-field-behaviour"]["hidden-fields"]


def test_broker_load_dag_run(
    run_dag: Any, local_oss: Any, oss_conn: str, local_doris_fe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pymysql

    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    local_oss.client().put_object(Bucket=oss_conn, Key="in/orders.csv", Body=b"1,alice\n2,bob\n")
    db = f"db_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}`")
        cur.execute(
            f"CREATE TABLE `{db}`.orders (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
            'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisBrokerLoadOperator(
                task_id="load",
                table="{db}.orders",
                source_uris="oss://{oss_conn}/in/orders.csv",
                format="csv",
                column_separator=",",
                columns=["id", "name"],
                poll_interval=0.2,
                deferrable=False,
            )
        """
    )
    assert result.task_states == {"load": "success"}
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name FROM `{db}`.orders ORDER BY id")
        assert cur.fetchall() == ((1, "alice"), (2, "bob"))
    conn.close()
    assert result.xcom("load")["loaded_rows"] == 2


def test_key_sensor_dag_run_deferred(run_dag: Any, local_oss: Any, oss_conn: str) -> None:
    local_oss.client().put_object(Bucket=oss_conn, Key="ready/_SUCCESS", Body=b"")
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.sensors.key import OssKeySensor

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            OssKeySensor(
                task_id="wait",
                bucket_key="oss://{oss_conn}/ready/_SUCCESS",
                poke_interval=1,
                timeout=120,
                deferrable=True,
            )
        """
    )
    assert result.task_states == {"wait": "success"}
