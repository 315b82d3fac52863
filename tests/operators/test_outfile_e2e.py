"""DorisOutfileOperator end to end: the local FE writes real files to the local OSS."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator
from airflow_provider_doris_oss.sql import DorisSqlError

HOSTILE_COLUMN = 'wéird `col` "q" \\ \'s'
# No newline in paths: the local FE parses URIs with urllib's urlsplit, which drops \n, \r and \t.
HOSTILE_DIR = 'out dír/it\'s "q" \\ `b` 東京 '


class Doris:
    """The local FE with a database and table of its own, and the OSS bucket the test writes to."""

    def __init__(self, fe: Any, oss: Any, bucket: str, log: Path) -> None:
        import pymysql

        self.fe, self.oss, self.bucket, self.log = fe, oss, bucket, log
        self.db = f"db_{uuid.uuid4().hex[:8]}"
        self.conn = pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)
        self.run(f"CREATE DATABASE {self.db}")
        self.run(f"USE {self.db}")

    def run(self, sql: str) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def objects(self, prefix: str = "") -> dict[str, bytes]:
        client = self.oss.client()
        found = client.list_objects_v2(Bucket=self.bucket, Prefix=prefix).get("Contents", [])
        return {o["Key"]: client.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read() for o in found}

    def statements(self) -> list[str]:
        return [json.loads(line)["sql"] for line in self.log.read_text().splitlines()]


@pytest.fixture
def doris(local_oss: Any, oss_conn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Doris]:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    log = tmp_path / "statements.jsonl"
    with LocalDorisFE(oss=local_oss, statement_log=log) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        client = Doris(fe, local_oss, oss_conn, log)
        client.run(
            f"CREATE TABLE orders (id INT, name VARCHAR(40), `{HOSTILE_COLUMN.replace('`', '``')}` INT) "
            'DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
        client.run("INSERT INTO orders VALUES (1, 'ann', 10), (2, 'bob, jr', 20), (3, 'chloé', 30)")
        yield client
        client.conn.close()


def test_outfile_dag_writes_csv_files_and_returns_them(doris: Doris, run_dag: Any, tmp_path: Path) -> None:
    download = tmp_path / "downloaded"
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator
        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisOutfileOperator(
                task_id="out",
                sql="SELECT id, name FROM {doris.db}.orders WHERE id >= {{{{ params.low }}}} ORDER BY id",
                params={{"low": 2}},
                target_uri="oss://{doris.bucket}/outfile/orders_",
                format="csv_with_names",
                column_separator="|",
                success_file_name="_SUCCESS",
                download_to={str(download)!r},
            )
        """
    )
    assert result.state == "success", result.task_states
    xcom = result.xcom("out")
    objects = doris.objects("outfile/")
    data_keys = sorted(k for k in objects if not k.endswith("_SUCCESS"))
    assert "outfile/_SUCCESS" in objects
    assert len(data_keys) == 1 and data_keys[0].startswith("outfile/orders_")
    assert objects[data_keys[0]].decode().splitlines() == ["id|name", "2|bob, jr", "3|chloé"]
    assert xcom["files"] == [
        {"uri": f"oss://{doris.bucket}/{data_keys[0]}", "size": len(objects[data_keys[0]])}
    ]
    assert (xcom["file_number"], xcom["total_rows"]) == (1, 2)
    assert xcom["file_size"] == len(objects[data_keys[0]])
    assert [Path(p).read_bytes() for p in xcom["local_paths"]] == [objects[data_keys[0]]]
    assert Path(xcom["local_paths"][0]).parent == download
    outfile_sql = [s for s in doris.statements() if "INTO OUTFILE" in s]
    assert len(outfile_sql) == 1 and doris.oss.secret_key not in outfile_sql[0]


def test_outfile_parquet_with_a_hostile_column_and_directory(doris: Doris) -> None:
    import pyarrow.parquet as pq

    quoted = "`" + HOSTILE_COLUMN.replace("`", "``") + "`"
    op = DorisOutfileOperator(
        task_id="out",
        sql=f"SELECT id, {quoted} FROM {doris.db}.orders ORDER BY id",
        target_uri=f"oss://{doris.bucket}/{HOSTILE_DIR}p_",
        format="parquet",
    )
    xcom = op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    objects = doris.objects(HOSTILE_DIR)
    (key,) = objects
    assert key.startswith(HOSTILE_DIR + "p_") and key.endswith(".parquet")
    table = pq.read_table(io.BytesIO(objects[key]))
    assert table.column_names == ["id", HOSTILE_COLUMN]
    assert table.to_pylist()[0] == {"id": 1, HOSTILE_COLUMN: 10}
    assert [f["uri"] for f in xcom["files"]] == [f"oss://{doris.bucket}/{key}"]
    assert json.loads(json.dumps(xcom)) == xcom


def test_outfile_fails_with_dorisss_message_and_no_secret(doris: Doris) -> None:
    op = DorisOutfileOperator(
        task_id="out", sql=f"SELECT nope FROM {doris.db}.orders", target_uri=f"oss://{doris.bucket}/x/y_"
    )
    with pytest.raises(Exception) as raised:
        op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    assert "nope" in str(raised.value)
    assert doris.oss.secret_key not in str(raised.value)
    assert doris.objects("x/") == {}


def test_a_templated_sql_that_renders_into_outfile_is_refused_before_doris_sees_it(doris: Doris) -> None:
    op = DorisOutfileOperator(task_id="out", sql="{{ params.q }}", target_uri=f"oss://{doris.bucket}/x/y_")
    op.sql = f"SELECT 1 INTO OUTFILE 's3://{doris.bucket}/evil_'"
    with pytest.raises(DorisSqlError, match="INTO OUTFILE"):
        op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    assert not [s for s in doris.statements() if "OUTFILE" in s]


class _OutletEvents(dict):  # type: ignore[type-arg]
    """Stands in for the context's outlet events in direct ``execute()`` calls."""

    def __missing__(self, key: Any) -> Any:
        from types import SimpleNamespace

        self[key] = SimpleNamespace(extra={})
        return self[key]
