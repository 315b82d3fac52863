"""MAP and STRUCT values an INSERT writes with Doris's constructors, made DuckDB literals.

Doris fills a STRUCT column from a positional ``{1, 'x'}`` or ``struct(1, 'x')`` field by field,
and from ``named_struct('a', 1, 'b', 'x')`` by name; ``map('k', 1)`` is a one-entry MAP. sqlglot
reads these but DuckDB would name positional fields ``_0``, ``_1`` (so no field of the column
would match) or has no such functions, and a VALUES list's ``{'k': 1}`` maps would be unified into
one struct type: each becomes the JSON text ``{"a":1,"b":"x"}``, with the column's field names
for a positional STRUCT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_doris_oss.testing.doris_fe.doris_types import DorisType

if TYPE_CHECKING:
    from sqlglot import exp


def _fields(t: DorisType) -> list[str]:
    from airflow_provider_doris_oss.testing.doris_fe.results import field_name_and_type, inner_types

    return [field_name_and_type(f)[0] for f in inner_types(t.duckdb)]


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="duckdb")


def _object(pairs: list[tuple[str, exp.Expression]]) -> str:
    return "{" + ", ".join(f"{_quoted(name)}: {_sql(value)}" for name, value in pairs) + "}"


def literal_for(cell: exp.Expression, t: DorisType) -> exp.Expression | None:
    """The DuckDB literal for ``cell`` going into a column of type ``t``; None to keep ``cell``.

    Every form becomes the JSON text of a DuckDB struct literal (a MAP's keys as field names),
    which the column's cast turns into the MAP or STRUCT, as it does a loaded ``{"k":1}``.
    """
    from sqlglot import exp

    pairs: list[tuple[str, exp.Expression]] | None = None
    if t.duckdb.startswith("STRUCT("):
        names = _fields(t)
        if isinstance(cell, exp.Struct) and not any(isinstance(e, exp.PropertyEQ) for e in cell.expressions):
            values = list(cell.expressions)
            if len(values) != len(names):
                return None  # no field matches: the value does not convert, as any other
            pairs = list(zip(names, values, strict=True))
        elif isinstance(cell, exp.Anonymous) and cell.name.lower() == "named_struct":
            args = list(cell.expressions)
            keys, values = args[::2], args[1::2]
            if len(keys) != len(values) or not all(isinstance(k, exp.Literal) and k.is_string for k in keys):
                return None
            pairs = [(k.name, v) for k, v in zip(keys, values, strict=True)]
        elif isinstance(cell, exp.Struct):  # {'a': 1}: by name already
            pairs = [(e.this.name, e.expression) for e in cell.expressions if isinstance(e, exp.PropertyEQ)]
    elif t.duckdb.startswith("MAP(") and isinstance(cell, exp.Struct):  # Doris's {'k': 1}
        if not all(isinstance(e, exp.PropertyEQ) for e in cell.expressions):
            return None
        pairs = [(e.this.name, e.expression) for e in cell.expressions]
    elif t.duckdb.startswith("MAP(") and isinstance(cell, exp.Map):
        keys_node, values_node = cell.args.get("keys"), cell.args.get("values")
        if isinstance(keys_node, exp.Array) and isinstance(values_node, exp.Array):
            keys, values = list(keys_node.expressions), list(values_node.expressions)
        elif isinstance(keys_node, exp.Expression) and isinstance(values_node, exp.Expression):
            keys, values = [keys_node], [values_node]
        else:
            return None
        if len(keys) != len(values) or not all(isinstance(k, exp.Literal) for k in keys):
            return None
        pairs = [(k.name, v) for k, v in zip(keys, values, strict=True)]
    if pairs is None:
        return None
    # As JSON text: the rows of a VALUES list would otherwise be unified into one struct type, giving
    # each MAP the keys of all rows (with nulls).
    return exp.maybe_parse(f"CAST(to_json({_object(pairs)}) AS VARCHAR)", dialect="duckdb")
