"""The engine's DDL: CREATE/DROP DATABASE and TABLE (with its checks), CTAS, USE, TRUNCATE."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe import sqlmap
from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import ColumnDef, CreateTable
from airflow_provider_doris_oss.testing.doris_fe.doris_types import default_error, key_column_error
from airflow_provider_doris_oss.testing.doris_fe.engine_base import (
    BUILTIN_DATABASES,
    StoredTable,
    _q,
    _schema,
    qualified_name,
)
from airflow_provider_doris_oss.testing.doris_fe.engine_dml import DmlMixin
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, QIDENT, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import (
    Column,
    DorisError,
    OkResult,
    Result,
    StatementContext,
    TableInfo,
)
from airflow_provider_doris_oss.testing.doris_fe.parse_create_table import like_definition, parse_create_table


class DdlMixin(DmlMixin):
    """Creates and drops databases and tables; CREATE TABLE ... AS SELECT writes through the DML layer."""

    def _create_database(self, sql: str) -> Result:
        tokens = [t for t in tokenize(sql) if not t.is_op(";")]
        pos = 2
        if_not_exists = tokens[pos].is_kw("IF")
        if if_not_exists:
            pos += 3
        catalog, name, pos = qualified_name(tokens, pos, None)
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
        _, name, _ = qualified_name(tokens, 4 if if_exists else 2, None)
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
        if stmt.like is not None:
            stmt = like_definition(self._table(stmt.like[0] or ctx.database, stmt.like[1]).definition, stmt)
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
        self._tables[(db, stmt.name)] = StoredTable(info, stmt)

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
            refusal = key_column_error(column.name, column.type) if is_key else None
            if refusal is None and column.default is not None and not column.default_is_null:
                refusal = default_error(column.type)
            if refusal is not None:
                raise doris_error(refusal)
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
        db, name, pos = qualified_name(tokens, pos, ctx.database)
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
        db, name, _ = qualified_name(tokens, pos, ctx.database)
        entry = self._table(db, name)
        self._run(f"DELETE FROM {_q(_schema(entry.info.database))}.{_q(name)}")
        return OkResult()


def _default_keys(columns: list[ColumnDef]) -> list[str]:
    """Doris's implicit DUPLICATE KEY: up to 3 leading columns within 36 bytes, ending at a string."""
    sizes = {"tinyint": 1, "boolean": 1, "smallint": 2, "int": 4, "bigint": 8, "largeint": 16, "date": 4}
    keys: list[str] = []
    width = 0
    for column in columns:
        display = column.type.display
        if key_column_error(column.name, column.type) is not None:
            break
        width += sizes.get(display, 8 if display.startswith(("datetime", "decimal")) else 0)
        if width > 36 or len(keys) >= 3:
            break
        keys.append(column.name)
        if display.startswith(("varchar", "char")):
            break
    if not keys:
        raise doris_error(
            "The olap table first column could not be float, double, string or array, struct, map, "
            "please use decimal or varchar instead."
        )
    return keys
