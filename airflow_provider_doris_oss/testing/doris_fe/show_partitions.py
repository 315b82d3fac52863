"""``SHOW [TEMPORARY] PARTITIONS FROM [db.]t [WHERE ...] [ORDER BY ...] [LIMIT ...]`` with the
columns of Doris's ``PartitionsProcDir`` for an OLAP table.

An unpartitioned table has one partition named after the table, with empty ``PartitionKey`` and
``Range``. ``RowCount`` is the partition's rows now (Doris's lags until the BE reports);
``VisibleVersion``/``CommittedVersion`` are 1 and ``DataSize`` ``0.000 `` (not tracked); the local
FE has no temporary partitions. ``WHERE`` takes Doris's filter forms on a column
(``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``LIKE``), ``AND``-ed.
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import CreateTable, PartitionDef
from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    QIDENT,
    STRING,
    Token,
    syntax_error,
    tokenize,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, Result, ResultSet, StatementContext

COLUMNS = [
    "PartitionId", "PartitionName", "VisibleVersion", "VisibleVersionTime", "State", "PartitionKey",
    "Range", "DistributionKey", "Buckets", "ReplicationNum", "StorageMedium", "CooldownTime",
    "RemoteStoragePolicy", "LastConsistencyCheckTime", "DataSize", "IsInMemory", "ReplicaAllocation",
    "IsMutable", "SyncWithBaseTables", "UnsyncTables", "CommittedVersion", "RowCount",
]  # fmt: skip
NULL_STRING = "\\N"  # FeConstants.null_string
MAX_COOLDOWN = "9999-12-31 23:59:59"
# Doris's PrimitiveType names for the partition key types the emulation routes.
_KEY_TYPES = {
    "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INT", "bigint": "BIGINT", "largeint": "LARGEINT",
    "date": "DATEV2",
}  # fmt: skip
_MIN_VALUES = {
    "TINYINT": "-128", "SMALLINT": "-32768", "INT": "-2147483648", "BIGINT": "-9223372036854775808",
    "LARGEINT": "-170141183460469231731687303715884105728", "DATEV2": "0000-01-01",
    "DATETIMEV2": "0000-01-01 00:00:00",
}  # fmt: skip

# (db, table) -> the table's definition and its rows per partition name.
PartitionSource = Callable[[str, str], tuple[CreateTable, Mapping[str, int]]]


def _error(text: str, code: int = 1105, sqlstate: str = "HY000") -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}", code, sqlstate)


def _key_type(stmt: CreateTable) -> str:
    column = next((c for c in stmt.columns if c.name.lower() == stmt.partition_columns[0].lower()), None)
    display = column.type.display if column is not None else ""
    if display.startswith("datetime"):
        return "DATETIMEV2"
    if display.startswith(("varchar", "char")):
        return "VARCHAR"
    return _KEY_TYPES.get(display, display.upper())


def _keys(kind: str, value: str) -> str:
    return f"types: [{kind}]; keys: [{value}]; "


def range_text(stmt: CreateTable, definition: PartitionDef, previous_upper: str | None) -> str:
    """The ``Range`` cell: ``[types: [DATEV2]; keys: [2024-01-01]; ..types: [DATEV2]; keys: [...]; )``."""
    kind = _key_type(stmt)
    if definition.values is not None:
        items = ", ".join(f"({_keys(kind, 'NULL' if v is None else v)})" for v in definition.values)
        return f"[{items}]"
    lower = definition.lower if definition.lower is not None else previous_upper
    lower = lower if lower is not None else _MIN_VALUES.get(kind, "")
    upper = definition.upper if definition.upper not in (None, "MAXVALUE") else "MAXVALUE"
    return f"[{_keys(kind, lower)}..{_keys(kind, upper)})"


def rows(db: str, stmt: CreateTable, counts: Mapping[str, int]) -> list[tuple[Any, ...]]:
    """One row per partition, in Doris's column order."""
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    distribution = ", ".join(stmt.distribution_columns) if stmt.distribution == "HASH" else "RANDOM"
    buckets = stmt.buckets if stmt.buckets.isdigit() else "10"
    replicas = stmt.properties.get("replication_num", "3")
    allocation = stmt.properties.get("replication_allocation", f"tag.location.default: {replicas}")
    replicas = allocation.rsplit(":", 1)[-1].strip()
    if stmt.partition_type is None:
        parts: list[tuple[str, str, str]] = [(stmt.name, "", "")]
    else:
        key = ", ".join(stmt.partition_columns)
        by_name = {d.name: d for d in stmt.partition_defs}
        parts = []
        previous: str | None = None
        for name in stmt.partitions:
            definition = by_name.get(name)
            shown = "" if definition is None else range_text(stmt, definition, previous)
            previous = definition.upper if definition is not None else None
            parts.append((name, key, shown))
    out = []
    for name, key, shown in parts:
        out.append(
            (
                str(zlib.crc32(f"{db}.{stmt.name}.{name}".encode()) + 10000),
                name, "1", now, "NORMAL", key, shown, distribution, buckets, replicas, "HDD",
                MAX_COOLDOWN, "", NULL_STRING, "0.000 ", "false", allocation, "true", "true",
                NULL_STRING, "1", str(counts.get(name, 0)),
            )
        )  # fmt: skip
    return out


class _Tokens:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def expect(self, *words: str) -> None:
        if not self.tok.is_kw(*words):
            raise syntax_error(self.sql, self.tok, "{" + ", ".join(f"'{w}'" for w in words) + "}")
        self.pos += 1

    def name(self) -> str:
        if self.tok.kind not in (IDENT, QIDENT):
            raise syntax_error(self.sql, self.tok, "{IDENTIFIER, BACKQUOTED_IDENTIFIER}")
        return self.next().value


def _like(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.lower())
    return re.compile(f"^{out}$", re.DOTALL)


def _compare(cell: str, op: str, value: str) -> bool:
    if op == "LIKE":
        return bool(_like(value).match(cell.lower()))
    if op in ("=", "!=", "<>") and not value.lstrip("-").isdigit():
        return (cell == value) == (op == "=")
    try:
        left, right = int(cell), int(value)
    except ValueError:
        raise _error("Not Supported. Use `select * from partitions(...)` instead") from None
    return {"=": left == right, "!=": left != right, "<>": left != right, "<": left < right,
            "<=": left <= right, ">": left > right, ">=": left >= right}[op]  # fmt: skip


def handle(sql: str, ctx: StatementContext, source: PartitionSource) -> Result | None:
    """Run ``sql`` if it is SHOW [TEMPORARY] PARTITIONS; None if it is not."""
    t = _Tokens(sql)
    if not t.tok.is_kw("SHOW"):
        return None
    t.next()
    temporary = t.tok.is_kw("TEMPORARY")
    if temporary:
        t.next()
    if not t.tok.is_kw("PARTITIONS"):
        return None
    t.next()
    t.expect("FROM", "IN")
    first = t.name()
    db_name, table = (first, t.name()) if t.tok.is_op(".") and t.next() else (None, first)
    db = db_name or ctx.database
    if db is None:
        raise _error("No database selected", 1046, "3D000")
    filters: list[tuple[int, str, str]] = []
    if t.tok.is_kw("WHERE"):
        t.next()
        while True:
            column = t.name()
            index = next((i for i, c in enumerate(COLUMNS) if c.lower() == column.lower()), None)
            if index is None:
                raise _error(f"Unknown column '{column}' in 'table list'", 1054, "42S22")
            op_token = t.next()
            op = op_token.value.upper() if op_token.is_kw("LIKE") else op_token.value
            if op not in ("=", "!=", "<>", "<", "<=", ">", ">=", "LIKE"):
                raise syntax_error(sql, op_token)
            literal = t.next()
            if literal.kind not in (STRING, NUMBER):
                raise _error("Not Supported. Use `select * from partitions(...)` instead")
            filters.append((index, op, literal.value))
            if not t.tok.is_kw("AND"):
                break
            t.next()
    order: list[tuple[int, bool]] = []
    if t.tok.is_kw("ORDER"):
        t.next()
        t.expect("BY")
        while True:
            column = t.name()
            index = next((i for i, c in enumerate(COLUMNS) if c.lower() == column.lower()), None)
            if index is None:
                raise _error(f"Title name[{column}] does not exist")
            desc = t.tok.is_kw("DESC")
            if t.tok.is_kw("ASC", "DESC"):
                t.next()
            order.append((index, desc))
            if not t.tok.is_op(","):
                break
            t.next()
    offset, limit = 0, None
    if t.tok.is_kw("LIMIT"):
        t.next()
        limit = int(t.next().value)
        if t.tok.is_op(","):
            t.next()
            offset, limit = limit, int(t.next().value)
        elif t.tok.is_kw("OFFSET"):
            t.next()
            offset = int(t.next().value)
    if t.tok.kind != EOF:
        raise syntax_error(sql, t.tok, "<EOF>")
    stmt, counts = source(db, table)
    found = [] if temporary else rows(db, stmt, counts)
    found = [r for r in found if all(_compare(str(r[i]), op, v) for i, op, v in filters)]
    for index, desc in reversed(order):
        found.sort(key=lambda r, i=index: _sort_key(r[i]), reverse=desc)  # type: ignore[misc]
    found = found[offset:]
    if limit is not None:
        found = found[:limit]
    return ResultSet(list(COLUMNS), found)


def _sort_key(cell: Any) -> tuple[int, Any]:
    text = str(cell)
    return (0, int(text)) if text.lstrip("-").isdigit() else (1, text)
