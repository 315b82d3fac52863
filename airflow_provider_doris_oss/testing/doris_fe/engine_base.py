"""The engine's store: an in-memory DuckDB behind one lock, the Doris definition kept beside each table.

Databases are DuckDB schemas; each table keeps its Doris definition (key model, partitions,
distribution, properties) beside its rows. Queries are translated with sqlglot.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe import info_schema, sqlmap
from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import CreateTable
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error, duck_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, QIDENT
from airflow_provider_doris_oss.testing.doris_fe.model import (
    DorisError,
    Result,
    ResultSet,
    StatementContext,
    TableInfo,
)
from airflow_provider_doris_oss.testing.doris_fe.partitions import route_sql
from airflow_provider_doris_oss.testing.doris_fe.relations import PartitionFilter, partition_predicate
from airflow_provider_doris_oss.testing.doris_fe.results import display_rows

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

BUILTIN_DATABASES = ("__internal_schema", "information_schema", "mysql")
INFO_SCHEMA = "sys:information_schema"


@dataclass
class StoredTable:
    """A table as the engine keeps it: its TableInfo and the CREATE TABLE it was made from."""

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


def qualified_name(tokens: list[Any], pos: int, default_db: str | None) -> tuple[str | None, str, int]:
    """``[db.]name`` at ``tokens[pos]``: (database, name, next position)."""
    from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error

    first = tokens[pos]
    if first.kind not in (IDENT, QIDENT):
        raise syntax_error("", first, "{IDENTIFIER, BACKQUOTED_IDENTIFIER}")
    if pos + 2 < len(tokens) and tokens[pos + 1].is_op("."):
        return first.value, tokens[pos + 2].value, pos + 3
    return default_db, first.value, pos + 1


class EngineBase:
    """Connection, lock and table catalogue of ``DuckDbEngine``, with the helpers every layer uses."""

    def __init__(self) -> None:
        import duckdb

        self._con: duckdb.DuckDBPyConnection = duckdb.connect(":memory:")
        self._lock = threading.RLock()
        self._databases: set[str] = set()
        self._tables: dict[tuple[str, str], StoredTable] = {}
        self._temp = 0
        self._con.execute(f"CREATE SCHEMA {_q(INFO_SCHEMA)}")

    # ------------------------------------------------------------ Engine API

    def database_exists(self, db: str) -> bool:
        with self._lock:
            return db in self._databases or db in BUILTIN_DATABASES

    def table_info(self, db: str, table: str) -> TableInfo:
        return self._table(db, table).info

    def query_arrow(
        self, sql: str, db: str | None, bindings: Mapping[str, pa.Table] | None = None
    ) -> pa.Table:
        bindings = dict(bindings or {})
        tree = sqlmap.parse(sql)
        translated = sqlmap.to_duckdb(
            tree, self._resolver(db), keep=bindings, partition_filter=self._partition_filter(db)
        )
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

    def _table(self, db: str | None, table: str) -> StoredTable:
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
                return INFO_SCHEMA, table.lower()
            entry = self._table(database, table)
            return _schema(entry.info.database), entry.info.name

        return resolve

    def _partition_filter(self, default_db: str | None) -> PartitionFilter:
        """``t PARTITION (...)`` in a query: the predicate on ``t``'s rows (``relations``)."""

        def predicate(db: str | None, table: str, names: list[str]) -> str:
            entry = self._table(db or default_db, table)
            return partition_predicate(entry.definition, names, f"{db}.{table}" if db else table)

        return predicate

    def _partition_rows(self, db: str, table: str) -> tuple[CreateTable, dict[str, int]]:
        """A table's definition and its rows per partition (SHOW PARTITIONS)."""
        entry = self._table(db, table)
        physical = f"{_q(_schema(entry.info.database))}.{_q(entry.info.name)}"
        route = route_sql(entry.definition)
        if route is None:
            return entry.definition, {
                entry.info.name: int(self._run(f"SELECT count(*) FROM {physical}")[0][0])
            }
        found = self._run(f"SELECT ({route}) AS p, count(*) FROM {physical} GROUP BY 1")
        return entry.definition, {str(p): int(n) for p, n in found if p is not None}

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
                        f"CREATE OR REPLACE TABLE {_q(INFO_SCHEMA)}.{_q(name)} AS SELECT * FROM {_q(temp)}"
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

    # ---------------------------------------------------------------- SELECT

    def _select(self, sql: str, ctx: StatementContext) -> Result:
        tree = sqlmap.parse(sql)
        translated = sqlmap.to_duckdb(
            tree, self._resolver(ctx.database), partition_filter=self._partition_filter(ctx.database)
        )
        with self._lock:
            try:
                cursor = self._con.execute(translated)
                rows = cursor.fetchall()
                names = [d[0] for d in cursor.description or []]
                kinds = [str(d[1]) for d in cursor.description or []]
            except Exception as exc:
                raise self._duck_error(exc) from None
        return ResultSet(names, display_rows(rows, kinds))
