"""Derived labels name exactly one task instance; owned labels carry what the job does."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.job import task_label
from airflow_provider_doris_oss.sql import DorisSqlError, derive_label
from airflow_provider_doris_oss.sql.labels import owned_label, validate_label


def ti_context(task_id: str, map_index: int = -1, run_id: str = "manual__1") -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="d", task_id=task_id, run_id=run_id, map_index=map_index, try_number=1)
    return {"ti": ti}


def test_a_mapped_task_and_a_task_named_like_its_index_get_different_labels() -> None:
    assert derive_label("d", "load", "r", map_index=3) != derive_label("d", "load-3", "r")
    assert derive_label("d", "load", "r", map_index=3) != derive_label("d", "load", "r", map_index=4)
    # Not mapped (None or -1) is one identity, and the same as before map indexes were hashed.
    assert derive_label("d", "load", "r", map_index=-1) == derive_label("d", "load", "r")


@pytest.mark.parametrize(
    "make",
    [
        lambda: DorisBrokerLoadOperator(task_id="x", table="db.t", source_uris="oss://bkt/k", label=None),
        lambda: DorisExportOperator(task_id="x", table="db.t", target_uri="oss://bkt/out_"),
        lambda: DorisOssInsertOperator(task_id="x", table="db.t", source_uri="oss://bkt/k", format="csv"),
    ],
)
def test_every_operator_derives_distinct_labels_for_mapped_and_lookalike_tasks(make: Any) -> None:
    op = make()
    mapped = task_label(ti_context("load", map_index=3), None)
    lookalike = task_label(ti_context("load-3"), None)
    assert mapped != lookalike
    assert op.task_id == "x"


def test_broker_load_base_label_keeps_a_mapped_task_apart_from_a_lookalike_name() -> None:
    op = DorisBrokerLoadOperator(task_id="x", table="db.t", source_uris="oss://bkt/k")
    assert op.base_label(ti_context("load", map_index=3)) != op.base_label(ti_context("load-3"))


def test_task_label_validates_a_given_label() -> None:
    assert task_label(ti_context("t"), "mine-1") == "mine-1"
    with pytest.raises(DorisSqlError, match="not a valid Doris label"):
        task_label(ti_context("t"), "a.b")


def test_owned_label_appends_the_owner_and_stays_within_128() -> None:
    assert owned_label("lbl", "abcd1234") == "lbl_abcd1234"
    long = owned_label("x" * 128, "abcd1234")
    assert len(long) <= 128 and long.endswith("_abcd1234")
    validate_label(long)
    assert owned_label("x" * 128, "abcd1234") != owned_label("x" * 127 + "y", "abcd1234")
    derived = derive_label("d" * 300, "t" * 300, "r" * 300, map_index=7)
    assert re.fullmatch(r"[-_A-Za-z0-9]{1,128}", owned_label(derived, "0123456789ab"))
    with pytest.raises(DorisSqlError, match="hex"):
        owned_label("lbl", "XYZ")
