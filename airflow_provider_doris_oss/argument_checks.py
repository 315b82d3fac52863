"""The shapes an argument can be checked for: each check names the argument and the fix, or returns None.

A check is ``check(name, value) -> str | None`` with ``name`` the parameter as the user wrote it.
Standard library only (``regex_safety`` parses patterns with ``re``'s own parser), so a DAG file
that builds operators pays nothing heavy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from airflow_provider_doris_oss.uris import is_uri

# A poll or poke interval, a sensor's inactivity period: at most a day. Larger values are
# typos (milliseconds for seconds) and overflow time.sleep() and datetime arithmetic.
MAX_INTERVAL_SECONDS = 24 * 60 * 60
MAX_PERIOD_SECONDS = 366 * 24 * 60 * 60

Check = Callable[[str, Any], "str | None"]


def shown(value: Any) -> str:
    """``value`` as an error message shows it (strings quoted, long values cut)."""
    if isinstance(value, str):
        return f"the string {value!r}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def optional(check: Check) -> Check:
    """``check``, with None allowed."""

    def run(name: str, value: Any) -> str | None:
        return None if value is None else check(name, value)

    return run


def every(*checks: Check) -> Check:
    """Each of ``checks`` in turn; the first problem is the answer."""

    def run(name: str, value: Any) -> str | None:
        for check in checks:
            problem = check(name, value)
            if problem:
                return problem
        return None

    return run


def flag(name: str, value: Any) -> str | None:
    """A real bool; the strings "true"/"false" are refused, never taken as truthy."""
    if isinstance(value, bool):
        return None
    hint = ""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        hint = f" Write {name}={value.strip().capitalize()} (no quotes)."
    return (
        f"{name} must be True or False, not {shown(value)}.{hint or f' Write {name}=True or {name}=False.'}"
    )


def text(name: str, value: Any) -> str | None:
    """A non-empty string."""
    if isinstance(value, str) and value.strip():
        return None
    return f"{name} must be a non-empty string, not {shown(value)}."


def conn_id(name: str, value: Any) -> str | None:
    """A connection id: a non-empty string without whitespace."""
    if isinstance(value, str) and value.strip() and not any(c.isspace() for c in value):
        return None
    return (
        f"{name} must be a connection id: a non-empty string without spaces, not {shown(value)}. "
        "Name a connection that exists, e.g. via an AIRFLOW_CONN_<ID> variable."
    )


def seconds(maximum: float = MAX_INTERVAL_SECONDS, *, allow_zero: bool = False) -> Check:
    """A number of seconds (int, float or timedelta), positive (or zero) and at most ``maximum``."""

    def run(name: str, value: Any) -> str | None:
        number = value.total_seconds() if isinstance(value, timedelta) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            return f"{name} must be a number of seconds, not {shown(value)}. Write e.g. {name}=30."
        low = "0 or more" if allow_zero else "more than 0"
        if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
            return f"{name} must be {low} seconds, not {value!r}."
        if number > maximum:
            return (
                f"{name} must be at most {maximum:g} seconds ({maximum / 3600:g} hours), not {number:g}; "
                "was it given in milliseconds?"
            )
        return None

    return run


def whole(minimum: int, maximum: int | None = None) -> Check:
    """An int within ``[minimum, maximum]`` (bools and numeric strings refused)."""

    def run(name: str, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} must be a whole number, not {shown(value)}. Write e.g. {name}={minimum}."
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            return f"{name} must be {bound}, not {value}."
        return None

    return run


def any_text(name: str, value: Any) -> str | None:
    """A string, possibly empty (a prefix)."""
    return None if isinstance(value, str) else f"{name} must be a string, not {shown(value)}."


def one_of(*allowed: str) -> Check:
    """One of ``allowed`` (case-insensitive)."""

    def run(name: str, value: Any) -> str | None:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return None
        return f"{name} must be one of {', '.join(allowed)}, not {shown(value)}."

    return run


def _each_text(name: str, items: Sequence[Any]) -> str | None:
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            return f"{name}[{i}] must be a non-empty string, not {shown(item)}."
    return None


def names(name: str, value: Any) -> str | None:
    """A list of non-empty strings (column or partition names); a single string is refused."""
    if isinstance(value, str):
        if not value.strip():
            return f"{name} must be a list of names, not an empty string. Leave {name} out, or list names."
        return f"{name} must be a list of names, not the single string {value!r}. Write {name}=[{value!r}]."
    if not isinstance(value, list | tuple):
        return f"{name} must be a list of strings, not {shown(value)}."
    return _each_text(name, value)


def partitions(*, star: bool) -> Check:
    """Partition names; with ``star``, also ``"*"`` (an overwrite's "the partitions the rows fall in").

    ``["*"]`` is refused either way: Doris would look for a partition literally named ``*``.
    """

    def run(name: str, value: Any) -> str | None:
        if star and value == "*":
            return None
        problem = names(name, value)
        if problem:
            return problem
        for i, item in enumerate(value):
            if item.strip() == "*":
                fix = (
                    f'write {name}="*" (the string, not a list) to replace the partitions the rows fall in'
                    if star
                    else f"leave {name} out to use every partition"
                )
                return (
                    f"{name}[{i}]: '*' is not a partition name (Doris would look one up by that name); {fix}."
                )
        return None

    return run


def texts(name: str, value: Any) -> str | None:
    """A string, or a non-empty list of non-empty strings (URIs, paths, keys)."""
    if isinstance(value, str):
        return text(name, value)
    if not isinstance(value, list | tuple) or not value:
        return f"{name} must be a string or a non-empty list of strings, not {shown(value)}."
    return _each_text(name, value)


def items_of(value: str | Sequence[Any], name: str) -> list[tuple[str, Any]]:
    """``value`` as ``(field, item)`` pairs: ``name`` itself for a string, ``name[i]`` for a list."""
    if isinstance(value, str):
        return [(name, value)]
    return [(f"{name}[{i}]", item) for i, item in enumerate(value)]


def mapping(name: str, value: Any) -> str | None:
    """A dict with non-empty string keys and string, number or boolean values."""
    if not isinstance(value, Mapping):
        return f"{name} must be a dict, not {shown(value)}."
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            return f"{name}: every key must be a non-empty string, not {shown(key)}."
        if item is None or not isinstance(item, str | int | float | bool):
            return f"{name}[{key!r}] must be a string, number or boolean, not {shown(item)}."
    return None


def string_mapping(name: str, value: Any) -> str | None:
    """A dict of non-empty strings to non-empty strings (column -> expression)."""
    if not isinstance(value, Mapping):
        return f"{name} must be a dict of column -> expression, not {shown(value)}."
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            return f"{name}: every key must be a non-empty column name, not {shown(key)}."
        if not isinstance(item, str) or not item.strip():
            return f"{name}[{key!r}] must be a non-empty expression string, not {shown(item)}."
    return None


def sequence_of_dicts(name: str, value: Any) -> str | None:
    """A non-empty list whose items are dicts or dataclass objects (data descriptions)."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple) or not value:
        return f"{name} must be a non-empty list of DataDescription objects or dicts, not {shown(value)}."
    return None


def regex_keys(name: str, value: Any) -> str | None:
    """Each key (or a URI's key part) compiles and cannot backtrack without bound (``regex_safety``)."""
    for where, item in items_of(value if isinstance(value, str | list | tuple) else (), name):
        if not isinstance(item, str):
            continue
        pattern = item.partition("://")[2].partition("/")[2] if is_uri(item) else item
        try:
            re.compile(pattern)
        except re.error as error:
            return (
                f"{where}: {pattern!r} is not a valid regular expression ({error}). Fix the pattern, or "
                "drop use_regex to match the key exactly."
            )
        # Imported on first use, so a DAG file without use_regex never loads it.
        from airflow_provider_doris_oss.regex_safety import regex_problem

        problem = regex_problem(pattern)
        if problem:
            return (
                f"{where}: the regular expression {pattern!r} is refused because {problem}. Python's re has "
                "no timeout, so one such key could hold the sensor for hours. Rewrite it (a repeat's body "
                "must match one way; at most two unbounded repeats), or use wildcard_match."
            )
    return None
