"""Reading and writing the file formats Doris loads and exports: CSV, JSON, Parquet, ORC.

Readers hand back rows of text cells (CSV, JSON) or an Arrow table (Parquet, ORC); the loader
converts cells to column types. Compression and format are guessed from the path as Doris does.
"""

from __future__ import annotations

import bz2
import datetime as dt
import decimal
import gzip
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = (
    "csv",
    "csv_with_names",
    "csv_with_names_and_types",
    "hive_text",
    "json",
    "parquet",
    "orc",
    "arrow",
    "wal",
)
COMPRESS_TYPES = ("GZ", "BZ2", "LZ4FRAME", "LZ4BLOCK", "LZOP", "LZO", "DEFLATE", "SNAPPYBLOCK", "PLAIN")
_SUFFIX_COMPRESS = {
    ".gz": "GZ",
    ".bz2": "BZ2",
    ".lz4": "LZ4FRAME",
    ".lzo": "LZOP",
    ".deflate": "DEFLATE",
    ".snappy": "SNAPPYBLOCK",
}


def _err(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def check_format(fmt: str) -> str:
    """The lower-cased format name, or Doris's error for an unknown one."""
    lowered = fmt.lower()
    if lowered not in FORMATS:
        raise _err(f"File Format Type {fmt} is invalid.")
    return lowered


def check_compress(name: str) -> str:
    """The upper-cased compression name, or Doris's error for an unknown one."""
    upper = name.upper()
    aliases = {"GZIP": "GZ", "LZ4": "LZ4FRAME", "NONE": "PLAIN", "BZIP2": "BZ2"}
    upper = aliases.get(upper, upper)
    if upper not in COMPRESS_TYPES:
        raise _err(f"Unknown compression type: {name}")
    return upper


def guess_format(path: str) -> str:
    """Doris's guess from the file name: parquet, orc, json, else csv."""
    lowered = path.lower()
    for suffix in _SUFFIX_COMPRESS:
        if lowered.endswith(suffix):
            lowered = lowered[: -len(suffix)]
    if lowered.endswith((".parquet", ".parq")):
        return "parquet"
    if lowered.endswith(".orc"):
        return "orc"
    if lowered.endswith(".json"):
        return "json"
    return "csv"


def guess_compress(path: str) -> str:
    lowered = path.lower()
    return next((c for s, c in _SUFFIX_COMPRESS.items() if lowered.endswith(s)), "PLAIN")


def decompress(data: bytes, compress: str) -> bytes:
    """Undo ``compress`` (a Doris compression name)."""
    if compress == "PLAIN":
        return data
    if compress == "GZ":
        return gzip.decompress(data)
    if compress == "BZ2":
        return bz2.decompress(data)
    if compress == "DEFLATE":
        return zlib.decompress(data)
    if compress == "LZ4FRAME":
        import pyarrow as pa

        with pa.CompressedInputStream(pa.BufferReader(data), "lz4") as stream:
            return bytes(stream.read())
    raise _err(
        f"The local Doris FE cannot read {compress} compressed files; use GZ, BZ2, LZ4FRAME or DEFLATE."
    )


@dataclass
class TextRows:
    """Rows of text cells (None = NULL) with the source line of each, and header names if any."""

    rows: list[list[Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    names: list[str] | None = None


def split_csv(
    text: str,
    column_separator: str = "\t",
    line_delimiter: str = "\n",
    enclose: str | None = None,
    escape: str | None = None,
    trim_double_quotes: bool = False,
    skip_lines: int = 0,
    header: str = "csv",
) -> TextRows:
    """Split CSV text as Doris does: multi-byte separators, ``enclose``, ``\\N`` as NULL."""
    records = _split_records(text, line_delimiter, enclose, escape)
    out = TextRows()
    skip = skip_lines
    if header == "csv_with_names":
        skip = max(skip, 1)
    elif header == "csv_with_names_and_types":
        skip = max(skip, 2)
    if header != "csv" and records:
        out.names = [c for c in _split_fields(records[0], column_separator, enclose, escape)]
    for record in records[skip:]:
        cells: list[Any] = []
        for cell in _split_fields(record, column_separator, enclose, escape):
            if trim_double_quotes and len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
                cell = cell[1:-1]
            cells.append(None if cell == "\\N" else cell)
        out.rows.append(cells)
        out.lines.append(record)
    return out


def _split_records(text: str, delimiter: str, enclose: str | None, escape: str | None) -> list[str]:
    if not enclose:
        parts = text.split(delimiter)
    else:
        parts, current, inside, i = [], [], False, 0
        while i < len(text):
            ch = text[i]
            if escape and ch == escape and i + 1 < len(text):
                current.append(text[i : i + 2])
                i += 2
                continue
            if ch == enclose:
                inside = not inside
            if not inside and text.startswith(delimiter, i):
                parts.append("".join(current))
                current = []
                i += len(delimiter)
                continue
            current.append(ch)
            i += 1
        parts.append("".join(current))
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if delimiter == "\n" and p.endswith("\r") else p for p in parts]


def _split_fields(record: str, sep: str, enclose: str | None, escape: str | None) -> list[str]:
    if not enclose:
        return record.split(sep)
    fields: list[str] = []
    current: list[str] = []
    inside, i = False, 0
    while i < len(record):
        ch = record[i]
        if escape and ch == escape and i + 1 < len(record):
            current.append(record[i + 1])
            i += 2
            continue
        if ch == enclose:
            if inside and record.startswith(enclose, i + 1):
                current.append(enclose)
                i += 2
                continue
            inside = not inside
            i += 1
            continue
        if not inside and record.startswith(sep, i):
            fields.append("".join(current))
            current = []
            i += len(sep)
            continue
        current.append(ch)
        i += 1
    fields.append("".join(current))
    return fields


def read_json(
    data: bytes,
    strip_outer_array: bool = False,
    json_root: str | None = None,
    jsonpaths: str | None = None,
    read_json_by_line: bool = True,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """JSON objects as dicts of text cells; the malformed ones come back as rejected lines."""
    text = data.decode("utf-8")
    values: list[Any] = []
    bad: list[str] = []
    try:
        values = [json.loads(text)]
    except ValueError:
        if not read_json_by_line:
            bad.append(text[:200])
        else:
            for line in (line for line in text.splitlines() if line.strip()):
                try:
                    values.append(json.loads(line))
                except ValueError:
                    bad.append(line[:200])
    docs: list[Any] = []
    for value in values:
        if json_root:
            value = _json_path(value, json_root)
        if strip_outer_array:
            if isinstance(value, list):
                docs.extend(value)
            else:
                bad.append(json.dumps(value)[:200])
        elif isinstance(value, list):
            bad.append("JSON data is array-object, `strip_outer_array` must be TRUE.")
        else:
            docs.append(value)
    paths = json.loads(jsonpaths) if jsonpaths else None
    rows: list[dict[str, Any]] = []
    lines_out: list[str] = []
    for doc in docs:
        if not isinstance(doc, dict):
            bad.append(json.dumps(doc)[:200])
            continue
        if paths is not None:
            rows.append({str(i): _cell(_json_path(doc, path)) for i, path in enumerate(paths)})
        else:
            rows.append({k.lower() if isinstance(k, str) else k: _cell(v) for k, v in doc.items()})
        lines_out.append(json.dumps(doc)[:200])
    return rows, lines_out, bad


def _json_path(doc: Any, path: str) -> Any:
    parts = path.strip().lstrip("$").lstrip(".")
    value = doc
    for part in [p for p in parts.split(".") if p]:
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def read_columnar(data: bytes, fmt: str) -> pa.Table:
    """A Parquet or ORC file as an Arrow table."""
    import pyarrow as pa

    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(pa.BufferReader(data))
    if fmt == "orc":
        import pyarrow.orc as orc

        return orc.ORCFile(pa.BufferReader(data)).read()
    raise _err(f"The local Doris FE cannot read {fmt} files.")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def format_cell(value: Any) -> str:
    """A value as Doris writes it into a CSV file."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return text + (f".{value.microsecond:06d}" if value.microsecond else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return (
            repr(value) if not value.is_integer() else str(int(value)) if abs(value) < 1e15 else repr(value)
        )
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def doris_type_of(arrow_type: pa.DataType) -> str:
    """The Doris type name written in a csv_with_names_and_types header."""
    import pyarrow as pa
    import pyarrow.types as t

    checks = [
        (t.is_boolean, "BOOLEAN"),
        (t.is_int8, "TINYINT"),
        (t.is_int16, "SMALLINT"),
        (t.is_int32, "INT"),
        (t.is_int64, "BIGINT"),
        (t.is_float32, "FLOAT"),
        (t.is_float64, "DOUBLE"),
        (t.is_date, "DATE"),
        (t.is_timestamp, "DATETIME"),
        (t.is_decimal, "DECIMAL"),
        (t.is_string, "STRING"),
        (t.is_large_string, "STRING"),
    ]
    for check, name in checks:
        if check(arrow_type):
            if name == "DECIMAL" and isinstance(arrow_type, pa.Decimal128Type):
                return f"DECIMAL({arrow_type.precision}, {arrow_type.scale})"
            return name
    return "STRING"


def encode_csv(
    rows: Sequence[Sequence[Any]],
    column_separator: str = "\t",
    line_delimiter: str = "\n",
    header: Sequence[Sequence[str]] = (),
    with_bom: bool = False,
) -> bytes:
    """Rows as CSV bytes, header lines first."""
    out = io.StringIO()
    for line in header:
        out.write(column_separator.join(line) + line_delimiter)
    for row in rows:
        out.write(column_separator.join(format_cell(v) for v in row) + line_delimiter)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if with_bom else data


def encode_columnar(table: pa.Table, fmt: str, compression: str | None) -> bytes:
    """An Arrow table as a Parquet or ORC file."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        codec = {"PLAIN": "none", "GZIP": "gzip"}.get(
            (compression or "SNAPPY").upper(), (compression or "snappy")
        )
        pq.write_table(table, sink, compression=codec.lower())
    else:
        import pyarrow.orc as orc

        codec = {"PLAIN": "uncompressed"}.get((compression or "ZLIB").upper(), (compression or "zlib"))
        orc.write_table(table, sink, compression=codec.lower())
    return bytes(sink.getvalue())
