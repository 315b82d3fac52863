"""DorisOssInsertOperator end to end: INSERT ... FROM S3() in the local FE reading the local OSS."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators._statement import DorisStatementError
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator


def context(run_id: str = "manual__1") -> dict[str, Any]:
    return {"ti": SimpleNamespace(dag_id="d", task_id="insert", run_id=run_id, map_index=-1, try_number=1)}


def rows(doris: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r.values()) for r in doris.run(f"SELECT * FROM {doris.db}.orders"))


def test_insert_dag_loads_every_matching_file_and_reports_the_transaction(doris: Any, run_dag: Any) -> None:
    doris.put("in/2026/a.csv", "1,ann,10\n2,bob,20\n")
    doris.put("in/2026/b.csv", "3,chloé,30\n")
    doris.put("in/2025/old.csv", "9,old,90\n")
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisOssInsertOperator(
                task_id="insert",
                table="{doris.db}.orders",
                source_uri="oss://{doris.bucket}/in/{{{{ params.year }}}}/*.csv",
                params={{"year": "2026"}},
                format="csv",
                column_separator=",",
                columns=["id", "name"],
                select_list=["cast(c1 as int)", "c2"],
            )
        """
    )
    assert result.state == "success", result.task_states
    xcom = result.xcom("insert")
    assert rows(doris) == [(1, "ann", None), (2, "bob", None), (3, "chloé", None)]
    assert (xcom["rows"], xcom["status"], xcom["already_loaded"]) == (3, "VISIBLE", False)
    (job,) = doris.run(f'SHOW LOAD FROM {doris.db} WHERE LABEL = "{xcom["label"]}"')
    assert (job["Type"], job["TransactionId"]) == ("INSERT", xcom["txn_id"])
    inserts = [s for s in doris.statements() if s.upper().startswith("INSERT INTO `")]
    assert len(inserts) == 1 and doris.oss.secret_key not in inserts[0]
    assert f"WITH LABEL `{xcom['label']}`" in inserts[0]


def test_a_retry_reports_the_earlier_insert_instead_of_inserting_twice(doris: Any) -> None:
    doris.put("r/a.csv", "1\tann\t10\n2\tbob\t20\n")

    def op() -> DorisOssInsertOperator:
        return DorisOssInsertOperator(
            task_id="insert", table=f"{doris.db}.orders", source_uri=f"oss://{doris.bucket}/r/*", format="csv"
        )

    first = op().execute(context())  # type: ignore[arg-type]
    second = op().execute(context())  # type: ignore[arg-type]
    assert rows(doris) == [(1, "ann", 10), (2, "bob", 20)]
    assert first["already_loaded"] is False and second["already_loaded"] is True
    assert second["label"] == first["label"]
    assert (second["txn_id"], second["status"]) == (first["txn_id"], "FINISHED")
    # Doris's SHOW LOAD row for an INSERT job has no row counts (EtlInfo NULL): unknown, not made up.
    assert first["rows"] == 2 and second["rows"] is None
    other_run = op().execute(context("manual__2"))  # type: ignore[arg-type]
    assert other_run["already_loaded"] is False and other_run["label"] != first["label"]
    assert len(rows(doris)) == 4


def test_hostile_path_column_separator_and_filter_reach_doris_intact(doris: Any) -> None:
    separator = "'\"|"
    doris.put(
        f"{doris.hostile_dir}part.txt",
        f'1{separator}it\'s "q" \\ ok{separator}7\n2{separator}skip{separator}8\n',
    )
    xcom = DorisOssInsertOperator(
        task_id="insert",
        table=f"{doris.db}.orders",
        source_uri=f"oss://{doris.bucket}/{doris.hostile_dir}part.txt",
        format="csv",
        column_separator=separator,
        csv_schema="a:int;b:string;c:int",
        columns=["id", "name", doris.hostile_column],
        select_list="a, b, c",
        where="b <> 'skip'",
        label="hostile-insert_1",
    ).execute(context())  # type: ignore[arg-type]
    assert rows(doris) == [(1, 'it\'s "q" \\ ok', 7)]
    assert xcom["label"].startswith("hostile-insert_1_") and xcom["rows"] == 1


def test_a_failed_insert_names_dorisss_error_and_hides_the_secret(doris: Any) -> None:
    op = DorisOssInsertOperator(
        task_id="insert",
        table=f"{doris.db}.orders",
        source_uri=f"oss://{doris.bucket}/none/*.csv",
        format="csv",
    )
    with pytest.raises(DorisStatementError) as raised:
        op.execute(context())  # type: ignore[arg-type]
    assert doris.oss.secret_key not in str(raised.value)
    assert rows(doris) == []
