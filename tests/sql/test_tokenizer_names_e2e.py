"""Broker Load into a table whose names need backticks, end to end: the operator, the local FE
and the local OSS agree on which table ``db.`t``x``` and `` `my.db`.t `` name."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pymysql
import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator


@pytest.mark.parametrize(
    ("db_name", "table_name", "written"), [("plain", "t`x", "{db}.`t``x`"), ("my.db", "t", "`{db}`.t")]
)
def test_broker_load_targets_the_table_doris_reads(
    local_doris_fe: Any,
    local_oss: Any,
    oss_conn: str,
    monkeypatch: pytest.MonkeyPatch,
    db_name: str,
    table_name: str,
    written: str,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    db = f"{db_name}_{uuid.uuid4().hex[:6]}"
    conn = pymysql.connect(
        host=local_doris_fe.host, port=local_doris_fe.port, user="root", password="", autocommit=True
    )
    quoted = "`" + table_name.replace("`", "``") + "`"
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{db}`")
            cur.execute(f"CREATE TABLE `{db}`.{quoted} (k INT, v VARCHAR(10))")
            cur.execute(f"CREATE TABLE `{db}`.`x` (k INT, v VARCHAR(10))")  # the name the old parser chose
        local_oss.client().put_object(Bucket=oss_conn, Key=f"names/{db}/a.csv", Body=b"1,a\n2,b\n")
        operator = DorisBrokerLoadOperator(
            task_id="load",
            table=written.format(db=db),
            source_uris=f"oss://{oss_conn}/names/{db}/a.csv",
            format="csv",
            column_separator=",",
            poll_interval=0.2,
        )
        ti = SimpleNamespace(dag_id="names", task_id="load", run_id="manual__1", map_index=-1, try_number=1)
        summary = operator.execute({"ti": ti})
        assert summary["database"] == db and summary["loaded_rows"] == 2
        with conn.cursor() as cur:
            cur.execute(f"SELECT k, v FROM `{db}`.{quoted} ORDER BY k")
            assert cur.fetchall() == ((1, "a"), (2, "b"))
            cur.execute(f"SELECT COUNT(*) FROM `{db}`.`x`")
            assert cur.fetchall() == ((0,),)
    finally:
        conn.close()
