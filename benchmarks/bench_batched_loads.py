"""Benchmark: N objects landing within a minute, loaded one Broker Load per object vs in batches.

Both paths run against the local FE with Doris's default admission limits (100 unfinished loads,
10 running, 1,000 running transactions per database, 2,000 versions per tablet) and the local OSS,
side by side, at each size and compaction rate:

- **per object**: as each object lands, a task runs ``DorisBrokerLoadOperator.execute`` for it
  (its ``object_label``, ``poll_interval=1``, admission refusals waited out with the operator's
  real back-off), in a thread pool of ``--pool`` slots: Airflow's ``default_pool`` (128 slots),
  where a DAG without a pool of its own runs. Above ``--per-object-max`` objects it is not run:
  its figures are extrapolated from the largest size run (stated in the table).
- **batched**: once the burst has landed, the flagship's plan task (the real
  ``BatchLedger.plan_loads``: ledger lookups, snapshots, manifests, cursor, content labels, at most
  1,000 files a batch), then each mapped load's ``DorisBrokerLoadOperator.execute`` in the same pool.

No scheduler: the tasks' code runs in threads of this process, so the figures are Doris's and the
operator's, not Airflow's task start-up (which the flagship e2e tests measure). Reported per run:
Doris jobs the FE created (refused LOADs create none), admission refusals per limit, peak waiting
(PENDING) and running loads, peak versions of a tablet, the time from the first object written to
the last row loaded, and whether every object's row is in the table exactly once.

Compaction: a real BE merges a tablet's small rowsets in cumulative compactions of at least
``cumulative_compaction_min_deltas`` (5) and at most ``cumulative_compaction_max_deltas`` (1,000)
versions, picked every ``generate_compaction_tasks_interval_ms`` (10 ms) on a few threads per disk
(be/src/common/config.cpp); how many versions a second that removes depends on the BE's load. The
runs use 10 versions/s (a BE busy with other tablets); the per-object path's extrapolated rows
model the tablet's versions at 10 and at 100 versions/s (the local FE's default, a quiet BE). A
thousand loads cannot reach the 2,000-version limit at any rate; ten thousand can.

Time here is the stand-ins', not Doris's or OSS's, and it grows faster than the objects: the local
FE lists each ``DATA INFILE`` path, as Doris does, and moto answers a LIST by scanning every key of
the bucket (``list_objects``), so 10,000 paths in a bucket of 20,000 keys cost about 2 x 10^8 key
comparisons. OSS lists by an index. Measured with the batched path alone: 2,000 objects planned in
18.8 s and loaded in 17.7 s; 5,000 planned in 64.7 s and loaded in 123 s.

    .venv/bin/python benchmarks/bench_batched_loads.py [--sizes 1000,10000] [--rates 10,100] [--quick]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

AIRFLOW_DEFAULT_POOL = 128  # [core] default_pool_task_slot_count
UPLOAD_WORKERS = 16
JOBS_BAR = 0.01  # batched: at most 1% of the per-object path's Doris jobs
COLUMNS = ["order_id", "customer"]
VERSION = "max_tablet_version_num"


@dataclass
class Outcome:
    """One path at one size and compaction rate."""

    mode: str
    objects: int
    rate: float
    jobs: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    peak_waiting: int = 0
    peak_running: int = 0
    peak_versions: int = 0
    seconds: float = 0.0
    failures: int = 0
    rows_exact: bool = False
    note: str = "measured"


class Sql:
    """Statements on the local FE, one connection per call (thread-safe)."""

    def __init__(self, fe: Any) -> None:
        self.fe = fe

    def run(self, sql: str) -> list[dict[str, Any]]:
        import pymysql

        conn = pymysql.connect(host=self.fe.host, port=self.fe.port, user=self.fe.user, autocommit=True)
        try:
            with conn.cursor(pymysql.cursors.DictCursor) as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            conn.close()


class Sampler(threading.Thread):
    """Samples the FE's PENDING loads every 50 ms (the FE keeps peaks of the rest itself)."""

    def __init__(self, fe: Any) -> None:
        super().__init__(daemon=True)
        self.fe, self.peak_waiting, self.done = fe, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_waiting = max(self.peak_waiting, self.fe.admission_stats()["waiting_load_jobs"])


def ti(task_id: str, index: int) -> SimpleNamespace:
    return SimpleNamespace(dag_id="bench", task_id=task_id, run_id="bench_run", map_index=index, try_number=1)


def run_task(op: Any, index: int) -> bool:
    """One task instance's ``execute``; False when it raised (a task failure)."""
    try:
        op.execute({"ti": ti(op.task_id, index)})
    except Exception as error:  # a failed task is a figure, not the end
        print(f"task {op.task_id}[{index}] failed: {error}", file=sys.stderr)
        return False
    return True


def scenario(oss: Any, mode: str, objects: int, rate: float, pool: int) -> Outcome:
    """Land ``objects`` one-row CSV objects and load them by ``mode``; the figures."""
    from airflow_provider_doris_oss.batches import ledger_table_sql
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    bucket = oss.create_bucket(f"bench-{uuid.uuid4().hex[:12]}")
    conn = oss.connection("doris_oss_default", bucket=bucket)
    os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = conn.as_json()
    client = oss.client()
    outcome = Outcome(mode, objects, rate)
    with LocalDorisFE(oss=oss, compaction_rate=rate) as fe:
        os.environ["AIRFLOW_CONN_DORIS_DEFAULT"] = fe.connection().as_json()
        sql, db = Sql(fe), f"bench_{uuid.uuid4().hex[:8]}"
        sql.run(f"CREATE DATABASE {db}")
        sql.run(
            f"CREATE TABLE {db}.orders (order_id BIGINT, customer VARCHAR(64)) DUPLICATE KEY (order_id) "
            'DISTRIBUTED BY HASH (order_id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
        sql.run(ledger_table_sql(f"{db}.ledger", properties={"replication_num": "1"}))
        sampler = Sampler(fe)
        sampler.start()
        loads = ThreadPoolExecutor(max_workers=pool, thread_name_prefix="task")
        results: list[Any] = []

        def land(n: int) -> dict[str, Any]:
            key = f"inbox/{n:06d}.csv"
            etag = client.put_object(Bucket=bucket, Key=key, Body=f"{n},customer-{n}\n".encode())["ETag"]
            payload = {"uri": f"oss://{bucket}/{key}", "bucket": bucket, "key": key, "etag": etag, "size": 0}
            if mode == "object":  # the task of this object's event starts as it lands
                results.append(loads.submit(run_task, object_load(db, payload), n))
            return payload

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=UPLOAD_WORKERS) as uploads:
            payloads = list(uploads.map(land, range(objects)))
        if mode == "batch":
            planned = plan_with_retries(db, bucket, payloads, outcome)
            results = [loads.submit(run_task, batch_load(kwargs), i) for i, kwargs in enumerate(planned)]
        outcome.failures = sum(1 for r in results if not r.result())
        outcome.seconds = time.monotonic() - started
        loads.shutdown()
        sampler.done.set()
        sampler.join()

        stats = fe.admission_stats()
        outcome.refusals = Counter(stats["refusals"])
        outcome.peak_waiting = sampler.peak_waiting
        outcome.peak_running = stats["peaks"].get("running_load_jobs", 0)
        outcome.peak_versions = stats["peaks"].get("versions_per_table", 0)
        with fe.state.lock:
            outcome.jobs = sum(1 for job in fe.state.jobs if job.kind == "LOAD" and job.db == db)
        row = sql.run(
            f"SELECT COUNT(*) AS n, COUNT(DISTINCT order_id) AS d, MIN(order_id) AS lo, MAX(order_id) AS hi "
            f"FROM {db}.orders"
        )[0]
        outcome.rows_exact = (row["n"], row["d"], row["lo"], row["hi"]) == (objects, objects, 0, objects - 1)
    return outcome


def object_load(db: str, payload: dict[str, Any]) -> Any:
    """The per-object path's task: one Broker Load of one object version, labelled by it."""
    from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
    from airflow_provider_doris_oss.sql.labels import object_label

    return DorisBrokerLoadOperator(
        task_id="load_object",
        table=f"{db}.orders",
        source_uris=payload["uri"],
        format="csv",
        column_separator=",",
        columns=COLUMNS,
        label=object_label(payload["bucket"], payload["key"], payload["etag"]),
        properties={"timeout": 3600, "max_filter_ratio": 0},
        poll_interval=1,
        deferrable=False,
    )


def batch_load(kwargs: dict[str, Any]) -> Any:
    """One mapped ``load_batch`` task of the flagship."""
    from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

    return DorisBrokerLoadOperator(
        task_id="load_batch",
        properties={"timeout": 3600, "max_filter_ratio": 0},
        poll_interval=1,
        deferrable=False,
        **kwargs,
    )


def plan(db: str, bucket: str, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flagship's plan task: ``BatchLedger.plan_loads`` with this run's asset events."""
    from airflow.sdk import Asset

    from airflow_provider_doris_oss.batch_ledger import BatchLedger

    inbox = Asset(name="bench_inbox", uri=f"oss://{bucket}/inbox/")
    now = datetime.now(timezone.utc)
    events = [SimpleNamespace(timestamp=now, extra={"payload": p}) for p in payloads]
    context = {
        "triggering_asset_events": {inbox: events},
        "inlet_events": {inbox: SimpleNamespace(after=lambda since: [])},  # no earlier events
    }
    ledger = BatchLedger(table=f"{db}.ledger", state_uri=f"oss://{bucket}/_state/bench/")
    data = {"table": f"{db}.orders", "format": "csv", "column_separator": ",", "columns": COLUMNS}
    return ledger.plan_loads(context, inbox, data)


PLAN_TRIES = 3  # the flagship's plan task: retries=2


def plan_with_retries(db: str, bucket: str, payloads: list[dict[str, Any]], outcome: Outcome) -> Any:
    """``plan`` tried as Airflow tries the flagship's plan task (3 tries; a replay forms the same
    batches and reuses the snapshots made); a failed try is noted in the outcome."""
    for attempt in range(1, PLAN_TRIES + 1):
        try:
            return plan(db, bucket, payloads)
        except Exception as error:
            if attempt == PLAN_TRIES:
                raise
            outcome.note = f"measured; plan try {attempt} failed ({type(error).__name__}), retried"
            print(f"plan try {attempt} failed: {error}", file=sys.stderr)
    raise AssertionError("unreachable")


def extrapolate(measured: Outcome, objects: int, rate: float) -> Outcome:
    """The per-object path at ``objects``, from a measured smaller run: one job per object (a
    lower bound: resubmissions after -235 add more), time scaled linearly with the objects, the
    queue's peaks as measured, refusals of the waiting queue scaled with the objects. Versions of
    the table: loads finish at the measured rate L and compaction merges ``rate`` a second, so
    they grow by ``max(0, L - rate)`` a second, from 1, up to Doris's 2,000 (past it, -235)."""
    from airflow_provider_doris_oss.testing.doris_fe.admission import MAX_TABLET_VERSION_NUM

    scale = objects / measured.objects
    seconds = measured.seconds * scale
    growth = max(0.0, measured.jobs / measured.seconds - rate)
    versions = min(MAX_TABLET_VERSION_NUM, 1 + round(growth * seconds))
    refusals = Counter({k: round(v * scale) for k, v in measured.refusals.items() if k != VERSION})
    refusals[VERSION] = 1 if versions >= MAX_TABLET_VERSION_NUM else 0  # "at least one" when reached
    return Outcome(
        "object",
        objects,
        rate,
        jobs=objects,
        refusals=refusals,
        peak_waiting=measured.peak_waiting,
        peak_running=measured.peak_running,
        peak_versions=versions,
        seconds=seconds,
        note=f"extrapolated x{scale:g} from {measured.objects:,}",
    )


def table(outcomes: list[Outcome]) -> list[str]:
    head = [
        "objects",
        "compaction",
        "path",
        "Doris jobs",
        "refusals: waiting queue / txns / -235",
        "peak waiting / running",
        "peak versions per tablet",
        "first drop to all loaded",
        "task failures",
        "rows exactly once",
        "how",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for o in outcomes:
        refused = " / ".join(
            str(o.refusals.get(k, 0))
            if o.note.startswith("measured")
            else (">= 1" if k == VERSION and o.refusals.get(k) else f"~{o.refusals.get(k, 0)}")
            for k in ("desired_max_waiting_jobs", "max_running_txn_num_per_db", VERSION)
        )
        cells = [
            f"{o.objects:,}",
            f"{o.rate:g}/s",
            "per object" if o.mode == "object" else "batched",
            f"{o.jobs:,}" if o.note.startswith("measured") else f">= {o.jobs:,}",
            refused,
            ("" if o.note.startswith("measured") else "~") + f"{o.peak_waiting} / {o.peak_running}",
            str(o.peak_versions) if o.note.startswith("measured") else f"~{o.peak_versions} (model)",
            f"{o.seconds:.1f} s" if o.note.startswith("measured") else f"~{o.seconds:.0f} s",
            str(o.failures),
            ("yes" if o.rows_exact else "NO") if o.note.startswith("measured") else "-",
            o.note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def bars(outcomes: list[Outcome]) -> list[str]:
    top = max(o.objects for o in outcomes)
    out = []
    for o in (o for o in outcomes if o.mode == "batch" and o.objects == top):
        same = (x for x in outcomes if x.mode == "object" and x.objects == top and x.rate == o.rate)
        other = next(same, None)
        # Not run and not extrapolated: one job per object is the per-object path's least.
        jobs, exact = (other.jobs, other.note.startswith("measured")) if other else (top, False)
        share = o.jobs / jobs
        out.append(
            f"BAR  {top:,} objects (compaction {o.rate:g}/s), batched Doris jobs <= {JOBS_BAR:.0%} of per "
            f"object's: {o.jobs} / {'' if exact else '>= '}{jobs:,} = "
            f"{share:.2%} -> {'PASS' if share <= JOBS_BAR else 'FAIL'}"
        )
    measured = [o for o in outcomes if o.note.startswith("measured")]
    failures = sum(o.failures for o in measured)
    out.append(
        f"BAR  0 task failures from admission refusals (every run measured): {failures} "
        f"-> {'PASS' if failures == 0 else 'FAIL'}"
    )
    wrong = [f"{o.mode} {o.objects:,} at {o.rate:g}/s" for o in measured if not o.rows_exact]
    out.append(
        f"BAR  every row loaded exactly once (every run measured): {', '.join(wrong) or 'all exact'} "
        f"-> {'PASS' if not wrong else 'FAIL'}"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000", help="objects per burst, comma-separated")
    parser.add_argument(
        "--rates",
        default="10,100",
        help="compaction rates, versions/s: runs use the first, extrapolations each (default 10,100)",
    )
    parser.add_argument("--pool", type=int, default=AIRFLOW_DEFAULT_POOL, help="task slots (default 128)")
    parser.add_argument(
        "--per-object-max", type=int, default=1000, help="largest size the per-object path runs at"
    )
    parser.add_argument("--quick", action="store_true", help="200 objects, one rate (a smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.per_object_max = "200", 200
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
    logging.disable(logging.WARNING)  # the operators' wait lines would bury the report
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    sizes = sorted(int(v) for v in args.sizes.split(","))
    rates = [float(v) for v in args.rates.split(",")]
    outcomes: list[Outcome] = []
    began = time.monotonic()
    report = os.dup(1)
    os.dup2(2, 1)  # Airflow's task log lines go to stdout: to stderr while the runs go
    try:
        with LocalOss() as oss:
            ran: Outcome | None = None
            for objects in sizes:
                if objects <= args.per_object_max:
                    ran = scenario(oss, "object", objects, rates[0], args.pool)
                    outcomes.append(ran)
                elif ran is not None:
                    outcomes += [extrapolate(ran, objects, rate) for rate in rates]
                outcomes.append(scenario(oss, "batch", objects, rates[0], args.pool))
                # Each row as it is measured, so a run cut short still shows what it got.
                print(*table(outcomes)[2:], sep="\n", file=sys.stderr)
                print(f"  {objects} objects done, {time.monotonic() - began:.0f} s", file=sys.stderr)
    finally:
        sys.stdout.flush()
        os.dup2(report, 1)
    outcomes.sort(key=lambda o: (o.objects, -o.rate, o.mode != "object"))
    print(
        "\n".join(
            [
                "### Batched loads vs one load per object (`bench_batched_loads.py`)\n",
                f"Objects of one CSV row each, written by {UPLOAD_WORKERS} threads as fast as the local "
                f"OSS takes them (a burst well within a minute); tasks in a pool of {args.pool} slots "
                "(Airflow's `default_pool`); local FE with Doris's default admission limits. No "
                "scheduler: the operators' code runs in threads (the FE driven directly), so task "
                "start-up is not counted.\n",
                *table(outcomes),
                "",
                *bars(outcomes),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
