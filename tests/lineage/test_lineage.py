"""What the lineage module reports to Airflow's hook lineage collector and to OpenLineage."""

from __future__ import annotations

import pytest
from airflow.sdk.lineage import HookLineageCollector

from airflow_provider_doris_oss import lineage
from airflow_provider_doris_oss.lineage import (
    doris_dataset,
    openlineage_facets,
    oss_dataset,
    report_hook_lineage,
)
from airflow_provider_doris_oss.uris import ObjectUri


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> HookLineageCollector:
    real = HookLineageCollector()
    monkeypatch.setattr("airflow.sdk.lineage.get_hook_lineage_collector", lambda: real)
    return real


def test_hook_lineage_gets_oss_and_doris_assets(collector: HookLineageCollector) -> None:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook

    hook = DorisOssHook("any")
    report_hook_lineage(
        hook,
        inputs=[oss_dataset(ObjectUri("lake", "landing/a.csv"))],
        outputs=[doris_dataset("fe.example", 9030, "sales", "orders", rows=3)],
    )
    assets = collector.collected_assets
    assert [a.asset.uri for a in assets.inputs] == ["oss://lake/landing/a.csv"]
    assert [a.asset.uri for a in assets.outputs] == ["doris://fe.example:9030/sales/orders"]
    assert assets.inputs[0].context is hook


def test_openlineage_datasets_carry_namespaces_and_counts() -> None:
    facets = openlineage_facets(
        [oss_dataset(ObjectUri("lake", "landing/"), files=2, size=40)],
        [doris_dataset("fe", 9030, "sales", "orders", rows=5)],
    )
    assert facets is not None
    (source,) = facets.inputs
    (target,) = facets.outputs
    assert (source.namespace, source.name) == ("oss://lake", "landing/")
    assert source.inputFacets["inputStatistics"].fileCount == 2
    assert source.inputFacets["inputStatistics"].size == 40
    assert (target.namespace, target.name) == ("doris://fe:9030", "sales.orders")
    assert target.outputFacets["outputStatistics"].rowCount == 5


def test_datasets_without_counts_carry_no_statistics_facet() -> None:
    facets = openlineage_facets([], [oss_dataset(ObjectUri("lake", "out/x_"))])
    assert facets is not None
    assert facets.outputs[0].outputFacets == {}


def test_without_the_openlineage_provider_there_is_nothing_to_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_openlineage(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith(("airflow.providers.openlineage", "openlineage")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_openlineage)
    assert lineage.openlineage_facets([], []) is None


def test_hook_uploads_and_deletes_are_reported(
    collector: HookLineageCollector, local_oss, oss_bucket: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_LINEAGE_OSS", local_oss.connection("lineage_oss", bucket=oss_bucket).as_json()
    )
    hook = DorisOssHook("lineage_oss")
    source = tmp_path / "a.csv"
    source.write_text("1,x\n")
    hook.upload_file(source, ObjectUri(oss_bucket, "in/a.csv"))
    hook.delete_keys(oss_bucket, ["in/a.csv"])

    assets = collector.collected_assets
    assert [a.asset.uri for a in assets.inputs] == [f"file://{source}"]
    assert [(a.asset.uri, a.count) for a in assets.outputs] == [(f"oss://{oss_bucket}/in/a.csv", 2)]
