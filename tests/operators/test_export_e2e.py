"""DorisExportOperator end to end: EXPORT jobs in the local FE writing real files to the local OSS."""

from __future__ import annotations

import io
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.job import DorisJobError


@pytest.fixture
def doris(doris: Any) -> Any:
    """The shared fixture, with three orders in the table."""
    doris.run("INSERT INTO orders VALUES (1, 'ann', 10), (2, 'it''s \"q\"', 20), (3, 'chloé', 30)")
    return doris


def context(run_id: str = "manual__1") -> dict[str, Any]:
    events: dict[Any, Any] = {}

    class Events(dict):  # type: ignore[type-arg]
        def __missing__(self, key: Any) -> Any:
            self[key] = SimpleNamespace(extra={})
            return self[key]

    return {
        "ti": SimpleNamespace(dag_id="d", task_id="export", run_id=run_id, map_index=-1, try_number=1),
        "outlet_events": Events(events),
    }


DAG_SOURCE = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_doris_oss.operators.export import DorisExportOperator
with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    DorisExportOperator(
        task_id="export",
        table="{db}.orders",
        columns=["id", "name"],
        where="id >= 2",
        target_uri="oss://{bucket}/{prefix}",
        format="csv",
        column_separator=",",
        poll_interval=0.2,
        deferrable={deferrable},
    )
"""


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_export_dag_exports_once_and_returns_the_files(doris: Any, run_dag: Any, deferrable: bool) -> None:
    doris.fe.hold_next_job("EXPORTING", 1.0)
    prefix = f"{'d' if deferrable else 'p'}/orders_"
    result = run_dag(
        DAG_SOURCE.format(db=doris.db, bucket=doris.bucket, prefix=prefix, deferrable=deferrable)
    )
    assert result.state == "success", result.task_states
    xcom = result.xcom("export")
    objects = doris.objects(prefix.split("/")[0] + "/")
    (key,) = objects
    assert key.startswith(prefix) and key.endswith(".csv")
    assert sorted(objects[key].decode().splitlines()) == ['2,it\'s "q"', "3,chloé"]
    assert xcom["files"] == [{"uri": f"oss://{doris.bucket}/{key}", "size": len(objects[key])}]
    assert (xcom["file_number"], xcom["total_rows"], xcom["file_size"]) == (1, 2, len(objects[key]))
    assert xcom["state"] == "FINISHED" and xcom["database"] == doris.db
    assert xcom["submitted"] is True  # also when dag.test() resumed it with the event alone
    job = doris.run(f'SHOW EXPORT FROM {doris.db} WHERE LABEL = "{xcom["label"]}"')
    assert [row["JobId"] for row in job] == [xcom["job_id"]]
    exports = [s for s in doris.statements() if s.lstrip().upper().startswith("EXPORT")]
    assert len(exports) == 1 and doris.oss.secret_key not in exports[0]
    assert f'"label" = "{xcom["label"]}"' in exports[0]


def test_a_retry_that_finds_its_label_finished_does_not_export_again(doris: Any) -> None:
    def op() -> DorisExportOperator:
        return DorisExportOperator(
            task_id="export",
            table=f"{doris.db}.orders",
            target_uri=f"oss://{doris.bucket}/r/o_",
            poll_interval=0.1,
        )

    first = op().execute(context())
    second = op().execute(context())
    assert first["submitted"] is True and second["submitted"] is False
    assert second["label"] == first["label"] and second["job_id"] == first["job_id"]
    assert second["files"] == first["files"] and len(doris.objects("r/")) == 1
    assert len([s for s in doris.statements() if s.lstrip().upper().startswith("EXPORT")]) == 1


def test_hostile_columns_where_and_path_reach_doris_intact(doris: Any) -> None:
    import pyarrow.parquet as pq

    xcom = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        columns=[doris.hostile_column, "name"],
        where="name = 'it''s \"q\"' OR name = 'chloé'",
        target_uri=f"s3://{doris.bucket}/{doris.hostile_dir}x_",
        format="parquet",
        label="hostile-label_1",
        poll_interval=0.1,
    ).execute(context())
    objects = doris.objects(doris.hostile_dir)
    (key,) = objects
    assert key.startswith(doris.hostile_dir + "x_")
    table = pq.read_table(io.BytesIO(objects[key]))
    assert table.column_names == [doris.hostile_column, "name"]
    assert sorted(table.to_pylist(), key=lambda r: r["name"]) == [
        {doris.hostile_column: 30, "name": "chloé"},
        {doris.hostile_column: 20, "name": 'it\'s "q"'},
    ]
    assert xcom["label"] == "hostile-label_1"
    assert [f["uri"] for f in xcom["files"]] == [f"oss://{doris.bucket}/{key}"]


@pytest.mark.parametrize("label", ['bad"label', "new\nline", "dotted.label", "ü"])
def test_a_label_doris_would_refuse_is_refused_before_anything_is_sent(doris: Any, label: str) -> None:
    with pytest.raises(ValueError, match="label"):  # at DAG parse
        DorisExportOperator(
            task_id="export", table=f"{doris.db}.orders", target_uri=f"oss://{doris.bucket}/l/x_", label=label
        )
    op = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/l/x_",
        label="{{ params.label }}",
    )
    op.job_label = label  # as rendered
    with pytest.raises(ValueError, match="label"):
        op.execute(context())
    assert not [s for s in doris.statements() if "EXPORT" in s.upper()]


def test_a_cancelled_export_fails_with_dorisss_message(doris: Any) -> None:
    doris.fe.fail_next_job("type:RUN_FAIL; msg:disk full on be-3")
    op = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/c/x_",
        poll_interval=0.1,
    )
    with pytest.raises(DorisJobError, match=r"CANCELLED.*disk full on be-3"):
        op.execute(context())


def test_on_kill_cancels_the_running_export(doris: Any) -> None:
    doris.fe.hold_next_job("EXPORTING", 30.0)
    op = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/k/x_",
        label="kill-me",
        poll_interval=0.1,
    )
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            op.execute(context())
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 20
    while not doris.run(f'SHOW EXPORT FROM {doris.db} WHERE STATE = "EXPORTING"'):
        assert time.monotonic() < deadline, "the export never started"
        time.sleep(0.05)
    op.on_kill()
    worker.join(20)
    assert not worker.is_alive()
    (row,) = doris.run(f'SHOW EXPORT FROM {doris.db} WHERE LABEL = "kill-me"')
    assert row["State"] == "CANCELLED"
    assert isinstance(outcome.get("error"), DorisJobError) and "CANCELLED" in str(outcome["error"])
    assert any(s.upper().startswith("CANCEL EXPORT") for s in doris.statements())
