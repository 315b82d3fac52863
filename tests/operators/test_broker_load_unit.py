"""DorisBrokerLoadOperator without a Doris FE: arguments, templating, labels, statements, lineage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import comment_fingerprint
from airflow_provider_doris_oss.sql import DataDescription, DorisSqlError
from airflow_provider_doris_oss.triggers.doris import DorisJobTrigger


def context(run_id: str = "scheduled__2026-11-25T00:00:00+00:00", map_index: int = -1, try_number: int = 1):
    ti = SimpleNamespace(
        dag_id="sales", task_id="load", run_id=run_id, map_index=map_index, try_number=try_number
    )
    return {"ti": ti}


def operator(**kwargs: Any) -> DorisBrokerLoadOperator:
    kwargs.setdefault("task_id", "load")
    if not {"source_uris", "local_files", "data_descriptions"} & kwargs.keys():
        kwargs["source_uris"] = "oss://bucket/in/*.csv"
    if "data_descriptions" not in kwargs:
        kwargs.setdefault("table", "db1.orders")
    return DorisBrokerLoadOperator(**kwargs)


def test_deferrable_defaults_to_the_operators_setting():
    probe = (
        "from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator as O\n"
        "print(O(task_id='t', table='d.t', source_uris='oss://bkt/k').deferrable)\n"
    )
    env = {**os.environ, "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True"}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "True"
    assert operator().deferrable is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source_uris": "oss://bkt/k", "local_files": "/tmp/x.csv"}, "exactly one of"),
        ({"source_uris": None, "table": "db.t"}, "exactly one of"),
        ({"table": None}, "table"),
        (
            {"data_descriptions": [{"source_uris": "oss://bkt/k", "table": "db.t"}], "format": "csv"},
            "format",
        ),
        ({"data_descriptions": [{"source_uris": "oss://bkt/k", "tabel": "db.t"}]}, "'tabel'"),
        ({"staging_uri": "oss://bkt/stage/"}, "staging_uri"),
        ({"poll_interval": 0}, "poll_interval"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        operator(**kwargs)


def test_template_fields_hold_sources_and_label_never_credentials():
    fields = set(DorisBrokerLoadOperator.template_fields)
    assert {"table", "source_uris", "local_files", "staging_uri", "job_label", "properties"} <= fields
    assert not {f for f in fields if any(w in f for w in ("secret", "password", "key", "conn"))}


def test_sources_are_declared_as_oss_inlets():
    op = operator(source_uris=["s3://bucket/in/2026/*.csv", "oss://other/exact.parquet"])
    from airflow.sdk import Asset

    # Compared with Asset's own URI normalisation (it drops a trailing slash).
    assert sorted(a.uri for a in op.inlets) == [
        Asset("oss://bucket/in/2026/").uri,
        Asset("oss://other/exact.parquet").uri,
    ]
    staged = operator(source_uris=None, local_files="/tmp/*.csv", staging_uri="oss://stage/tmp/")
    assert [a.uri for a in staged.inlets] == [Asset("oss://stage/tmp/").uri]
    templated = operator(source_uris="oss://bucket/{{ ds }}/*.csv")
    assert templated.inlets == []


def test_trigger_serialises_and_round_trips():
    trigger = DorisJobTrigger(
        doris_conn_id="doris_x", kind="export", database="db1", label="lbl-1", poll_interval=2
    )
    path, kwargs = trigger.serialize()
    module, _, name = path.rpartition(".")
    cls = getattr(__import__(module, fromlist=[name]), name)
    assert cls is DorisJobTrigger
    assert cls(**kwargs).serialize() == (path, kwargs)
    json.dumps(kwargs)
    with pytest.raises(ValueError, match="kind"):
        DorisJobTrigger(doris_conn_id="d", kind="insert", database="db", label="l")


@pytest.fixture
def oss_env(local_oss, oss_bucket, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", local_oss.connection(bucket=oss_bucket).as_json())
    return local_oss


def test_the_label_and_statement_are_the_same_on_every_try(oss_env):
    op = operator(properties={"timeout": 600, "max_filter_ratio": 0.1}, format="csv", column_separator=",")
    first = op.plan_job(context(try_number=1))
    again = operator(
        properties={"timeout": 600, "max_filter_ratio": 0.1}, format="csv", column_separator=","
    ).plan_job(context(try_number=2))
    other_run = op.plan_job(context(run_id="manual__2026-11-26"))
    mapped = op.plan_job(context(map_index=3))
    assert first.label == again.label
    assert first.statement(first.label) == again.statement(again.label)
    assert len({first.label, other_run.label, mapped.label}) == 3
    assert first.database == "db1"
    sql = first.statement(first.label)
    assert "dag_id=sales task_id=load run_id=scheduled__2026-11-25T00:00:00+00:00" in sql
    assert comment_fingerprint(sql) == first.fingerprint
    changed = operator(source_uris="oss://bucket/other/*.csv", format="csv", column_separator=",")
    assert changed.plan_job(context()).fingerprint != first.fingerprint


def test_unknown_format_and_job_properties_are_refused_naming_the_key(oss_env):
    # Judged at DAG parse (no template), naming the argument as written.
    with pytest.raises(ValueError, match="format_properties: 'strip_outer_aray'"):
        operator(format="json", format_properties={"strip_outer_aray": True})
    with pytest.raises(ValueError, match="properties: 'max_filter'"):
        operator(properties={"max_filter": 0.1})


def test_data_descriptions_load_several_tables_of_one_database(oss_env):
    op = operator(
        data_descriptions=[
            {"source_uris": "oss://bkt/a/*.csv", "table": "db2.a", "column_separator": ","},
            DataDescription(source_uris="oss://bkt/b.parquet", table="b", format="parquet"),
        ],
        label="two_tables",
    )
    plan = op.plan_job(context())
    sql = plan.statement(plan.label)
    assert (plan.database, plan.label) == ("db2", "two_tables")
    assert sql.count("DATA INFILE") == 2
    with pytest.raises(DorisSqlError, match="different databases"):
        operator(
            data_descriptions=[
                {"source_uris": "oss://bkt/a", "table": "db2.a"},
                {"source_uris": "oss://bkt/b", "table": "db3.b"},
            ]
        ).plan_job(context())


def test_local_files_are_staged_under_the_label(oss_env, oss_bucket, tmp_path):
    for name in ("a.csv", "b.csv", "notes.txt"):
        (tmp_path / name).write_text("1,x\n")
    plan = operator(source_uris=None, local_files=str(tmp_path / "*.csv")).plan_job(context())
    assert plan.state["staging_prefix"] == f"oss://{oss_bucket}/airflow-staging/{plan.label}/"
    sql = plan.statement(plan.label)
    for name in ("a.csv", "b.csv"):
        assert f'"s3://{oss_bucket}/airflow-staging/{plan.label}/{name}"' in sql
    assert "notes.txt" not in sql
    assert plan.before_submit is not None
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_text("2,y\n")
    clash = operator(source_uris=None, local_files=[str(tmp_path / "a.csv"), str(tmp_path / "sub/a.csv")])
    with pytest.raises(ValueError, match="same file name"):
        clash.plan_job(context())
    with pytest.raises(FileNotFoundError, match="matches no file"):
        operator(source_uris=None, local_files=str(tmp_path / "*.orc")).plan_job(context())
