"""Running the local FE's Broker Load and EXPORT jobs on background threads, within Doris's limits.

A LOAD is admitted (or refused) as ``LoadManager`` admits it, waits PENDING for one of the running
slots, begins its transaction, reads its files while LOADING, then ends FINISHED (a new version
in each table it wrote) or CANCELLED. The limits and their messages live in ``admission``. Test
controls (``FEState.controls``) are taken when a job starts: hold it in a state for some
seconds, or end it CANCELLED with a given message. A CANCELLED job's label becomes reusable.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from airflow_provider_doris_oss.testing.doris_fe.errors import unexpected
from airflow_provider_doris_oss.testing.doris_fe.jobs import ExportJob, Job, LoadJob, error_log_url
from airflow_provider_doris_oss.testing.doris_fe.lexer import quote_identifier
from airflow_provider_doris_oss.testing.doris_fe.loader import (
    DescOutcome,
    JobFailure,
    NoSourceFiles,
    rows_table,
    run_desc,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.storage import client_for
from airflow_provider_doris_oss.testing.doris_fe.writer import WriteResult, delete_existing, write_files

if TYPE_CHECKING:
    import pyarrow as pa

_FAIL = re.compile(r"^type:([A-Z_]+); msg:(.*)$", re.DOTALL)


class _Stop(Exception):
    """The job was cancelled (or timed out) while running."""


def finish_cancelled(fe: FEState, job: Job, cancel_type: str, msg: str) -> bool:
    """End ``job`` CANCELLED unless it already ended; release its label. True if this call ended it."""
    with fe.lock, job.cond:
        if job.final:
            return False
        job.state = "CANCELLED"
        job.fail_type, job.fail_msg = cancel_type, msg
        job.finish_time = time.time()
        if isinstance(job, LoadJob):
            _end_txn(fe, job)  # aborted before SHOW LOAD shows CANCELLED, as Doris's cancelJob does
            fe.release_label(job.db, job.label)
        job.cond.notify_all()
    fe.admission.wake()  # a job cancelled while in line leaves it
    return True


def _end_txn(fe: FEState, job: LoadJob) -> None:
    """End the job's running transaction, if it holds one; called as the job reaches its final state."""
    if job.in_txn:
        job.in_txn = False
        fe.admission.end_txn(job.db)


def _control_failure(message: str, default_type: str) -> tuple[str, str]:
    text = message.split("detailMessage = ", 1)[-1]
    match = _FAIL.match(text)
    return (match.group(1), match.group(2)) if match else (default_type, text)


def _check(fe: FEState, job: Job) -> None:
    if job.final:
        raise _Stop
    if time.time() > job.deadline():
        msg = "loading timeout to cancel" if job.kind == "LOAD" else "timeout"
        finish_cancelled(fe, job, "TIMEOUT", msg)
        raise _Stop


def _hold(fe: FEState, job: Job, seconds: float) -> None:
    """Stay in the current state for ``seconds``, ending early on cancel or timeout."""
    until = time.monotonic() + seconds
    while True:
        _check(fe, job)
        left = until - time.monotonic()
        if left <= 0:
            return
        with job.cond:
            job.cond.wait(min(left, 0.05))


def _set_state(fe: FEState, job: Job, state: str) -> None:
    with fe.lock, job.cond:
        _check(fe, job)
        job.state = state


def start(fe: FEState, job: Job) -> None:
    """Record ``job`` and run it on a daemon thread; a Broker Load past the queue's size is refused.

    The refusal is Doris's (``LoadManager``: ``desired_max_waiting_jobs``); the label the statement
    reserved is released, as no job was created.
    """
    with fe.lock:
        if isinstance(job, LoadJob):
            refusal = fe.admission.admit_load(job)
            if refusal is not None:
                fe.release_label(job.db, job.label)
                raise DorisError(f"errCode = 2, detailMessage = {refusal}")
        fe.jobs.append(job)
    target = _run_load if isinstance(job, LoadJob) else _run_export
    threading.Thread(
        target=target, args=(fe, job), name=f"doris-{job.kind.lower()}-{job.job_id}", daemon=True
    ).start()


@contextmanager
def insert_transaction(fe: FEState, db: str, table: str) -> Iterator[None]:
    """An INSERT's transaction: refused past the running-transaction or version limits (Doris's
    errors); when the body returns, the table holds one version more."""
    refusal = fe.admission.begin_txn(db)
    if refusal is not None:
        raise DorisError(f"errCode = 2, detailMessage = {refusal}")
    try:
        refusal = fe.admission.version_refusal(db, [table])
        if refusal is not None:
            raise DorisError(f"errCode = 2, detailMessage = {refusal}")
        yield
        fe.admission.add_versions(db, [table])
    finally:
        fe.admission.end_txn(db)


def _paced_hold(fe: FEState, job: Job, held: bool, seconds: float) -> None:
    """Hold the job for the test control's seconds if it names this state, else the FE's pace."""
    _hold(fe, job, seconds if held else fe.job_state_seconds)


def _run_load(fe: FEState, job: LoadJob) -> None:
    hold_state, hold_seconds, fail = fe.controls.take()
    if not fe.admission.wait_for_slot(job):
        return  # cancelled while it waited in line
    try:
        job.scheduled_time = time.time()
        _paced_hold(fe, job, hold_state == "PENDING", hold_seconds)
        if fail:
            finish_cancelled(fe, job, *_control_failure(fail, "LOAD_RUN_FAIL"))
            return
        # The pending task begins the transaction; a refusal cancels the job (Doris retries the
        # pending task 3 times at once, with the same outcome).
        with fe.lock, job.cond:
            if job.final:
                return  # cancelled or timed out before its transaction began
            refusal = fe.admission.begin_txn(job.db)
            job.in_txn = refusal is None
        if refusal is not None:
            finish_cancelled(fe, job, "ETL_RUN_FAIL", refusal)
            return
        _set_state(fe, job, "LOADING")
        now = time.time()
        job.etl_start = job.etl_finish = job.load_start = job.start_time = now
        _paced_hold(fe, job, hold_state in ("LOADING", "ETL"), hold_seconds)
        _load(fe, job)
    except _Stop:
        return
    except JobFailure as exc:
        finish_cancelled(fe, job, exc.cancel_type, exc.msg)
    except Exception as exc:  # an emulator fault: logged, never shown as Python text
        finish_cancelled(fe, job, "LOAD_RUN_FAIL", unexpected(exc, f"load job {job.label}").message)
    finally:
        with fe.lock, job.cond:
            _end_txn(fe, job)
        fe.admission.release_slot(job)


def _load(fe: FEState, job: LoadJob) -> None:
    assert job.storage is not None
    tables = [fe.engine.table_info(job.db, desc.table).name for desc in job.descs]
    refusal = fe.admission.version_refusal(job.db, tables)  # the BE opens its tablet writers
    if refusal is not None:
        raise JobFailure("LOAD_RUN_FAIL", refusal)
    client = client_for(job.storage, fe.oss_proxy)
    outcomes: list[DescOutcome] = []
    for desc in job.descs:
        info = fe.engine.table_info(job.db, desc.table)
        try:
            outcome = run_desc(fe.engine, job.db, desc, info, client, job.options)
        except NoSourceFiles as missing:  # worded as the FE's Doris release words it
            message = fe.release.missing_files(missing.table, missing.paths)
            raise JobFailure(missing.cancel_type, message) from None
        _filter_unroutable(fe, job.db, desc.partitions, outcome)
        outcomes.append(outcome)
        _check(fe, job)
    job.normal = sum(o.normal for o in outcomes)
    job.abnormal = sum(o.abnormal for o in outcomes)
    job.unselected = sum(o.unselected for o in outcomes)
    job.file_number = sum(o.files for o in outcomes)
    job.file_size = sum(o.bytes for o in outcomes)
    job.scanned_rows = sum(o.scanned for o in outcomes)
    job.rejected = [line for o in outcomes for line in o.rejected]
    if job.abnormal:
        job.url = error_log_url()
    total = job.normal + job.abnormal
    if total and job.abnormal / total > job.max_filter_ratio:
        raise JobFailure("ETL_QUALITY_UNSATISFIED", "quality not good enough to cancel")
    if total == 0 and job.unselected == 0:
        raise JobFailure("LOAD_RUN_FAIL", "all partitions have no load data")
    with fe.lock:
        _check(fe, job)
        for outcome in outcomes:
            _apply(fe, job, outcome)
        fe.admission.add_versions(job.db, tables)
        with job.cond:
            _end_txn(fe, job)  # visible before SHOW LOAD shows FINISHED
            job.state = "FINISHED"
            job.finish_time = time.time()
            job.cond.notify_all()


def _filter_unroutable(fe: FEState, db: str, partitions: list[str], outcome: DescOutcome) -> None:
    """Rows with no partition they may go to are error rows, as Doris counts them."""
    if not outcome.upserts:
        return
    data = rows_table(outcome.upserts, outcome.columns)
    keep = fe.engine.routable_rows(db, outcome.table, data, partitions)
    dropped = [row for row, ok in zip(outcome.upserts, keep, strict=True) if not ok]
    if not dropped:
        return
    outcome.upserts = [row for row, ok in zip(outcome.upserts, keep, strict=True) if ok]
    outcome.normal -= len(dropped)
    outcome.abnormal += len(dropped)
    for row in dropped:
        shown = ", ".join(str(v) for v in row.values())
        outcome.rejected.append(f"Reason: no partition for this tuple. src line [{shown}]; ")


def _apply(fe: FEState, job: LoadJob, outcome: DescOutcome) -> None:
    if outcome.deletes:
        _delete_keys(fe, job, outcome)
    if outcome.upserts:
        fe.engine.insert_arrow(job.db, outcome.table, rows_table(outcome.upserts, outcome.columns))


def _delete_keys(fe: FEState, job: LoadJob, outcome: DescOutcome) -> None:
    """Delete the rows whose keys a DELETE/MERGE load names, through the engine's SQL."""
    from airflow_provider_doris_oss.testing.doris_fe.fileio import format_cell

    info = fe.engine.table_info(job.db, outcome.table)
    clauses = []
    for row in outcome.deletes:
        parts = []
        for key in info.key_columns:
            value = row.get(key)
            if value is None:
                parts.append(f"{quote_identifier(key)} IS NULL")
            else:
                parts.append(
                    f"{quote_identifier(key)} = '{format_cell(value).replace(chr(39), chr(39) * 2)}'"
                )
        clauses.append("(" + " AND ".join(parts) + ")")
    ctx = StatementContext(connection_id=0, user=job.user, database=job.db, fe=fe)
    table = f"{quote_identifier(job.db)}.{quote_identifier(outcome.table)}"
    for start in range(0, len(clauses), 500):
        fe.engine.execute(f"DELETE FROM {table} WHERE {' OR '.join(clauses[start : start + 500])}", ctx)


def _run_export(fe: FEState, job: ExportJob) -> None:
    hold_state, hold_seconds, fail = fe.controls.take()
    try:
        _paced_hold(fe, job, hold_state in ("PENDING", "IN_QUEUE"), hold_seconds)
        if fail:
            finish_cancelled(fe, job, *_control_failure(fail, "RUN_FAIL"))
            return
        _set_state(fe, job, "EXPORTING")
        job.start_time = time.time()
        _paced_hold(fe, job, hold_state == "EXPORTING", hold_seconds)
        _export(fe, job)
    except _Stop:
        return
    except DorisError as exc:
        finish_cancelled(fe, job, "RUN_FAIL", exc.message.split("detailMessage = ", 1)[-1])
    except Exception as exc:  # an emulator fault: logged, never shown as Python text
        finish_cancelled(fe, job, "RUN_FAIL", unexpected(exc, f"export job {job.label}").message)


def export_query(job: ExportJob) -> str:
    """The SELECT an export runs (one OUTFILE query per task in Doris)."""
    columns = ", ".join(quote_identifier(c) for c in job.columns) if job.columns else "*"
    sql = f"SELECT {columns} FROM {quote_identifier(job.db)}.{quote_identifier(job.table)}"
    return sql + (f" WHERE {job.where}" if job.where else "")


def _export(fe: FEState, job: ExportJob) -> None:
    assert job.storage is not None
    data: pa.Table = fe.engine.query_arrow(export_query(job), job.db)
    _check(fe, job)
    if job.delete_existing_files:
        delete_existing(job.storage, fe.oss_proxy, job.path)
    tasks = max(1, min(job.parallelism, data.num_rows or 1))
    step = -(-data.num_rows // tasks) if data.num_rows else 0
    results: list[list[WriteResult]] = []
    for n in range(tasks):
        part = data.slice(n * step, step) if step else data
        results.append([write_files(part, job.path, job.write, job.storage, fe.oss_proxy)])
        job.progress = int(100 * (n + 1) / tasks) if n + 1 < tasks else 99
        _check(fe, job)
    with fe.lock, job.cond:
        _check(fe, job)
        job.results = results
        job.progress = 100
        job.state = "FINISHED"
        job.finish_time = time.time()
        job.cond.notify_all()
