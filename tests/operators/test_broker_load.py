"""DorisBrokerLoadOperator against the local OSS and the local Doris FE: the rows that land.

``dag.test()`` runs cover the scheduled path (poke and deferrable, CSV/JSON/Parquet, staging,
XCom, exactly once across two runs of one label); direct ``execute()`` calls cover the failure
and recovery paths where a DAG run adds nothing.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import DorisJobError

TABLE_DDL = (
    "CREATE TABLE `{db}`.`orders` (id INT, name VARCHAR(20), amount DOUBLE) DUPLICATE KEY(id) "
    'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


class Fe:
    """The local FE with its statement log, a database of this test's own, and a client."""

    def __init__(self, server: Any, log: Path, db: str) -> None:
        self.server = server
        self.log = log
        self.db = db

    def run(self, sql: str) -> list[dict[str, Any]]:
        import pymysql

        conn = pymysql.connect(
            host=self.server.host, port=self.server.port, user=self.server.user, autocommit=True
        )
        try:
            with conn.cursor(pymysql.cursors.DictCursor) as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            conn.close()

    def rows(self, table: str = "orders") -> list[tuple[Any, ...]]:
        return [
            (r["id"], r["name"], r["amount"])
            for r in self.run(f"SELECT id, name, amount FROM `{self.db}`.`{table}` ORDER BY id")
        ]

    def jobs(self, label: str) -> list[dict[str, Any]]:
        return self.run(f'SHOW LOAD FROM `{self.db}` WHERE LABEL = "{label}"')

    def statements(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def fe_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "fe-statements.jsonl"
    monkeypatch.setenv("DORIS_FE_STATEMENT_LOG", str(path))
    return path


@pytest.fixture
def fe(fe_log: Path, local_doris_fe: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch) -> Fe:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    db = f"db_{uuid.uuid4().hex[:10]}"
    client = Fe(local_doris_fe, fe_log, db)
    client.run(f"CREATE DATABASE `{db}`")
    client.run(TABLE_DDL.format(db=db))
    return client


def put(local_oss: Any, bucket: str, key: str, data: bytes) -> None:
    local_oss.client().put_object(Bucket=bucket, Key=key, Body=data)


def keys(local_oss: Any, bucket: str, prefix: str = "") -> list[str]:
    listing = local_oss.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def context(task_id: str = "load", run_id: str = "manual__2026-03-01T00:00:00+00:00") -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="direct", task_id=task_id, run_id=run_id, map_index=-1, try_number=1)
    return {"ti": ti}


def csv_operator(fe: Fe, bucket: str, **kwargs: Any) -> DorisBrokerLoadOperator:
    kwargs.setdefault("source_uris", f"oss://{bucket}/in/*.csv")
    return DorisBrokerLoadOperator(
        task_id="load",
        table=f"{fe.db}.orders",
        format="csv",
        column_separator=",",
        poll_interval=0.2,
        **kwargs,
    )


def assert_statements_accepted(fe: Fe, secret: str, allowed_errors: tuple[str, ...] = ()) -> list[str]:
    """Every statement was parsed and accepted (except the expected errors); none holds the secret."""
    records = fe.statements()
    assert secret not in fe.log.read_text()
    refused = [r for r in records if r["outcome"] != "ok"]
    unexpected = [r for r in refused if not any(a in r["outcome"] for a in allowed_errors)]
    assert unexpected == []
    return [r["sql"] for r in records]


# ---------------------------------------------------------------------------------- dag.test()


def test_csv_local_files_poke_mode_stages_loads_once_and_cleans_up(
    run_dag, fe, oss_conn, local_oss, tmp_path, caplog
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "part-1.csv").write_text("1,alice,1.5\n2,bob,2.5\n")
    (data / "part-2.csv").write_text("3,carol,3.5\n")
    caplog.set_level(logging.INFO)
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            common = dict(
                table="{fe.db}.orders",
                local_files="{data}/*.csv",
                staging_uri="oss://{oss_conn}/staging/",
                format="csv",
                column_separator=",",
                columns=["id", "name", "amount"],
                properties={{"timeout": 600, "max_filter_ratio": 0}},
                label="orders_{{{{ dag.dag_id }}}}",
                poll_interval=0.2,
                deferrable=False,
            )
            first = DorisBrokerLoadOperator(task_id="load", **common)
            again = DorisBrokerLoadOperator(task_id="load_again", **common)
            first >> again
        """
    )
    assert result.task_states == {"load": "success", "load_again": "success"}
    assert fe.rows() == [(1, "alice", 1.5), (2, "bob", 2.5), (3, "carol", 3.5)]
    summary = result.xcom("load")
    assert summary["loaded_rows"] == 3 and summary["filtered_rows"] == 0
    assert summary["submitted"] is True and summary["staged_objects_removed"] == 2
    assert summary["label"].startswith("orders_") and summary["job_id"] == int(
        fe.jobs(summary["label"])[0]["JobId"]
    )
    again = result.xcom("load_again")
    assert again["submitted"] is False and again["job_id"] == summary["job_id"]
    assert len(fe.jobs(summary["label"])) == 1
    assert keys(local_oss, oss_conn, "staging/") == []
    comment = fe.jobs(summary["label"])[0]["Comment"]
    assert f"dag_id={result.dag_id} task_id=load run_id={result.run_id}" in comment
    sql = assert_statements_accepted(fe, local_oss.secret_key)
    assert sum(s.startswith("LOAD LABEL") for s in sql) == 1
    assert local_oss.secret_key not in caplog.text and local_oss.access_key not in caplog.text


def test_json_wildcard_deferrable(run_dag, fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "json/2026/a.json", b'[{"id": 1, "name": "ann", "amount": 10.0}]\n')
    put(local_oss, oss_conn, "json/2026/b.json", b'[{"id": 2, "name": "ben", "amount": 20.0}]\n')
    put(local_oss, oss_conn, "json/2025/old.json", b'[{"id": 9, "name": "old", "amount": 0.0}]\n')
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisBrokerLoadOperator(
                task_id="load_json",
                table="{fe.db}.orders",
                source_uris="oss://{oss_conn}/json/2026/*.json",
                format="json",
                format_properties={{"strip_outer_array": True}},
                poll_interval=0.2,
                deferrable=True,
            )
        """
    )
    assert result.task_states == {"load_json": "success"}
    assert fe.rows() == [(1, "ann", 10.0), (2, "ben", 20.0)]
    assert result.xcom("load_json")["loaded_rows"] == 2
    assert_statements_accepted(fe, local_oss.secret_key)


def test_parquet_deferrable_and_a_cancelled_job_fails_the_task(run_dag, fe, oss_conn, local_oss):
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    table = pa.table({"id": [5, 6], "name": ["eve", "fay"], "amount": [5.5, 6.5]})
    pq.write_table(table, buffer)
    put(local_oss, oss_conn, "pq/data.parquet", buffer.getvalue())
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisBrokerLoadOperator(
                task_id="load_parquet",
                table="{fe.db}.orders",
                source_uris="s3://{oss_conn}/pq/data.parquet",
                format="parquet",
                poll_interval=0.2,
                deferrable=True,
            )
            DorisBrokerLoadOperator(
                task_id="load_missing",
                table="{fe.db}.orders",
                source_uris="oss://{oss_conn}/nothing-here/*.parquet",
                format="parquet",
                poll_interval=0.2,
                deferrable=True,
            )
        """
    )
    assert result.task_states == {"load_parquet": "success", "load_missing": "failed"}
    assert fe.rows() == [(5, "eve", 5.5), (6, "fay", 6.5)]
    assert_statements_accepted(fe, local_oss.secret_key)


# ---------------------------------------------------------------------- direct execute() calls


def test_csv_poke_execute_returns_the_summary(fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n2,b,2.0\n")
    summary = csv_operator(fe, oss_conn).execute(context())
    assert fe.rows() == [(1, "a", 1.0), (2, "b", 2.0)]
    assert summary["loaded_rows"] == 2 and summary["state"] == "FINISHED" and summary["database"] == fe.db
    assert summary["staged_objects_removed"] == 0


def test_a_retry_while_the_job_runs_waits_for_it_and_loads_once(fe, oss_conn, local_oss):
    from airflow.sdk.exceptions import TaskDeferred

    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n")
    fe.server.hold_next_job("LOADING", 1.5)
    with pytest.raises(TaskDeferred):
        csv_operator(fe, oss_conn, deferrable=True).execute(context())
    summary = csv_operator(fe, oss_conn).execute(context())
    assert summary["submitted"] is False
    assert fe.rows() == [(1, "a", 1.0)]
    assert len(fe.jobs(summary["label"])) == 1


def test_cancelled_job_fails_with_message_and_the_retry_uses_a_fresh_label(fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n")
    fe.server.fail_next_job("type:LOAD_RUN_FAIL; msg:backend went away")
    with pytest.raises(DorisJobError, match="ended CANCELLED: LOAD_RUN_FAIL: backend went away") as info:
        csv_operator(fe, oss_conn).execute(context())
    label = str(info.value).split()[2]
    assert fe.rows() == []
    summary = csv_operator(fe, oss_conn).execute(context())
    assert summary["label"] == f"{label}_r1"
    assert fe.rows() == [(1, "a", 1.0)]
    assert fe.jobs(label)[0]["State"] == "CANCELLED"


def test_too_many_filtered_rows_shows_the_rejected_rows(fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n2,too-few-columns\n")
    with pytest.raises(DorisJobError) as info:
        csv_operator(fe, oss_conn, properties={"max_filter_ratio": 0}).execute(context())
    message = str(info.value)
    assert "ETL_QUALITY_UNSATISFIED" in message
    assert "Rejected rows: http" in message
    assert "First rejected rows:" in message and "too-few-columns" in message
    assert fe.rows() == []


def test_a_wrong_secret_key_fails_clearly_and_loads_nothing(fe, oss_conn, local_oss, monkeypatch, caplog):
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    wrong = LocalOss(access_key=local_oss.access_key, secret_key="wrong-" + local_oss.secret_key[:10])
    conn = json.loads(local_oss.connection(bucket=oss_conn).as_json())
    conn["password"] = wrong.secret_key
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", json.dumps(conn))
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n")
    caplog.set_level(logging.INFO)
    op = csv_operator(fe, oss_conn, label="wrong_key")
    with pytest.raises(DorisJobError, match=r"Doris refused Broker Load wrong_key: .*storage") as info:
        op.execute(context())
    assert wrong.secret_key not in str(info.value) and wrong.secret_key not in caplog.text
    assert fe.rows() == []
    assert fe.jobs("wrong_key") == []
    assert_statements_accepted(fe, wrong.secret_key, allowed_errors=("storage",))


def test_dropped_fe_connection_while_waiting_resumes_by_label(fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n")
    fe.server.hold_next_job("LOADING", 2.0)
    outcome: dict[str, Any] = {}
    op = csv_operator(fe, oss_conn, label="dropped")
    worker = threading.Thread(target=lambda: outcome.update(op.execute(context())))
    worker.start()
    wait_for_state(fe, "dropped", "LOADING")
    fe.server.drop_connections()
    worker.join(timeout=60)
    assert outcome.get("state") == "FINISHED" and outcome.get("submitted") is True
    assert fe.rows() == [(1, "a", 1.0)]
    connections = {r["connection_id"] for r in fe.statements() if 'LABEL = "dropped"' in r["sql"]}
    assert len(connections) >= 2


def test_on_kill_cancels_the_running_load(fe, oss_conn, local_oss):
    put(local_oss, oss_conn, "in/a.csv", b"1,a,1.0\n")
    fe.server.hold_next_job("LOADING", 30.0)
    errors: list[BaseException] = []
    op = csv_operator(fe, oss_conn, label="killed")

    def run() -> None:
        try:
            op.execute(context())
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    wait_for_state(fe, "killed", "LOADING")
    op.on_kill()
    worker.join(timeout=60)
    assert len(errors) == 1 and "USER_CANCEL" in str(errors[0])
    assert fe.jobs("killed")[0]["State"] == "CANCELLED"
    assert fe.rows() == []
    op.on_kill()  # nothing running any more: not an error


def wait_for_state(fe: Fe, label: str, state: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = fe.jobs(label)
        if jobs and jobs[-1]["State"] == state:
            return
        time.sleep(0.05)
    raise AssertionError(f"label {label} never reached {state}: {fe.jobs(label)}")
