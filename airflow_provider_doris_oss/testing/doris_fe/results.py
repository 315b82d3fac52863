"""Values as Doris shows them: in a query's result rows and in the text files OUTFILE and EXPORT write.

- FLOAT is shown by its shortest decimal form (``1.1``), as Doris's BE prints a float, not the
  digits of the double it widens to (``1.100000023841858``);
- DATE and DATETIME reach back to ``0000-01-01`` (DuckDB calls year 0 ``0001-01-01 (BC)``, Python
  cannot hold it);
- a DATETIME(s) written to a file has ``s`` digits of the second when the column type is known;
- BOOLEAN is ``1``/``0``; an ARRAY is ``[1.50, 2.00]``, its strings and dates in double quotes,
  NULL elements as ``null``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


class DateText(str):
    """A DATE or DATETIME Python cannot hold (year 0), sent as Doris's text in a DATE/DATETIME column."""

    column_type = "DATE"


class DateTimeText(DateText):
    column_type = "DATETIME"


_BC = re.compile(r"^(\d{4,})-(\d\d)-(\d\d) \(BC\)(.*)$")
_SCALE = re.compile(r"datetime(?:v2)?\s*\(\s*(\d)\s*\)", re.IGNORECASE)
_EPOCH = dt.date(1970, 1, 1).toordinal()
_DAYS_400_YEARS = 146097


def float32_text(value: float) -> str:
    """The shortest decimal text that reads back as the same 32-bit float (``1.1``, ``1e+20``)."""
    if value != value or value in (float("inf"), float("-inf")):
        return {True: "nan"}.get(value != value, "inf" if value > 0 else "-inf")
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == packed:
            return text
    return repr(value)


def float32_value(value: float) -> float:
    """The double whose text is ``float32_text``: what a client reads for a FLOAT Doris sends."""
    return float(float32_text(value))


def _bc_text(text: str) -> str:
    """``0001-01-01 (BC) 10:00:00`` (DuckDB's year 0) as Doris writes it: ``0000-01-01 10:00:00``."""
    match = _BC.match(text)
    if match is None:
        return text
    year = 1 - int(match.group(1))
    shown = f"{year:04d}-{match.group(2)}-{match.group(3)}{match.group(4)}"
    return DateTimeText(shown) if match.group(4) else DateText(shown)


def date_text(days: int) -> str:
    """A DATE held as days since 1970, including year 0."""
    ordinal = days + _EPOCH
    if ordinal >= 1:
        return dt.date.fromordinal(ordinal).isoformat()
    shifted = dt.date.fromordinal(ordinal + _DAYS_400_YEARS)
    return f"{shifted.year - 400:04d}-{shifted.month:02d}-{shifted.day:02d}"


def datetime_text(micros: int, scale: int | None) -> str:
    """A DATETIME held as microseconds since 1970: ``scale`` digits of the second, or (scale
    unknown) six digits when there is a fraction."""
    days, rest = divmod(micros, 86_400_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{date_text(days)} {hours:02d}:{minutes:02d}:{seconds:02d}"
    if scale is None:
        return text + (f".{fraction:06d}" if fraction else "")
    return text + (f".{fraction:06d}"[: scale + 1] if scale else "")


def _kind(duck_type: str) -> str:
    return duck_type.strip().upper()


def inner_types(duck_type: str) -> list[str]:
    """The types inside ``MAP(K, V)`` or ``STRUCT(a T, ...)`` (struct fields with their names)."""
    body = duck_type[duck_type.index("(") + 1 : -1]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return parts


def field_name_and_type(field: str) -> tuple[str, str]:
    """(``a``, ``INTEGER``) of a struct field ``"a" INTEGER`` (or ``a INTEGER``)."""
    if field.startswith('"'):
        end = field.index('"', 1)
        while field[end + 1 : end + 2] == '"':
            end = field.index('"', end + 2)
        return field[1:end].replace('""', '"'), field[end + 1 :].strip()
    name, _, kind = field.partition(" ")
    return name, kind.strip()


def _field_type(field: str) -> str:
    return field_name_and_type(field)[1]


def ipv4_text(number: int) -> str:
    """An IPV4 held as its 32-bit number, in dotted form."""
    return ".".join(str((number >> shift) & 255) for shift in (24, 16, 8, 0))


def _object_text(value: Mapping[Any, Any], duck_type: str) -> str:
    """A MAP or STRUCT as Doris shows it: ``{"k":1, "k2":null}`` (struct fields by name)."""
    inner = inner_types(duck_type) if duck_type.endswith(")") else []
    if duck_type.startswith("MAP(") and len(inner) == 2:
        key_type, value_type = inner
        return (
            "{"
            + ", ".join(f"{_array_item(k, key_type)}:{_array_item(v, value_type)}" for k, v in value.items())
            + "}"
        )
    types = [_field_type(f) for f in inner] if len(inner) == len(value) else [""] * len(value)
    return (
        "{" + ", ".join(f'"{k}":{_array_item(v, types[i])}' for i, (k, v) in enumerate(value.items())) + "}"
    )


def display(value: Any, duck_type: str) -> Any:
    """One result value of a column of DuckDB type ``duck_type`` as the FE sends it."""
    if value is None:
        return None
    kind = _kind(duck_type)
    if isinstance(value, Mapping):
        return _object_text(value, kind)
    if kind == "UINTEGER" and isinstance(value, int):  # only IPV4 columns are stored so
        return ipv4_text(value)
    if isinstance(value, (list, tuple)):
        inner = kind[:-2] if kind.endswith("[]") else ""
        return "[" + ", ".join(_array_item(v, inner) for v in value) + "]"
    if isinstance(value, bool):
        return int(value)
    if kind == "FLOAT" and isinstance(value, float):
        return float32_value(value)
    if kind in ("DATE", "TIMESTAMP") and isinstance(value, str):
        return _bc_text(value)
    return value


def _array_item(value: Any, duck_type: str) -> str:
    if value is None:
        return "null"
    shown = display(value, duck_type)
    if isinstance(value, (str, dt.date, dt.datetime)) or _kind(duck_type) == "UINTEGER":
        return f'"{shown}"'
    if isinstance(shown, decimal.Decimal):
        return format(shown, "f")
    return str(shown)


def display_rows(rows: Sequence[Sequence[Any]], duck_types: Sequence[str]) -> list[tuple[Any, ...]]:
    """Result rows as the FE sends them, column by column (``duck_types`` from the cursor)."""
    return [tuple(display(v, duck_types[i]) for i, v in enumerate(row)) for row in rows]


# ------------------------------------------------------------------ Arrow tables (files, S3())


def _scale_of(doris_type: str | None) -> int | None:
    if doris_type is None:
        return None
    match = _SCALE.search(doris_type)
    if match:
        return int(match.group(1))
    return 0 if doris_type.strip().lower() in ("datetime", "datetimev2") else None


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _texts(array: pa.Array, scale: int | None) -> list[str | None]:
    """Doris's text of each value of ``array`` (None for NULL)."""
    import pyarrow as pa
    import pyarrow.types as t

    kind = array.type
    if t.is_date32(kind):
        return [None if d is None else date_text(d) for d in array.cast(pa.int32()).to_pylist()]
    if t.is_timestamp(kind):
        micros = array.cast(pa.timestamp("us")).cast(pa.int64()).to_pylist()
        return [None if m is None else datetime_text(m, scale) for m in micros]
    if t.is_float32(kind):
        return [None if v is None else float32_text(v) for v in array.to_pylist()]
    if t.is_map(kind) or t.is_struct(kind):
        duck = _duck_type(kind)
        values = array.to_pylist()
        return [None if v is None else _object_text(dict(v) if t.is_map(kind) else v, duck) for v in values]
    if t.is_list(kind) or t.is_large_list(kind):
        items = _item_texts(array.values)  # the whole child array; offsets index into it
        offsets = array.offsets.to_pylist()
        valid = array.is_valid().to_pylist()
        return [
            "[" + ", ".join(items[offsets[i] : offsets[i + 1]]) + "]" if valid[i] else None
            for i in range(len(array))
        ]
    return [None if v is None else _scalar_text(v) for v in array.to_pylist()]


def _duck_type(kind: pa.DataType) -> str:
    """The DuckDB type name of an Arrow type, as far as ``display`` tells types apart."""
    import pyarrow.types as t

    if t.is_map(kind):
        return f"MAP({_duck_type(kind.key_type)}, {_duck_type(kind.item_type)})"
    if t.is_struct(kind):
        fields = ", ".join(
            f'"{kind.field(i).name}" {_duck_type(kind.field(i).type)}' for i in range(kind.num_fields)
        )
        return f"STRUCT({fields})"
    if t.is_list(kind) or t.is_large_list(kind):
        return _duck_type(kind.value_type) + "[]"
    if t.is_float32(kind):
        return "FLOAT"
    if t.is_uint32(kind):
        return "UINTEGER"
    return str(kind).upper()


def _item_texts(array: pa.Array) -> list[str]:
    """The texts of array elements: strings, dates and datetimes quoted, NULL as ``null``."""
    import pyarrow.types as t

    kind = array.type
    quoted = t.is_string(kind) or t.is_large_string(kind) or t.is_date(kind) or t.is_timestamp(kind)
    return ["null" if x is None else (f'"{x}"' if quoted else x) for x in _texts(array, None)]


def _special(kind: pa.DataType) -> bool:
    import pyarrow.types as t

    return (
        t.is_date32(kind)
        or t.is_timestamp(kind)
        or t.is_float32(kind)
        or t.is_list(kind)
        or t.is_map(kind)
        or t.is_struct(kind)
    )


def as_text(table: pa.Table, doris_types: Mapping[str, str] | None = None) -> pa.Table:
    """``table`` with its date, datetime, float and array columns as Doris's text, the rest unchanged.

    ``doris_types`` (column name -> Doris type, e.g. ``DATETIME(3)``) gives a DATETIME its scale.
    """
    import pyarrow as pa

    types = doris_types or {}
    columns: list[Any] = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_uint32(column.type):  # only IPV4 columns are stored so (see doris_types)
            numbers = column.to_pylist()
            columns.append(pa.array([None if v is None else ipv4_text(v) for v in numbers], pa.string()))
            continue
        if not _special(column.type):
            columns.append(column)
            continue
        scale = _scale_of(types.get(name))
        texts = [text for chunk in column.chunks for text in _texts(chunk, scale)]
        columns.append(pa.array(texts, pa.string()))
    return pa.table(columns, names=table.column_names)


def _column_values(column: pa.ChunkedArray) -> list[Any]:
    """A column's values as the FE sends them: Python values where Python can hold them."""
    import pyarrow.types as t

    kind = column.type
    if t.is_float32(kind):
        return [None if v is None else float32_value(v) for v in column.to_pylist()]
    if t.is_date32(kind) or t.is_timestamp(kind):
        try:
            return list(column.to_pylist())
        except (OverflowError, ValueError):  # year 0: Doris's text instead, in a DATE/DATETIME column
            kind_of = DateText if t.is_date32(kind) else DateTimeText
            return [None if x is None else kind_of(x) for chunk in column.chunks for x in _texts(chunk, None)]
    if t.is_list(kind) or t.is_large_list(kind):
        return [text for chunk in column.chunks for text in _texts(chunk, None)]
    return [int(v) if isinstance(v, bool) else v for v in column.to_pylist()]


def arrow_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Result rows of an Arrow table (an ``S3()`` query) as the FE sends them."""
    columns = [_column_values(column) for column in table.columns]
    return list(zip(*columns, strict=True)) if columns else []
