"""The local FE's Broker Load and EXPORT job records, as SHOW LOAD and SHOW EXPORT list them.

Load: PENDING, LOADING, then FINISHED or CANCELLED. Export: PENDING, EXPORTING, then FINISHED or
CANCELLED. A job that failed never ends FINISHED. Running them is ``runner``'s work.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.loader import LoadOptions
from airflow_provider_doris_oss.testing.doris_fe.model import FEState
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import DataDesc
from airflow_provider_doris_oss.testing.doris_fe.storage import StorageProps
from airflow_provider_doris_oss.testing.doris_fe.writer import WriteOptions, WriteResult

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.doris_fe.releases import ReleaseProfile

FINAL = ("FINISHED", "CANCELLED")
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
    # When the job left the queue: a PENDING Broker Load's timeout starts only then (Doris #7371).
    scheduled_time: float | None = None
    cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def error_msg(self) -> str | None:
        return None if self.fail_type is None else f"type:{self.fail_type}; msg:{self.fail_msg}"

    @property
    def final(self) -> bool:
        return self.state in FINAL

    def deadline(self) -> float:
        return (self.scheduled_time or self.create_time) + self.timeout


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
    # Whether the job holds a running transaction: from its pending task's begin until it ends.
    in_txn: bool = False
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

    def show_row(self, release: ReleaseProfile) -> tuple[Any, ...]:
        """One SHOW LOAD row, columns as ``release.load_columns(LOAD_COLUMNS)``."""
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
        ) + ((self.rejected[0] if self.rejected else "",) if release.traits.first_error_msg_column else ())


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

    def outfile_info(self, release: ReleaseProfile) -> str | None:
        if self.state != "FINISHED":
            return None
        return json.dumps(
            [
                [
                    {
                        "fileNumber": str(r.file_number),
                        "totalRows": str(r.total_rows),
                        "fileSize": release.file_size(r.file_size),
                        "url": r.url,
                    }
                    for r in task
                ]
                for task in self.results
            ],
            separators=(",", ":"),
        )

    def show_row(self, release: ReleaseProfile) -> tuple[Any, ...]:
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
            self.outfile_info(release),
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
