"""Converting loaded cells to a table column's type, with Doris's strict/non-strict rules.

Non-strict mode (Doris's default): a value that cannot be converted becomes NULL, and the row is
filtered only if the column is NOT NULL. Strict mode: a non-NULL value that converts to NULL
filters the row. A string longer than a CHAR/VARCHAR column always filters the row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.model import Column

_LENGTH = re.compile(r"^\s*(?:VAR)?CHAR\s*\(\s*(\d+)\s*\)", re.IGNORECASE)
_INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32}


class CellError(ValueError):
    """A cell that cannot go into its column: the reason is Doris's error-log text."""


def _to_int(value: Any, bits: int) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        text = str(value).strip()
        number = int(text)
    if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise ValueError(value)
    return number


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("T", " ")
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    return dt.datetime.fromisoformat(text)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) > 10:
        return _to_datetime(text).date()
    return dt.datetime.strptime(text, "%Y-%m-%d").date()


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise ValueError(value)


def _to_decimal(value: Any, precision: int, scale: int) -> decimal.Decimal:
    number = decimal.Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError(value)
    quantized = number.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
    if abs(quantized) >= 10 ** (precision - scale):
        raise ValueError(value)
    return quantized


def convert_value(value: Any, column: Column) -> Any:
    """``value`` as a Python value of ``column``'s type; ValueError when it cannot be."""
    import pyarrow as pa
    import pyarrow.types as t

    arrow_type = column.arrow_type
    name = str(arrow_type)
    if name in _INT_BITS:
        return _to_int(value, _INT_BITS[name])
    if t.is_floating(arrow_type):
        if isinstance(value, str) and not value.strip():
            raise ValueError(value)
        return float(value)
    if t.is_boolean(arrow_type):
        return _to_bool(value)
    if t.is_decimal(arrow_type):
        assert isinstance(arrow_type, (pa.Decimal128Type, pa.Decimal256Type))
        return _to_decimal(value, arrow_type.precision, arrow_type.scale)
    if t.is_timestamp(arrow_type):
        return _to_datetime(value)
    if t.is_date(arrow_type):
        return _to_date(value)
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        from airflow_provider_doris_oss.testing.doris_fe.fileio import format_cell

        return value if isinstance(value, str) else format_cell(value)
    return value


def convert_cell(value: Any, column: Column, strict: bool) -> Any:
    """Convert one cell as a Doris load does; raise CellError when the row must be filtered."""
    if value is None:
        if not column.nullable:
            raise CellError(f"column({column.name}) values is null while columns is not nullable")
        return None
    try:
        converted = convert_value(value, column)
    except (ValueError, ArithmeticError, TypeError) as exc:
        if strict:
            raise CellError(
                f"column({column.name}) value is incorrect while strict mode is true, src value is {value}"
            ) from exc
        if not column.nullable:
            raise CellError(
                f"column({column.name}) values is null while columns is not nullable, src value is {value}"
            ) from exc
        return None
    match = _LENGTH.match(column.doris_type)
    if match and isinstance(converted, str) and len(converted.encode()) > int(match.group(1)):
        raise CellError(
            f"column_name[{column.name}], the length of input is too long than schema. "
            f"first 32 bytes of input str: [{converted[:32]}] schema length: {match.group(1)}; "
            f"actual length: {len(converted.encode())}; "
        )
    return converted
