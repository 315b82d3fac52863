"""Doris column types: their display form (as ``DESC`` shows it), DuckDB storage type and Arrow type."""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

# Doris type name -> (DuckDB type, display name)
_SCALARS: dict[str, tuple[str, str]] = {
    "BOOLEAN": ("BOOLEAN", "boolean"),
    "BOOL": ("BOOLEAN", "boolean"),
    "TINYINT": ("TINYINT", "tinyint"),
    "SMALLINT": ("SMALLINT", "smallint"),
    "INT": ("INTEGER", "int"),
    "INTEGER": ("INTEGER", "int"),
    "BIGINT": ("BIGINT", "bigint"),
    "LARGEINT": ("HUGEINT", "largeint"),
    "FLOAT": ("FLOAT", "float"),
    "DOUBLE": ("DOUBLE", "double"),
    "DATE": ("DATE", "date"),
    "DATEV2": ("DATE", "date"),
    "STRING": ("VARCHAR", "text"),
    "TEXT": ("VARCHAR", "text"),
    "JSON": ("VARCHAR", "json"),
    "JSONB": ("VARCHAR", "json"),
}
_DECIMALS = ("DECIMAL", "DECIMALV2", "DECIMALV3", "NUMERIC")
_DATETIMES = ("DATETIME", "DATETIMEV2")
_STRINGS = ("CHAR", "VARCHAR")
_UNSUPPORTED = ("HLL", "BITMAP", "QUANTILE_STATE", "AGG_STATE", "VARIANT", "IPV4", "IPV6")


@dataclass(frozen=True)
class DorisType:
    """A parsed column type."""

    display: str  # as DESC shows it: int, varchar(20), decimal(10,2), array<int>
    duckdb: str  # the storage type in DuckDB
    length: int | None = None  # CHAR/VARCHAR length
    scale: int | None = None  # DATETIME(scale): digits of the second kept


def _error(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def scalar(name: str, params: list[int]) -> DorisType:
    """The type ``name(params...)``; raise Doris's error for an unknown type or bad parameters."""
    upper = name.upper()
    if upper in _SCALARS and not params:
        duck, display = _SCALARS[upper]
        return DorisType(display, duck)
    if upper in _DECIMALS:
        precision = params[0] if params else 9
        scale = params[1] if len(params) > 1 else 0
        if len(params) > 2 or not 1 <= precision <= 38 or not 0 <= scale <= precision:
            raise _error(f"Invalid decimal type with precision = {precision}, scale = {scale}")
        return DorisType(f"decimal({precision},{scale})", f"DECIMAL({precision},{scale})")
    if upper in _DATETIMES:
        if len(params) > 1 or (params and not 0 <= params[0] <= 6):
            raise _error(f"Scale of Datetime/Time must between 0 and 6. Scale was set to: {params[0]}")
        scale = params[0] if params else 0
        return DorisType("datetime" if not scale else f"datetime({scale})", "TIMESTAMP", scale=scale)
    if upper in _STRINGS:
        if len(params) > 1:
            raise _error(f"{upper} takes one length, got {len(params)}")
        if upper == "CHAR":
            length = params[0] if params else 1
            if not 1 <= length <= 255:
                raise _error(f"Char size must between 1 and 255. Size was set to: {length}")
        else:
            length = params[0] if params else 65533
            if not 1 <= length <= 65533:
                raise _error(f"Varchar size must between 1 and 65533. Size was set to: {length}")
        return DorisType(f"{upper.lower()}({length})", "VARCHAR", length)
    if upper in _UNSUPPORTED:
        raise _error(f"The local Doris FE does not emulate columns of type {upper}")
    if upper in _SCALARS:
        raise _error(f"{upper} type does not take parameters")
    raise _error(f"Unknown data type: {name}")


def array_of(element: DorisType) -> DorisType:
    """``ARRAY<element>``."""
    return DorisType(f"array<{element.display}>", f"{element.duckdb}[]")


def is_string(t: DorisType) -> bool:
    return t.duckdb == "VARCHAR"


def cast_sql(value_sql: str, t: DorisType) -> str:
    """DuckDB SQL converting ``value_sql`` to a column of type ``t`` as a Doris load or INSERT does.

    A value that does not convert is NULL (``TRY_CAST``). A DATETIME keeps ``scale`` digits of the
    second, rounded half up (Doris rounds on every cast to DATETIMEV2: ``DateTimeV2Literal`` in the
    FE since 2.0, the BE's string cast since 2.1), so ``10:00:00.9996`` is ``10:00:01.000`` in a
    DATETIME(3) column.
    """
    cast = f"TRY_CAST({value_sql} AS {t.duckdb})"
    if t.scale is None or t.scale >= 6:
        return cast
    step = 10 ** (6 - t.scale)
    return (
        f"(date_trunc('second', {cast}) + to_microseconds("
        f"((microsecond({cast}) % 1000000) + {step // 2}) // {step} * {step}))"
    )


_FROM_DUCKDB = {
    "BOOLEAN": "BOOLEAN",
    "TINYINT": "TINYINT",
    "SMALLINT": "SMALLINT",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "HUGEINT": "LARGEINT",
    "FLOAT": "FLOAT",
    "DOUBLE": "DOUBLE",
    "DATE": "DATE",
    "TIMESTAMP": "DATETIME",
}


def from_duckdb(kind: str) -> DorisType:
    """The Doris type of a DuckDB result column (for CREATE TABLE ... AS SELECT)."""
    upper = kind.upper()
    if upper.endswith("[]"):
        return array_of(from_duckdb(upper[:-2]))
    if upper.startswith("DECIMAL("):
        precision, scale = (int(x) for x in upper[8:-1].split(","))
        return scalar("DECIMAL", [precision, scale])
    if upper == "VARCHAR":
        return scalar("VARCHAR", [65533])
    if upper.startswith("TIMESTAMP"):
        return scalar("DATETIME", [6])
    return scalar(_FROM_DUCKDB.get(upper, "STRING"), [])
