"""Doris's system variables: every name, type and default Doris has (``session_variables.tsv``),
set and read as Doris's ``VariableMgr`` sets and reads them.

- names are case-insensitive; an experimental variable is shown as ``experimental_<name>`` and set
  with or without the prefix (a deprecated one with ``deprecated_``); a removed one is accepted by
  ``SET`` and not shown;
- a value is checked by the variable's type: a boolean takes ``ON/OFF``, ``TRUE/FALSE``, ``1/0``
  (else 1231 ``Variable 'x' can't be set to the value of 'v'``), a number must parse as its Java
  type (else 1232 ``Incorrect argument type to variable 'x'``);
- read-only variables refuse ``SET`` (1238), GLOBAL-only ones refuse a session ``SET`` (1229);
- ``SET GLOBAL`` changes the value for the connections that open afterwards, and this one;
- a few variables have Doris's own checks: ``query_timeout`` > 0, ``max_execution_time`` >= 1000
  (it sets ``query_timeout`` too), ``parallel_pipeline_task_num`` >= 0, ``time_zone`` (a zone or an
  offset, normalised), ``sql_mode`` (known mode names), and the option lists Doris declares.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Collection, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

_DATA = Path(__file__).with_name("session_variables.tsv")
_PREFIXES = {"experimental": "experimental_", "deprecated": "deprecated_"}
_INT_RANGE = {"int": 2**31, "long": 2**63}
_JAVA_INT = re.compile(r"[+-]?\d+")
_JAVA_DOUBLE = re.compile(r"\s*[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?\s*")
_OFFSET = re.compile(r"^([+-])(\d{1,2}):(\d{2})$")
# SqlModeHelper's names, in bit order; ANSI and TRADITIONAL are combinations.
SQL_MODES = (
    "REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NOT_USED_9",
    "ONLY_FULL_GROUP_BY", "NO_UNSIGNED_SUBTRACTION", "NO_DIR_IN_CREATE", "NO_AUTO_VALUE_ON_ZERO",
    "NO_BACKSLASH_ESCAPES", "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE",
    "NO_ZERO_DATE", "ALLOW_INVALID_DATES", "ERROR_FOR_DIVISION_BY_ZERO", "HIGH_NOT_PRECEDENCE",
    "NO_ENGINE_SUBSTITUTION", "PAD_CHAR_TO_FULL_LENGTH", "TIME_TRUNCATE_FRACTIONAL",
)  # fmt: skip
_SQL_MODE_SETS = {
    "ANSI": ("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY"),
    "TRADITIONAL": ("STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
                    "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"),
}  # fmt: skip
_OPTIONS = {
    "insert_visible_timeout_return_mode": ("committed", "error"),
    "partial_update_new_key_behavior": ("APPEND", "ERROR"),
    "serde_dialect": ("doris", "presto", "trino"),
    "ignore_split_type": ("NONE", "IGNORE_JNI", "IGNORE_NATIVE", "IGNORE_PAIMON_CPP"),
    "memo_logical_row_count_aggregation_policy": ("trust_join_count", "average", "median", "min"),
}


@dataclass(frozen=True)
class VarDef:
    """One variable: its name as Doris spells it, Java type, default (as shown) and flags."""

    name: str
    kind: str
    default: str
    flags: frozenset[str]

    @property
    def shown_name(self) -> str:
        """The name SHOW VARIABLES lists (``experimental_`` / ``deprecated_`` prefixed)."""
        prefix = next((p for flag, p in _PREFIXES.items() if flag in self.flags), "")
        return prefix + self.name


@cache
def variables() -> dict[str, VarDef]:
    """Every variable Doris has, by lower-case name."""
    found: dict[str, VarDef] = {}
    lines = [line for line in _DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    for line in lines[1:]:
        name, kind, default, flags = line.split("\t")
        found[name.lower()] = VarDef(name, kind, default, frozenset(f for f in flags.split(",") if f))
    return found


def _error(text: str, code: int, sqlstate: str = "HY000") -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}", code, sqlstate)


def lookup(name: str) -> VarDef:
    """The variable ``name`` (any case, with the prefix its kind allows); 1193 when Doris has none."""
    table = variables()
    key = name.lower()
    found = table.get(key)
    if found is None:
        for flag, prefix in _PREFIXES.items():
            if key.startswith(prefix):
                candidate = table.get(key[len(prefix) :])
                if candidate is not None and flag in candidate.flags:
                    found = candidate
    if found is None:
        raise _error(f"Unknown system variable '{name}'", 1193)
    return found


def java_double(value: float) -> str:
    """A double as Java's ``Double.toString`` writes it (``1.0``, ``0.3``, ``1.0E-4``, ``3.0E7``)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(str(d) for d in digits)
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{len(shown) + exponent - 1}"


def _time_zone(var: VarDef, value: str) -> str:
    """Doris's ``TimeUtils.checkTimeZoneValidAndStandardize``: an offset (``+8:00`` -> ``+08:00``,
    -12:59..+14:00), ``CST`` (Asia/Shanghai) or an IANA zone; else 1298."""
    match = _OFFSET.match(value.strip())
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
        total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
        if minutes < 60 and -(12 * 60 + 59) <= total <= 14 * 60:
            return f"{sign}{hours:02d}:{minutes:02d}"
    elif value.strip().upper() == "CST":
        return "Asia/Shanghai"
    else:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value.strip())
            return value.strip()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise _error(f"Unknown or incorrect time zone: '{value}'", 1298)


def _sql_mode(var: VarDef, value: str) -> str:
    modes: set[str] = set()
    for part in (p.strip().upper() for p in value.split(",")):
        if not part:
            continue
        if part in _SQL_MODE_SETS:
            modes.update(_SQL_MODE_SETS[part])
        elif part in SQL_MODES:
            modes.add(part)
        else:
            raise _error(f"Variable '{var.name}' can't be set to the value of '{value}'", 1231, "42000")
    return ",".join(mode for mode in SQL_MODES if mode in modes)


def _checked(var: VarDef, value: str) -> str:
    """``value`` as the variable holds it (its shown text), or Doris's refusal."""
    key = var.name.lower()
    if var.kind in ("boolean", "boolean_long"):
        word = value.strip().upper()
        if word in ("ON", "TRUE", "1"):
            return "true"
        if word in ("OFF", "FALSE", "0"):
            return "false"
        raise _error(f"Variable '{var.name}' can't be set to the value of '{value}'", 1231, "42000")
    if var.kind in _INT_RANGE:
        limit = _INT_RANGE[var.kind]
        if not _JAVA_INT.fullmatch(value) or not -limit <= int(value) < limit:
            raise _error(f"Incorrect argument type to variable '{var.name}'", 1232, "42000")
        number = int(value)
        floor = {"query_timeout": 1, "max_execution_time": 1000, "parallel_pipeline_task_num": 0}.get(key)
        if floor is not None and number < floor:
            reason = (
                f"{key} can not be set to {value}, it must be greater than 0"
                if key == "query_timeout"
                else f"{key} value should greater than or equal {floor}, you set value is: {value}"
            )
            raise _error(f"Value '{var.name}' of '{value}' is invalid, '{reason}'", 5018)
        return str(number)
    if var.kind == "double":
        if not _JAVA_DOUBLE.fullmatch(value):
            raise _error(f"Incorrect argument type to variable '{var.name}'", 1232, "42000")
        text = value.strip().rstrip("fFdD")
        return java_double(float(text.replace("Infinity", "inf")))
    if var.kind == "sql_mode":
        return _sql_mode(var, value)
    if key == "time_zone":
        return _time_zone(var, value)
    options = _OPTIONS.get(key)
    if options is not None:
        chosen = next((o for o in options if o.lower() == value.strip().lower()), None)
        if chosen is None:
            reason = f"{key} must be one of {', '.join(options)}"
            raise _error(f"Value '{var.name}' of '{value}' is invalid, '{reason}'", 5018)
        return chosen
    return value


def typed(var: VarDef, text: str) -> Any:
    """The value ``SELECT @@name`` answers: a number for numbers and booleans, else the text."""
    if var.kind in ("boolean", "boolean_long"):
        return 1 if text == "true" else 0
    if var.kind in _INT_RANGE:
        return int(text)
    if var.kind == "double":
        return float(text.replace("Infinity", "inf"))
    return text


class _Merged(Mapping[str, str]):
    """Every variable's current text by lower-case name: set values over globals over defaults."""

    def __init__(self, owner: SessionVariables) -> None:
        self.owner = owner

    def __getitem__(self, key: str) -> str:
        var = variables()[key.lower()]
        return self.owner.text(var)

    def __iter__(self) -> Iterator[str]:
        return iter(variables())

    def __len__(self) -> int:
        return len(variables())


class SessionVariables:
    """One connection's variables: Doris's defaults, the FE's ``SET GLOBAL`` values, its own ``SET``s."""

    def __init__(self, global_values: MutableMapping[str, str] | None = None) -> None:
        self.global_values: MutableMapping[str, str] = global_values if global_values is not None else {}
        self.session: dict[str, str] = dict(self.global_values)  # a new session starts from the globals
        self.values: Mapping[str, str] = _Merged(self)

    def text(self, var: VarDef, scope: str = "SESSION") -> str:
        key = var.name.lower()
        if scope == "GLOBAL" or "global" in var.flags:
            return self.global_values.get(key, var.default)
        return self.session.get(key, self.global_values.get(key, var.default))

    def get(self, name: str, scope: str = "SESSION") -> Any:
        """``@@name`` (``@@global.name`` with scope GLOBAL), typed as Doris answers it."""
        var = lookup(name)
        return typed(var, self.text(var, scope))

    def set(self, name: str, value: str | None, scope: str = "SESSION") -> None:
        """``SET [GLOBAL|SESSION] name = value``; ``value`` None is ``DEFAULT``."""
        var = lookup(name)
        if "ro" in var.flags:
            raise _error(f"Variable '{name}' is a read only variable", 1238)
        global_only, session_only = "global" in var.flags, "session_only" in var.flags
        if (scope == "GLOBAL" and session_only) or (scope != "GLOBAL" and global_only):
            raise _error(f"Variable '{name}' is a GLOBAL variable and should be set with SET GLOBAL", 1229)
        text = var.default if value is None else _checked(var, value)
        key = var.name.lower()
        if scope == "GLOBAL":
            self.global_values[key] = text
        self.session[key] = text
        if key == "max_execution_time":  # Doris's setter keeps query_timeout in step (seconds)
            self.session["query_timeout"] = str(int(text) // 1000)

    def show(
        self, pattern: re.Pattern[str] | None, names: Collection[str] | None = None, scope: str = "SESSION"
    ) -> list[tuple[str, str, str, str]]:
        """Rows of ``SHOW [GLOBAL] VARIABLES``: Variable_name, Value, Default_Value, Changed."""
        rows = []
        for var in variables().values():
            if var.flags & {"removed", "invisible"}:
                continue
            shown = var.shown_name
            if pattern is not None and not pattern.match(shown):
                continue
            if names is not None and shown.lower() not in names:
                continue
            value = self.text(var, scope)
            rows.append((shown, value, var.default, "0" if value == var.default else "1"))
        return sorted(rows)
