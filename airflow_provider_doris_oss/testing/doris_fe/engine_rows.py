"""How stored rows change: the key-model merge every write goes through, DELETE and UPDATE.

UNIQUE KEY tables upsert, AGGREGATE KEY tables aggregate on every write, DUPLICATE KEY tables append.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss.testing.doris_fe import sqlmap
from airflow_provider_doris_oss.testing.doris_fe.engine_base import (
    EngineBase,
    StoredTable,
    _q,
    _schema,
    info_string,
    new_label,
)
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.model import OkResult, Result, StatementContext


class RowChangesMixin(EngineBase):
    """Changes to stored rows: ``_merge`` (one transaction per write, by key model), DELETE, UPDATE."""

    def _merge(self, entry: StoredTable, typed: str, replace: str | None) -> None:
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

    def _delete(self, sql: str, ctx: StatementContext) -> Result:
        from sqlglot import exp

        tree = sqlmap.parse(sql)
        table = tree.find(exp.Table)
        if not isinstance(tree, exp.Delete) or table is None:
            raise doris_error("DELETE needs FROM <table> WHERE <condition>")
        if tree.args.get("where") is None:
            raise doris_error("Where clause only supports compound predicate, binary predicate, ...")
        self._table(table.text("db") or ctx.database, table.name)  # an unknown table is refused first
        count = self._changed_rows(tree, ctx)
        return OkResult(affected_rows=count, info=info_string(new_label("delete"), ctx.fe.next_id()))

    def _update(self, sql: str, ctx: StatementContext) -> Result:
        from sqlglot import exp

        tree = sqlmap.parse(sql)
        table = tree.find(exp.Table)
        if not isinstance(tree, exp.Update) or table is None:
            raise doris_error("UPDATE needs a table")
        entry = self._table(table.text("db") or ctx.database, table.name)
        if entry.info.keys_type != "UNIQUE_KEYS":
            raise doris_error("Only unique table could be updated.")
        return OkResult(affected_rows=self._changed_rows(tree, ctx))

    def _changed_rows(self, tree: Any, ctx: StatementContext) -> int:
        """Run a parsed DELETE or UPDATE on DuckDB; the number of rows it changed."""
        translated = sqlmap.to_duckdb(tree, self._resolver(ctx.database), name_columns=False)
        with self._lock:
            try:
                return int(self._con.execute(translated).fetchall()[0][0])
            except Exception as exc:
                raise self._duck_error(exc) from None
