"""Converting loaded cells to a table column's type, with Doris's strict/non-strict rules.

Non-strict mode (Doris's default): a value that cannot be converted becomes NULL, and the row is
filtered only if the column is NOT NULL. Strict mode: a non-NULL value that converts to NULL
filters the row. A string longer than a CHAR/VARCHAR column always filters the row.

Doris's DATE/DATETIME range starts at year 0 (``0000-01-01``), which Python's ``datetime`` cannot
hold: such a value is returned as days (DATE) or microseconds (DATETIME) since 1970, as Arrow
stores it. An ARRAY cell (``[1.5, 2]``, ``["a", "b"]`` or a list) has each element converted to
the element type, so ``ARRAY<DECIMAL(10,2)>`` keeps its scale.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Mapping
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.model import Column, DorisError

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


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_DAYS_400_YEARS = 146097  # the Gregorian calendar repeats every 400 years
_YEAR_ZERO = re.compile(r"^0000-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6})\d*)?)?$")


def _year_zero(text: str) -> tuple[int, int] | None:
    """(days, microseconds of the day) since 1970 of a year-0 date or datetime text, else None."""
    match = _YEAR_ZERO.match(text)
    if match is None:
        return None
    month, day, hour, minute, second, fraction = match.groups()
    days = dt.date(400, int(month), int(day)).toordinal() - _DAYS_400_YEARS - _EPOCH_ORDINAL
    micros = (int(hour or 0) * 3600 + int(minute or 0) * 60 + int(second or 0)) * 1_000_000
    return days, micros + int((fraction or "0").ljust(6, "0"))


def _to_datetime(value: Any) -> dt.datetime | int:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("T", " ")
    zero = _year_zero(text)
    if zero is not None:
        return zero[0] * 86_400_000_000 + zero[1]
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    return dt.datetime.fromisoformat(text)


def _to_date(value: Any) -> dt.date | int:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    zero = _year_zero(text)
    if zero is not None:
        return zero[0]
    if len(text) > 10:
        converted = _to_datetime(text)
        assert isinstance(converted, dt.datetime)
        return converted.date()
    return dt.datetime.strptime(text, "%Y-%m-%d").date()


def _array_items(value: Any) -> list[Any]:
    """The elements of an ARRAY cell: a list, or Doris's text form ``[1, 2]`` / ``["a", null]``."""
    if isinstance(value, (list, tuple)):
        return list(value)
    text = str(value).strip()
    if not (text.startswith("[") and text.endswith("]")):
        raise ValueError(value)
    try:
        items = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        body = text[1:-1].strip()
        items = [] if not body else [_unquote(part.strip()) for part in body.split(",")]
    if not isinstance(items, list):
        raise ValueError(value)
    return items


def _object_items(value: Any, names: list[str] | None = None) -> dict[Any, Any]:
    """The entries of a MAP or STRUCT cell: a dict, or Doris's text ``{"k":1, "k2":null}``; a
    STRUCT (``names`` given) also takes its values by position: ``{1, "x"}`` or a list."""
    if isinstance(value, dict):
        return value
    if names is not None and isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(value)
        return dict(zip(names, value, strict=True))
    text = str(value).strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError(value)
    try:
        items = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        if names is None:
            raise
        items = json.loads("[" + text[1:-1] + "]", parse_float=str, parse_int=str)
        return _object_items(items, names)
    if not isinstance(items, dict):
        raise ValueError(value)
    return items


def _to_ip(value: Any, kind: str) -> int | str:
    """An IPV4 cell as its 32-bit number (how the table stores it), an IPV6 cell as Doris shows
    the address (compressed, lower-case)."""
    import ipaddress

    text = str(value).strip()
    if kind == "ipv4":
        return int(ipaddress.IPv4Address(text))
    return str(ipaddress.IPv6Address(text))


def _to_json_text(value: Any) -> str:
    """A VARIANT cell: a JSON document's text (a loaded object or list is written as JSON)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = value if isinstance(value, str) else str(value)
    json.loads(text)
    return text


def _unquote(text: str) -> str | None:
    if text.lower() == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


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
    kind = column.doris_type.strip().lower()
    if kind in ("ipv4", "ipv6"):
        return _to_ip(value, kind)
    if kind == "variant":
        return _to_json_text(value)
    if t.is_map(arrow_type):
        assert isinstance(arrow_type, pa.MapType)
        key = Column(column.name, "", arrow_type.key_type)
        item = Column(column.name, "", arrow_type.item_type)
        pairs = _object_items(value)
        return [
            (convert_value(k, key), None if v is None else convert_value(v, item)) for k, v in pairs.items()
        ]
    if t.is_struct(arrow_type):
        assert isinstance(arrow_type, pa.StructType)
        fields = [arrow_type.field(i) for i in range(arrow_type.num_fields)]
        given = _object_items(value, [f.name for f in fields])
        by_name = {k.lower(): v for k, v in given.items()}
        out = {}
        for f in fields:
            cell = by_name.get(f.name.lower())
            out[f.name] = None if cell is None else convert_value(cell, Column(f.name, "", f.type))
        return out
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
    if t.is_list(arrow_type) or t.is_large_list(arrow_type):
        assert isinstance(arrow_type, (pa.ListType, pa.LargeListType))
        element = Column(column.name, _element_type(column.doris_type), arrow_type.value_type)
        return [None if item is None else convert_value(item, element) for item in _array_items(value)]
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        from airflow_provider_doris_oss.testing.doris_fe.fileio import format_cell

        return value if isinstance(value, str) else format_cell(value)
    return value


def _element_type(doris_type: str) -> str:
    """``decimal(10,2)`` of ``array<decimal(10,2)>``."""
    inner = doris_type.strip()
    if inner.lower().startswith("array<") and inner.endswith(">"):
        return inner[len("array<") : -1]
    return inner


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


def filter_ratio(variables: Mapping[str, Any]) -> float:
    """The session's ``insert_max_filter_ratio`` (Doris's default 1.0: any share may be filtered)."""
    try:
        return float(variables.get("insert_max_filter_ratio", "1.0"))
    except (TypeError, ValueError):
        return 1.0


def check_filter_ratio(strict: bool, filtered: int, total: int, ratio: float) -> None:
    """Doris's check after a non-strict INSERT: more than ``ratio`` of the rows filtered fails it."""
    if not strict and filtered > ratio * total:
        raise DorisError(
            f"errCode = 2, detailMessage = Insert has too many filtered data {filtered}/{total} "
            f"insert_max_filter_ratio is {ratio:f}"
        )
