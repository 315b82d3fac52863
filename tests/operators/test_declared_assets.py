"""Operators declare their OSS location as an asset unless the DAG passes its own (no URI clashes)."""

from __future__ import annotations

import pytest
from airflow.sdk import Asset

from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

LANDING = Asset(name="landing", uri="oss://lake-bucket/in/")
EXPORTED = Asset(name="exported_orders", uri="oss://lake-bucket/out/")


def test_insert_declares_its_source_location_by_default() -> None:
    op = DorisOssInsertOperator(
        task_id="t", table="db.t", source_uri="oss://lake-bucket/in/*.csv", format="csv"
    )
    assert [a.uri for a in op.inlets] == [Asset(uri="oss://lake-bucket/in/").uri]


def test_a_named_asset_for_the_same_location_replaces_the_declared_one() -> None:
    # Two assets with one URI and two names make Airflow deactivate one, failing the task.
    op = DorisOssInsertOperator(
        task_id="t", table="db.t", source_uri="oss://lake-bucket/in/*.csv", format="csv", inlets=[LANDING]
    )
    assert op.inlets == [LANDING]


@pytest.mark.parametrize(
    ("operator", "kwargs"),
    [
        (DorisExportOperator, {"table": "db.t"}),
        (DorisOutfileOperator, {"sql": "SELECT 1"}),
    ],
)
def test_writers_keep_the_dags_named_outlet(operator: type, kwargs: dict[str, str]) -> None:
    default = operator(task_id="a", target_uri="oss://lake-bucket/out/orders_", **kwargs)
    assert [a.uri for a in default.outlets] == ["oss://lake-bucket/out/orders_"]
    named = operator(task_id="b", target_uri="oss://lake-bucket/out/orders_", outlets=[EXPORTED], **kwargs)
    assert named.outlets == [EXPORTED]
