"""Asynchronous Broker Load and EXPORT jobs, kept in ``FEState.jobs`` and run on background threads.

Load: PENDING, LOADING, then FINISHED or CANCELLED. Export: PENDING, EXPORTING, then FINISHED or
CANCELLED. Test controls (``FEState.controls``) are taken when a job starts: hold it in a
state for some seconds, or end it CANCELLED with a given message. A job that failed never
ends FINISHED; a CANCELLED job's label becomes reusable.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.grammar import DataDesc
from airflow_provider_doris_oss.testing.doris_fe.lexer import quote_identifier
from airflow_provider_doris_oss.testing.doris_fe.loader import (
    DescOutcome,
    JobFailure,
    LoadOptions,
    rows_table,
    run_desc,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.storage import StorageProps, client_for
from airflow_provider_doris_oss.testing.doris_fe.writer import (
    WriteOptions,
    WriteResult,
    delete_existing,
    write_files,
)

if TYPE_CHECKING:
    import pyarrow as pa

FINAL = ("FINISHED", "CANCELLED")
_FAIL = re.compile(r"^type:([A-Z_]+); msg:(.*)$", re.DOTALL)
ERROR_LOG_URL = "http://127.0.0.1:8040/api/_load_error_log?file=__shard_{shard}/error_log_insert_stmt_{id}"


def timestamp(seconds: float | None) -> str | None:
    """Doris's ``YYYY-MM-DD HH:MM:SS`` (local time), or None."""
    return None if seconds is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def error_log_url() -> str:
    """A plausible error-rows URL of a backend's HTTP server."""
    return ERROR_LOG_URL.format(
        shard=secrets.randbelow(100),
        id=f"{secrets.token_hex(8)}-{secrets.token_hex(8)}_{secrets.token_hex(8)}",
    )


def java_double(value: float) -> str:
    """``Double.toString``: plain between 1e-3 and 1e7, else ``d.dddE-n`` (``5.0E-5``)."""
    number = float(value)
    if number == 0 or 1e-3 <= abs(number) < 1e7:
        text = repr(number)
        return text if "." in text else text + ".0"
    mantissa, exponent = f"{number:.16e}".split("e")
    digits = repr(float(mantissa))
    digits = digits if "." in digits else digits + ".0"
    return f"{digits}E{int(exponent)}"


@dataclass
class Job:
    """What load and export jobs share: identity, state, timing, failure, cancellation."""

    job_id: int
    label: str
    db: str
    user: str
    timeout: int
    state: str = "PENDING"
    create_time: float = field(default_factory=time.time)
    start_time: float | None = None
    finish_time: float | None = None
    fail_type: str | None = None
    fail_msg: str | None = None
    kind: str = "LOAD"
    cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def error_msg(self) -> str | None:
        return None if self.fail_type is None else f"type:{self.fail_type}; msg:{self.fail_msg}"

    @property
    def final(self) -> bool:
        return self.state in FINAL

    def deadline(self) -> float:
        return self.create_time + self.timeout


@dataclass
class LoadJob(Job):
    """A Broker Load (``Type`` BROKER) or a finished INSERT (``Type`` INSERT)."""

    load_type: str = "BROKER"
    descs: list[DataDesc] = field(default_factory=list)
    storage: StorageProps | None = None
    max_filter_ratio: float = 0.0
    strict_mode: bool = False
    priority: str = "NORMAL"
    options: LoadOptions = field(default_factory=LoadOptions)
    comment: str = ""
    txn_id: int = -1
    etl_start: float | None = None
    etl_finish: float | None = None
    load_start: float | None = None
    unselected: int | None = None
    abnormal: int | None = None
    normal: int | None = None
    url: str | None = None
    rejected: list[str] = field(default_factory=list)
    file_number: int = 0
    file_size: int = 0
    scanned_rows: int = 0
    load_id: str = field(default_factory=lambda: f"{secrets.token_hex(8)}-{secrets.token_hex(8)}")

    def progress(self) -> str:
        if self.state == "FINISHED":
            return "ETL:100%; LOAD:100%"
        if self.state == "LOADING" or (self.state == "CANCELLED" and self.load_start is not None):
            return "ETL:100%; LOAD:0%"
        return "ETL:0%; LOAD:0%"

    def show_row(self) -> tuple[Any, ...]:
        """One SHOW LOAD row, columns as ``LOAD_COLUMNS``."""
        task = (
            f"cluster:N/A; timeout(s):{self.timeout}; max_filter_ratio:{java_double(self.max_filter_ratio)}"
        )
        task += f"; priority:{self.priority}"
        url: str | None
        if self.load_type == "INSERT":
            progress, etl, url = f"Unknown id: {self.job_id}", None, ""
            details = {"Unfinished backends": {}, "ScannedRows": 0, "TaskNumber": 0, "LoadBytes": 0,
                       "All backends": {}, "FileNumber": 0, "FileSize": 0}  # fmt: skip
        else:
            progress, url = self.progress(), self.url
            etl = None
            if self.normal is not None:
                etl = (
                    f"unselected.rows={self.unselected}; dpp.abnorm.ALL={self.abnormal}; "
                    f"dpp.norm.ALL={self.normal}"
                )
            started = self.load_start is not None
            details = {
                "Unfinished backends": {self.load_id: [] if self.final else [10002]} if started else {},
                "ScannedRows": self.scanned_rows,
                "TaskNumber": 1 if started else 0,
                "LoadBytes": self.file_size if self.state == "FINISHED" else 0,
                "All backends": {self.load_id: [10002]} if started else {},
                "FileNumber": self.file_number,
                "FileSize": self.file_size,
            }
        return (
            self.job_id,
            self.label,
            self.state,
            progress,
            self.load_type,
            etl,
            task,
            self.error_msg,
            timestamp(self.create_time),
            timestamp(self.etl_start),
            timestamp(self.etl_finish),
            timestamp(self.load_start),
            timestamp(self.finish_time),
            url,
            json.dumps(details, separators=(",", ":")),
            self.txn_id,
            "{}",
            self.user,
            self.comment,
        )


LOAD_COLUMNS = [
    "JobId", "Label", "State", "Progress", "Type", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime",
    "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL", "JobDetails",
    "TransactionId", "ErrorTablets", "User", "Comment",
]  # fmt: skip


@dataclass
class ExportJob(Job):
    """An EXPORT job."""

    kind: str = "EXPORT"
    table: str = ""
    partitions: list[str] = field(default_factory=list)
    where: str | None = None
    path: str = ""
    columns: list[str] | None = None
    columns_text: str = ""
    write: WriteOptions = field(default_factory=WriteOptions)
    parallelism: int = 1
    delete_existing_files: bool = False
    max_file_size_text: str = ""
    storage: StorageProps | None = None
    progress: int = 0
    results: list[list[WriteResult]] = field(default_factory=list)

    def task_info(self) -> str:
        """The TaskInfo JSON, keys as ExportMgr writes them (compact, null values left out)."""
        info: dict[str, Any] = {"db": self.db, "tbl": self.table}
        if self.where:
            info["where expr"] = self.where
        info.update(
            {
                "partitions": self.partitions or ["*"],
                "broker": "S3",
                "column_separator": self.write.column_separator,
                "format": self.write.format,
                "line_delimiter": self.write.line_delimiter,
            }
        )
        if self.columns_text:
            info["columns"] = self.columns_text
        info["tablet_num"] = self.parallelism
        info["max_file_size"] = self.max_file_size_text
        info["delete_existing_files"] = "true" if self.delete_existing_files else ""
        return json.dumps(info, separators=(",", ":"))

    def outfile_info(self) -> str | None:
        if self.state != "FINISHED":
            return None
        return json.dumps(
            [
                [
                    {
                        "fileNumber": str(r.file_number),
                        "totalRows": str(r.total_rows),
                        "fileSize": f"{r.file_size}bytes",
                        "url": r.url,
                    }
                    for r in task
                ]
                for task in self.results
            ],
            separators=(",", ":"),
        )

    def show_row(self) -> tuple[Any, ...]:
        """One SHOW EXPORT row, columns as ``EXPORT_COLUMNS``."""
        return (
            self.job_id,
            self.label,
            self.state,
            f"{self.progress}%",
            self.task_info(),
            self.path,
            timestamp(self.create_time),
            timestamp(self.start_time),
            timestamp(self.finish_time),
            self.timeout,
            self.error_msg,
            self.outfile_info(),
        )


EXPORT_COLUMNS = [
    "JobId", "Label", "State", "Progress", "TaskInfo", "Path", "CreateTime", "StartTime", "FinishTime",
    "Timeout", "ErrorMsg", "OutfileInfo",
]  # fmt: skip


def record_insert(fe: FEState, db: str, label: str, txn_id: int, loaded: int, user: str) -> LoadJob:
    """Record a finished INSERT as Doris does: SHOW LOAD lists it with ``Type`` INSERT."""
    now = time.time()
    job = LoadJob(
        job_id=fe.next_id(), label=label, db=db, user=user, timeout=14400, state="FINISHED",
        load_type="INSERT", txn_id=txn_id, etl_start=now, etl_finish=now, load_start=now, unselected=0,
        abnormal=0, normal=loaded,
        scanned_rows=loaded, create_time=now, start_time=now, finish_time=now,
    )  # fmt: skip
    with fe.lock:
        fe.jobs.append(job)
    return job


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


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
        if job.kind == "LOAD":
            fe.release_label(job.db, job.label)
        job.cond.notify_all()
    return True


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
    """Record ``job`` and run it on a daemon thread."""
    with fe.lock:
        fe.jobs.append(job)
    target = _run_load if isinstance(job, LoadJob) else _run_export
    threading.Thread(
        target=target, args=(fe, job), name=f"doris-{job.kind.lower()}-{job.job_id}", daemon=True
    ).start()


def _paced_hold(fe: FEState, job: Job, held: bool, seconds: float) -> None:
    """Hold the job for the test control's seconds if it names this state, else the FE's pace."""
    _hold(fe, job, seconds if held else fe.job_state_seconds)


def _run_load(fe: FEState, job: LoadJob) -> None:
    hold_state, hold_seconds, fail = fe.controls.take()
    try:
        _paced_hold(fe, job, hold_state == "PENDING", hold_seconds)
        if fail:
            finish_cancelled(fe, job, *_control_failure(fail, "LOAD_RUN_FAIL"))
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
    except Exception as exc:
        finish_cancelled(fe, job, "LOAD_RUN_FAIL", str(exc))


def _load(fe: FEState, job: LoadJob) -> None:
    assert job.storage is not None
    client = client_for(job.storage, fe.oss_proxy)
    outcomes: list[DescOutcome] = []
    for desc in job.descs:
        info = fe.engine.table_info(job.db, desc.table)
        outcome = run_desc(fe.engine, job.db, desc, info, client, job.options)
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
        with job.cond:
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
    except Exception as exc:
        finish_cancelled(fe, job, "RUN_FAIL", str(exc))


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
