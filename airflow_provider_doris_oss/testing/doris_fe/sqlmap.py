"""Translating a Doris query to DuckDB with sqlglot: tables resolved, result columns named as in Doris."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, cast

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

if TYPE_CHECKING:
    from sqlglot import exp

    from airflow_provider_doris_oss.testing.doris_fe.relations import PartitionFilter

# (database, table) -> the DuckDB schema and table names; raises DorisError when unknown.
Resolver = Callable[[str | None, str], tuple[str, str]]


def parse(sql: str) -> exp.Expression:
    """Parse one Doris statement with sqlglot; a parse failure is a Doris-style syntax error."""
    import sqlglot

    from airflow_provider_doris_oss.testing.doris_fe.query_check import check_if_query
    from airflow_provider_doris_oss.testing.doris_fe.relations import normalize

    check_if_query(sql)  # Doris's grammar first: sqlglot takes what Doris refuses (FROM FROM t)
    try:
        tree = sqlglot.parse_one(normalize(sql), read="doris")
    except sqlglot.ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        near = first.get("highlight") or "<EOF>"
        raise DorisError(
            f"errCode = 2, detailMessage = \nno viable alternative at input '{near}'"
            f"(line {first.get('line', 1)}, pos {max(int(first.get('col', 1)) - 1, 0)})",
            1105,
            "42000",
        ) from None
    except sqlglot.errors.SqlglotError as exc:
        raise DorisError(f"errCode = 2, detailMessage = {exc}") from None
    if tree is None:
        raise DorisError("errCode = 2, detailMessage = Empty query", 1065, "42000")
    return cast("exp.Expression", tree)


def to_duckdb(
    tree: exp.Expression,
    resolve: Resolver,
    *,
    keep: Collection[str] = (),
    name_columns: bool = True,
    partition_filter: PartitionFilter | None = None,
) -> str:
    """DuckDB SQL for ``tree``: every table reference resolved through ``resolve``.

    Names in ``keep`` (bindings) and CTE names are left alone. With ``name_columns``, the
    outermost SELECT's unaliased expressions are named by their Doris text (``count(*)``).
    ``numbers(...)`` and ``t PARTITION (...)`` become subqueries first (``relations.rewrite``,
    ``partition_filter`` giving each partition list's predicate).
    """
    from sqlglot import exp

    from airflow_provider_doris_oss.testing.doris_fe.relations import rewrite

    tree = tree.copy()
    rewrite(tree, partition_filter)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    schemas: dict[str, str] = {}
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            continue
        name, db, catalog = table.name, table.text("db") or None, table.text("catalog") or None
        if db is None and (name in ctes or name in keep):
            continue
        if catalog is not None and catalog != "internal":
            raise DorisError(
                f"errCode = 2, detailMessage = The local Doris FE does not query external catalogs "
                f"(catalog [{catalog}] in '{table.sql(dialect='doris')}')"
            )
        schema, physical = resolve(db, name)
        if db is not None:
            schemas[db] = schema
        table.set("catalog", None)
        table.set("db", exp.to_identifier(schema, quoted=True))
        table.set("this", exp.to_identifier(physical, quoted=True))
    for column in tree.find_all(exp.Column):
        db = column.text("db")
        if db:
            column.set("db", exp.to_identifier(schemas.get(db, db), quoted=True))
    if name_columns and isinstance(tree, exp.Select):
        named = []
        for item in tree.expressions:
            if isinstance(item, (exp.Alias, exp.Column, exp.Star)) or item.find(exp.Star) is item:
                named.append(item)
            else:
                text = item.sql(dialect="doris", normalize_functions="lower")
                named.append(exp.alias_(item, text, quoted=True))
        tree.set("expressions", named)
    return tree.sql(dialect="duckdb")
