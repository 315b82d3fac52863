"""The OSS keys never leave the process in clear: not in logs, XCom, rendered fields or logged SQL.

One DAG runs every operator against the stand-ins (the job operators and a sensor deferring to
their triggers, an asset watcher on the DAG); then everything a user or an operator of Airflow
could read is searched for the access key and the secret key: task logs and stdout, XCom,
rendered fields, the FE statement log, every trigger's ``serialize()`` output (every trigger class
in the package, built as its operator or sensor builds it), and every text cell of every table of
the metadata DB after the run (Fernet-encrypted cells decrypted, compressed ones inflated).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import pkgutil
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

DAG_SOURCE = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.catalog import DorisCreateCatalogOperator
from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

from airflow.sdk import Asset, AssetWatcher
from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

landing = Asset(
    name="landing",
    uri="oss://BUCKET/landing/",
    watchers=[
        AssetWatcher(name="landing_watch", trigger=OssObjectEventTrigger(prefix="landing/", bucket_name="BUCKET")),
    ],
)

with DAG("{dag_id}", schedule=[landing], start_date=pendulum.datetime(2026, 1, 1)):
    quiet = OssKeysUnchangedSensor(
        task_id="quiet", prefix="in/", inactivity_period=0.5, poke_interval=0.2, deferrable=True,
    )
    load = DorisBrokerLoadOperator(
        task_id="load", table="DB.t", local_files="CSV", staging_uri="oss://BUCKET/staging/",
        format="csv", column_separator=",", poll_interval=0.2, deferrable=True,
    )
    insert = DorisOssInsertOperator(
        task_id="insert", table="DB.t", source_uri="oss://BUCKET/in/*.csv", format="csv",
        column_separator=",",
    )
    outfile = DorisOutfileOperator(
        task_id="outfile", sql="SELECT * FROM DB.t", target_uri="oss://BUCKET/out/t_", format="csv",
    )
    export = DorisExportOperator(
        task_id="export", table="DB.t", target_uri="oss://BUCKET/exp/t_", format="parquet",
        poll_interval=0.2, deferrable=True,
    )
    catalog = DorisCreateCatalogOperator(
        task_id="catalog", catalog_name="lake",
        catalog_properties={"type": "iceberg", "iceberg.catalog.type": "hadoop", "warehouse": "oss://BUCKET/wh/"},
    )
    quiet >> load >> insert >> outfile >> export >> catalog
"""


def _everything_readable(result: Any, statement_log: Path, captured: str) -> dict[str, str]:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcoms = session.query(XComModel).filter_by(dag_id=result.dag_id, run_id=result.run_id).all()
        rendered = session.query(RenderedTaskInstanceFields).filter_by(dag_id=result.dag_id).all()
        return {
            "task logs and stdout": captured,
            "xcom": json.dumps([str(x.value) for x in xcoms]),
            "rendered template fields": json.dumps([r.rendered_fields for r in rendered], default=str),
            "FE statement log": statement_log.read_text(),
        }


def _package_trigger_classes() -> set[type]:
    """Every trigger class defined in the package's ``triggers`` modules."""
    from airflow.triggers.base import BaseTrigger

    import airflow_provider_doris_oss.triggers as triggers

    found: set[type] = set()
    for info in pkgutil.iter_modules(triggers.__path__, triggers.__name__ + "."):
        module = importlib.import_module(info.name)
        found.update(
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseTrigger) and cls.__module__ == module.__name__
        )
    return found


def _key_sensor_triggers(bucket: str) -> list[Any]:
    """The triggers ``OssKeySensor`` defers to (exact and wildcard, with and without check_fn).

    In ``dag.test()`` a deferred sensor waits for its key inline and nothing else can create it,
    so these are built by running the sensor's own ``execute`` on keys that do not exist yet.
    """
    from airflow.sdk.exceptions import TaskDeferred

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    built = []
    for kwargs in (
        {"bucket_key": "late/one.csv"},
        {
            "bucket_key": f"oss://{bucket}/late/*.csv",
            "wildcard_match": True,
            "check_fn": lambda files, **_: True,
        },
    ):
        sensor = OssKeySensor(task_id="wait", deferrable=True, **kwargs)
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute({})  # type: ignore[arg-type]
        built.append(deferred.value.trigger)
    return built


def _asset_watcher_triggers(dags_folder: Path, dag_id: str) -> list[Any]:
    """The event triggers of the asset watchers the test DAG is scheduled on, as its file builds them."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(str(dags_folder / f"{dag_id}.py")).get_dag(dag_id)
    assert dag is not None
    condition = dag.timetable.asset_condition
    return [
        watcher.trigger for asset in getattr(condition, "objects", [condition]) for watcher in asset.watchers
    ]


def _text_forms(value: Any) -> list[str]:
    """A DB cell as text: itself, and decrypted (Fernet) or inflated (zlib) when it is so stored."""
    from airflow.models.crypto import get_fernet

    if isinstance(value, bytes):
        forms = [value.decode("utf-8", errors="replace")]
        with contextlib.suppress(zlib.error):
            forms.append(zlib.decompress(value).decode("utf-8", errors="replace"))
        return forms
    if not isinstance(value, str):
        return []
    forms = [value]
    if value.startswith("gAAAA"):
        with contextlib.suppress(Exception):  # not a Fernet token after all
            forms.append(get_fernet().decrypt(value.encode()).decode("utf-8", errors="replace"))
    return forms


def _metadata_db_cells() -> tuple[dict[str, str], int]:
    """Every text (or blob) cell of every table in the metadata DB, by ``table.column``; and the cell count."""
    from airflow.configuration import conf

    url = conf.get("database", "sql_alchemy_conn")
    assert url.startswith("sqlite:///"), url
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        texts: dict[str, list[str]] = {}
        cells = 0
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    forms = _text_forms(value)
                    if forms:
                        cells += 1
                        texts.setdefault(f"metadata DB {table}.{column}", []).extend(forms)
        return {place: "\n".join(parts) for place, parts in texts.items()}, cells
    finally:
        db.close()


def test_keys_appear_nowhere(
    run_dag: Any,
    local_oss: Any,
    oss_conn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    airflow_db: Path,
) -> None:
    from airflow.sdk.execution_time import task_runner

    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    deferred: list[Any] = []
    defer_task = task_runner._defer_task

    def recording_defer_task(defer: Any, ti: Any, log: Any) -> Any:
        deferred.append(defer.trigger)
        return defer_task(defer, ti, log)

    monkeypatch.setattr(task_runner, "_defer_task", recording_defer_task)

    csv = tmp_path / "rows.csv"
    csv.write_text("1,a\n2,b\n")
    local_oss.client().put_object(Bucket=oss_conn, Key="in/more.csv", Body=b"3,c\n")
    log = tmp_path / "statements.jsonl"
    with LocalDorisFE(oss=local_oss, statement_log=log) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        fe_client = fe.connection()
        import pymysql

        conn = pymysql.connect(host=fe_client.host, port=fe_client.port, user="root", autocommit=True)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE secrets_db")
            cur.execute(
                "CREATE TABLE secrets_db.t (id INT, name VARCHAR(8)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)"
            )
        source = DAG_SOURCE.replace("DB.", "secrets_db.").replace("BUCKET", oss_conn).replace("CSV", str(csv))
        result = run_dag(source)
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM secrets_db.t")
            (rows,) = cur.fetchone()
        conn.close()

    assert result.state == "success", result.task_states
    assert rows == 3  # the DAG did the work whose traces are searched below
    captured = capfd.readouterr()
    places = _everything_readable(result, log, captured.out + captured.err)
    assert "LOAD LABEL" in places["FE statement log"] and "INTO OUTFILE" in places["FE statement log"]

    triggers = [
        *deferred,
        *_key_sensor_triggers(oss_conn),
        *_asset_watcher_triggers(airflow_db, result.dag_id),
    ]
    assert {type(t) for t in triggers} == _package_trigger_classes()  # every trigger class, as built in use
    assert {type(t).__name__ for t in deferred} >= {"DorisJobTrigger", "OssKeysUnchangedTrigger"}
    for n, trigger in enumerate(triggers):
        places[f"{type(trigger).__name__} #{n} serialize()"] = json.dumps(trigger.serialize(), default=str)
    db_places, db_cells = _metadata_db_cells()
    assert any(result.run_id in text for text in db_places.values())  # this run's rows were searched
    places.update(db_places)

    leaks = [
        f"the {secret_name} appears in the {place}"
        for secret_name, secret in (
            ("access key", local_oss.access_key),
            ("secret key", local_oss.secret_key),
        )
        for place, text in places.items()
        if secret in text
    ]
    tables = {p.split()[2].split(".")[0] for p in db_places}
    print(
        f"secret hunt: {len(places)} places searched ({len(triggers)} trigger serializations, "
        f"{len(db_places)} columns in {len(tables)} tables with {db_cells} text cells), {len(leaks)} leaks"
    )
    assert not leaks, leaks
