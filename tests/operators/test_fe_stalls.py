"""An FE that takes a statement and never answers: every Doris wait ends, by reconnecting or failing.

The FE's ``stall_statements`` control holds chosen statements far longer than the client's read
timeout (1 s for SHOW/CANCEL, 2 s for submits here), as a hung FE would.
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators._statement import DorisStatementError
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.job import LOAD_JOB, DorisConnectionLost, DorisJobClient
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

STALL = 60.0  # far beyond any timeout below: a statement held this long is never answered in time


@pytest.fixture
def fe(doris: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The shared fixture, its connection reading with a 1 s timeout (2 s for submits)."""
    conn = json.loads(doris.fe.connection().as_json())
    conn["extra"] = json.dumps({"read_timeout": 1, "submit_timeout": 2})
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", json.dumps(conn))
    doris.put("in/a.csv", "1,ann\n2,bob\n")
    return doris


def context(run_id: str = "manual__1") -> dict[str, Any]:
    return {"ti": SimpleNamespace(dag_id="d", task_id="t", run_id=run_id, map_index=-1, try_number=1)}


def load(fe: Any, **kwargs: Any) -> DorisBrokerLoadOperator:
    return DorisBrokerLoadOperator(
        task_id="t",
        table=f"{fe.db}.orders",
        source_uris=f"oss://{fe.bucket}/in/*.csv",
        column_separator=",",
        columns=["id", "name"],
        poll_interval=0.1,
        **kwargs,
    )


def ids(fe: Any) -> list[int]:
    return sorted(r["id"] for r in fe.run(f"SELECT id FROM {fe.db}.orders"))


def test_a_stalled_show_while_waiting_is_retried_on_a_new_connection(fe: Any) -> None:
    fe.fe.hold_next_job("LOADING", 1.5)
    fe.fe.stall_statements(r"^SHOW LOAD", STALL, count=2)
    result = load(fe).execute(context())
    assert result["state"] == "FINISHED" and ids(fe) == [1, 2]
    assert fe.fe.stalled_statements() == 2


def test_an_fe_that_never_answers_show_fails_the_wait_with_a_clear_error(fe: Any) -> None:
    fe.fe.stall_statements(r"^SHOW LOAD", STALL, count=100)
    with pytest.raises(DorisConnectionLost, match=r"no answer within 1 s.*read_timeout"):
        load(fe).execute(context())
    assert fe.fe.stalled_statements() == DorisJobClient.reconnect_attempts + 1


def test_a_stalled_submit_is_looked_up_by_label_and_submitted_once_more(fe: Any) -> None:
    fe.fe.stall_statements(r"^LOAD LABEL", STALL, count=1)
    result = load(fe).execute(context())
    assert result["state"] == "FINISHED" and ids(fe) == [1, 2]
    assert fe.fe.stalled_statements() == 1


def test_a_stalled_cancel_is_sent_again_on_a_new_connection(fe: Any) -> None:
    from airflow.sdk.exceptions import TaskDeferred

    from airflow_provider_doris_oss.hooks.doris import DorisHook

    fe.fe.hold_next_job("PENDING", STALL)
    with pytest.raises(TaskDeferred):
        load(fe, label="held", deferrable=True).execute(context())
    fe.fe.stall_statements(r"^CANCEL LOAD", STALL, count=1)
    log = SimpleNamespace(info=lambda *a, **k: None, warning=lambda *a, **k: None)
    with DorisJobClient(DorisHook(), LOAD_JOB, fe.db, log=log, reconnect_delay=0.1) as client:
        assert client.cancel("held") is True
        status = client.lookup("held")
    assert status is not None and status.state == "CANCELLED"
    assert fe.fe.stalled_statements() == 1


def test_a_stalled_insert_fails_within_the_task_timeout(fe: Any) -> None:
    fe.fe.stall_statements(r"^INSERT INTO", STALL, count=1)
    op = DorisOssInsertOperator(
        task_id="t",
        table=f"{fe.db}.orders",
        source_uri=f"oss://{fe.bucket}/in/a.csv",
        format="csv",
        column_separator=",",
        execution_timeout=timedelta(seconds=2),
    )
    with pytest.raises(DorisStatementError, match=r"no answer within 2 s"):
        op.execute(context())
    assert fe.fe.stalled_statements() == 1


def test_a_stalled_outfile_fails_within_the_task_timeout(fe: Any) -> None:
    fe.fe.stall_statements(r"INTO OUTFILE", STALL, count=1)
    op = DorisOutfileOperator(
        task_id="t",
        sql=f"SELECT * FROM {fe.db}.orders",
        target_uri=f"oss://{fe.bucket}/out/x_",
        execution_timeout=timedelta(seconds=2),
    )
    with pytest.raises(DorisStatementError, match=r"no answer within 2 s"):
        op.execute(context())


def test_a_deferral_carries_the_task_execution_timeout(fe: Any) -> None:
    from airflow.sdk.exceptions import TaskDeferred

    fe.fe.hold_next_job("LOADING", 5)
    with pytest.raises(TaskDeferred) as deferred:
        load(fe, deferrable=True, execution_timeout=timedelta(minutes=7)).execute(context())
    assert deferred.value.timeout == timedelta(minutes=7)
