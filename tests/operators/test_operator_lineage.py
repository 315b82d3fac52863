"""Operators report what their Doris job read and wrote: to the hook lineage collector and OpenLineage."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.lineage import HookLineageCollector

from airflow_provider_doris_oss.hooks.doris import DorisHook
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator


class Events(dict):  # type: ignore[type-arg]
    def __missing__(self, key: Any) -> Any:
        self[key] = SimpleNamespace(extra={})
        return self[key]


def context(task_id: str = "load") -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="d", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti, "outlet_events": Events()}


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> HookLineageCollector:
    real = HookLineageCollector()
    monkeypatch.setattr("airflow.sdk.lineage.get_hook_lineage_collector", lambda: real)
    return real


def broker_load(doris: Any) -> DorisBrokerLoadOperator:
    return DorisBrokerLoadOperator(
        task_id="load",
        table=f"{doris.db}.orders",
        source_uris=[f"oss://{doris.bucket}/in/*.csv", f"oss://{doris.bucket}/more/b.csv"],
        format="csv",
        column_separator=",",
        columns=["id", "name"],
        label="lineage_load",
        poll_interval=0.1,
    )


def test_broker_load_reports_its_sources_and_the_table_with_loaded_rows(
    doris: Any, collector: HookLineageCollector
) -> None:
    doris.put("in/a.csv", "1,ann\n2,bob\n")
    doris.put("more/b.csv", "3,eve\n")
    op = broker_load(doris)
    assert op.execute(context())["loaded_rows"] == 3
    fe = f"doris://{doris.fe.host}:{doris.fe.port}"

    assets = collector.collected_assets
    assert sorted(a.asset.name for a in assets.inputs) == [
        f"oss://{doris.bucket}/in/",
        f"oss://{doris.bucket}/more/b.csv",
    ]
    assert [a.asset.uri for a in assets.outputs] == [f"{fe}/{doris.db}/orders"]
    assert all(isinstance(a.context, DorisHook) for a in [*assets.inputs, *assets.outputs])

    facets = op.get_openlineage_facets_on_complete(None)
    assert sorted((d.namespace, d.name) for d in facets.inputs) == [
        (f"oss://{doris.bucket}", "in/"),
        (f"oss://{doris.bucket}", "more/b.csv"),
    ]
    (table,) = facets.outputs
    assert (table.namespace, table.name) == (fe, f"{doris.db}.orders")
    assert table.outputFacets["outputStatistics"].rowCount == 3


def test_a_retry_that_finds_its_job_finished_reports_the_same_lineage(
    doris: Any, collector: HookLineageCollector
) -> None:
    doris.put("in/a.csv", "1,ann\n2,bob\n")
    doris.put("more/b.csv", "3,eve\n")
    broker_load(doris).execute(context())
    retry = broker_load(doris)
    summary = retry.execute(context())
    assert summary["submitted"] is False
    facets = retry.get_openlineage_facets_on_complete(None)
    (table,) = facets.outputs
    assert table.outputFacets["outputStatistics"].rowCount == 3
    outputs = collector.collected_assets.outputs
    assert [a.asset.uri for a in outputs] == [
        f"doris://{doris.fe.host}:{doris.fe.port}/{doris.db}/orders"
    ] * 2


def test_export_reports_the_table_with_its_rows_and_the_prefix_with_files_and_size(
    doris: Any, collector: HookLineageCollector
) -> None:
    from airflow_provider_doris_oss.operators.export import DorisExportOperator

    doris.run("INSERT INTO orders (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'eve')")
    op = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/out/o_",
        poll_interval=0.1,
    )
    result = op.execute(context("export"))
    written = doris.objects("out/")
    fe = f"doris://{doris.fe.host}:{doris.fe.port}"

    assets = collector.collected_assets
    assert [a.asset.uri for a in assets.inputs] == [f"{fe}/{doris.db}/orders"]
    assert [a.asset.name for a in assets.outputs] == [f"oss://{doris.bucket}/out/o_"]

    facets = op.get_openlineage_facets_on_complete(None)
    (table,) = facets.inputs
    (prefix,) = facets.outputs
    assert (table.namespace, table.name) == (fe, f"{doris.db}.orders")
    assert table.inputFacets["inputStatistics"].rowCount == 3
    assert (prefix.namespace, prefix.name) == (f"oss://{doris.bucket}", "out/o_")
    statistics = prefix.outputFacets["outputStatistics"]
    assert statistics.fileCount == len(written) == result["file_number"]
    assert statistics.size == sum(len(body) for body in written.values())


def test_outfile_reports_the_prefix_with_rows_files_and_size_and_no_inputs(
    doris: Any, collector: HookLineageCollector
) -> None:
    from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

    doris.run("INSERT INTO orders (id, name) VALUES (1, 'ann'), (2, 'bob')")
    op = DorisOutfileOperator(
        task_id="outfile",
        sql=f"SELECT id, name FROM {doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/of/r_",
    )
    result = op.execute(context("outfile"))
    written = doris.objects("of/")

    assert [a.asset.name for a in collector.collected_assets.outputs] == [f"oss://{doris.bucket}/of/r_"]
    assert collector.collected_assets.inputs == []
    facets = op.get_openlineage_facets_on_complete(None)
    assert facets.inputs == []
    (prefix,) = facets.outputs
    assert (prefix.namespace, prefix.name) == (f"oss://{doris.bucket}", "of/r_")
    statistics = prefix.outputFacets["outputStatistics"]
    assert (statistics.rowCount, statistics.fileCount) == (2, len(written))
    assert statistics.size == result["file_size"] == sum(len(body) for body in written.values())


def test_insert_from_s3_reports_the_source_and_the_table_with_rows_also_on_retry(
    doris: Any, collector: HookLineageCollector
) -> None:
    from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator

    doris.put("ins/a.csv", "5,eve\n6,fay\n")

    def op() -> DorisOssInsertOperator:
        return DorisOssInsertOperator(
            task_id="insert",
            table=f"{doris.db}.orders",
            source_uri=f"oss://{doris.bucket}/ins/*.csv",
            format="csv",
            columns=["id", "name"],
            reader_options={"column_separator": ","},
        )

    first, retry = op(), op()
    assert first.execute(context("insert"))["already_loaded"] is False
    assert retry.execute(context("insert"))["already_loaded"] is True
    fe = f"doris://{doris.fe.host}:{doris.fe.port}"
    assets = collector.collected_assets
    assert [a.asset.name for a in assets.inputs] == [f"oss://{doris.bucket}/ins/"] * 2
    assert [a.asset.uri for a in assets.outputs] == [f"{fe}/{doris.db}/orders"] * 2
    for task in (first, retry):
        facets = task.get_openlineage_facets_on_complete(None)
        (source,) = facets.inputs
        (table,) = facets.outputs
        assert (source.namespace, source.name) == (f"oss://{doris.bucket}", "ins/")
        assert (table.namespace, table.name) == (fe, f"{doris.db}.orders")
    # SHOW LOAD gives no row counts for an INSERT (EtlInfo is NULL), so the retry knows none.
    assert (
        first.get_openlineage_facets_on_complete(None).outputs[0].outputFacets["outputStatistics"].rowCount
        == 2
    )
    assert retry.get_openlineage_facets_on_complete(None).outputs[0].outputFacets == {}


def test_a_deferred_broker_load_reports_lineage_in_execute_complete(
    doris: Any, collector: HookLineageCollector
) -> None:
    import time

    from airflow.sdk.exceptions import TaskDeferred

    from airflow_provider_doris_oss.sql.jobs import plain_row

    doris.put("in/a.csv", "1,ann\n2,bob\n")
    doris.put("more/b.csv", "3,eve\n")
    op = broker_load(doris)
    op.deferrable = True
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context())
    assert collector.collected_assets.outputs == []
    deadline = time.monotonic() + 30
    while (row := doris.run('SHOW LOAD WHERE LABEL = "lineage_load"')[0])["State"] != "FINISHED":
        assert time.monotonic() < deadline, row
        time.sleep(0.1)
    event = {"status": "final", "label": "lineage_load", "database": doris.db, "row": plain_row(row)}
    resumed = broker_load(doris)  # execute_complete runs on a fresh instance in a new process
    assert resumed.execute_complete(context(), event, **deferred.value.kwargs)["loaded_rows"] == 3
    facets = resumed.get_openlineage_facets_on_complete(None)
    assert sorted(d.name for d in facets.inputs) == ["in/", "more/b.csv"]
    (table,) = facets.outputs
    assert (table.name, table.outputFacets["outputStatistics"].rowCount) == (f"{doris.db}.orders", 3)
    assert [a.asset.uri for a in collector.collected_assets.outputs] == [
        f"doris://{doris.fe.host}:{doris.fe.port}/{doris.db}/orders"
    ]
