"""The engine's INSERT: typed columns, strict mode, partition routing.

The key-model merge every write ends in, and DELETE and UPDATE, are in ``engine_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace as replace_fields
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe import sqlmap
from airflow_provider_doris_oss.testing.doris_fe.convert import check_filter_ratio, filter_ratio
from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import ColumnDef
from airflow_provider_doris_oss.testing.doris_fe.doris_types import cast_sql
from airflow_provider_doris_oss.testing.doris_fe.engine_base import (
    StoredTable,
    _q,
    _text,
    info_string,
    new_label,
)
from airflow_provider_doris_oss.testing.doris_fe.engine_rows import RowChangesMixin
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, OkResult, Result, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.parse_insert_head import parse_insert_head
from airflow_provider_doris_oss.testing.doris_fe.partitions import route_sql, unknown_partition
from airflow_provider_doris_oss.testing.doris_fe.statement_split import words
from airflow_provider_doris_oss.testing.doris_fe.value_literals import literal_for

if TYPE_CHECKING:
    import pyarrow as pa


class DmlMixin(RowChangesMixin):
    """Writes rows: the ``insert_arrow``/``routable_rows`` Engine API, INSERT (DELETE, UPDATE inherited)."""

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

    # ---------------------------------------------------------------- INSERT

    def _insert_statement(self, sql: str, ctx: StatementContext) -> Result:
        head = parse_insert_head(sql)
        db = self._require_db(head.database or ctx.database)
        entry = self._table(db, head.table)
        unknown = unknown_partition(head.partitions, entry.info.partitions)
        if unknown is not None:
            raise doris_error(f"Unknown partition '{unknown}' in table '{head.table}'")
        columns = head.columns or [c.name for c in entry.definition.columns]
        source = self._source_sql(head.source, columns, ctx, entry.definition.columns)
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

    def _source_sql(
        self, source: str, columns: list[str], ctx: StatementContext, defs: Sequence[ColumnDef] = ()
    ) -> str:
        from sqlglot import exp

        partition_filter = self._partition_filter(ctx.database)
        if words(source, 1) == ["VALUES"]:
            tree = sqlmap.parse(f"SELECT * FROM ({source.rstrip().rstrip(';')}) AS __v")
            values = tree.find(exp.Values)
            assert values is not None
            by_name = {d.name.lower(): d for d in defs}
            for row in values.expressions:
                if len(row.expressions) != len(columns):
                    raise doris_error("Column count doesn't match value count")
                for name, cell in zip(columns, list(row.expressions), strict=True):
                    column = by_name.get(name.lower())
                    if column is None:
                        continue
                    if isinstance(cell, exp.Var) and cell.name.upper() == "DEFAULT":
                        cell.replace(exp.maybe_parse(_default_sql(column), dialect="duckdb"))
                    elif (literal := literal_for(cell, column.type)) is not None:  # map(), {1, 'x'}
                        cell.replace(literal)
            for i in range(len(columns)):
                cells = [row.expressions[i] for row in values.expressions]
                kinds = {_literal_kind(cell) for cell in cells} - {"null"}
                if len(kinds) > 1:  # mixed literals: convert each cell on its own, as Doris does per value
                    for cell in cells:
                        cell.replace(exp.cast(cell.copy(), "VARCHAR"))
            return sqlmap.to_duckdb(
                tree, self._resolver(ctx.database), name_columns=False, partition_filter=partition_filter
            )
        return sqlmap.to_duckdb(
            sqlmap.parse(source),
            self._resolver(ctx.database),
            name_columns=False,
            partition_filter=partition_filter,
        )

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
        entry: StoredTable,
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
    def _allowed(entry: StoredTable, partitions: Sequence[str], *, overwrite: bool, auto_create: bool) -> str:
        """SQL over ``__part``: whether a row may go to its partition (see ``_route``)."""
        named = [p for p in partitions if p != "*"]
        if entry.definition.auto_partition and (not overwrite or auto_create) and not named:
            return "__part IS NOT NULL"
        targets = named or list(entry.info.partitions)
        return f"__part IN ({', '.join(_text(p) for p in targets)})" if targets else "false"

    @staticmethod
    def _typed_columns(
        entry: StoredTable, columns: list[str], src_names: list[str]
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


def _literal_kind(cell: Any) -> str:
    from sqlglot import exp

    if isinstance(cell, exp.Null):
        return "null"
    if isinstance(cell, exp.Literal):
        return "string" if cell.is_string else "number"
    return f"other:{type(cell).__name__}"


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
