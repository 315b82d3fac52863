"""The job core's decisions where the local FE cannot be steered: scripted pymysql-like answers.

End-to-end behaviour (real rows, the strict parser) is in ``test_broker_load*.py``; these tests
cover the races around submission: a label taken by another kind of job, a connection lost
while the LOAD statement was in flight, reconnects while waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from pymysql.err import OperationalError

from airflow_provider_doris_oss.operators.job import (
    LOAD_JOB,
    DorisConnectionLost,
    DorisJobClient,
    DorisJobError,
    DorisJobPlan,
    comment_fingerprint,
    fingerprint,
    is_connection_lost,
    plain_row,
)

COLUMNS = ("JobId", "Label", "State", "Progress", "EtlInfo", "ErrorMsg", "URL", "Comment")
LOG = logging.getLogger("test_job_client")
SECRET = "s3cr3t-K3y-Value"


def load_row(job_id: int, label: str, state: str, comment: str | None = None, error: str | None = None):
    return (job_id, label, state, "ETL:100%; LOAD:0%", "dpp.norm.ALL=3", error, None, comment)


class FakeFE:
    """Jobs by label, plus a script of one-off failures keyed by statement prefix."""

    def __init__(self) -> None:
        self.jobs: dict[str, list[tuple[Any, ...]]] = {}
        self.statements: list[str] = []
        self.script: list[tuple[str, Callable[[str], Any]]] = []
        self.connections = 0
        self.next_id = 100
        self.on_show: Callable[[str], None] | None = None

    def fail_once(self, prefix: str, action: Callable[[str], Any]) -> None:
        self.script.append((prefix, action))

    def answer(self, sql: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        self.statements.append(sql)
        for i, (prefix, action) in enumerate(self.script):
            if sql.startswith(prefix):
                del self.script[i]
                action(sql)
                break
        if sql.startswith("SHOW LOAD"):
            label = sql.split('LABEL = "', 1)[1].rstrip('"')
            if self.on_show:
                self.on_show(label)
            return COLUMNS, list(self.jobs.get(label, []))
        if sql.startswith("LOAD LABEL"):
            self.create(sql)
            return (), []
        if sql.startswith("CANCEL LOAD"):
            return (), []
        raise AssertionError(f"unexpected statement {sql!r}")

    def create(self, sql: str) -> None:
        label = sql.split("\n", 1)[0].split(".", 1)[1].strip("`")
        existing = self.jobs.get(label, [])
        if any(row[2] != "CANCELLED" for row in existing):
            raise OperationalError(
                1105, f"errCode = 2, detailMessage = Label [{label}] has already been used."
            )
        comment = sql.rsplit("COMMENT ", 1)[1].strip('"') if "COMMENT " in sql else None
        self.next_id += 1
        self.jobs[label] = [*existing, load_row(self.next_id, label, "PENDING", comment)]

    def set_state(self, label: str, state: str) -> None:
        rows = self.jobs[label]
        rows[-1] = (*rows[-1][:2], state, *rows[-1][3:])


class FakeCursor:
    def __init__(self, conn: FakeConn) -> None:
        self.conn = conn
        self.description: list[tuple[str]] | None = None
        self.rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> None:
        if self.conn.closed:
            raise OperationalError(2006, "MySQL server has gone away")
        columns, self.rows = self.conn.fe.answer(sql)
        self.description = [(c,) for c in columns] or None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def close(self) -> None:
        pass


class FakeConn:
    def __init__(self, fe: FakeFE) -> None:
        self.fe = fe
        self.closed = False

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def close(self) -> None:
        self.closed = True


class FakeHook:
    read_timeout = 60
    submit_timeout = 300

    def __init__(self, fe: FakeFE) -> None:
        self.fe = fe
        self.read_timeouts: list[float | None] = []

    def get_conn_id(self) -> str:
        return "doris_default"

    def get_conn(self, read_timeout: float | None = None) -> FakeConn:
        self.fe.connections += 1
        self.read_timeouts.append(read_timeout)
        return FakeConn(self.fe)

    def check_release(self, sql: str, conn: object = None) -> None:
        """A FE of no known release: every statement is sent (``DorisHook.check_release``)."""


def lost(_: str) -> None:
    raise OperationalError(2013, "Lost connection to MySQL server during query")


@pytest.fixture
def fe() -> FakeFE:
    return FakeFE()


@pytest.fixture
def client(fe: FakeFE) -> DorisJobClient:
    return DorisJobClient(FakeHook(fe), LOAD_JOB, "db1", log=LOG, secrets=[SECRET], reconnect_delay=0)  # type: ignore[arg-type]


def plan(label: str = "lbl", fp: str = "abcdef0123456789", staged: list[str] | None = None) -> DorisJobPlan:
    def statement(attempt: str) -> str:
        return (
            f'LOAD LABEL `db1`.`{attempt}`\n(...)\nWITH S3 ("s3.secret_key" = "{SECRET}")\n'
            f'COMMENT "Airflow dag_id=d task_id=t run_id=r sources={fp}"'
        )

    return DorisJobPlan(
        database="db1",
        label=label,
        statement=statement,
        fingerprint=fp,
        before_submit=(lambda: staged.append("staged")) if staged is not None else None,
    )


def loads(fe: FakeFE) -> list[str]:
    return [s for s in fe.statements if s.startswith("LOAD LABEL")]


def test_a_new_label_is_staged_once_and_submitted(fe, client):
    staged: list[str] = []
    label, status, submitted = client.start(plan(staged=staged))
    assert (label, status.state, submitted) == ("lbl", "PENDING", True)
    assert staged == ["staged"]
    assert len(loads(fe)) == 1


def test_a_finished_job_of_this_task_is_not_loaded_again(fe, client):
    fe.jobs["lbl"] = [load_row(7, "lbl", "FINISHED", "Airflow dag_id=d sources=abcdef0123456789")]
    staged: list[str] = []
    label, status, submitted = client.start(plan(staged=staged))
    assert (label, status.job_id, status.state, submitted) == ("lbl", 7, "FINISHED", False)
    assert staged == [] and loads(fe) == []


def test_cancelled_attempts_move_on_to_fresh_label_suffixes(fe, client):
    fe.jobs["lbl"] = [load_row(1, "lbl", "CANCELLED", error="type:ETL_RUN_FAIL; msg:x")]
    fe.jobs["lbl_r1"] = [load_row(2, "lbl_r1", "CANCELLED", error="type:TIMEOUT; msg:y")]
    label, status, submitted = client.start(plan())
    assert (label, status.state, submitted) == ("lbl_r2", "PENDING", True)
    assert loads(fe)[0].startswith("LOAD LABEL `db1`.`lbl_r2`")


def test_the_highest_job_id_under_a_label_decides(fe, client):
    fe.jobs["lbl"] = [
        load_row(9, "lbl", "LOADING", "sources=abcdef0123456789"),
        load_row(3, "lbl", "CANCELLED"),
    ]
    label, status, submitted = client.start(plan())
    assert (label, status.job_id, submitted) == ("lbl", 9, False)


def test_a_job_with_another_fingerprint_is_refused(fe, client):
    fe.jobs["lbl"] = [load_row(5, "lbl", "FINISHED", "Airflow dag_id=x sources=0000000000000000")]
    with pytest.raises(DorisJobError, match=r"Label lbl .* does not carry this task's source fingerprint"):
        client.start(plan())
    assert loads(fe) == []


def test_label_already_used_means_look_again(fe, client):
    def appear_on_submit(sql: str) -> None:
        fe.jobs["lbl"] = [load_row(11, "lbl", "LOADING", "sources=abcdef0123456789")]

    fe.fail_once("LOAD LABEL", appear_on_submit)
    label, status, submitted = client.start(plan())
    assert (label, status.job_id, status.state, submitted) == ("lbl", 11, "LOADING", False)
    assert len(loads(fe)) == 1


def test_a_label_taken_by_another_kind_of_job_is_a_clear_error(fe, client):
    def used(sql: str) -> None:
        raise OperationalError(1105, "errCode = 2, detailMessage = Label [lbl] has already been used.")

    fe.fail_once("LOAD LABEL", used)
    with pytest.raises(DorisJobError, match="not by a Broker Load job"):
        client.start(plan())


def test_connection_lost_after_the_load_reached_doris_does_not_submit_twice(fe, client):
    def created_then_lost(sql: str) -> None:
        fe.create(sql)
        lost(sql)

    fe.fail_once("LOAD LABEL", created_then_lost)
    label, status, _ = client.start(plan())
    assert (label, status.state) == ("lbl", "PENDING")
    assert len(loads(fe)) == 1
    assert len(fe.jobs["lbl"]) == 1
    # SHOW and the lookups share one connection (read_timeout); the submit had its own, longer one.
    assert fe.connections == 2
    assert client.hook.read_timeouts == [None, 300]  # type: ignore[attr-defined]


def test_connection_lost_before_the_load_reached_doris_submits_again(fe, client):
    fe.fail_once("LOAD LABEL", lost)
    label, status, submitted = client.start(plan())
    assert (label, status.state, submitted) == ("lbl", "PENDING", True)
    assert len(loads(fe)) == 2
    assert len(fe.jobs["lbl"]) == 1


def test_waiting_survives_a_dropped_connection(fe, client):
    fe.jobs["lbl"] = [load_row(4, "lbl", "LOADING")]
    polls = iter(["LOADING", "LOST", "FINISHED"])

    def advance(label: str) -> None:
        step = next(polls)
        if step == "LOST":
            fe.fail_once("SHOW LOAD", lost)
        else:
            fe.set_state(label, step)

    fe.on_show = advance
    status = client.wait("lbl", poll_interval=0.001)
    assert status.state == "FINISHED"
    assert fe.connections == 2


def test_waiting_gives_up_after_the_allowed_reconnects(fe, client):
    fe.jobs["lbl"] = [load_row(4, "lbl", "LOADING")]
    for _ in range(client.reconnect_attempts + 1):
        fe.fail_once("SHOW LOAD", lost)
    with pytest.raises(DorisConnectionLost, match="after 6 attempts"):
        client.wait("lbl", poll_interval=0.001)


def test_nothing_to_cancel_is_not_an_error(fe, client):
    def none(sql: str) -> None:
        raise OperationalError(1105, "errCode = 2, detailMessage = There is no uncompleted job")

    fe.fail_once("CANCEL LOAD", none)
    assert client.cancel("lbl") is False
    assert client.cancel("lbl") is True


def test_a_refused_submit_is_reported_with_the_secret_masked(fe, client):
    def refuse(sql: str) -> None:
        raise OperationalError(1105, f"Incorrect object storage info, secret {SECRET} rejected")

    fe.fail_once("LOAD LABEL", refuse)
    with pytest.raises(DorisJobError) as info:
        client.start(plan())
    assert "Incorrect object storage info" in str(info.value)
    assert SECRET not in str(info.value)


def test_helpers():
    assert is_connection_lost(OperationalError(2013, "lost"))
    assert not is_connection_lost(OperationalError(1105, "Doris said no"))
    assert comment_fingerprint("Airflow dag_id=a sources=0123abcd4567ef89") == "0123abcd4567ef89"
    assert comment_fingerprint("loaded by hand") is None
    assert fingerprint(["a", "bc"]) != fingerprint(["ab", "c"])
    from datetime import datetime

    assert plain_row({"CreateTime": datetime(2026, 1, 2, 3, 4, 5), "JobId": 3, "X": b"y"}) == {
        "CreateTime": "2026-01-02 03:04:05",
        "JobId": 3,
        "X": "y",
    }
