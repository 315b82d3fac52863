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
    # VARIANT holds a JSON document; the emulation keeps its text, as for JSON.
    "VARIANT": ("VARCHAR", "variant"),
    # IPV4 is a 32-bit unsigned number (DuckDB's UINTEGER, which no other Doris type uses, so a
    # result column of that type is shown as an address); IPV6 keeps its text, lower-case.
    "IPV4": ("UINTEGER", "ipv4"),
    "IPV6": ("VARCHAR", "ipv6"),
}
_DECIMALS = ("DECIMAL", "DECIMALV2", "DECIMALV3", "NUMERIC")
_DATETIMES = ("DATETIME", "DATETIMEV2")
_STRINGS = ("CHAR", "VARCHAR")
# Integer types take a MySQL display width (``INT(11)``), which Doris accepts and ignores.
_INTEGERS = ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "LARGEINT")
_UNSUPPORTED = ("HLL", "BITMAP", "QUANTILE_STATE", "AGG_STATE")


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
    if upper in _SCALARS and (not params or upper in _INTEGERS):
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


def map_of(key: DorisType, value: DorisType) -> DorisType:
    """``MAP<key,value>``, shown as Doris's ``MapType.toSql`` writes it (``MAP<int,text>``)."""
    if (
        key.duckdb.endswith("]")
        or key.duckdb.startswith(("MAP(", "STRUCT("))
        or key.display
        in (
            "float",
            "double",
            "json",
            "variant",
        )
    ):
        raise _error(f"Map key type {key.display} is not supported")
    return DorisType(f"MAP<{key.display},{value.display}>", f"MAP({key.duckdb}, {value.duckdb})")


def struct_of(fields: list[tuple[str, DorisType, str]]) -> DorisType:
    """``STRUCT<name:type [COMMENT 'c'], ...>``, shown as Doris's ``StructType.toSql`` writes it."""
    seen: set[str] = set()
    for name, _, _ in fields:
        if name.lower() in seen:
            raise _error(f"Duplicate field name {name} in struct")
        seen.add(name.lower())
    shown = ",".join(
        f"{name}:{kind.display}" + (f" comment '{comment}'" if comment else "")
        for name, kind, comment in fields
    )
    duck = ", ".join('"' + name.replace('"', '""') + f'" {kind.duckdb}' for name, kind, _ in fields)
    return DorisType(f"struct<{shown}>", f"STRUCT({duck})")


def is_complex(t: DorisType) -> bool:
    """ARRAY, MAP, STRUCT: types Doris refuses in key, partition and distribution columns."""
    return t.duckdb.endswith("]") or t.duckdb.startswith(("MAP(", "STRUCT("))


def is_string(t: DorisType) -> bool:
    return t.duckdb == "VARCHAR"


def cast_sql(value_sql: str, t: DorisType) -> str:
    """DuckDB SQL converting ``value_sql`` to a column of type ``t`` as a Doris load or INSERT does.

    A value that does not convert is NULL (``TRY_CAST``). A DATETIME keeps ``scale`` digits of the
    second, rounded half up (Doris rounds on every cast to DATETIMEV2: ``DateTimeV2Literal`` in the
    FE since 2.0, the BE's string cast since 2.1), so ``10:00:00.9996`` is ``10:00:01.000`` in a
    DATETIME(3) column.
    """
    if t.display == "ipv4":
        return _ipv4_sql(value_sql)
    if t.display == "ipv6":
        return _ipv6_sql(value_sql)
    if t.duckdb.startswith(("MAP(", "STRUCT(")):  # Doris's text form is JSON: '{"k":1}'
        return f"TRY_CAST(TRY_CAST({value_sql} AS JSON) AS {t.duckdb})"
    cast = f"TRY_CAST({value_sql} AS {t.duckdb})"
    if t.scale is None or t.scale >= 6:
        return cast
    step = 10 ** (6 - t.scale)
    return (
        f"(date_trunc('second', {cast}) + to_microseconds("
        f"((microsecond({cast}) % 1000000) + {step // 2}) // {step} * {step}))"
    )


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"{_OCTET}(\.{_OCTET}){{3}}"
_H = "[0-9a-fA-F]{1,4}"
# RFC 4291 text forms: eight groups, or fewer around one '::', the last 32 bits optionally dotted.
IPV6_PATTERN = (
    rf"(({_H}:){{7}}{_H}|({_H}:){{1,7}}:|({_H}:){{1,6}}:{_H}|({_H}:){{1,5}}(:{_H}){{1,2}}"
    rf"|({_H}:){{1,4}}(:{_H}){{1,3}}|({_H}:){{1,3}}(:{_H}){{1,4}}|({_H}:){{1,2}}(:{_H}){{1,5}}"
    rf"|{_H}:(:{_H}){{1,6}}|:((:{_H}){{1,7}}|:)|({_H}:){{6}}{IPV4_PATTERN}"
    rf"|::(ffff(:0{{1,4}})?:)?{IPV4_PATTERN}|({_H}:){{1,4}}:{IPV4_PATTERN})"
)


def _ipv4_sql(value_sql: str) -> str:
    """An IPV4 from its dotted text, as the 32-bit number DuckDB stores (NULL when malformed); a
    load's converted cell is that number already."""
    text = f"CAST({value_sql} AS VARCHAR)"
    parts = " + ".join(
        f"CAST(split_part({text}, '.', {i + 1}) AS UBIGINT) * {256 ** (3 - i)}" for i in range(4)
    )
    return (
        f"(CASE WHEN typeof({value_sql}) = 'UINTEGER' THEN TRY_CAST({value_sql} AS UINTEGER) "
        f"WHEN regexp_full_match({text}, '{IPV4_PATTERN}') THEN CAST({parts} AS UINTEGER) END)"
    )


def _ipv6_sql(value_sql: str) -> str:
    """An IPV6 from its text: lower-case, leading zeros of each group dropped (NULL when malformed)."""
    text = f"CAST({value_sql} AS VARCHAR)"
    return (
        f"(CASE WHEN regexp_full_match({text}, '{IPV6_PATTERN}') THEN "
        f"regexp_replace(lower({text}), '(^|:)0+([0-9a-f])', '\\1\\2', 'g') END)"
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
    "UINTEGER": "IPV4",  # only IPV4 columns are stored so
}


def _complex_from_duckdb(kind: str) -> DorisType:
    """``MAP(K, V)`` or ``STRUCT("a" T, ...)`` of DuckDB as the Doris type."""
    from airflow_provider_doris_oss.testing.doris_fe.results import field_name_and_type, inner_types

    inner = inner_types(kind)
    if kind.upper().startswith("MAP("):
        return map_of(from_duckdb(inner[0]), from_duckdb(inner[1]))
    fields = [field_name_and_type(f) for f in inner]
    return struct_of([(name, from_duckdb(t), "") for name, t in fields])


def from_duckdb(kind: str) -> DorisType:
    """The Doris type of a DuckDB result column (for CREATE TABLE ... AS SELECT)."""
    upper = kind.upper()
    if upper.endswith("[]"):
        return array_of(from_duckdb(upper[:-2]))
    if upper.startswith(("MAP(", "STRUCT(")):
        return _complex_from_duckdb(kind)
    if upper.startswith("DECIMAL("):
        precision, scale = (int(x) for x in upper[8:-1].split(","))
        return scalar("DECIMAL", [precision, scale])
    if upper == "VARCHAR":
        return scalar("VARCHAR", [65533])
    if upper.startswith("TIMESTAMP"):
        return scalar("DATETIME", [6])
    return scalar(_FROM_DUCKDB.get(upper, "STRING"), [])


def key_column_error(name: str, t: DorisType) -> str | None:
    """Doris's refusal of ``t`` in key column ``name`` (``ColumnDefinition.checkKeyColumnType``), or None."""
    display = t.display
    if display in ("float", "double"):
        return "Float or double can not used as a key, use decimal instead."
    if display == "text":
        return f"String Type should not be used in key column[{name}]"
    if display == "json":
        return f"JsonType type should not be used in key column[{name}]."
    if display == "variant":
        return f"Variant type should not be used in key column[{name}]."
    for prefix, shown in (("array<", "Array"), ("MAP<", "Map"), ("struct<", "Struct")):
        if display.startswith(prefix):
            return f"{shown} can only be used in the non-key column of the duplicate table at present."
    return None


def default_error(t: DorisType) -> str | None:
    """Doris's refusal of a non-NULL default on a column of type ``t``, or None."""
    if t.display.startswith("MAP<"):
        return "Map type column default value just support null"
    if t.display.startswith("struct<"):
        return "Struct type column default value just support null"
    if t.display in ("json", "variant"):
        return "Json or Variant type column default value just support null"
    return None
