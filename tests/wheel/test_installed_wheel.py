"""Smoke tests of the built wheel as a user installs it (``make wheel-smoke``).

``make wheel-smoke`` installs ``dist/*.whl[testing,fs]`` into ``.venv-wheel`` and runs this file, with
a copy of ``tests/conftest.py``, from a temporary directory: the source tree is not importable,
so a file missing from the wheel fails here. Entry points, provider info, the connection forms,
the shipped example DAGs, ``serve``, one Broker Load and one sensor that really defers.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import sysconfig
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import airflow_provider_doris_oss

DISTRIBUTION = "airflow-provider-doris-oss"
PACKAGE_DIR = Path(airflow_provider_doris_oss.__file__).resolve().parent


def test_the_provider_comes_from_the_installed_wheel() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert PACKAGE_DIR.is_relative_to(site_packages), PACKAGE_DIR
    dist = importlib.metadata.distribution(DISTRIBUTION)
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    assert direct_url["url"].endswith(".whl") and not direct_url.get("dir_info", {}).get("editable")
    assert dist.version == airflow_provider_doris_oss.__version__
    files = {f.as_posix() for f in dist.files or []}
    licenses = {
        f"{DISTRIBUTION.replace('-', '_')}-{dist.version}.dist-info/licenses/{n}"
        for n in ("LICENSE", "NOTICE")
    }
    assert licenses <= files
    assert (PACKAGE_DIR / "py.typed").is_file()


def test_every_entry_point_loads() -> None:
    from airflow_provider_doris_oss.fs.path import OssPath

    points = {(ep.group, ep.name): ep for ep in importlib.metadata.distribution(DISTRIBUTION).entry_points}
    info = points[("apache_airflow_provider", "provider_info")].load()()
    assert info["package-name"] == DISTRIBUTION
    assert info["versions"] == [airflow_provider_doris_oss.__version__]
    assert points[("universal_pathlib.implementations", "oss")].load() is OssPath
    plugin = points[("pytest11", "doris_oss")].load()
    assert {"local_oss", "local_doris_fe", "local_seaweedfs"} <= set(vars(plugin))


def test_airflow_finds_the_provider_its_hooks_and_forms() -> None:
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService
    from airflow.providers_manager import ProvidersManager

    from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type

    manager = ProvidersManager()
    assert manager.providers[DISTRIBUTION].version == airflow_provider_doris_oss.__version__
    assert {"doris_oss", "doris"} <= set(manager.hooks)
    forms = {hook.connection_type: hook for hook in HookMetaService.hook_meta_data()}
    for declared in (doris_oss_connection_type(), doris_connection_type()):
        form = forms[declared["connection-type"]]
        titles = {name: param["schema"]["title"] for name, param in (form.extra_fields or {}).items()}
        assert titles == {name: field["label"] for name, field in declared["conn-fields"].items()}
        assert form.standard_fields is not None and form.standard_fields.host is not None
        assert form.standard_fields.host.title == declared["ui-field-behaviour"]["relabeling"]["host"]


def test_the_shipped_example_dags_load() -> None:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.2
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    folder = PACKAGE_DIR / "example_dags"
    files = sorted(folder.glob("example_*.py"))
    assert len(files) >= 9 and (folder / "data" / "orders.csv").is_file()
    bag = DagBag(str(folder))
    assert bag.import_errors == {}
    assert len(bag.dag_ids) >= len(files)


def test_serve_prints_connections_and_form_values(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_doris_oss.testing", "serve", "--bucket", "lake"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("OSS secret key:"):
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert any(line.startswith("export AIRFLOW_CONN_DORIS_OSS_DEFAULT=") for line in lines), lines
    assert any(line.strip().startswith("Endpoint (required):") for line in lines), lines
    assert any(line.strip().startswith("Default bucket:") and line.strip().endswith("lake") for line in lines)


def test_broker_load_deferred(
    run_dag: Any, local_oss: Any, oss_conn: str, local_doris_fe: Any, monkeypatch: Any
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
                task_id="load", table="{db}.orders", source_uris="oss://{oss_conn}/in/orders.csv",
                format="csv", column_separator=",", columns=["id", "name"], poll_interval=0.2,
                deferrable=True,
            )
        """
    )
    assert result.task_states == {"load": "success"}
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name FROM `{db}`.orders ORDER BY id")
        assert cur.fetchall() == ((1, "alice"), (2, "bob"))
    conn.close()


def test_key_sensor_defers_and_resumes_when_the_key_lands(
    run_dag: Any, local_oss: Any, oss_conn: str
) -> None:
    key = f"ready/{uuid.uuid4().hex[:8]}/_SUCCESS"

    def asked_for_key() -> list[Any]:
        return [r for r in local_oss.requests if key in unquote(r.path) or key in unquote(r.query)]

    def land_after_the_first_check() -> None:
        deadline = time.monotonic() + 120
        while not asked_for_key() and time.monotonic() < deadline:
            time.sleep(0.1)
        local_oss.client().put_object(Bucket=oss_conn, Key=key, Body=b"")

    lander = threading.Thread(target=land_after_the_first_check, daemon=True)
    lander.start()
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.sensors.key import OssKeySensor

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            OssKeySensor(task_id="wait", bucket_key="oss://{oss_conn}/{key}", poke_interval=1, timeout=120,
                         deferrable=True)
        """
    )
    lander.join(timeout=10)
    assert result.task_states == {"wait": "success"}
    agents = {r.headers.get("user-agent", "").split("/")[0] for r in asked_for_key()}
    assert any("aiobotocore" in r.headers.get("user-agent", "") for r in asked_for_key()), agents
