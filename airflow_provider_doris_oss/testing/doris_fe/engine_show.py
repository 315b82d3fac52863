"""The engine's SHOW and DESCRIBE: databases, tables, SHOW CREATE TABLE, columns, SHOW LAST INSERT."""

from __future__ import annotations

import re

from airflow_provider_doris_oss.testing.doris_fe import info_schema
from airflow_provider_doris_oss.testing.doris_fe.engine_base import (
    BUILTIN_DATABASES,
    EngineBase,
    StoredTable,
    qualified_name,
)
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import STRING, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, Result, ResultSet, StatementContext

_LAST_INSERT_COLUMNS = [
    "TransactionId",
    "Label",
    "Database",
    "Table",
    "TransactionStatus",
    "LoadedRows",
    "FilteredRows",
]


def _like(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{out}$", re.DOTALL)


class ShowMixin(EngineBase):
    """Answers SHOW DATABASES/TABLES/CREATE TABLE/COLUMNS/LAST INSERT and DESCRIBE."""

    def _show(self, sql: str, head: list[str], ctx: StatementContext) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        like = None
        for i, token in enumerate(tokens):
            if token.is_kw("LIKE") and i + 1 < len(tokens) and tokens[i + 1].kind == STRING:
                like = _like(tokens[i + 1].value)
        what = head[1] if len(head) > 1 else ""
        if what in ("DATABASES", "SCHEMAS"):
            with self._lock:
                names = sorted(set(self._databases) | set(BUILTIN_DATABASES))
            return ResultSet(["Database"], [(n,) for n in names if like is None or like.match(n)])
        if what in ("TABLES", "FULL") and (what == "TABLES" or (len(head) > 2 and head[2] == "TABLES")):
            full = what == "FULL"
            db = ctx.database
            for i, token in enumerate(tokens):
                if token.is_kw("FROM", "IN") and i + 1 < len(tokens):
                    db = tokens[i + 1].value
            if db == "information_schema":
                database, names = db, list(info_schema.TABLES)
            else:
                database = self._require_db(db)
                with self._lock:
                    names = sorted(t for d, t in self._tables if d == database)
            rows = [((n, "BASE TABLE") if full else (n,)) for n in names if like is None or like.match(n)]
            columns = [f"Tables_in_{database}"] + (["Table_type"] if full else [])
            return ResultSet(columns, rows)
        if what == "CREATE" and len(head) > 2 and head[2] == "TABLE":
            db, name, _ = qualified_name(tokens, 3, ctx.database)
            entry = self._table(db, name)
            return ResultSet(["Table", "Create Table"], [(name, _show_create(entry))])
        if what == "LAST" and len(head) > 2 and head[2] == "INSERT":
            rows = [tuple(ctx.last_insert)] if ctx.last_insert else []
            return ResultSet(list(_LAST_INSERT_COLUMNS), rows)
        if what in ("COLUMNS", "FIELDS") or (what == "FULL" and len(head) > 2 and head[2] in ("COLUMNS",)):
            pos = next(i for i, t in enumerate(tokens) if t.is_kw("FROM", "IN")) + 1
            db, name, pos = qualified_name(tokens, pos, ctx.database)
            if pos < len(tokens) and tokens[pos].is_kw("FROM", "IN"):
                db = tokens[pos + 1].value
            return self._describe_rows(self._table(db, name))
        if what == "PARTITIONS" or (what == "TEMPORARY" and head[2:3] == ["PARTITIONS"]):
            from airflow_provider_doris_oss.testing.doris_fe import show_partitions

            shown = show_partitions.handle(sql, ctx, self._partition_rows)
            if shown is not None:
                return shown
        raise doris_error(f"The local Doris FE does not emulate SHOW {what}")

    def _describe(self, sql: str, ctx: StatementContext) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        db, name, _ = qualified_name(tokens, 1, ctx.database)
        database = self._require_db(db)
        with self._lock:
            entry = self._tables.get((database, name))
        if entry is None:
            raise DorisError(f"errCode = 2, detailMessage = Unknown table '{name}'", 1051, "42S02")
        return self._describe_rows(entry)

    def _describe_rows(self, entry: StoredTable) -> ResultSet:
        keys = set(entry.info.key_columns)
        rows = []
        for column in entry.definition.columns:
            default: str | None = None if column.default_is_null else column.default
            rows.append(
                (
                    column.name,
                    column.type.display,
                    "Yes" if column.nullable else "No",
                    "true" if column.name in keys else "false",
                    default,
                    column.aggregation or "",
                )
            )
        return ResultSet(["Field", "Type", "Null", "Key", "Default", "Extra"], rows)


def _show_create(entry: StoredTable) -> str:
    stmt, info = entry.definition, entry.info
    lines = []
    for column in stmt.columns:
        line = f"  `{column.name}` {column.type.display}"
        if column.aggregation:
            line += f" {column.aggregation}"
        line += " NULL" if column.nullable else " NOT NULL"
        if column.default is not None:
            line += f' DEFAULT "{column.default}"'
        if column.comment:
            line += f" COMMENT '{column.comment}'"
        lines.append(line)
    keys_word = {"DUP_KEYS": "DUPLICATE", "UNIQUE_KEYS": "UNIQUE", "AGG_KEYS": "AGGREGATE"}[info.keys_type]
    text = f"CREATE TABLE `{info.name}` (\n" + ",\n".join(lines) + "\n) ENGINE=OLAP\n"
    text += f"{keys_word} KEY(" + ", ".join(f"`{k}`" for k in info.key_columns) + ")\n"
    text += f"COMMENT '{stmt.comment or 'OLAP'}'\n"
    if stmt.partition_type:
        text += f"PARTITION BY {stmt.partition_type}(" + ", ".join(f"`{c}`" for c in stmt.partition_columns)
        text += ")\n(" + ",\n".join(f"PARTITION {p}" for p in stmt.partitions) + ")\n"
    if stmt.distribution == "HASH":
        text += "DISTRIBUTED BY HASH(" + ", ".join(f"`{c}`" for c in stmt.distribution_columns) + ")"
    else:
        text += "DISTRIBUTED BY RANDOM"
    text += f" BUCKETS {stmt.buckets}\n"
    props = {"replication_allocation": "tag.location.default: 3", **stmt.properties}
    text += "PROPERTIES (\n" + ",\n".join(f'"{k}" = "{v}"' for k, v in props.items()) + "\n);"
    return text
