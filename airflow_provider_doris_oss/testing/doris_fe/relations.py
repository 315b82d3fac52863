"""Doris table references a query's FROM may hold beyond a plain table: ``numbers(...)`` and
``t PARTITION ...``.

- ``numbers("number" = "N" [, "const_value" = "c"])`` is Doris's number generator: one BIGINT
  column ``number``, 0 to N-1 (or ``c`` on every row); errors as Nereids words them when it
  cannot build the function;
- ``t PARTITION p1``, ``t PARTITION (p1, p2)`` and ``t PARTITIONS (p1)`` read only those
  partitions; sqlglot reads only the parenthesised ``PARTITION`` form, so ``normalize`` rewrites
  the others into it before parsing; a partition the table lacks is Doris's error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from airflow_provider_doris_oss.testing.doris_fe.lexer import IDENT, QIDENT, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

if TYPE_CHECKING:
    from sqlglot import exp

    from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import CreateTable

# (database as written or None, table, partition names) -> a DuckDB predicate over the table's
# columns selecting the rows of those partitions; raises DorisError for an unknown partition.
PartitionFilter = Callable[[str | None, str, list[str]], str]


def _error(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def normalize(sql: str) -> str:
    """``sql`` with ``PARTITION name`` and ``PARTITIONS (...)`` after a table name written as
    ``PARTITION (...)``; ``TEMPORARY PARTITION`` is refused (temporary partitions are not emulated)."""
    try:
        tokens = tokenize(sql)
    except DorisError:
        return sql  # sqlglot reports what it cannot read
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens[1:-1], start=1):
        before = tokens[i - 1]
        if before.kind not in (IDENT, QIDENT) or not token.is_kw("PARTITION", "PARTITIONS", "TEMPORARY"):
            continue
        if token.is_kw("TEMPORARY"):
            if tokens[i + 1].is_kw("PARTITION", "PARTITIONS"):
                raise _error("The local Doris FE does not emulate temporary partitions")
            continue
        following = tokens[i + 1]
        if token.is_kw("PARTITIONS") and following.is_op("("):
            edits.append((token.start, token.end, "PARTITION"))
        elif following.kind in (IDENT, QIDENT) and not following.is_kw("BY"):  # not a window's PARTITION BY
            edits.append((token.start, following.end, f"PARTITION ({sql[following.start : following.end]})"))
    for start, end, text in reversed(edits):
        sql = sql[:start] + text + sql[end:]
    return sql


def _numbers_params(function: exp.Anonymous) -> dict[str, str]:
    from sqlglot import exp

    params: dict[str, str] = {}
    for arg in function.expressions:
        if not isinstance(arg, exp.EQ) or not isinstance(arg.this, exp.Literal):
            raise _error("Can not build FunctionGenTable 'numbers'. error: number not set")
        params[arg.this.name.lower()] = arg.expression.name
    return params


def numbers_sql(function: exp.Anonymous) -> str:
    """The DuckDB query standing for ``numbers(...)``."""
    params = _numbers_params(function)
    if "number" not in params:
        raise _error("Can not build FunctionGenTable 'numbers'. error: number not set")
    values: dict[str, int] = {}
    for key in ("number", "const_value"):
        if key in params:
            try:
                values[key] = int(params[key].strip())
            except ValueError:
                raise _error(
                    f"Can not build FunctionGenTable 'numbers'. error: cannot parse param value {params[key]}"
                ) from None
    value = f"CAST({values['const_value']} AS BIGINT)" if "const_value" in values else "CAST(range AS BIGINT)"
    return f"SELECT {value} AS number FROM range({max(values['number'], 0)})"


def rewrite(tree: exp.Expression, partition_filter: PartitionFilter | None) -> None:
    """Replace ``numbers(...)`` and ``t PARTITION (...)`` in ``tree`` by DuckDB subqueries (in place).

    Runs before the tables are resolved; a partitioned reference becomes a subquery over the same
    table (resolved afterwards like any other) with ``partition_filter``'s predicate.
    """
    from sqlglot import exp

    for table in list(tree.find_all(exp.Table)):
        alias = table.alias or None
        if isinstance(table.this, exp.Anonymous) and table.this.name.lower() == "numbers":
            query: exp.Expression = exp.maybe_parse(numbers_sql(table.this), dialect="duckdb")
            table.replace(
                exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias or "numbers")))
            )
            continue
        spec = table.args.get("partition")
        if spec is None:
            continue
        names = [e.name for e in spec.expressions]
        db = table.text("db") or None
        if partition_filter is None:
            raise _error("The local Doris FE does not emulate PARTITION here")
        predicate = partition_filter(db, table.name, names)
        plain = exp.Table(this=table.this.copy(), db=table.args.get("db"), catalog=table.args.get("catalog"))
        query = exp.select("*").from_(plain).where(exp.maybe_parse(predicate, dialect="duckdb"))
        table.replace(
            exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias or table.name)))
        )


def partition_predicate(definition: CreateTable, names: list[str], written: str) -> str:
    """The DuckDB predicate selecting the rows of partitions ``names`` of a table (``written``:
    the table as the query names it, for the error); an unpartitioned table's one partition
    bears the table's name."""
    from airflow_provider_doris_oss.testing.doris_fe.partitions import route_sql

    known = definition.partitions if definition.partition_type else [definition.name]
    for name in names:
        if name not in known:
            raise _error(f"Partition: {name} is not exists on table {written}")
    route = route_sql(definition)
    if route is None:
        return "true"
    return f"({route}) IN (" + ", ".join("'" + n.replace("'", "''") + "'" for n in names) + ")"
