"""Benchmark: how soon a finished Doris job is noticed, and at what cost in SHOW statements.

Runs a Broker Load through ``DorisBrokerLoadOperator`` against the local FE, whose job pacing
(``job_state_seconds``) makes each job last a chosen time, once with the provider's poll
schedule (``sql.jobs.poll_delays``: 1 s, 1.5 s, 2 s, ... up to ``poll_interval``) and once with
fixed polling every ``poll_interval``, side by side. It reports, per job length, the time from
the job's FINISHED (the FE's own finish timestamp) to the task noticing it, and the SHOW LOAD
statements the task sent for the label (the FE's statement log).

The 10-minute job runs on a clock ``--scale`` times faster: the FE's pacing, ``poll_interval``
and every constant of the schedule are divided by the scale, and the times are multiplied back;
statement counts need no scaling. Loopback only; bounded; not part of the test suite.

    .venv/bin/python benchmarks/bench_job_polling.py [--poll-interval 10] [--scale 20]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

Schedule = Callable[[float], Iterator[float]]


@dataclass
class Outcome:
    noticed_after: float  # seconds from FINISHED to noticed, on the job's clock
    statements: int  # SHOW LOAD statements for the label
    job_seconds: float  # submit to FINISHED, on the job's clock


def schedules(scale: float) -> dict[str, Schedule]:
    """The provider's schedule and fixed polling, both on a clock ``scale`` times faster."""
    from airflow_provider_doris_oss.sql import jobs

    def ours(poll_interval: float) -> Iterator[float]:
        return jobs.poll_delays(
            poll_interval,
            first=jobs.FIRST_POLL_DELAY / scale,
            fast_window=jobs.FAST_POLL_WINDOW / scale,
            fast_max=jobs.FAST_POLL_MAX_DELAY / scale,
        )

    def fixed(poll_interval: float) -> Iterator[float]:
        return itertools.repeat(poll_interval)

    return {"ours": ours, "fixed": fixed}


def run_job(fe: Any, db: str, bucket: str, label: str, schedule: Schedule, poll_interval: float) -> float:
    """Run one load under ``label``, waiting with ``schedule``; return the time it was noticed."""
    from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

    class Operator(DorisBrokerLoadOperator):
        def job_client(self, database: str) -> Any:
            client = super().job_client(database)
            client.poll_schedule = schedule
            return client

    op = Operator(
        task_id="bench",
        table=f"{db}.t",
        source_uris=f"oss://{bucket}/in/a.csv",
        column_separator=",",
        label=label,
        poll_interval=poll_interval,
    )
    op.execute({"ti": SimpleNamespace(dag_id="bench", task_id="bench", run_id=label, map_index=-1)})
    return time.time()


def finished_at(fe: Any, label: str) -> tuple[float, float]:
    """(create, finish) epoch seconds of the label's job, from the FE's own records."""
    with fe.state.lock:
        job = next(j for j in fe.state.jobs if j.label == label)
    return job.create_time, job.finish_time


def scenario(
    oss: Any, bucket: str, job_seconds: float, scale: float, poll_interval: float
) -> dict[str, Outcome]:
    """One job length: ours and fixed polling side by side, each on its own label."""
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    log = Path(tempfile.mkdtemp()) / "statements.jsonl"
    with LocalDorisFE(oss=oss, statement_log=log, job_state_seconds=job_seconds / scale / 2) as fe:
        os.environ["AIRFLOW_CONN_DORIS_DEFAULT"] = fe.connection().as_json()
        db = f"bench_{uuid.uuid4().hex[:8]}"
        setup = LocalDorisSql(fe)
        setup.run(f"CREATE DATABASE {db}")
        setup.run(
            f"CREATE TABLE {db}.t (id INT, name VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
            'BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
        noticed: dict[str, float] = {}
        labels = {name: f"bench_{name}_{uuid.uuid4().hex[:8]}" for name in ("ours", "fixed")}

        def worker(name: str, schedule: Schedule) -> None:
            noticed[name] = run_job(fe, db, bucket, labels[name], schedule, poll_interval / scale)

        threads = [
            threading.Thread(target=worker, args=(name, schedule))
            for name, schedule in schedules(scale).items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=job_seconds / scale * 3 + 120)
        records = [json.loads(line) for line in log.read_text().splitlines()]
        outcomes = {}
        for name, label in labels.items():
            created, finished = finished_at(fe, label)
            shows = sum(1 for r in records if r["sql"].startswith("SHOW LOAD") and label in r["sql"])
            outcomes[name] = Outcome((noticed[name] - finished) * scale, shows, (finished - created) * scale)
        return outcomes


class LocalDorisSql:
    """Plain statements on the FE (setup only)."""

    def __init__(self, fe: Any) -> None:
        self.fe = fe

    def run(self, sql: str) -> None:
        import pymysql

        conn = pymysql.connect(host=self.fe.host, port=self.fe.port, user=self.fe.user, autocommit=True)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--poll-interval", type=float, default=10.0, help="poll_interval, seconds (default 10)"
    )
    parser.add_argument("--scale", type=float, default=20.0, help="clock speed-up for the 10-minute job")
    args = parser.parse_args(argv)
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    jobs = [("3 s", 3.0, 1.0), ("60 s", 60.0, 1.0), ("10 min", 600.0, args.scale)]
    lines = [
        f"poll_interval = {args.poll_interval:g} s; the 10-minute job runs {args.scale:g}x faster",
        f"{'job':>7} {'schedule':>8} {'job took':>9} {'noticed after FINISHED':>23} {'SHOW LOAD':>10}",
    ]
    with LocalOss() as oss:
        bucket = oss.create_bucket(f"bench-{uuid.uuid4().hex[:12]}")
        oss.client().put_object(Bucket=bucket, Key="in/a.csv", Body=b"1,a\n2,b\n")
        oss_conn = oss.connection("doris_oss_default", bucket=bucket)
        os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = oss_conn.as_json()
        measured = {}
        for name, seconds, scale in jobs:
            outcomes = measured[name] = scenario(oss, bucket, seconds, scale, args.poll_interval)
            for schedule, outcome in outcomes.items():
                lines.append(
                    f"{name:>7} {schedule:>8} {outcome.job_seconds:>8.1f}s {outcome.noticed_after:>22.2f}s "
                    f"{outcome.statements:>10d}"
                )
            extra = outcomes["ours"].statements / outcomes["fixed"].statements - 1
            lines.append(f"{name:>7} {'':>8} ours vs fixed: {extra:+.0%} statements")
    short, long = measured["3 s"]["ours"], measured["10 min"]
    extra = long["ours"].statements / long["fixed"].statements - 1
    lines += [
        "",
        f"BAR  a 3 s job is noticed within 2 s of FINISHED: {short.noticed_after:.2f} s "
        f"-> {'PASS' if short.noticed_after <= 2 else 'FAIL'}",
        f"BAR  a 10-minute job costs <= 10% more SHOW statements than fixed polling: {extra:+.0%} "
        f"-> {'PASS' if extra <= 0.10 else 'FAIL'}",
    ]
    # The task logs go to stdout as well: the table comes last, in one piece.
    print("\n".join(["", "=" * 64, *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
