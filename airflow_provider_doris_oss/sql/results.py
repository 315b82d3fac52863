"""Parsing Doris's answers: SHOW LOAD / SHOW EXPORT rows, OUTFILE rows, INSERT info, error texts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

_NULLS = ("", "NULL", "N/A")
_ETL_KEYS = {"unselected.rows": "unselected", "dpp.abnorm.ALL": "filtered", "dpp.norm.ALL": "loaded"}


class _HasJobId(Protocol):
    @property
    def job_id(self) -> int | None: ...


T = TypeVar("T", bound=_HasJobId)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", "replace")
    text = str(value).strip()
    return None if text in _NULLS else text


def _int(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    match = re.match(r"-?\d+", text)
    return int(match.group()) if match else None


def _get(row: Mapping[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    folded = name.lower()
    for key, value in row.items():
        if isinstance(key, str) and key.lower() == folded:
            return value
    return None


def _json(value: Any) -> Any:
    text = _text(value)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_error_msg(value: Any) -> tuple[str | None, str | None]:
    """``type:X; msg:text`` as ``("X", "text")``; other text as ``(None, text)``; NULL as ``(None, None)``."""
    text = _text(value)
    if text is None:
        return None, None
    match = re.match(r"type:\s*([^;]*?)\s*;\s*msg:\s*(.*)\Z", text, re.DOTALL)
    if match:
        return match.group(1) or None, match.group(2)
    return None, text


def parse_etl_info(value: Any) -> dict[str, str]:
    """``k=v; k=v`` pairs of SHOW LOAD's EtlInfo."""
    pairs: dict[str, str] = {}
    for part in (_text(value) or "").split(";"):
        key, sep, val = part.partition("=")
        if sep:
            pairs[key.strip()] = val.strip()
    return pairs


def pick_latest(statuses: Iterable[T]) -> T | None:
    """The status with the highest job id (an old CANCELLED job and its successor share a label)."""
    best: T | None = None
    for status in statuses:
        if best is None or (status.job_id or -1) > (best.job_id or -1):
            best = status
    return best


@dataclass(frozen=True)
class _JobStatus:
    job_id: int | None
    label: str | None
    state: str
    error_type: str | None
    error_msg: str | None

    @staticmethod
    def _shared_columns(row: Mapping[str, Any]) -> dict[str, Any]:
        """The columns SHOW LOAD and SHOW EXPORT both answer, parsed."""
        error_type, error_msg = parse_error_msg(_get(row, "ErrorMsg"))
        return {
            "job_id": _int(_get(row, "JobId")),
            "label": _text(_get(row, "Label")),
            "state": (_text(_get(row, "State")) or "UNKNOWN").upper(),
            "error_type": error_type,
            "error_msg": error_msg,
            "progress": _text(_get(row, "Progress")),
            "create_time": _text(_get(row, "CreateTime")),
        }

    @property
    def is_final(self) -> bool:
        return self.state in ("FINISHED", "CANCELLED")

    @property
    def is_finished(self) -> bool:
        return self.state == "FINISHED"

    @property
    def is_cancelled(self) -> bool:
        return self.state == "CANCELLED"


@dataclass(frozen=True)
class LoadJobStatus(_JobStatus):
    """One SHOW LOAD row, read by column name."""

    progress: str | None = None
    load_type: str | None = None
    etl_info: dict[str, str] = field(default_factory=dict)
    unselected_rows: int | None = None
    filtered_rows: int | None = None
    loaded_rows: int | None = None
    url: str | None = None
    job_details: dict[str, Any] = field(default_factory=dict)
    transaction_id: int | None = None
    comment: str | None = None
    create_time: str | None = None
    finish_time: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> LoadJobStatus:
        etl = parse_etl_info(_get(row, "EtlInfo"))
        counts = {attr: _int(etl.get(key)) for key, attr in _ETL_KEYS.items()}
        details = _json(_get(row, "JobDetails"))
        return cls(
            **cls._shared_columns(row),
            load_type=(_text(_get(row, "Type")) or "").upper() or None,
            etl_info=etl,
            unselected_rows=counts["unselected"],
            filtered_rows=counts["filtered"],
            loaded_rows=counts["loaded"],
            url=_text(_get(row, "URL")),
            job_details=details if isinstance(details, dict) else {},
            transaction_id=_int(_get(row, "TransactionId")),
            comment=_text(_get(row, "Comment")),
            finish_time=_text(_get(row, "LoadFinishTime")),
        )

    @classmethod
    def latest(cls, rows: Iterable[Mapping[str, Any]]) -> LoadJobStatus | None:
        """The status of the newest job among SHOW LOAD rows, or None when there are none."""
        return pick_latest(cls.from_row(r) for r in rows)


@dataclass(frozen=True)
class OutfileFiles:
    """One OUTFILE result: how many files under a name prefix, their rows and bytes."""

    file_number: int
    total_rows: int
    file_size: int
    url: str | None


def _outfile_entries(value: Any) -> list[OutfileFiles]:
    data = value if isinstance(value, list | dict) else _json(value)
    stack = [data]
    found: list[OutfileFiles] = []
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[0:0] = item
        elif isinstance(item, dict):
            found.append(
                OutfileFiles(
                    file_number=_int(_get(item, "fileNumber")) or 0,
                    total_rows=_int(_get(item, "totalRows")) or 0,
                    file_size=_int(_get(item, "fileSize")) or 0,
                    url=_text(_get(item, "url")),
                )
            )
    return found


@dataclass(frozen=True)
class ExportJobStatus(_JobStatus):
    """One SHOW EXPORT row, read by column name."""

    progress: str | None = None
    task_info: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    create_time: str | None = None
    start_time: str | None = None
    finish_time: str | None = None
    timeout: int | None = None
    outfile_info: tuple[OutfileFiles, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ExportJobStatus:
        task_info = _json(_get(row, "TaskInfo"))
        return cls(
            **cls._shared_columns(row),
            task_info=task_info if isinstance(task_info, dict) else {},
            path=_text(_get(row, "Path")),
            start_time=_text(_get(row, "StartTime")),
            finish_time=_text(_get(row, "FinishTime")),
            timeout=_int(_get(row, "Timeout")),
            outfile_info=tuple(_outfile_entries(_get(row, "OutfileInfo"))),
        )

    @classmethod
    def latest(cls, rows: Iterable[Mapping[str, Any]]) -> ExportJobStatus | None:
        """The status of the newest job among SHOW EXPORT rows, or None when there are none."""
        return pick_latest(cls.from_row(r) for r in rows)


@dataclass(frozen=True)
class OutfileResult:
    """The rows SELECT ... INTO OUTFILE answers, summed over writers."""

    file_number: int
    total_rows: int
    file_size: int
    urls: tuple[str, ...]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> OutfileResult:
        files = rows_total = size = 0
        urls: list[str] = []
        for row in rows:
            files += _int(_get(row, "FileNumber")) or 0
            rows_total += _int(_get(row, "TotalRows")) or 0
            size += _int(_get(row, "FileSize")) or 0
            url = _text(_get(row, "URL"))
            if url and url not in urls:
                urls.append(url)
        return cls(file_number=files, total_rows=rows_total, file_size=size, urls=tuple(urls))


@dataclass(frozen=True)
class InsertInfo:
    """The info string of an INSERT's OK packet: label, status, transaction id."""

    label: str | None
    status: str | None
    txn_id: int | None
    error: str | None = None

    @property
    def is_done(self) -> bool:
        """VISIBLE, or COMMITTED (done, not yet visible: never retry it)."""
        return (self.status or "").upper() in ("VISIBLE", "COMMITTED")


_INFO_PAIR = re.compile(r"'(\w+)'\s*:\s*'((?:[^'\\]|\\.)*)'")


def parse_insert_info(message: str | bytes | None) -> InsertInfo | None:
    """``{'label':'x', 'status':'VISIBLE', 'txnId':'4005'}`` as an InsertInfo; None without one."""
    text = _text(message)
    if not text:
        return None
    pairs = {k.lower(): v for k, v in _INFO_PAIR.findall(text)}
    if "label" not in pairs and "status" not in pairs:
        return None
    return InsertInfo(
        label=pairs.get("label"),
        status=pairs.get("status"),
        txn_id=_int(pairs.get("txnid")),
        error=pairs.get("err"),
    )


def error_message(error: BaseException | str) -> str:
    """The server's message from a pymysql-style error (``args = (code, message)``) or a string."""
    if isinstance(error, BaseException):
        args = error.args
        if len(args) >= 2 and isinstance(args[0], int):
            return str(args[1])
        return str(error)
    return str(error)


_LABEL_USED = re.compile(r"Label \[(.*?)\] has already been used", re.IGNORECASE | re.DOTALL)
_NOTHING_TO_CANCEL = re.compile(
    r"Load job does not exist"
    r"|There is no uncompleted job"
    r"|Export job\(s\) do not exist"
    r"|export job.{0,40}?(?:does not exist|not exist)"
    r"|All export job\(s\) are at final state"
    r"|export job.{0,40}?already (?:finished|cancelled)",
    re.IGNORECASE | re.DOTALL,
)


def label_already_used(error: BaseException | str) -> str | None:
    """The label named by ``Label [x] has already been used``, or None for other errors."""
    match = _LABEL_USED.search(error_message(error))
    return match.group(1) if match else None


def is_label_already_used(error: BaseException | str) -> bool:
    """Whether the error says the label belongs to an earlier job (look it up again)."""
    return label_already_used(error) is not None


def is_nothing_to_cancel(error: BaseException | str) -> bool:
    """Whether a CANCEL LOAD / CANCEL EXPORT error only means there was no running job."""
    return _NOTHING_TO_CANCEL.search(error_message(error)) is not None


def rows_by_name(cursor: Any) -> list[dict[str, Any]]:
    """The rows a DB-API cursor holds after ``execute``, each keyed by column name (none for an OK packet)."""
    columns = [str(d[0]) for d in cursor.description or ()]
    return [dict(zip(columns, row, strict=False)) for row in cursor.fetchall()] if columns else []
