"""DorisHook against the local Doris FE, directly and through common-sql's SQLExecuteQueryOperator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.doris import DorisHook


@pytest.fixture
def doris_conn(local_doris_fe: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    return local_doris_fe


def test_hook_runs_statements_and_reads_rows(doris_conn: Any) -> None:
    hook = DorisHook()
    hook.run(
        [
            "CREATE DATABASE hook_db",
            "CREATE TABLE hook_db.t (id INT, name VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)",
            "INSERT INTO hook_db.t VALUES (1, 'a'), (2, 'b')",
        ]
    )
    assert list(hook.get_records("SELECT id, name FROM hook_db.t ORDER BY id")) == [(1, "a"), (2, "b")]
    assert hook.get_first("SELECT @@version_comment")[0].startswith("Doris version doris-")
    assert hook.test_connection()[0] is True
    assert hook.port == doris_conn.port and hook.http_port == 8030


def test_sqlalchemy_engine_reaches_the_fe(doris_conn: Any) -> None:
    engine = DorisHook().get_sqlalchemy_engine()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 41 + 1").scalar() == 42
    assert DorisHook().sqlalchemy_url.drivername == "mysql+pymysql"


@pytest.mark.parametrize("extra", [{"http_port": "x"}, {"connect_timeout": 0}])
def test_bad_extra_names_the_field(extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_BAD_DORIS", json.dumps({"conn_type": "doris", "host": "127.0.0.1", "extra": extra})
    )
    hook = DorisHook(doris_conn_id="bad_doris")
    key = next(iter(extra))
    with pytest.raises(ValueError, match=f"extra '{key}' must be a positive whole number"):
        hook.http_port if key == "http_port" else hook.get_conn()


def test_sql_execute_query_operator_works_with_a_doris_connection(doris_conn: Any, run_dag: Any) -> None:
    result = run_dag(
        """
        import pendulum
        from airflow.sdk import DAG
        from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
        with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            setup = SQLExecuteQueryOperator(
                task_id="setup",
                conn_id="doris_default",
                sql=[
                    "CREATE DATABASE IF NOT EXISTS sqlop",
                    "CREATE TABLE IF NOT EXISTS sqlop.t (id INT, v DOUBLE) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)",
                    "INSERT INTO sqlop.t VALUES (1, 1.5), (2, 2.5), (3, 4.0)",
                ],
            )
            query = SQLExecuteQueryOperator(
                task_id="query", conn_id="doris_default", sql="SELECT COUNT(*), SUM(v) FROM sqlop.t"
            )
            setup >> query
        """
    )
    assert result.state == "success", result.task_states
    assert list(result.xcom("query")) == [(3, 8.0)]


def test_a_stalled_fe_read_fails_after_the_connections_read_timeout(
    doris_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pymysql

    conn = json.loads(doris_conn.connection().as_json())
    conn["extra"] = json.dumps({"read_timeout": 1, "submit_timeout": 3})
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", json.dumps(conn))
    hook = DorisHook()
    assert (hook.read_timeout, hook.submit_timeout) == (1, 3)
    doris_conn.stall_statements(r"^SELECT 'stalled'", 600, count=1)
    with pytest.raises(pymysql.err.OperationalError) as raised:
        hook.get_first("SELECT 'stalled'")
    assert raised.value.args[0] == 2013 and "timed out" in raised.value.args[1]
    assert hook.get_first("SELECT 'answered'") == ("answered",)


def test_read_timeouts_default_and_refuse_bad_values(doris_conn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = DorisHook()
    assert (hook.read_timeout, hook.submit_timeout) == (60, 300)
    conn = json.loads(doris_conn.connection().as_json())
    conn["extra"] = json.dumps({"read_timeout": "soon"})
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", json.dumps(conn))
    with pytest.raises(ValueError, match="read_timeout"):
        DorisHook().get_conn()
