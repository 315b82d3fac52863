"""The OSS keys never leave the process in clear: not in logs, XCom, rendered fields or logged SQL.

One DAG runs every operator against the stand-ins; then everything a user or an operator of
Airflow could read is searched for the access key and the secret key.
"""

from __future__ import annotations

import json
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

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    load = DorisBrokerLoadOperator(
        task_id="load", table="DB.t", local_files="CSV", staging_uri="oss://BUCKET/staging/",
        format="csv", column_separator=",", poll_interval=0.2,
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
        poll_interval=0.2,
    )
    catalog = DorisCreateCatalogOperator(
        task_id="catalog", catalog_name="lake",
        catalog_properties={"type": "iceberg", "iceberg.catalog.type": "hadoop", "warehouse": "oss://BUCKET/wh/"},
    )
    load >> insert >> outfile >> export >> catalog
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


def test_keys_appear_nowhere(
    run_dag: Any,
    local_oss: Any,
    oss_conn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

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
            cur.execute("CREATE TABLE secrets_db.t (id INT, name VARCHAR(8)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)")
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
    for secret_name, secret in (("access key", local_oss.access_key), ("secret key", local_oss.secret_key)):
        for place, text in places.items():
            assert secret not in text, f"the {secret_name} appears in the {place}"
