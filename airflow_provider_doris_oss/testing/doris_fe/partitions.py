"""Partition routing for the local FE: which partition each row of a RANGE or LIST table falls in.

Doris routes rows by the partition column: RANGE partitions cover ``[lower, upper)`` (a
``LESS THAN`` partition starts where the one below it ends; NULL goes to the lowest), LIST
partitions hold their values. ``AUTO PARTITION BY RANGE (date_trunc(col, unit))`` names the
partition it creates ``p`` + the truncated time as ``yyyyMMddHHmmss``; ``AUTO PARTITION BY
LIST (col)`` names it ``p`` + the value's letters and digits. One partition column only.
"""

from __future__ import annotations

from collections.abc import Iterable

from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import CreateTable, PartitionDef
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error

_UNITS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")


def unknown_partition(requested: Iterable[str], known: Iterable[str]) -> str | None:
    """The first of ``requested`` that names none of ``known``, compared exactly, as Doris does.

    Doris looks a partition up by name in ``OlapTable.nameToPartition``, a ``TreeMap`` in natural
    (case-sensitive) order from 2.0 on (1.x used ``CASE_INSENSITIVE_ORDER``): ``P1`` does not find
    ``p1``. ``*`` (``PARTITION (*)``) is not a name and is skipped.
    """
    names = set(known)
    return next((p for p in requested if p != "*" and p not in names), None)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def route_sql(table: CreateTable) -> str | None:
    """A DuckDB expression naming each row's partition (NULL: no partition); None if unpartitioned."""
    if table.partition_type is None:
        return None
    if not table.routable:
        raise doris_error(
            "The local Doris FE routes rows only for RANGE/LIST partitions on one column with named "
            "partitions; this table's partitions are beyond it"
        )
    column = next(c for c in table.columns if c.name.lower() == table.partition_columns[0].lower())
    ref, duck = _q(column.name), column.type.duckdb
    if table.auto_partition:
        return _auto_sql(table, ref)
    if table.partition_type == "LIST":
        return _list_sql(table.partition_defs, ref, duck)
    return _range_sql(table.partition_defs, ref, duck)


def _value(literal: str, duck: str) -> str:
    return f"CAST({_text(literal)} AS {duck})"


def _list_sql(defs: list[PartitionDef], ref: str, duck: str) -> str:
    branches = []
    for d in defs:
        values = [v for v in d.values or () if v is not None]
        tests = [f"{ref} IN ({', '.join(_value(v, duck) for v in values)})"] if values else []
        if any(v is None for v in d.values or ()):
            tests.append(f"{ref} IS NULL")
        if tests:
            branches.append(f"WHEN {' OR '.join(tests)} THEN {_text(d.name)}")
    return f"CASE {' '.join(branches)} ELSE NULL END" if branches else "NULL"


def _range_sql(defs: list[PartitionDef], ref: str, duck: str) -> str:
    # MAXVALUE (upper None) sorts last; LESS THAN partitions start at the previous upper bound.
    ordered = sorted(defs, key=lambda d: (d.upper is None, d.upper or ""))
    branches = [f"WHEN {ref} IS NULL THEN {_text(ordered[0].name)}"] if ordered else []
    previous: str | None = None
    for d in ordered:
        lower = d.lower if d.lower is not None else previous
        tests = []
        if lower is not None:
            tests.append(f"{ref} >= {_value(lower, duck)}")
        if d.upper is not None:
            tests.append(f"{ref} < {_value(d.upper, duck)}")
        branches.append(f"WHEN {' AND '.join(tests) or 'true'} THEN {_text(d.name)}")
        previous = d.upper
    return f"CASE {' '.join(branches)} ELSE NULL END" if branches else "NULL"


def _auto_sql(table: CreateTable, ref: str) -> str:
    if table.partition_type == "LIST":
        return f"'p' || regexp_replace(CAST({ref} AS VARCHAR), '[^0-9A-Za-z]', '', 'g')"
    unit = table.auto_unit or ""
    if unit not in _UNITS:
        raise doris_error(
            f"auto create partition only support date_trunc function of RANGE partition, not {unit!r}"
        )
    return f"'p' || strftime(date_trunc('{unit}', CAST({ref} AS TIMESTAMP)), '%Y%m%d%H%M%S')"
