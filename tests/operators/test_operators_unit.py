"""Operator behaviour that needs no Doris: refusals at parse time, assets, template fields, masking."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

import pytest
from airflow.sdk import Asset

from airflow_provider_doris_oss.operators._statement import DorisStatementError, run_statement
from airflow_provider_doris_oss.operators.catalog import DorisCreateCatalogOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("SELECT 1 INTO OUTFILE 's3://bkt/x_'", "already contains INTO OUTFILE"),
        ('select * from t\ninto   outfile "s3://bkt/x_" format as csv', "already contains INTO OUTFILE"),
        ("DELETE FROM t WHERE 1 = 1", "not a query"),
        ("INSERT INTO t SELECT 1", "not a query"),
        ("SELECT 1; DROP TABLE t", "more than one statement"),
        ("   ", "empty"),
    ],
)
def test_outfile_refuses_a_sql_that_is_not_a_plain_query(sql: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):  # at DAG parse: the sql holds no template
        DorisOutfileOperator(task_id="out", sql=sql, target_uri="oss://bkt/dir/x_")


def test_outfile_accepts_a_query_whose_text_mentions_outfile_only_inside_strings() -> None:
    op = DorisOutfileOperator(
        task_id="out", sql="SELECT 'INTO OUTFILE' AS s, `into` FROM t;", target_uri="oss://bkt/dir/x_"
    )
    assert op.sql.startswith("SELECT")


def test_outfile_declares_its_target_as_an_oss_asset_outlet() -> None:
    op = DorisOutfileOperator(task_id="out", sql="SELECT 1", target_uri="s3://bucket/dir/part_")
    assert [a.uri for a in op.outlets] == ["oss://bucket/dir/part_"]
    # Outlets the DAG passes are kept as they are (tests/operators/test_declared_assets.py says why).
    given = DorisOutfileOperator(
        task_id="out2", sql="SELECT 1", target_uri="s3://bucket/dir/part_", outlets=[Asset("oss://other/x")]
    )
    assert [a.uri for a in given.outlets] == ["oss://other/x"]


def test_a_templated_target_declares_no_asset_it_cannot_know() -> None:
    op = DorisOutfileOperator(task_id="out", sql="SELECT 1", target_uri="oss://bkt/{{ ds }}/x_")
    assert op.outlets == []


def test_insert_reports_its_source_location_as_an_inlet_cut_at_the_first_wildcard() -> None:
    op = DorisOssInsertOperator(
        task_id="ins", table="db.t", source_uri="oss://bucket/in/2026-*/part_?.csv", format="csv"
    )
    assert [a.uri for a in op.inlets] == ["oss://bucket/in/2026-"]


def test_insert_refuses_a_reader_option_given_twice() -> None:
    with pytest.raises(ValueError, match="column_separator"):
        DorisOssInsertOperator(
            task_id="ins",
            table="db.t",
            source_uri="oss://bkt/x.csv",
            format="csv",
            column_separator=",",
            reader_options={"Column_Separator": ";"},
        )


@pytest.mark.parametrize(
    "op",
    [
        DorisOutfileOperator(task_id="a", sql="SELECT 1", target_uri="oss://bkt/x_"),
        DorisOssInsertOperator(task_id="b", table="db.t", source_uri="oss://bkt/x", format="csv"),
        DorisCreateCatalogOperator(task_id="c", catalog_name="c", catalog_properties={"type": "hms"}),
    ],
    ids=lambda op: type(op).__name__,
)
def test_no_template_field_can_hold_credentials(op: Any) -> None:
    for name in op.template_fields:
        assert not any(word in name for word in ("secret", "access", "password", "key", "token", "conn"))


class _FakeCursor:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.description = None
        self.rowcount = 0
        self.executed: list[str] = []

    def execute(self, sql: str) -> None:
        self.executed.append(sql)
        if self.error is not None:
            raise self.error

    def fetchall(self) -> list[Any]:
        return []

    def close(self) -> None:
        pass


class _FakeConnection:
    def __init__(self, cursor: _FakeCursor) -> None:
        self._cursor = cursor
        self.closed = False

    def cursor(self) -> _FakeCursor:
        return self._cursor

    def close(self) -> None:
        self.closed = True


class _FakeHook:
    read_timeout = 60

    def __init__(self, error: Exception | None = None) -> None:
        self.conn = _FakeConnection(_FakeCursor(error))

    def get_conn(self, read_timeout: float | None = None) -> _FakeConnection:
        return self.conn

    def check_release(self, sql: str, conn: object = None) -> None:
        """A FE of no known release: every statement is sent (``DorisHook.check_release``)."""


def test_run_statement_masks_the_secret_in_the_log_and_in_the_error(caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cr3t'\\value"
    sql = 'SELECT 1 FROM S3("s3.secret_key" = "s3cr3t\\\'\\\\value", "uri" = "s3://bkt/x")'
    hook = _FakeHook(error=Exception(1105, f"errCode = 2, detailMessage = bad value near {secret}"))
    log = logging.getLogger("test.run_statement")
    with (
        caplog.at_level(logging.INFO, logger="test.run_statement"),
        pytest.raises(DorisStatementError) as raised,
    ):
        run_statement(hook, sql, secrets=[secret], log=log)  # type: ignore[arg-type]
    assert hook.conn.cursor().executed == [sql]
    assert hook.conn.closed
    assert raised.value.code == 1105
    assert secret not in str(raised.value) and "***" in str(raised.value)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "s3://bkt/x" in logged
    assert "s3cr3t" not in logged


def test_export_deferrable_defaults_to_the_operators_setting() -> None:
    import os

    probe = (
        "from airflow_provider_doris_oss.operators.export import DorisExportOperator as O\n"
        "print(O(task_id='t', table='d.t', target_uri='oss://bkt/x_').deferrable)\n"
    )
    env = {**os.environ, "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_export_declares_its_target_as_an_oss_asset_outlet() -> None:
    from airflow_provider_doris_oss.operators.export import DorisExportOperator

    op = DorisExportOperator(task_id="e", table="d.t", target_uri="s3://bucket/exp/part_")
    assert [a.uri for a in op.outlets] == ["oss://bucket/exp/part_"]
    assert op.deferrable is False


@pytest.mark.parametrize("label", ['bad"label', "new\nline", "a.b", "东京", "x" * 129])
def test_an_insert_label_doris_would_refuse_is_refused_before_anything_is_sent(label: str) -> None:
    from types import SimpleNamespace

    with pytest.raises(ValueError, match="label"):  # at DAG parse: nothing is ever sent
        DorisOssInsertOperator(task_id="i", table="d.t", source_uri="oss://bkt/x", format="csv", label=label)
    op = DorisOssInsertOperator(
        task_id="i", table="d.t", source_uri="oss://bkt/x", format="csv", label="{{ params.label }}"
    )
    op.job_label = label  # as rendered
    ti = SimpleNamespace(dag_id="d", task_id="i", run_id="r", map_index=-1)
    with pytest.raises(ValueError, match="label"):
        op.execute({"ti": ti})  # type: ignore[arg-type]


def test_mapped_insert_tasks_get_distinct_labels_that_stay_the_same_across_tries() -> None:
    from types import SimpleNamespace

    op = DorisOssInsertOperator(task_id="i", table="d.t", source_uri="oss://bkt/x", format="csv")

    def label(map_index: int, try_number: int) -> str:
        ti = SimpleNamespace(dag_id="d", task_id="i", run_id="r", map_index=map_index, try_number=try_number)
        return op._label({"ti": ti})  # type: ignore[arg-type]

    assert label(0, 1) == label(0, 2)
    assert len({label(-1, 1), label(0, 1), label(1, 1)}) == 3
