"""The OUTFILE writer shared by SELECT ... INTO OUTFILE and EXPORT: files named as Doris names them.

One writer writes ``<prefix><query-id>_<n>.<ext>``, starting a new file when ``max_file_size``
is reached, and reports ``FileNumber``, ``TotalRows``, ``FileSize`` and the ``URL`` prefix.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.fileio import (
    doris_type_of,
    encode_columnar,
    encode_csv,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.results import as_text
from airflow_provider_doris_oss.testing.doris_fe.storage import (
    StorageProps,
    client_for,
    describe_error,
    split_uri,
)

if TYPE_CHECKING:
    import pyarrow as pa

OUTFILE_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "parquet", "orc")
_EXT = {"parquet": ".parquet", "orc": ".orc"}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KB|MB|GB|TB)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
MIN_FILE_SIZE = 5 << 20
DEFAULT_FILE_SIZE = 1 << 30


def _err(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def new_query_id() -> str:
    """A Doris query id: two 64-bit halves in hex joined by ``-``."""
    return f"{secrets.token_hex(8)}-{secrets.token_hex(8)}"


def parse_file_size(text: str, key: str = "max_file_size") -> int:
    """``512MB`` and friends to bytes, with Doris's 5MB lower bound."""
    match = _SIZE.match(text)
    if match is None:
        raise _err(f"Invalid {key} value: {text}. Use a size such as 512MB or 1GB.")
    size = int(match.group(1)) * _UNITS[(match.group(2) or "B").upper()]
    if size < MIN_FILE_SIZE:
        raise _err(f"max file size should larger than 5MB. Given: {size}")
    return size


@dataclass(frozen=True)
class WriteOptions:
    """How one OUTFILE writer lays out its files."""

    format: str = "csv"
    column_separator: str = "\t"
    line_delimiter: str = "\n"
    max_file_size: int = DEFAULT_FILE_SIZE
    with_bom: bool = False
    compress_type: str | None = None
    file_suffix: str | None = None
    success_file_name: str | None = None
    column_types: Mapping[str, str] | None = None


@dataclass(frozen=True)
class WriteResult:
    """One writer's result row."""

    file_number: int
    total_rows: int
    file_size: int
    url: str
    seconds: float

    def row(self) -> tuple[Any, ...]:
        """``FileNumber, TotalRows, FileSize, URL, WriteTimeSec, WriteSpeedKB`` as Doris sends them."""
        seconds = max(self.seconds, 0.001)
        speed = self.file_size / 1024 / seconds
        return (
            self.file_number,
            self.total_rows,
            self.file_size,
            self.url,
            int(self.seconds),
            f"{speed:.2f}",
        )


OUTFILE_COLUMNS = ["FileNumber", "TotalRows", "FileSize", "URL", "WriteTimeSec", "WriteSpeedKB"]


def delete_existing(storage: StorageProps, proxy: str | None, path: str) -> None:
    """Delete everything under the parent directory of ``path``, as ``delete_existing_files`` does."""
    bucket, key = split_uri(path)
    directory = key.rsplit("/", 1)[0] + "/" if "/" in key else ""
    client = client_for(storage, proxy)
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=directory):
        objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if objects:
            client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def write_files(
    table: pa.Table, path: str, options: WriteOptions, storage: StorageProps, proxy: str | None
) -> WriteResult:
    """Write ``table`` under ``path`` (a prefix) as one Doris writer; return its result row."""
    started = time.monotonic()
    bucket, prefix = split_uri(path)
    query_id = new_query_id()
    ext = "." + options.file_suffix if options.file_suffix else _EXT.get(options.format, ".csv")
    client = client_for(storage, proxy)
    chunks = _chunks(table, options)
    total = 0
    for n, data in enumerate(chunks):
        key = f"{prefix}{query_id}_{n}{ext}"
        try:
            client.put_object(Bucket=bucket, Key=key, Body=data)
        except Exception as exc:
            raise _err(f"failed to write file {key}: {describe_error(exc)}") from exc
        total += len(data)
    if options.success_file_name:
        directory = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
        client.put_object(Bucket=bucket, Key=directory + options.success_file_name, Body=b"")
    return WriteResult(
        len(chunks), table.num_rows, total, f"s3://{bucket}/{prefix}{query_id}_*", time.monotonic() - started
    )


def _chunks(table: pa.Table, options: WriteOptions) -> list[bytes]:
    if options.format in ("parquet", "orc"):
        return _columnar_chunks(table, options)
    header: list[Sequence[str]] = []
    if options.format in ("csv_with_names", "csv_with_names_and_types"):
        header.append(list(table.column_names))
    if options.format == "csv_with_names_and_types":
        types = options.column_types or {}
        header.append([types.get(f.name) or doris_type_of(f.type) for f in table.schema])
    rows = as_text(table, options.column_types).to_pylist()  # dates, floats, arrays as Doris writes them
    chunks: list[bytes] = []
    current: list[tuple[Any, ...]] = []
    size = 0
    for row in rows:
        values = tuple(row.values())
        line = encode_csv([values], options.column_separator, options.line_delimiter)
        if current and size + len(line) > options.max_file_size:
            chunks.append(_csv_file(current, options, header))
            current, size = [], 0
        current.append(values)
        size += len(line)
    chunks.append(_csv_file(current, options, header))
    return chunks


def _csv_file(rows: list[tuple[Any, ...]], options: WriteOptions, header: list[Sequence[str]]) -> bytes:
    """One file of the series; every file starts with the header lines."""
    return encode_csv(rows, options.column_separator, options.line_delimiter, header, options.with_bom)


def _columnar_chunks(table: pa.Table, options: WriteOptions) -> list[bytes]:
    whole = encode_columnar(table, options.format, options.compress_type)
    if len(whole) <= options.max_file_size or table.num_rows <= 1:
        return [whole]
    parts = -(-len(whole) // options.max_file_size)
    step = max(1, -(-table.num_rows // parts))
    return [
        encode_columnar(table.slice(start, step), options.format, options.compress_type)
        for start in range(0, table.num_rows, step)
    ]
