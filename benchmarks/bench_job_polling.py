"""Benchmark: how soon a finished Doris job is noticed, and at what cost in SHOW statements.

Runs a Broker Load through ``DorisBrokerLoadOperator`` against the local FE, whose job pacing
(``job_state_seconds``) makes each job last a chosen time, once with the provider's poll
schedule (``sql.jobs.poll_delays``: 1 s, 1.5 s, 2 s, ... up to ``poll_interval``) and once with
fixed polling every ``poll_interval``, side by side. It reports, per job length, the time from
the job's FINISHED (the FE's own finish timestamp) to the task noticing it, and the SHOW LOAD
statements the task sent for the label (the FE's statement log).

A sweep of job lengths, not one point: 1, 3, 5, 15, 35 and 65 s in real time, and a 10-minute
job on a clock ``--scale`` times faster (the FE's pacing, ``poll_interval`` and every constant
of the schedule divided by the scale, the times multiplied back; statement counts need no
scaling). The longer lengths sit between fixed polling's 10 s ticks: a job of exactly 10, 30 or
60 s finishes just after a fixed tick (the submit comes first) and shows fixed polling at its
worst. The bars compare with fixed polling rather than with the schedule's own design limit, so a
busy machine's slower statements do not decide them. Loopback only; bounded; not part of the
test suite.

    .venv/bin/python benchmarks/bench_job_polling.py [--poll-interval 10] [--scale 20] [--lengths 1,3,5]
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
        def job_client(self, *args: Any, **kwargs: Any) -> Any:
            client = super().job_client(*args, **kwargs)
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


SHORT = (1.0, 3.0, 5.0)  # real-time job lengths the short-job bar averages over
SWEEP = (*SHORT, 15.0, 35.0, 65.0)
SHORT_RATIO_BAR = 0.5  # short jobs: ours' mean notice delay at most half of fixed polling's
LATE_MARGIN = 2.0  # any job: noticed within poll_interval + this many seconds
EXTRA_STATEMENTS_BAR = 0.10  # the 10-minute job: at most 10% more SHOW statements than fixed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--poll-interval", type=float, default=10.0, help="poll_interval, seconds (default 10)"
    )
    parser.add_argument("--scale", type=float, default=20.0, help="clock speed-up for the 10-minute job")
    parser.add_argument(
        "--lengths",
        default=",".join(f"{s:g}" for s in SWEEP),
        help="real-time job lengths in seconds, comma-separated (the 10-minute job always runs)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    lengths = [float(v) for v in args.lengths.split(",") if v.strip()]
    jobs = [(f"{s:g} s", s, 1.0) for s in lengths] + [("10 min", 600.0, args.scale)]
    lines = [
        f"poll_interval = {args.poll_interval:g} s; the 10-minute job runs {args.scale:g}x faster",
        f"{'job':>7} {'schedule':>8} {'job took':>9} {'noticed after FINISHED':>23} "
        f"{'/ job length':>12} {'SHOW LOAD':>10}",
    ]
    measured: dict[str, dict[str, Outcome]] = {}
    with LocalOss() as oss:
        bucket = oss.create_bucket(f"bench-{uuid.uuid4().hex[:12]}")
        oss.client().put_object(Bucket=bucket, Key="in/a.csv", Body=b"1,a\n2,b\n")
        oss_conn = oss.connection("doris_oss_default", bucket=bucket)
        os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = oss_conn.as_json()
        for name, seconds, scale in jobs:
            outcomes = measured[name] = scenario(oss, bucket, seconds, scale, args.poll_interval)
            for schedule, outcome in outcomes.items():
                lines.append(
                    f"{name:>7} {schedule:>8} {outcome.job_seconds:>8.1f}s {outcome.noticed_after:>22.2f}s "
                    f"{outcome.noticed_after / outcome.job_seconds:>12.2f} {outcome.statements:>10d}"
                )
            ours, fixed = outcomes["ours"], outcomes["fixed"]
            extra = ours.statements / fixed.statements - 1
            lines.append(
                f"{name:>7} {'':>8} ours vs fixed: {extra:+.0%} statements, "
                f"noticed {ours.noticed_after - fixed.noticed_after:+.2f} s"
            )
    lines += ["", *bars(measured, lengths, args.poll_interval)]
    # The task logs go to stdout as well: the table comes last, in one piece.
    print("\n".join(["", "=" * 64, *lines]))
    return 0


def bars(measured: dict[str, dict[str, Outcome]], lengths: list[float], poll_interval: float) -> list[str]:
    """The BAR lines: short jobs against fixed polling, the latest notice, the long job's cost."""
    out = []
    short = [f"{s:g} s" for s in lengths if s in SHORT]
    if short:
        ours = sum(measured[n]["ours"].noticed_after for n in short) / len(short)
        fixed = sum(measured[n]["fixed"].noticed_after for n in short) / len(short)
        ratio = ours / fixed
        out.append(
            f"BAR  jobs of {', '.join(short)}: mean notice delay, ours / fixed polling <= "
            f"{SHORT_RATIO_BAR:g}: {ours:.2f} s / {fixed:.2f} s = {ratio:.2f} "
            f"-> {'PASS' if ratio <= SHORT_RATIO_BAR else 'FAIL'}"
        )
    # Real-time jobs only: on the compressed clock a statement's latency is multiplied by the scale.
    real = [f"{s:g} s" for s in lengths]
    if real:
        latest_name = max(real, key=lambda n: measured[n]["ours"].noticed_after)
        latest = measured[latest_name]["ours"].noticed_after
        limit = poll_interval + LATE_MARGIN
        out.append(
            f"BAR  every real-time job noticed within poll_interval + {LATE_MARGIN:g} s ({limit:g} s) of "
            f"FINISHED: latest {latest:.2f} s ({latest_name}) -> {'PASS' if latest <= limit else 'FAIL'}"
        )
    long = measured["10 min"]
    extra = long["ours"].statements / long["fixed"].statements - 1
    out.append(
        f"BAR  a 10-minute job costs <= {EXTRA_STATEMENTS_BAR:.0%} more SHOW statements than fixed "
        f"polling: {extra:+.0%} -> {'PASS' if extra <= EXTRA_STATEMENTS_BAR else 'FAIL'}"
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
