"""Doris's admission limits in the local FE: the waiting-job limit, running slots, running
transactions per database, versions per table and compaction, with Doris's defaults and words."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

TABLE = (
    "CREATE TABLE t (id INT, name VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
    'PROPERTIES ("replication_num" = "1")'
)
WAITING = (
    "errCode = 2, detailMessage = There are more than {n} unfinished load jobs, please retry later. "
    "You can use `SHOW LOAD` to view submitted jobs"
)


class Clock:
    """A monotonic clock the test moves by hand (the FE's compaction reads it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fe_limits() -> dict[str, Any]:
    return {}


@pytest.fixture
def local_doris_fe(local_oss: Any, fe_limits: dict[str, Any]) -> Iterator[LocalDorisFE]:
    """The ``doris`` fixture's FE, with the limits the test names."""
    with LocalDorisFE(oss=local_oss, **fe_limits) as fe:
        yield fe


@pytest.fixture
def source(doris: DorisClient, oss_bucket: str) -> str:
    doris.run(TABLE)
    doris.put(oss_bucket, "a.csv", b"1,a\n2,b\n")
    return f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","'


def submit(doris: DorisClient, label: str, desc: str, db: str | None = None) -> None:
    name = f"`{db}`.{label}" if db else label
    doris.run(f"LOAD LABEL {name} ({desc}) WITH S3 ({doris.storage()})")


def state(doris: DorisClient, label: str) -> dict[str, Any]:
    (row,) = doris.run(f'SHOW LOAD WHERE LABEL = "{label}"')
    return row


def ids(doris: DorisClient) -> list[int]:
    return [r["id"] for r in doris.run("SELECT id FROM t ORDER BY id")]


def test_the_defaults_are_doris_defaults() -> None:
    limits = LocalDorisFE().state.admission.limits
    # desired_max_waiting_jobs, async_loading_load_task_pool_size, max_running_txn_num_per_db
    # (2.1/3.0), the BE's max_tablet_version_num.
    assert (limits.max_waiting_load_jobs, limits.max_running_load_jobs) == (100, 10)
    assert (limits.max_running_txn_per_db, limits.tablet_version_limit) == (1000, 2000)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("max_waiting_load_jobs", 0),
        ("max_running_load_jobs", -1),
        ("max_running_txn_per_db", True),
        ("tablet_version_limit", 2.5),
        ("compaction_rate", -0.5),
    ],
)
def test_a_bad_limit_names_the_argument(argument: str, value: Any) -> None:
    with pytest.raises(ValueError, match=rf"^{argument}: {value!r} must be"):
        LocalDorisFE(**{argument: value})


@pytest.mark.parametrize("fe_limits", [{"max_waiting_load_jobs": 2, "max_running_load_jobs": 1}])
def test_a_load_past_the_waiting_limit_is_refused_in_doris_words(
    doris: DorisClient, source: str, local_doris_fe: LocalDorisFE, oss_bucket: str
) -> None:
    other = f"db_{uuid.uuid4().hex[:8]}"
    doris.run(f"CREATE DATABASE `{other}`")
    doris.run(TABLE.replace("TABLE t", f"TABLE `{other}`.t"))
    local_doris_fe.hold_next_job("LOADING", 60)
    submit(doris, "first", source)
    doris.states("LOAD", "first", until="LOADING")
    submit(doris, "second", source, db=other)
    # One running slot: the second waits PENDING, nothing of it started.
    time.sleep(0.3)
    (queued,) = doris.run(f'SHOW LOAD FROM `{other}` WHERE LABEL = "second"')
    assert (queued["State"], queued["EtlStartTime"], queued["Progress"]) == (
        "PENDING",
        None,
        "ETL:0%; LOAD:0%",
    )
    # Two unfinished loads, in two databases: the FE-wide limit refuses the third.
    code, message = doris.error(f"LOAD LABEL third ({source}) WITH S3 ({doris.storage()})")
    assert (code, message) == (1105, WAITING.format(n=2))
    assert doris.run('SHOW LOAD WHERE LABEL = "third"') == []
    assert local_doris_fe.admission_stats()["refusals"] == {"desired_max_waiting_jobs": 1}
    doris.run('CANCEL LOAD WHERE LABEL = "first"')
    assert doris.wait("LOAD", "first")["State"] == "CANCELLED"
    # The refused label was never taken: once a place is free it is accepted and loads once.
    submit(doris, "third", source)
    assert doris.wait("LOAD", "third")["State"] == "FINISHED"
    assert ids(doris) == [1, 2]
    stats = local_doris_fe.admission_stats()
    assert stats["peaks"]["running_load_jobs"] == 1
    assert stats["peaks"]["unfinished_load_jobs"] == 2


@pytest.mark.parametrize("fe_limits", [{"max_running_load_jobs": 1}])
def test_a_queued_job_can_be_cancelled_and_its_timeout_starts_when_it_runs(
    doris: DorisClient, source: str, local_doris_fe: LocalDorisFE
) -> None:
    local_doris_fe.hold_next_job("LOADING", 2.5)
    submit(doris, "long", source)
    doris.states("LOAD", "long", until="LOADING")
    doris.run(f'LOAD LABEL short ({source}) WITH S3 ({doris.storage()}) PROPERTIES ("timeout" = "1")')
    submit(doris, "dropped", source)
    doris.run('CANCEL LOAD WHERE LABEL = "dropped"')
    assert doris.wait("LOAD", "dropped")["ErrorMsg"] == "type:USER_CANCEL; msg:user cancel"
    assert doris.wait("LOAD", "long")["State"] == "FINISHED"
    # 2.5 s in line, more than its timeout of 1 s: Doris starts the clock when the job is scheduled.
    short = doris.wait("LOAD", "short")
    assert short["State"] == "FINISHED", short["ErrorMsg"]
    assert ids(doris) == [1, 1, 2, 2]


@pytest.mark.parametrize("fe_limits", [{"max_running_txn_per_db": 1}])
def test_running_transactions_per_database_cancel_a_load_and_refuse_an_insert(
    doris: DorisClient, source: str, local_doris_fe: LocalDorisFE
) -> None:
    local_doris_fe.hold_next_job("LOADING", 60)
    submit(doris, "holder", source)
    doris.states("LOAD", "holder", until="LOADING")
    code, message = doris.error("INSERT INTO t VALUES (7, 'x')")
    assert code == 1105
    assert message.startswith("errCode = 2, detailMessage = current running txns on db ")
    assert message.endswith(" is 1, larger than limit 1")
    # The pending task cannot begin its transaction: the job ends CANCELLED, its label free again.
    submit(doris, "refused", source)
    refused = doris.wait("LOAD", "refused")
    assert refused["State"] == "CANCELLED"
    assert refused["ErrorMsg"].startswith("type:ETL_RUN_FAIL; msg:current running txns on db ")
    assert refused["ErrorMsg"].endswith(" is 1, larger than limit 1")
    # Per database: another database is not held back.
    other = f"db_{uuid.uuid4().hex[:8]}"
    doris.run(f"CREATE DATABASE `{other}`")
    doris.run(TABLE.replace("TABLE t", f"TABLE `{other}`.t"))
    doris.run(f"INSERT INTO `{other}`.t VALUES (8, 'y')")
    doris.run('CANCEL LOAD WHERE LABEL = "holder"')
    doris.wait("LOAD", "holder")
    doris.run("INSERT INTO t VALUES (7, 'x')")
    submit(doris, "refused", source)
    assert doris.wait("LOAD", "refused")["State"] == "FINISHED"
    assert ids(doris) == [1, 2, 7]
    assert local_doris_fe.admission_stats()["refusals"] == {"max_running_txn_num_per_db": 2}


@pytest.mark.parametrize("fe_limits", [{"max_running_txn_per_db": 1}])
def test_a_load_shown_ended_holds_no_transaction(
    doris: DorisClient, source: str, local_doris_fe: LocalDorisFE, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Doris aborts a cancelled load's transaction (and makes a finished one visible) before SHOW LOAD
    shows the final state, so an INSERT sent right after must not meet the job's transaction."""
    from airflow_provider_doris_oss.testing.doris_fe import runner

    check = runner._check

    def late_check(fe: Any, job: Any) -> None:  # the job's thread notices an ended job only later
        if job.final:
            time.sleep(1.0)
        check(fe, job)

    monkeypatch.setattr(runner, "_check", late_check)
    local_doris_fe.hold_next_job("LOADING", 60)
    submit(doris, "held", source)
    doris.states("LOAD", "held", until="LOADING")
    doris.run('CANCEL LOAD WHERE LABEL = "held"')
    assert doris.wait("LOAD", "held")["State"] == "CANCELLED"
    doris.run("INSERT INTO t VALUES (7, 'x')")
    submit(doris, "loaded", source)
    assert doris.wait("LOAD", "loaded")["State"] == "FINISHED"
    doris.run("INSERT INTO t VALUES (8, 'y')")
    assert ids(doris) == [1, 2, 7, 8]
    assert local_doris_fe.admission_stats()["refusals"] == {}


@pytest.mark.parametrize("fe_limits", [{"tablet_version_limit": 3, "compaction_rate": 2.0}])
def test_versions_past_the_limit_fail_with_235_until_compaction_merges_them(
    doris: DorisClient, source: str, local_doris_fe: LocalDorisFE
) -> None:
    clock = Clock()
    local_doris_fe.state.admission.clock = clock
    assert local_doris_fe.table_versions(doris.db, "t") == 1  # a new tablet: [0-1]
    for i in (10, 11, 12):  # 2, 3, 4 versions: a write is refused only above the limit
        doris.run(f"INSERT INTO t VALUES ({i}, 'v')")
    assert local_doris_fe.table_versions(doris.db, "t") == 4
    code, message = doris.error("INSERT INTO t VALUES (13, 'v')")
    assert code == 1105
    assert message.startswith(
        "errCode = 2, detailMessage = [E-235]failed to init rowset builder. version count: 4, exceed limit: 3, tablet: "
    )
    assert "adjust the max_tablet_version_num" in message
    submit(doris, "late", source)
    late = doris.wait("LOAD", "late")
    assert late["State"] == "CANCELLED"
    assert late["ErrorMsg"].startswith(
        "type:LOAD_RUN_FAIL; msg:[E-235]failed to init rowset builder. version count: 4, exceed limit: 3"
    )
    assert ids(doris) == [10, 11, 12]  # the refused insert and load wrote nothing
    clock.now += 0.5  # compaction merged one version
    assert local_doris_fe.table_versions(doris.db, "t") == 3
    submit(doris, "late", source)  # a CANCELLED label is free again
    assert doris.wait("LOAD", "late")["State"] == "FINISHED"
    assert ids(doris) == [1, 2, 10, 11, 12]
    assert local_doris_fe.table_versions(doris.db, "t") == 4
    clock.now += 60
    assert local_doris_fe.table_versions(doris.db, "t") == 1  # never below the base version
    stats = local_doris_fe.admission_stats()
    assert stats["refusals"] == {"max_tablet_version_num": 2}
    assert stats["peaks"]["versions_per_table"] == 4


def test_serve_passes_the_limit_flags_and_refuses_bad_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_doris_oss.testing import __main__ as cli

    seen: list[Any] = []
    monkeypatch.setattr(cli, "serve", lambda *args, **kwargs: seen.append(args))
    cli.main(
        ["serve", "--max-waiting-load-jobs", "5", "--compaction-rate", "0", "--tablet-version-limit", "50"]
    )
    assert seen[0][-1] == {"max_waiting_load_jobs": 5, "tablet_version_limit": 50, "compaction_rate": 0.0}
    for flag, value in (("--max-running-load-jobs", "0"), ("--compaction-rate", "-1")):
        with pytest.raises(SystemExit):
            cli.main(["serve", flag, value])
