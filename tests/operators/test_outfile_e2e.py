"""DorisOutfileOperator end to end: the local FE writes real files to the local OSS."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator


@pytest.fixture
def doris(doris: Any) -> Any:
    """The shared fixture, with three orders in the table."""
    doris.run("INSERT INTO orders VALUES (1, 'ann', 10), (2, 'bob, jr', 20), (3, 'chloé', 30)")
    return doris


def test_outfile_dag_writes_csv_files_and_returns_them(doris: Any, run_dag: Any, tmp_path: Path) -> None:
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


def test_outfile_parquet_with_a_hostile_column_and_directory(doris: Any) -> None:
    import pyarrow.parquet as pq

    quoted = "`" + doris.hostile_column.replace("`", "``") + "`"
    op = DorisOutfileOperator(
        task_id="out",
        sql=f"SELECT id, {quoted} FROM {doris.db}.orders ORDER BY id",
        target_uri=f"oss://{doris.bucket}/{doris.hostile_dir}p_",
        format="parquet",
    )
    xcom = op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    objects = doris.objects(doris.hostile_dir)
    (key,) = objects
    assert key.startswith(doris.hostile_dir + "p_") and key.endswith(".parquet")
    table = pq.read_table(io.BytesIO(objects[key]))
    assert table.column_names == ["id", doris.hostile_column]
    assert table.to_pylist()[0] == {"id": 1, doris.hostile_column: 10}
    assert [f["uri"] for f in xcom["files"]] == [f"oss://{doris.bucket}/{key}"]
    assert json.loads(json.dumps(xcom)) == xcom


def test_outfile_fails_with_dorisss_message_and_no_secret(doris: Any) -> None:
    op = DorisOutfileOperator(
        task_id="out", sql=f"SELECT nope FROM {doris.db}.orders", target_uri=f"oss://{doris.bucket}/x/y_"
    )
    with pytest.raises(Exception) as raised:
        op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    assert "nope" in str(raised.value)
    assert doris.oss.secret_key not in str(raised.value)
    assert doris.objects("x/") == {}


def test_a_templated_sql_that_renders_into_outfile_is_refused_before_doris_sees_it(doris: Any) -> None:
    op = DorisOutfileOperator(task_id="out", sql="{{ params.q }}", target_uri=f"oss://{doris.bucket}/x/y_")
    op.sql = f"SELECT 1 INTO OUTFILE 's3://{doris.bucket}/evil_'"
    with pytest.raises(ValueError, match="INTO OUTFILE"):  # judged after rendering, as at parse
        op.execute({"outlet_events": _OutletEvents()})  # type: ignore[arg-type]
    assert not [s for s in doris.statements() if "OUTFILE" in s]


class _OutletEvents(dict):  # type: ignore[type-arg]
    """Stands in for the context's outlet events in direct ``execute()`` calls."""

    def __missing__(self, key: Any) -> Any:
        from types import SimpleNamespace

        self[key] = SimpleNamespace(extra={})
        return self[key]
