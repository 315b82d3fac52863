"""The data path of one Broker Load data description: files to rows to table rows, as Doris does it.

Order of work, as in a Doris scan: read and split the files, check the column count, apply
``PRECEDING FILTER`` on the source columns, evaluate the ``SET`` mappings, convert to the column
types (strict mode decides whether a failed conversion filters the row or gives NULL), apply
``WHERE`` (dropped rows are *unselected*, not filtered), then ``DELETE ON`` and ``ORDER BY``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe import fileio
from airflow_provider_doris_oss.testing.doris_fe.convert import CellError, convert_cell
from airflow_provider_doris_oss.testing.doris_fe.lexer import quote_identifier
from airflow_provider_doris_oss.testing.doris_fe.model import Column, DorisError, Engine, TableInfo
from airflow_provider_doris_oss.testing.doris_fe.sources import (
    ListingError,
    SourceObject,
    list_matching,
    path_values,
    read_object,
)
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import DataDesc

if TYPE_CHECKING:
    import pyarrow as pa

ROW_ID = "__doris_row"
SOURCE = "__doris_src"
_INT = re.compile(r"^\s*[-+]?\d{1,18}\s*$")
_FLOAT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
MAX_ERROR_LINES = 1000


class JobFailure(Exception):
    """The job ends CANCELLED with ``type:<cancel_type>; msg:<msg>``."""

    def __init__(self, cancel_type: str, msg: str) -> None:
        super().__init__(msg)
        self.cancel_type = cancel_type
        self.msg = msg


class NoSourceFiles(JobFailure):
    """A data description's paths match no file; the message is the release's (``releases``)."""

    def __init__(self, table: str, paths: list[str]) -> None:
        super().__init__("ETL_RUN_FAIL", f"No source file in this table({table}).")
        self.table = table
        self.paths = paths


@dataclass(frozen=True)
class LoadOptions:
    """Job-wide settings that shape how rows are read."""

    strict_mode: bool = False
    trim_double_quotes: bool = False
    skip_lines: int = 0


@dataclass
class DescOutcome:
    """What one data description produced."""

    table: str
    columns: list[Column]
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[dict[str, Any]] = field(default_factory=list)
    normal: int = 0
    abnormal: int = 0
    unselected: int = 0
    rejected: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    scanned: int = 0


def convert_separator(text: str) -> str:
    """Doris's separator notation: ``\\x01`` style hex escapes become the bytes they name."""
    if text.lower().startswith("\\x") and len(text) > 2:
        try:
            return bytes.fromhex(text[2:]).decode("utf-8")
        except ValueError:
            return text
    return text


def _reject(outcome: DescOutcome, reason: str, line: str) -> None:
    outcome.abnormal += 1
    if len(outcome.rejected) < MAX_ERROR_LINES:
        outcome.rejected.append(f"Reason: {reason}. src line [{line}]; ")


def run_desc(
    engine: Engine,
    db: str,
    desc: DataDesc,
    info: TableInfo,
    client: Any,
    options: LoadOptions,
) -> DescOutcome:
    """Read every file of ``desc`` and turn it into rows for ``info``'s table."""
    outcome = DescOutcome(desc.table, list(info.columns))
    objects: list[SourceObject] = []
    try:
        for uri in desc.uris:
            objects.extend(list_matching(client, uri))
    except ListingError as exc:
        raise JobFailure("ETL_RUN_FAIL", f"Failed to list files: {exc}") from exc
    if not objects:
        raise NoSourceFiles(desc.table, list(desc.uris))
    fmt_given = fileio.check_format(desc.format) if desc.format else None
    is_json = (fmt_given or fileio.guess_format(objects[0].key)) == "json"
    if desc.columns is not None:
        file_columns = list(desc.columns) if is_json else [c.lower() for c in desc.columns]
    else:
        file_columns = [c.name.lower() for c in info.columns]
    path_columns = [c.lower() for c in desc.columns_from_path]
    source: list[tuple[dict[str, Any], str]] = []
    for obj in objects:
        try:
            raw = read_object(client, obj)
        except ListingError as exc:
            raise JobFailure("LOAD_RUN_FAIL", f"Failed to read {obj.uri}: {exc}") from exc
        outcome.files += 1
        outcome.bytes += obj.size
        fmt = fmt_given or fileio.guess_format(obj.key)
        compress = fileio.check_compress(desc.compress_type) if desc.compress_type else None
        try:
            data = fileio.decompress(raw, compress or fileio.guess_compress(obj.key))
        except DorisError as exc:
            raise JobFailure("LOAD_RUN_FAIL", exc.message.split("detailMessage = ", 1)[-1]) from exc
        except Exception as exc:
            raise JobFailure("LOAD_RUN_FAIL", f"Failed to decompress {obj.uri}: {exc}") from exc
        extra = path_values(obj.key, path_columns)
        for row, line in _file_rows(data, fmt, desc, file_columns, options, outcome):
            row.update(extra)
            source.append((row, line))
    outcome.scanned = len(source) + outcome.abnormal
    _transform(engine, db, desc, info, source, options, outcome)
    return outcome


def _file_rows(
    data: bytes,
    fmt: str,
    desc: DataDesc,
    file_columns: list[str],
    options: LoadOptions,
    outcome: DescOutcome,
) -> list[tuple[dict[str, Any], str]]:
    props = {k.lower(): v for k, v in desc.properties.items()}
    rows: list[tuple[dict[str, Any], str]] = []
    if fmt in ("csv", "csv_with_names", "csv_with_names_and_types", "hive_text"):
        sep = convert_separator(desc.column_separator or ("\x01" if fmt == "hive_text" else "\t"))
        delim = convert_separator(desc.line_delimiter or props.get("line_delimiter") or "\n")
        trim = props.get("trim_double_quotes", str(options.trim_double_quotes)).lower() == "true"
        skip = int(props.get("skip_lines", options.skip_lines) or 0)
        text = data.decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        split = fileio.split_csv(
            text,
            sep,
            delim,
            props.get("enclose") or None,
            props.get("escape") or None,
            trim,
            skip,
            "csv" if fmt == "hive_text" else fmt,
        )
        for cells, line in zip(split.rows, split.lines, strict=True):
            if len(cells) != len(file_columns):
                relation = "less" if len(cells) < len(file_columns) else "more"
                _reject(
                    outcome,
                    f"actual column number in csv file is {relation} than schema column number."
                    f"actual number: {len(cells)}, schema column number: {len(file_columns)}; "
                    f"line delimiter: [{delim}], column separator: [{sep}]",
                    line,
                )
                continue
            rows.append((dict(zip(file_columns, cells, strict=True)), line))
        return rows
    if fmt == "json":
        strip = props.get("strip_outer_array", "false").lower() == "true"
        docs, lines, bad = fileio.read_json(
            data, strip, props.get("json_root"), props.get("jsonpaths"), read_json_by_line=True
        )
        for line in bad:
            _reject(outcome, "Parse json data failed", line)
        for doc, line in zip(docs, lines, strict=True):
            if props.get("jsonpaths"):
                row = {name: doc.get(str(i)) for i, name in enumerate(file_columns)}
            else:
                row = {name: doc.get(name.lower()) for name in file_columns}
            rows.append(({k.lower(): v for k, v in row.items()}, line))
        return rows
    if fmt in ("parquet", "orc"):
        try:
            table = fileio.read_columnar(data, fmt)
        except DorisError:
            raise
        except Exception as exc:
            raise JobFailure("LOAD_RUN_FAIL", f"Failed to read {fmt} file: {exc}") from exc
        names = {n.lower(): n for n in table.column_names}
        if desc.columns is not None:
            missing = [c for c in file_columns if c.lower() not in names]
            if missing:
                raise JobFailure("LOAD_RUN_FAIL", f"Invalid Column Name:{missing[0]}")
        wanted = [c for c in file_columns if c.lower() in names]
        for record in table.to_pylist():
            lowered = {k.lower(): v for k, v in record.items()}
            row = {c.lower(): lowered.get(c.lower()) for c in wanted}
            rows.append((row, str(record)[:200]))
        return rows
    raise JobFailure("LOAD_RUN_FAIL", f"The local Doris FE cannot load {fmt} files.")


def _sniff(values: list[Any]) -> Any:
    import pyarrow as pa

    texts = [v for v in values if v is not None]
    if not texts or not all(isinstance(v, str) for v in texts):
        return None
    if all(_INT.match(v) for v in texts):
        return pa.int64()
    if all(_FLOAT.match(v) for v in texts):
        return pa.float64()
    return pa.string()


def _source_table(rows: list[dict[str, Any]], names: list[str]) -> pa.Table:
    import pyarrow as pa

    arrays = {ROW_ID: pa.array(list(range(len(rows))), pa.int64())}
    for name in names:
        values = [row.get(name) for row in rows]
        kind = _sniff(values)
        if kind is not None and kind != pa.string():
            values = [None if v is None else (int(v) if kind == pa.int64() else float(v)) for v in values]
        arrays[name] = pa.array(values, type=kind) if kind is not None else pa.array(values)
    return pa.table(arrays)


def _query(engine: Engine, sql: str, db: str, bindings: dict[str, pa.Table], what: str) -> pa.Table:
    try:
        return engine.query_arrow(sql, db, bindings)
    except DorisError as exc:
        raise JobFailure("LOAD_RUN_FAIL", f"{what}: {exc.message.split('detailMessage = ', 1)[-1]}") from exc


def _transform(
    engine: Engine,
    db: str,
    desc: DataDesc,
    info: TableInfo,
    source: list[tuple[dict[str, Any], str]],
    options: LoadOptions,
    outcome: DescOutcome,
) -> None:
    import pyarrow as pa

    names = list(dict.fromkeys(k for row, _ in source for k in row)) if source else []
    rows = [row for row, _ in source]
    lines = [line for _, line in source]
    alive = list(range(len(rows)))
    if desc.preceding_filter and rows:
        table = _source_table(rows, names)
        kept = _query(
            engine,
            f"SELECT {ROW_ID} FROM {SOURCE} WHERE {desc.preceding_filter}",
            db,
            {SOURCE: table},
            "PRECEDING FILTER",
        )
        keep = set(kept.column(ROW_ID).to_pylist())
        outcome.unselected += len(alive) - len(keep)
        alive = [i for i in alive if i in keep]
    by_name = {c.name.lower(): c for c in info.columns}
    set_map = {col.lower(): expr for col, expr in desc.set_exprs}
    mapped: list[Column] = [c for c in info.columns if c.name.lower() in set_map or c.name.lower() in names]
    set_values: dict[int, dict[str, Any]] = {}
    if set_map and alive:
        table = _source_table([rows[i] for i in alive], names)
        table = table.set_column(0, ROW_ID, pa.array(alive, pa.int64()))
        select = ", ".join(
            f"({expr}) AS {quote_identifier(col)}" for col, expr in set_map.items() if col in by_name
        )
        result = _query(engine, f"SELECT {ROW_ID}, {select} FROM {SOURCE}", db, {SOURCE: table}, "SET")
        for record in result.to_pylist():
            set_values[record.pop(ROW_ID)] = {k.lower(): v for k, v in record.items()}
    converted: list[dict[str, Any]] = []
    converted_ids: list[int] = []
    for i in alive:
        out: dict[str, Any] = {}
        try:
            for column in mapped:
                key = column.name.lower()
                value = set_values.get(i, {}).get(key) if key in set_map else rows[i].get(key)
                out[column.name] = convert_cell(value, column, options.strict_mode)
        except CellError as exc:
            _reject(outcome, str(exc), lines[i])
            continue
        if desc.negative:  # 2.1's NEGATIVE: every value column is SUM (checked at LOAD), loaded negated
            keys = {k.lower() for k in info.key_columns}
            out = {k: -v if v is not None and k.lower() not in keys else v for k, v in out.items()}
        converted.append(out)
        converted_ids.append(i)
    typed = _typed_table(converted, converted_ids, mapped)
    if desc.where and converted:
        kept = _query(
            engine, f"SELECT {ROW_ID} FROM {SOURCE} WHERE {desc.where}", db, {SOURCE: typed}, "WHERE"
        )
        keep = set(kept.column(ROW_ID).to_pylist())
        outcome.unselected += sum(1 for i in converted_ids if i not in keep)
        pairs = [(row, i) for row, i in zip(converted, converted_ids, strict=True) if i in keep]
        converted = [row for row, _ in pairs]
        converted_ids = [i for _, i in pairs]
        typed = _typed_table(converted, converted_ids, mapped)
    deleting: set[int] = set()
    if desc.merge_type == "DELETE":
        deleting = set(converted_ids)
    elif desc.merge_type == "MERGE" and desc.delete_on and converted:
        hits = _query(
            engine, f"SELECT {ROW_ID} FROM {SOURCE} WHERE {desc.delete_on}", db, {SOURCE: typed}, "DELETE ON"
        )
        deleting = set(hits.column(ROW_ID).to_pylist())
    for row, i in zip(converted, converted_ids, strict=True):
        (outcome.deletes if i in deleting else outcome.upserts).append(row)
    outcome.normal = len(converted)
    if desc.order_by:
        outcome.upserts = _latest_by_sequence(outcome.upserts, info, desc.order_by)


def _typed_table(rows: list[dict[str, Any]], ids: list[int], columns: list[Column]) -> pa.Table:
    import pyarrow as pa

    arrays = {ROW_ID: pa.array(ids, pa.int64())}
    for column in columns:
        arrays[column.name] = pa.array([row.get(column.name) for row in rows], type=column.arrow_type)
    return pa.table(arrays)


def _latest_by_sequence(rows: list[dict[str, Any]], info: TableInfo, seq: str) -> list[dict[str, Any]]:
    """Of the rows sharing a key, keep the one with the greatest sequence value."""
    seq_name = next((c.name for c in info.columns if c.name.lower() == seq.lower()), seq)
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row.get(k) for k in info.key_columns)
        current = best.get(key)
        if current is None or _ge(row.get(seq_name), current.get(seq_name)):
            best[key] = row
    return list(best.values())


def _ge(a: Any, b: Any) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return bool(a >= b)


def rows_table(rows: list[dict[str, Any]], columns: list[Column]) -> pa.Table:
    """Converted rows as an Arrow table of the given columns (those present in the rows)."""
    import pyarrow as pa

    present = [c for c in columns if rows and c.name in rows[0]]
    return pa.table({c.name: pa.array([r.get(c.name) for r in rows], type=c.arrow_type) for c in present})
