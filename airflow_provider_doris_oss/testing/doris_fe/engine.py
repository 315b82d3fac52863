"""``DuckDbEngine``: Doris databases, OLAP tables and plain SQL over an in-memory DuckDB.

Databases are DuckDB schemas; each table keeps its Doris definition (key model, partitions,
distribution, properties) beside its rows. UNIQUE KEY tables upsert, AGGREGATE KEY tables
aggregate on every write, DUPLICATE KEY tables append. Queries are translated with sqlglot.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe import info_schema, sqlmap
from airflow_provider_doris_oss.testing.doris_fe.convert import check_filter_ratio, filter_ratio
from airflow_provider_doris_oss.testing.doris_fe.ddl import (
    ColumnDef,
    CreateTable,
    doris_error,
    parse_create_table,
    parse_insert_head,
    words,
)
from airflow_provider_doris_oss.testing.doris_fe.doris_types import cast_sql
from airflow_provider_doris_oss.testing.doris_fe.errors import duck_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, QIDENT, STRING, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import (
    Column,
    DorisError,
    OkResult,
    Result,
    ResultSet,
    StatementContext,
    TableInfo,
)
from airflow_provider_doris_oss.testing.doris_fe.partitions import route_sql, unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.results import display_rows

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

BUILTIN_DATABASES = ("__internal_schema", "information_schema", "mysql")
_INFO_SCHEMA = "sys:information_schema"
# First words of Doris statements the emulator does not run (anything else is a syntax error).
_DORIS_STATEMENTS = frozenset(
    [
        "ALTER",
        "GRANT",
        "REVOKE",
        "KILL",
        "ANALYZE",
        "EXPLAIN",
        "REFRESH",
        "RECOVER",
        "BACKUP",
        "RESTORE",
        "CLEAN",
        "ADMIN",
        "SYNC",
        "STOP",
        "RESUME",
        "PAUSE",
        "INSTALL",
        "UNINSTALL",
        "LOCK",
        "UNLOCK",
        "HELP",
        "CALL",
        "CREATE",
        "DROP",
        "SHOW",
        "CANCEL",
        "EXPORT",
        "LOAD",
        "REPLACE",
        "MERGE",
        "BEGIN",
    ]
)
_LAST_INSERT_COLUMNS = [
    "TransactionId",
    "Label",
    "Database",
    "Table",
    "TransactionStatus",
    "LoadedRows",
    "FilteredRows",
]


@dataclass
class _Table:
    info: TableInfo
    definition: CreateTable


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _schema(db: str) -> str:
    return f"db:{db}"


def _like(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{out}$", re.DOTALL)


def new_label(prefix: str) -> str:
    """A generated label as Doris forms it: ``<prefix>_<16 hex>_<16 hex>`` (from a query id)."""
    return f"{prefix}_{secrets.token_hex(8)}_{secrets.token_hex(8)}"


def info_string(label: str, txn_id: int, status: str = "VISIBLE") -> str:
    """The OK packet's info after an INSERT: ``{'label':'x', 'status':'VISIBLE', 'txnId':'4005'}``."""
    return f"{{'label':'{label}', 'status':'{status}', 'txnId':'{txn_id}'}}"


class DuckDbEngine:
    """The ``Engine`` of model.py: an in-memory DuckDB behind one lock."""

    def __init__(self) -> None:
        import duckdb

        self._con: duckdb.DuckDBPyConnection = duckdb.connect(":memory:")
        self._lock = threading.RLock()
        self._databases: set[str] = set()
        self._tables: dict[tuple[str, str], _Table] = {}
        self._temp = 0
        self._con.execute(f"CREATE SCHEMA {_q(_INFO_SCHEMA)}")

    # ------------------------------------------------------------ Engine API

    def database_exists(self, db: str) -> bool:
        with self._lock:
            return db in self._databases or db in BUILTIN_DATABASES

    def table_info(self, db: str, table: str) -> TableInfo:
        return self._table(db, table).info

    def insert_arrow(
        self,
        db: str,
        table: str,
        data: pa.Table,
        *,
        partitions: Sequence[str] = (),
        overwrite: bool = False,
        strict: bool = True,
        auto_create: bool = False,
    ) -> int:
        with self._lock:
            self._table(db, table)
            name = self._temp_name("arrow")
            self._con.register(name, data)
            try:
                columns = list(data.column_names)
                source = "SELECT " + ", ".join(_q(c) for c in columns) + f" FROM {_q(name)}"
                return self._insert(
                    db,
                    table,
                    source,
                    columns,
                    overwrite=overwrite,
                    strict=strict,
                    partitions=partitions,
                    auto_create=auto_create,
                )[0]
            finally:
                self._con.unregister(name)

    def routable_rows(
        self, db: str, table: str, data: pa.Table, partitions: Sequence[str] = ()
    ) -> list[bool]:
        """Whether each row of ``data`` has a partition it may go to (all True if unpartitioned)."""
        with self._lock:
            entry = self._table(db, table)
            route = route_sql(entry.definition)
            if route is None or data.num_rows == 0:
                return [True] * data.num_rows
            name = self._temp_name("route")
            self._con.register(name, data)
            try:
                present = {c.lower() for c in data.column_names}
                missing = [c for c in entry.definition.columns if c.name.lower() not in present]
                extra = "".join(f", CAST(NULL AS {c.type.duckdb}) AS {_q(c.name)}" for c in missing)
                allowed = self._allowed(entry, partitions, overwrite=False, auto_create=False)
                found = self._run(
                    f"SELECT coalesce({allowed}, false) FROM "
                    f"(SELECT ({route}) AS __part FROM (SELECT *{extra} FROM {_q(name)}))"
                )
                return [bool(r[0]) for r in found]
            finally:
                self._con.unregister(name)

    def query_arrow(
        self, sql: str, db: str | None, bindings: Mapping[str, pa.Table] | None = None
    ) -> pa.Table:
        bindings = dict(bindings or {})
        tree = sqlmap.parse(sql)
        translated = sqlmap.to_duckdb(tree, self._resolver(db), keep=bindings)
        with self._lock:
            for name, data in bindings.items():
                self._con.register(name, data)
            try:
                return self._con.sql(translated).to_arrow_table()
            except Exception as exc:
                raise self._duck_error(exc) from None
            finally:
                for name in bindings:
                    self._con.unregister(name)

    def execute(self, sql: str, ctx: StatementContext) -> Result:
        head = words(sql, 4)
        if not head:
            if sql.lstrip().startswith("("):
                return self._select(sql, ctx)
            raise doris_error(f"The local Doris FE does not emulate the statement: {sql[:60]}")
        first = head[0]
        second = head[1] if len(head) > 1 else ""
        if first in ("SELECT", "WITH"):
            return self._select(sql, ctx)
        if first == "CREATE" and second in ("DATABASE", "SCHEMA"):
            return self._create_database(sql)
        if first == "CREATE" and second == "TABLE":
            return self._create_table(sql, ctx)
        if first == "DROP" and second in ("DATABASE", "SCHEMA"):
            return self._drop_database(sql)
        if first == "DROP" and second == "TABLE":
            return self._drop_table(sql, ctx)
        if first == "USE":
            return self._use(sql, ctx)
        if first == "INSERT":
            return self._insert_statement(sql, ctx)
        if first in ("DESC", "DESCRIBE"):
            return self._describe(sql, ctx)
        if first == "SHOW":
            return self._show(sql, head, ctx)
        if first == "TRUNCATE":
            return self._truncate(sql, ctx)
        if first == "DELETE":
            return self._delete(sql, ctx)
        if first == "UPDATE":
            return self._update(sql, ctx)
        if first in _DORIS_STATEMENTS:
            raise doris_error(f"The local Doris FE does not emulate {' '.join(head[:2])} statements")
        from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error

        raise syntax_error(sql, tokenize(sql)[0])

    # --------------------------------------------------------------- helpers

    def _temp_name(self, kind: str) -> str:
        self._temp += 1
        return f"__doris_fe_{kind}_{self._temp}"

    def _require_db(self, db: str | None) -> str:
        if db is None:
            raise DorisError("errCode = 2, detailMessage = No database selected", 1046, "3D000")
        if db not in self._databases:
            if db in BUILTIN_DATABASES:
                raise doris_error(f"The local Doris FE does not emulate the tables of {db}")
            raise DorisError(f"errCode = 2, detailMessage = Unknown database '{db}'", 1049, "42000")
        return db

    def _table(self, db: str | None, table: str) -> _Table:
        with self._lock:
            database = self._require_db(db)
            entry = self._tables.get((database, table))
            if entry is None:
                raise doris_error(f"Table [{table}] does not exist in database [{database}].")
            return entry

    def _resolver(self, default_db: str | None) -> sqlmap.Resolver:
        def resolve(db: str | None, table: str) -> tuple[str, str]:
            database = db or default_db
            if database == "information_schema" and table.lower() in info_schema.TABLES:
                self._refresh_info_schema()
                return _INFO_SCHEMA, table.lower()
            entry = self._table(database, table)
            return _schema(entry.info.database), entry.info.name

        return resolve

    def _refresh_info_schema(self) -> None:
        """Rebuild the emulated information_schema tables from the current definitions."""
        with self._lock:
            tables = [
                (
                    entry.info,
                    {
                        "comment": entry.definition.comment,
                        "columns": {
                            c.name: {
                                "default": None if c.default_is_null else c.default,
                                "comment": c.comment,
                                "aggregation": c.aggregation,
                            }
                            for c in entry.definition.columns
                        },
                    },
                )
                for _, entry in sorted(self._tables.items())
            ]
            built = info_schema.build(set(self._databases) | set(BUILTIN_DATABASES), tables, self._row_count)
            for name, data in built.items():
                temp = self._temp_name("info")
                self._con.register(temp, data)
                try:
                    self._run(
                        f"CREATE OR REPLACE TABLE {_q(_INFO_SCHEMA)}.{_q(name)} AS SELECT * FROM {_q(temp)}"
                    )
                finally:
                    self._con.unregister(temp)

    def _row_count(self, info: TableInfo) -> int:
        return int(self._run(f"SELECT count(*) FROM {_q(_schema(info.database))}.{_q(info.name)}")[0][0])

    def _duck_error(self, exc: Exception) -> DorisError:
        """A DuckDB failure in Doris's words where Doris has them (``errors.duck_error``), else
        DuckDB's text, which ``errors.shape`` answers as Doris's unexpected exception."""
        mapped = duck_error(exc)
        text = str(exc).splitlines()[0] if str(exc) else repr(exc)
        return mapped if mapped is not None else doris_error(text)

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._con.execute(sql, params or []).fetchall()
            except Exception as exc:
                raise self._duck_error(exc) from None

    # ----------------------------------------------------------------- DDL

    def _create_database(self, sql: str) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        pos = 2
        if_not_exists = tokens[pos].is_kw("IF")
        if if_not_exists:
            pos += 3
        catalog, name, pos = _qualified(tokens, pos, None)
        if catalog not in (None, "internal"):
            raise doris_error(f"The local Doris FE does not emulate external catalogs ({catalog})")
        if tokens[pos].kind != EOF and not tokens[pos].is_kw("PROPERTIES"):
            from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error

            raise syntax_error(sql, tokens[pos], "{<EOF>, ';', 'PROPERTIES'}")
        with self._lock:
            if self.database_exists(name):
                if if_not_exists:
                    return OkResult()
                raise DorisError(
                    f"errCode = 2, detailMessage = Can't create database '{name}'; database exists", 1007
                )
            self._run(f"CREATE SCHEMA {_q(_schema(name))}")
            self._databases.add(name)
        return OkResult()

    def _drop_database(self, sql: str) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        if_exists = tokens[2].is_kw("IF")
        _, name, _ = _qualified(tokens, 4 if if_exists else 2, None)
        with self._lock:
            if name in BUILTIN_DATABASES:
                raise doris_error(f"Can not drop database {name}")
            if name not in self._databases:
                if if_exists:
                    return OkResult()
                raise DorisError(
                    f"errCode = 2, detailMessage = Can't drop database '{name}'; database doesn't exist", 1008
                )
            self._run(f"DROP SCHEMA {_q(_schema(name))} CASCADE")
            self._databases.discard(name)
            for key in [k for k in self._tables if k[0] == name]:
                del self._tables[key]
        return OkResult()

    def _use(self, sql: str, ctx: StatementContext) -> Result:
        names = [t.value for t in tokenize(sql)[1:] if t.kind in (IDENT, QIDENT)]
        if not names:
            raise doris_error("USE needs a database name")
        if len(names) == 2:
            if names[0] != "internal":
                raise doris_error(f"The local Doris FE does not query external catalogs ({names[0]})")
            names = names[1:]
        db = names[0]
        if not self.database_exists(db):
            raise DorisError(f"errCode = 2, detailMessage = Unknown database '{db}'", 1049, "42000")
        ctx.database = db
        return OkResult()

    def _create_table(self, sql: str, ctx: StatementContext) -> Result:
        stmt = parse_create_table(sql)
        db = self._require_db(stmt.database or ctx.database)
        if stmt.as_select is not None:
            return self._create_table_as(stmt, db, ctx)
        self._validate(stmt)
        with self._lock:
            if (db, stmt.name) in self._tables:
                if stmt.if_not_exists:
                    return OkResult()
                raise DorisError(f"errCode = 2, detailMessage = Table '{stmt.name}' already exists", 1050)
            self._materialize(db, stmt)
        return OkResult()

    def _materialize(self, db: str, stmt: CreateTable) -> None:
        columns_sql = ", ".join(
            f"{_q(c.name)} {c.type.duckdb}" + ("" if c.nullable else " NOT NULL") for c in stmt.columns
        )
        physical = f"{_q(_schema(db))}.{_q(stmt.name)}"
        self._run(f"CREATE TABLE {physical} ({columns_sql})")
        with self._lock:
            schema = self._con.sql(f"SELECT * FROM {physical} LIMIT 0").to_arrow_table().schema
        columns = tuple(
            Column(c.name, c.type.display, schema.field(i).type, c.nullable)
            for i, c in enumerate(stmt.columns)
        )
        info = TableInfo(
            database=db,
            name=stmt.name,
            columns=columns,
            keys_type=stmt.keys_type,
            key_columns=tuple(stmt.key_columns),
            partitions=tuple(stmt.partitions),
            properties=dict(stmt.properties),
        )
        self._tables[(db, stmt.name)] = _Table(info, stmt)

    def _validate(self, stmt: CreateTable) -> None:
        names = [c.name.lower() for c in stmt.columns]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise doris_error(f"Duplicate column name '{stmt.columns[i].name}'")
        if not stmt.explicit_keys:
            stmt.key_columns = _default_keys(stmt.columns)
        for i, key in enumerate(stmt.key_columns):
            if key.lower() not in names:
                raise doris_error(f"Key column[{key}] doesn't exist.")
            if names[i] != key.lower():
                raise doris_error(
                    "Key columns should be a ordered prefix of the schema. "
                    f"KeyColumns[{i}] (starts from zero) is {key}, but corresponding column is "
                    f"{stmt.columns[i].name} in the previous columns declaration."
                )
        keys = {k.lower() for k in stmt.key_columns}
        for column in stmt.columns:
            is_key = column.name.lower() in keys
            if is_key and column.aggregation:
                raise doris_error(f"Key column {column.name} can not set aggregation type")
            if not is_key and stmt.keys_type == "AGG_KEYS" and not column.aggregation:
                raise doris_error(
                    f"The column[{column.name}] of AGGREGATE KEY table must set an aggregation type "
                    "(SUM, MAX, MIN, REPLACE, REPLACE_IF_NOT_NULL)"
                )
            if column.aggregation and stmt.keys_type != "AGG_KEYS":
                raise doris_error(
                    f"The column[{column.name}] can not set aggregation type {column.aggregation} "
                    f"in a {stmt.keys_type} table"
                )
            if is_key and column.type.display in ("float", "double", "text", "json"):
                raise doris_error(
                    f"{column.type.display} type should not be used in key column[{column.name}]."
                )
        for column_name in stmt.distribution_columns:
            if column_name.lower() not in names:
                raise doris_error(f"Distribution column[{column_name}] is not found")
            if stmt.keys_type != "DUP_KEYS" and column_name.lower() not in keys:
                raise doris_error(f"Distribution column[{column_name}] is not key column")
        for column_name in stmt.partition_columns:
            if column_name.lower() not in names:
                raise doris_error(f"partition column[{column_name}] is not found")

    def _create_table_as(self, stmt: CreateTable, db: str, ctx: StatementContext) -> Result:
        tree = sqlmap.parse(stmt.as_select or "")
        translated = sqlmap.to_duckdb(tree, self._resolver(db))
        with self._lock:
            if (db, stmt.name) in self._tables:
                if stmt.if_not_exists:
                    return OkResult()
                raise DorisError(f"errCode = 2, detailMessage = Table '{stmt.name}' already exists", 1050)
            relation = self._con.sql(translated)
            if not stmt.columns:
                from airflow_provider_doris_oss.testing.doris_fe.doris_types import from_duckdb

                kinds = [str(kind) for kind in relation.types]
                stmt.columns = [
                    ColumnDef(name, from_duckdb(kind))
                    for name, kind in zip(relation.columns, kinds, strict=True)
                ]
            self._validate(stmt)
            self._materialize(db, stmt)
            try:
                count, _ = self._insert(
                    db, stmt.name, translated, [c.name for c in stmt.columns], overwrite=False
                )
            except DorisError:
                self._drop(db, stmt.name)
                raise
        return OkResult(affected_rows=count)

    def _drop(self, db: str, table: str) -> None:
        self._run(f"DROP TABLE {_q(_schema(db))}.{_q(table)}")
        del self._tables[(db, table)]

    def _drop_table(self, sql: str, ctx: StatementContext) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        pos = 2
        if_exists = tokens[pos].is_kw("IF")
        if if_exists:
            pos += 2
        db, name, pos = _qualified(tokens, pos, ctx.database)
        with self._lock:
            database = self._require_db(db)
            if (database, name) not in self._tables:
                if if_exists:
                    return OkResult()
                raise DorisError(f"errCode = 2, detailMessage = Unknown table '{name}'", 1051, "42S02")
            self._drop(database, name)
        return OkResult()

    def _truncate(self, sql: str, ctx: StatementContext) -> Result:
        tokens = tokenize(sql)
        pos = 2 if tokens[1].is_kw("TABLE") else 1
        db, name, _ = _qualified(tokens, pos, ctx.database)
        entry = self._table(db, name)
        self._run(f"DELETE FROM {_q(_schema(entry.info.database))}.{_q(name)}")
        return OkResult()

    # ----------------------------------------------------------------- SHOW

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
            db, name, _ = _qualified(tokens, 3, ctx.database)
            entry = self._table(db, name)
            return ResultSet(["Table", "Create Table"], [(name, _show_create(entry))])
        if what == "LAST" and len(head) > 2 and head[2] == "INSERT":
            rows = [tuple(ctx.last_insert)] if ctx.last_insert else []
            return ResultSet(list(_LAST_INSERT_COLUMNS), rows)
        if what in ("COLUMNS", "FIELDS") or (what == "FULL" and len(head) > 2 and head[2] in ("COLUMNS",)):
            pos = next(i for i, t in enumerate(tokens) if t.is_kw("FROM", "IN")) + 1
            db, name, pos = _qualified(tokens, pos, ctx.database)
            if pos < len(tokens) and tokens[pos].is_kw("FROM", "IN"):
                db = tokens[pos + 1].value
            return self._describe_rows(self._table(db, name))
        raise doris_error(f"The local Doris FE does not emulate SHOW {what}")

    def _describe(self, sql: str, ctx: StatementContext) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        db, name, _ = _qualified(tokens, 1, ctx.database)
        database = self._require_db(db)
        with self._lock:
            entry = self._tables.get((database, name))
        if entry is None:
            raise DorisError(f"errCode = 2, detailMessage = Unknown table '{name}'", 1051, "42S02")
        return self._describe_rows(entry)

    def _describe_rows(self, entry: _Table) -> ResultSet:
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

    # ---------------------------------------------------------------- SELECT

    def _select(self, sql: str, ctx: StatementContext) -> Result:
        tree = sqlmap.parse(sql)
        translated = sqlmap.to_duckdb(tree, self._resolver(ctx.database))
        with self._lock:
            try:
                cursor = self._con.execute(translated)
                rows = cursor.fetchall()
                names = [d[0] for d in cursor.description or []]
                kinds = [str(d[1]) for d in cursor.description or []]
            except Exception as exc:
                raise self._duck_error(exc) from None
        return ResultSet(names, display_rows(rows, kinds))

    # ---------------------------------------------------------------- INSERT

    def _insert_statement(self, sql: str, ctx: StatementContext) -> Result:
        head = parse_insert_head(sql)
        db = self._require_db(head.database or ctx.database)
        entry = self._table(db, head.table)
        unknown = unknown_partition(head.partitions, entry.info.partitions)
        if unknown is not None:
            raise doris_error(f"Unknown partition '{unknown}' in table '{head.table}'")
        columns = head.columns or [c.name for c in entry.definition.columns]
        source = self._source_sql(head.source, columns, ctx)
        label = head.label or new_label("insert")
        from airflow_provider_doris_oss.testing.doris_fe.runner import insert_transaction

        ctx.fe.reserve_label(db, label, "INSERT")
        try:
            with insert_transaction(ctx.fe, db, entry.info.name):
                loaded, filtered = self._insert(
                    db,
                    head.table,
                    source,
                    columns,
                    overwrite=head.overwrite,
                    strict=ctx.flag("enable_insert_strict", True),
                    partitions=head.partitions,
                    auto_create=ctx.flag("enable_auto_create_when_overwrite", False),
                    max_filter_ratio=filter_ratio(ctx.variables),
                )
        except DorisError:
            ctx.fe.release_label(db, label)
            raise
        txn_id = ctx.fe.next_id()
        from airflow_provider_doris_oss.testing.doris_fe.jobs import record_insert

        # Doris lists every finished INSERT, VALUES or SELECT alike, in SHOW LOAD as Type INSERT.
        record_insert(ctx.fe, db, label, txn_id, loaded, ctx.user)
        ctx.last_insert = (txn_id, label, db, head.table, "VISIBLE", loaded, filtered)
        return OkResult(affected_rows=loaded, info=info_string(label, txn_id), warnings=filtered)

    def _source_sql(self, source: str, columns: list[str], ctx: StatementContext) -> str:
        from sqlglot import exp

        if words(source, 1) == ["VALUES"]:
            tree = sqlmap.parse(f"SELECT * FROM ({source.rstrip().rstrip(';')}) AS __v")
            values = tree.find(exp.Values)
            assert values is not None
            for row in values.expressions:
                if len(row.expressions) != len(columns):
                    raise doris_error("Column count doesn't match value count")
            for i in range(len(columns)):
                cells = [row.expressions[i] for row in values.expressions]
                kinds = {_literal_kind(cell) for cell in cells} - {"null"}
                if len(kinds) > 1:  # mixed literals: convert each cell on its own, as Doris does per value
                    for cell in cells:
                        cell.replace(exp.cast(cell.copy(), "VARCHAR"))
            return sqlmap.to_duckdb(tree, self._resolver(ctx.database), name_columns=False)
        return sqlmap.to_duckdb(sqlmap.parse(source), self._resolver(ctx.database), name_columns=False)

    def _insert(
        self,
        db: str,
        table: str,
        source: str,
        columns: list[str],
        *,
        overwrite: bool,
        strict: bool = True,
        partitions: Sequence[str] = (),
        auto_create: bool = False,
        max_filter_ratio: float = 1.0,
    ) -> tuple[int, int]:
        """Write ``source``'s rows (positionally ``columns``) into the table by its key model.

        Strict (``enable_insert_strict``, Doris's default): a value that does not convert, a string
        longer than its column or a NULL for a NOT NULL column fails the whole INSERT. Non-strict:
        such a value becomes NULL, and a row that still breaks its column is filtered out.
        A row with no partition among those it may go to is filtered the same way (see ``_route``).
        ``overwrite`` replaces the named partitions, those the rows fall in (``*``), or the table.
        Non-strict, more than ``max_filter_ratio`` of the rows filtered fails it (nothing written).
        Returns (loaded rows, filtered rows).
        """
        with self._lock:
            entry = self._table(db, table)
            by_name = {c.name.lower(): c for c in entry.definition.columns}
            for name in columns:
                if name.lower() not in by_name:
                    raise doris_error(f"Unknown column '{name}' in table '{table}'")
            src = self._temp_name("src")
            typed = self._temp_name("typed")
            try:
                self._run(f"CREATE TEMP TABLE {_q(src)} AS {source}")
                src_names = [d[0] for d in self._con.execute(f"SELECT * FROM {_q(src)} LIMIT 0").description]
                if len(src_names) != len(columns):
                    raise doris_error(
                        f"insert into cols should be corresponding to the query output, "
                        f"target columns: {len(columns)}, query output columns: {len(src_names)}"
                    )
                selects, invalid, filters = self._typed_columns(entry, columns, src_names)
                if strict:
                    for condition, reason in invalid + filters:
                        bad = self._run(f"SELECT count(*) FROM {_q(src)} WHERE {condition}")[0][0]
                        if bad:
                            raise doris_error(
                                f"Insert has filtered data in strict mode. first_error_msg: {reason}"
                            )
                keep = " AND ".join(f"NOT coalesce({condition}, false)" for condition, _ in filters) or "true"
                self._run(
                    f"CREATE TEMP TABLE {_q(typed)} AS SELECT {', '.join(selects)}, "
                    f"row_number() OVER () AS __seq FROM {_q(src)} WHERE {keep}"
                )
                total = int(self._run(f"SELECT count(*) FROM {_q(src)}")[0][0])
                replace: str | None = "true" if overwrite else None
                created: list[str] = []
                route = route_sql(entry.definition)
                if route is not None:
                    replace, created = self._route(
                        entry,
                        typed,
                        route,
                        partitions,
                        overwrite=overwrite,
                        strict=strict,
                        auto_create=auto_create,
                    )
                loaded = int(self._run(f"SELECT count(*) FROM {_q(typed)}")[0][0])
                check_filter_ratio(strict, total - loaded, total, max_filter_ratio)
                self._merge(entry, typed, replace)
                if created:
                    entry.definition.partitions.extend(created)
                    entry.info = replace_fields(entry.info, partitions=(*entry.info.partitions, *created))
                return loaded, total - loaded
            finally:
                self._run(f"DROP TABLE IF EXISTS {_q(src)}")
                self._run(f"DROP TABLE IF EXISTS {_q(typed)}")

    def _route(
        self,
        entry: _Table,
        typed: str,
        route: str,
        partitions: Sequence[str],
        *,
        overwrite: bool,
        strict: bool,
        auto_create: bool,
    ) -> tuple[str | None, list[str]]:
        """Give each new row its partition; filter those it may not go to; say what to replace.

        As Doris: with named partitions a row may go only to them; otherwise to any existing
        partition, or to a new one on an AUTO PARTITION table (for an overwrite only with
        ``enable_auto_create_when_overwrite``). Returns the condition on the table's rows to
        replace (None: none) and the partitions to create.
        """
        existing = list(entry.info.partitions)
        named = [p for p in partitions if p != "*"]
        self._run(f"ALTER TABLE {_q(typed)} ADD COLUMN __part VARCHAR")
        self._run(f"UPDATE {_q(typed)} SET __part = ({route})")
        allowed = self._allowed(entry, partitions, overwrite=overwrite, auto_create=auto_create)
        outside = f"NOT coalesce({allowed}, false)"
        if self._run(f"SELECT count(*) FROM {_q(typed)} WHERE {outside}")[0][0]:
            if strict:
                raise doris_error(
                    "Insert has filtered data in strict mode. first_error_msg: no partition for this tuple"
                )
            self._run(f"DELETE FROM {_q(typed)} WHERE {outside}")
        landed = [str(r[0]) for r in self._run(f"SELECT DISTINCT __part FROM {_q(typed)} ORDER BY 1")]
        created = [p for p in landed if p not in existing]
        if not overwrite:
            return None, created
        if named:
            replaced = named
        elif partitions:  # PARTITION (*): the partitions the new rows fall in
            replaced = [p for p in landed if p in existing]
        else:
            return "true", created
        if not replaced:
            return None, created
        return f"({route}) IN ({', '.join(_text(p) for p in replaced)})", created

    @staticmethod
    def _allowed(entry: _Table, partitions: Sequence[str], *, overwrite: bool, auto_create: bool) -> str:
        """SQL over ``__part``: whether a row may go to its partition (see ``_route``)."""
        named = [p for p in partitions if p != "*"]
        if entry.definition.auto_partition and (not overwrite or auto_create) and not named:
            return "__part IS NOT NULL"
        targets = named or list(entry.info.partitions)
        return f"__part IN ({', '.join(_text(p) for p in targets)})" if targets else "false"

    @staticmethod
    def _typed_columns(
        entry: _Table, columns: list[str], src_names: list[str]
    ) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
        """SELECT items casting the source to the table, the invalid-value checks, the row filters."""
        positions = {name.lower(): i for i, name in enumerate(columns)}
        selects: list[str] = []
        invalid: list[tuple[str, str]] = []
        filters: list[tuple[str, str]] = []
        for column in entry.definition.columns:
            i = positions.get(column.name.lower())
            if i is None:
                expr = _default_sql(column)
            else:
                raw = _q(src_names[i])
                expr = cast_sql(raw, column.type)
                invalid.append(
                    (f"{raw} IS NOT NULL AND {expr} IS NULL", f"column_name[{column.name}], invalid value")
                )
                if column.type.length is not None:
                    filters.append(
                        (
                            f"length(CAST({raw} AS VARCHAR)) > {column.type.length}",
                            f"column_name[{column.name}], the length of input is too long than schema. "
                            f"schema length: {column.type.length}",
                        )
                    )
            if not column.nullable:
                filters.append(
                    (f"({expr}) IS NULL", f"column_name[{column.name}], null value for not null column")
                )
            selects.append(f"{expr} AS {_q(column.name)}")
        return selects, invalid, filters

    def _merge(self, entry: _Table, typed: str, replace: str | None) -> None:
        """Write ``typed`` into the table in one transaction, first deleting the rows ``replace`` selects."""
        info = entry.info
        target = f"{_q(_schema(info.database))}.{_q(info.name)}"
        cols = [c.name for c in entry.definition.columns]
        col_list = ", ".join(_q(c) for c in cols)
        keys = ", ".join(_q(k) for k in info.key_columns)
        self._run("BEGIN TRANSACTION")
        try:
            if replace is not None:
                self._run(f"DELETE FROM {target} WHERE {replace}")
            if info.keys_type == "DUP_KEYS":
                self._run(f"INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {_q(typed)}")
            elif info.keys_type == "UNIQUE_KEYS":
                match = " AND ".join(f"s.{_q(k)} IS NOT DISTINCT FROM t.{_q(k)}" for k in info.key_columns)
                self._run(
                    f"DELETE FROM {target} AS t WHERE EXISTS (SELECT 1 FROM {_q(typed)} AS s WHERE {match})"
                )
                self._run(
                    f"INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {_q(typed)} "
                    f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY __seq DESC) = 1"
                )
            else:
                aggregated = []
                for column in entry.definition.columns:
                    name = _q(column.name)
                    agg = column.aggregation
                    if agg is None:
                        aggregated.append(name)
                    elif agg in ("SUM", "MAX", "MIN"):
                        aggregated.append(f"{agg.lower()}({name}) AS {name}")
                    elif agg == "REPLACE":
                        aggregated.append(f"arg_max({name}, __seq) AS {name}")
                    else:
                        aggregated.append(
                            f"arg_max({name}, __seq) FILTER (WHERE {name} IS NOT NULL) AS {name}"
                        )
                merged = self._temp_name("merged")
                self._run(
                    f"CREATE TEMP TABLE {_q(merged)} AS SELECT {', '.join(aggregated)} FROM "
                    f"(SELECT {col_list}, 0 AS __seq FROM {target} "
                    f"UNION ALL SELECT {col_list}, __seq FROM {_q(typed)}) GROUP BY {keys}"
                )
                self._run(f"DELETE FROM {target}")
                self._run(f"INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {_q(merged)}")
                self._run(f"DROP TABLE {_q(merged)}")
            self._run("COMMIT")
        except Exception:
            self._run("ROLLBACK")
            raise

    # ------------------------------------------------------- DELETE / UPDATE

    def _delete(self, sql: str, ctx: StatementContext) -> Result:
        from sqlglot import exp

        tree = sqlmap.parse(sql)
        table = tree.find(exp.Table)
        if not isinstance(tree, exp.Delete) or table is None:
            raise doris_error("DELETE needs FROM <table> WHERE <condition>")
        if tree.args.get("where") is None:
            raise doris_error("Where clause only supports compound predicate, binary predicate, ...")
        db = table.text("db") or ctx.database
        entry = self._table(db, table.name)
        translated = sqlmap.to_duckdb(tree, self._resolver(ctx.database), name_columns=False)
        with self._lock:
            try:
                count = self._con.execute(translated).fetchall()[0][0]
            except Exception as exc:
                raise self._duck_error(exc) from None
        label = new_label("delete")
        txn_id = ctx.fe.next_id()
        del entry
        return OkResult(affected_rows=int(count), info=info_string(label, txn_id))

    def _update(self, sql: str, ctx: StatementContext) -> Result:
        from sqlglot import exp

        tree = sqlmap.parse(sql)
        table = tree.find(exp.Table)
        if not isinstance(tree, exp.Update) or table is None:
            raise doris_error("UPDATE needs a table")
        entry = self._table(table.text("db") or ctx.database, table.name)
        if entry.info.keys_type != "UNIQUE_KEYS":
            raise doris_error("Only unique table could be updated.")
        translated = sqlmap.to_duckdb(tree, self._resolver(ctx.database), name_columns=False)
        with self._lock:
            try:
                count = self._con.execute(translated).fetchall()[0][0]
            except Exception as exc:
                raise self._duck_error(exc) from None
        return OkResult(affected_rows=int(count))


def _qualified(tokens: list[Any], pos: int, default_db: str | None) -> tuple[str | None, str, int]:
    """``[db.]name`` at ``tokens[pos]``: (database, name, next position)."""
    from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error

    first = tokens[pos]
    if first.kind not in (IDENT, QIDENT):
        raise syntax_error("", first, "{IDENTIFIER, BACKQUOTED_IDENTIFIER}")
    if pos + 2 < len(tokens) and tokens[pos + 1].is_op("."):
        return first.value, tokens[pos + 2].value, pos + 3
    return default_db, first.value, pos + 1


def _literal_kind(cell: Any) -> str:
    from sqlglot import exp

    if isinstance(cell, exp.Null):
        return "null"
    if isinstance(cell, exp.Literal):
        return "string" if cell.is_string else "number"
    return f"other:{type(cell).__name__}"


def _default_keys(columns: list[ColumnDef]) -> list[str]:
    """Doris's implicit DUPLICATE KEY: up to 3 leading columns within 36 bytes, ending at a string."""
    sizes = {"tinyint": 1, "boolean": 1, "smallint": 2, "int": 4, "bigint": 8, "largeint": 16, "date": 4}
    keys: list[str] = []
    width = 0
    for column in columns:
        display = column.type.display
        if display in ("float", "double", "text", "json") or display.startswith("array"):
            break
        width += sizes.get(display, 8 if display.startswith(("datetime", "decimal")) else 0)
        if width > 36 or len(keys) >= 3:
            break
        keys.append(column.name)
        if display.startswith(("varchar", "char")):
            break
    return keys or [columns[0].name]


def _default_sql(column: ColumnDef) -> str:
    kind = column.type.duckdb
    if column.default is None:
        if not column.nullable and not column.auto_increment:
            raise doris_error(f"Column has no default value, column={column.name}")
        return f"CAST(NULL AS {kind})"
    if column.default == "CURRENT_TIMESTAMP" or column.default == "NOW":
        return f"CAST(current_localtimestamp() AS {kind})"
    if column.default == "CURRENT_DATE":
        return "current_date"
    text = column.default.replace("'", "''")
    return f"CAST('{text}' AS {kind})"


def _show_create(entry: _Table) -> str:
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
