"""Cheap checks of operator, sensor and trigger arguments; every refusal names the argument and the fix.

Operators call ``check_arguments`` first thing in ``__init__`` (DAG-parse time: this module
imports only the standard library and ``properties``, and compiles nothing at import), and
``check_rendered`` at the start of ``execute()`` for templated arguments, which can only be judged
after rendering. Both run before any connection is opened.

Booleans must be real ``True``/``False``: none of the flags checked here is a templated field, so
a string such as ``"false"`` is always a mistake (and would be truthy), and is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from airflow_provider_doris_oss.properties import bucket_name_problem
from airflow_provider_doris_oss.uris import is_uri

# A poll or poke interval, a sensor's inactivity period: at most a day. Larger values are
# typos (milliseconds for seconds) and overflow time.sleep() and datetime arithmetic.
MAX_INTERVAL_SECONDS = 24 * 60 * 60
MAX_PERIOD_SECONDS = 366 * 24 * 60 * 60

Check = Callable[[str, Any], "str | None"]


class ArgumentError(ValueError):
    """An operator, sensor or trigger argument that cannot work; the message names it and the fix."""


@dataclass(frozen=True)
class Arg:
    """One argument's rule: its name, its check, and where a templated value lives after rendering."""

    name: str
    check: Check
    templated: bool = False
    attr: str | None = None
    when: tuple[str, Any] | None = None  # (argument, value): the rule applies only then

    @property
    def attribute(self) -> str:
        """The instance attribute holding the (rendered) value."""
        return self.attr or self.name


def has_template(value: Any) -> bool:
    """Whether ``value`` (or any string inside it) is a Jinja template still to be rendered."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value or value.rstrip().endswith(".sql")
    if isinstance(value, Mapping):
        return any(has_template(k) or has_template(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_template(v) for v in value)
    return False


def check_arguments(owner: str, rules: Iterable[Arg], values: Mapping[str, Any]) -> None:
    """Check ``values`` (``__init__``'s ``locals()``, whose ``kwargs`` are included too).

    Arguments that are templates are left for ``check_rendered``.
    """
    given = {**values.get("kwargs", {}), **values} if isinstance(values.get("kwargs"), Mapping) else values
    for rule in rules:
        if rule.name not in given or (rule.when and given.get(rule.when[0]) != rule.when[1]):
            continue
        value = given[rule.name]
        if rule.templated and has_template(value):
            continue
        _apply(owner, rule, value)


def check_rendered(owner: str, rules: Iterable[Arg], task: Any) -> None:
    """Check the templated arguments' rendered values on ``task`` (call first thing in ``execute``)."""
    for rule in rules:
        if rule.when and getattr(task, rule.when[0], None) != rule.when[1]:
            continue
        if rule.templated:
            _apply(owner, rule, getattr(task, rule.attribute, None))


def _apply(owner: str, rule: Arg, value: Any) -> None:
    problem = rule.check(rule.name, value)
    if problem:
        raise ArgumentError(f"{owner}: {problem}")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---- checks: each returns the whole problem text (naming the argument and the fix) or None ----


def optional(check: Check) -> Check:
    """``check``, with None allowed."""

    def run(name: str, value: Any) -> str | None:
        return None if value is None else check(name, value)

    return run


def flag(name: str, value: Any) -> str | None:
    """A real bool; the strings "true"/"false" are refused, never taken as truthy."""
    if isinstance(value, bool):
        return None
    hint = ""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        hint = f" Write {name}={value.strip().capitalize()} (no quotes)."
    return (
        f"{name} must be True or False, not {_shown(value)}.{hint or f' Write {name}=True or {name}=False.'}"
    )


def text(name: str, value: Any) -> str | None:
    """A non-empty string."""
    if isinstance(value, str) and value.strip():
        return None
    return f"{name} must be a non-empty string, not {_shown(value)}."


def conn_id(name: str, value: Any) -> str | None:
    """A connection id: a non-empty string without whitespace."""
    if isinstance(value, str) and value.strip() and not any(c.isspace() for c in value):
        return None
    return (
        f"{name} must be a connection id: a non-empty string without spaces, not {_shown(value)}. "
        "Name a connection that exists, e.g. via an AIRFLOW_CONN_<ID> variable."
    )


def seconds(maximum: float = MAX_INTERVAL_SECONDS, *, allow_zero: bool = False) -> Check:
    """A number of seconds (int, float or timedelta), positive (or zero) and at most ``maximum``."""

    def run(name: str, value: Any) -> str | None:
        number = value.total_seconds() if isinstance(value, timedelta) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            return f"{name} must be a number of seconds, not {_shown(value)}. Write e.g. {name}=30."
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
            return f"{name} must be a whole number, not {_shown(value)}. Write e.g. {name}={minimum}."
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            return f"{name} must be {bound}, not {value}."
        return None

    return run


def any_text(name: str, value: Any) -> str | None:
    """A string, possibly empty (a prefix)."""
    return None if isinstance(value, str) else f"{name} must be a string, not {_shown(value)}."


def query(name: str, value: Any) -> str | None:
    """SQL text (its content is judged by the statement builder)."""
    if isinstance(value, str):
        return None
    return f"{name} must be a SELECT statement as a string (or a .sql file name), not {_shown(value)}."


def one_of(*allowed: str) -> Check:
    """One of ``allowed`` (case-insensitive)."""

    def run(name: str, value: Any) -> str | None:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return None
        return f"{name} must be one of {', '.join(allowed)}, not {_shown(value)}."

    return run


def _each_text(name: str, items: Sequence[Any]) -> str | None:
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            return f"{name}[{i}] must be a non-empty string, not {_shown(item)}."
    return None


def names(name: str, value: Any) -> str | None:
    """A list of non-empty strings (column or partition names); a single string is refused."""
    if isinstance(value, str):
        return f"{name} must be a list of names, not the single string {value!r}. Write {name}=[{value!r}]."
    if not isinstance(value, list | tuple):
        return f"{name} must be a list of strings, not {_shown(value)}."
    return _each_text(name, value)


def names_or_star(name: str, value: Any) -> str | None:
    """Partition names, or ``"*"`` (an overwrite's "the partitions the rows fall in")."""
    return None if value == "*" else names(name, value)


def texts(name: str, value: Any) -> str | None:
    """A string, or a non-empty list of non-empty strings (URIs, paths, keys)."""
    if isinstance(value, str):
        return text(name, value)
    if not isinstance(value, list | tuple) or not value:
        return f"{name} must be a string or a non-empty list of strings, not {_shown(value)}."
    return _each_text(name, value)


def object_uri(name: str, value: Any) -> str | None:
    """An ``oss://bucket/path`` or ``s3://bucket/path`` URI."""
    if not isinstance(value, str) or not value.strip():
        return f"{name} must be an oss://bucket/path URI, not {_shown(value)}."
    scheme, sep, rest = value.strip().partition("://")
    if not sep or scheme.lower() not in ("oss", "s3") or not rest.partition("/")[0]:
        return f"{name}: {value!r} is not an object URI. Write it as oss://bucket/path."
    return None


def object_uris(name: str, value: Any) -> str | None:
    """One object URI or a non-empty list of them."""
    problem = texts(name, value)
    if problem:
        return problem
    items = [value] if isinstance(value, str) else list(value)
    for i, item in enumerate(items):
        problem = object_uri(name if isinstance(value, str) else f"{name}[{i}]", item)
        if problem:
            return problem
    return None


def bucket(name: str, value: Any) -> str | None:
    """A bucket name that OSS accepts."""
    if not isinstance(value, str) or not value.strip():
        return f"{name} must be a bucket name, not {_shown(value)}."
    problem = bucket_name_problem(value)
    return (
        f"{name}: {value!r} is not a valid OSS bucket name: {problem}. Example: 'my-bucket-1'."
        if problem
        else None
    )


def mapping(name: str, value: Any) -> str | None:
    """A dict with non-empty string keys and string, number or boolean values."""
    if not isinstance(value, Mapping):
        return f"{name} must be a dict, not {_shown(value)}."
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            return f"{name}: every key must be a non-empty string, not {_shown(key)}."
        if item is None or not isinstance(item, str | int | float | bool):
            return f"{name}[{key!r}] must be a string, number or boolean, not {_shown(item)}."
    return None


def string_mapping(name: str, value: Any) -> str | None:
    """A dict of non-empty strings to non-empty strings (column -> expression)."""
    if not isinstance(value, Mapping):
        return f"{name} must be a dict of column -> expression, not {_shown(value)}."
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            return f"{name}: every key must be a non-empty column name, not {_shown(key)}."
        if not isinstance(item, str) or not item.strip():
            return f"{name}[{key!r}] must be a non-empty expression string, not {_shown(item)}."
    return None


def sequence_of_dicts(name: str, value: Any) -> str | None:
    """A non-empty list whose items are dicts or dataclass objects (data descriptions)."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple) or not value:
        return f"{name} must be a non-empty list of DataDescription objects or dicts, not {_shown(value)}."
    return None


def regex_keys(name: str, value: Any) -> str | None:
    """Each key (or the key part of each URI) compiles as a regular expression."""
    for i, item in enumerate([value] if isinstance(value, str) else list(value or ())):
        if not isinstance(item, str):
            continue
        pattern = item.partition("://")[2].partition("/")[2] if is_uri(item) else item
        try:
            re.compile(pattern)
        except re.error as error:
            where = name if isinstance(value, str) else f"{name}[{i}]"
            return (
                f"{where}: {pattern!r} is not a valid regular expression ({error}). Fix the pattern, or "
                "drop use_regex to match the key exactly."
            )
    return None


# ---- the rules of each operator, sensor and trigger (parameter names as users write them) ----

_JOB = (
    Arg("doris_conn_id", conn_id),
    Arg("poll_interval", seconds()),
    Arg("deferrable", flag),
)
BROKER_LOAD: tuple[Arg, ...] = (
    *_JOB,
    Arg("table", optional(text), templated=True),
    Arg("database", optional(text), templated=True),
    Arg("source_uris", optional(object_uris), templated=True),
    Arg("local_files", optional(texts), templated=True),
    Arg("staging_uri", optional(object_uri), templated=True),
    Arg("data_descriptions", optional(sequence_of_dicts), templated=True),
    Arg("label", optional(text), templated=True, attr="job_label"),
    Arg("properties", optional(mapping), templated=True),
    Arg("where", optional(text), templated=True),
    Arg("partitions", optional(names), templated=True),
    Arg("format", optional(text)),
    Arg("compress_type", optional(text)),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("columns", optional(names)),
    Arg("columns_from_path", optional(names)),
    Arg("set", optional(string_mapping)),
    Arg("format_properties", optional(mapping)),
    Arg("oss_conn_id", conn_id),
    Arg("cleanup_staging", flag),
)
EXPORT: tuple[Arg, ...] = (
    *_JOB,
    Arg("table", text, templated=True),
    Arg("target_uri", object_uri, templated=True),
    Arg("partitions", optional(names), templated=True),
    Arg("where", optional(text), templated=True),
    Arg("columns", optional(names), templated=True),
    Arg("label", optional(text), templated=True, attr="job_label"),
    Arg("format", optional(text)),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("parallelism", optional(whole(1))),
    Arg("delete_existing_files", optional(flag)),
    Arg("with_bom", optional(flag)),
    Arg("timeout", optional(whole(1))),
    Arg("compress_type", optional(text)),
    Arg("oss_conn_id", conn_id),
)
INSERT: tuple[Arg, ...] = (
    Arg("table", text, templated=True),
    Arg("source_uri", object_uri, templated=True),
    Arg("select_list", texts, templated=True),
    Arg("where", optional(text), templated=True),
    Arg("columns", optional(names), templated=True),
    Arg("partitions", optional(names_or_star), templated=True),
    Arg("overwrite", flag),
    Arg("label", optional(text), templated=True, attr="job_label"),
    Arg("format", text),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("csv_schema", optional(text)),
    Arg("read_json_by_line", optional(flag)),
    Arg("reader_options", optional(mapping)),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
)
OUTFILE: tuple[Arg, ...] = (
    Arg("sql", query, templated=True),
    Arg("target_uri", object_uri, templated=True),
    Arg("download_to", optional(text), templated=True),
    Arg("format", text),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("delete_existing_files", optional(flag)),
    Arg("success_file_name", optional(text)),
    Arg("file_suffix", optional(text)),
    Arg("with_bom", optional(flag)),
    Arg("compress_type", optional(text)),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
)
CATALOG: tuple[Arg, ...] = (
    Arg("catalog_name", text, templated=True),
    Arg("catalog_properties", mapping, templated=True),
    Arg("comment", optional(text), templated=True),
    Arg("if_not_exists", flag),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
)
KEY_SENSOR: tuple[Arg, ...] = (
    Arg("bucket_key", texts, templated=True),
    Arg("bucket_key", regex_keys, templated=True, when=("use_regex", True)),
    Arg("bucket_name", optional(bucket), templated=True),
    Arg("oss_conn_id", conn_id, templated=True),
    Arg("wildcard_match", flag),
    Arg("use_regex", flag),
    Arg("metadata_keys", optional(names)),
    Arg("deferrable", flag),
)
KEYS_UNCHANGED_SENSOR: tuple[Arg, ...] = (
    Arg("prefix", text, templated=True),
    Arg("bucket_name", optional(bucket), templated=True),
    Arg("oss_conn_id", conn_id, templated=True),
    Arg("inactivity_period", seconds(MAX_PERIOD_SECONDS, allow_zero=True)),
    Arg("min_objects", whole(0)),
    Arg("allow_delete", flag),
    Arg("deferrable", flag),
)
SENSOR_BASE: tuple[Arg, ...] = (
    Arg("poke_interval", optional(seconds())),
    Arg("timeout", optional(seconds(MAX_PERIOD_SECONDS))),
    Arg("soft_fail", optional(flag)),
    Arg("exponential_backoff", optional(flag)),
)
KEY_TRIGGER: tuple[Arg, ...] = (
    Arg("bucket_keys", texts),
    Arg("bucket_keys", regex_keys, when=("mode", "regex")),
    Arg("mode", one_of("exact", "wildcard", "regex")),
    Arg("oss_conn_id", conn_id),
    Arg("poke_interval", seconds()),
    Arg("should_check_fn", flag),
    Arg("metadata_keys", optional(names)),
    Arg("wait_first", flag),
)
KEYS_UNCHANGED_TRIGGER: tuple[Arg, ...] = (
    Arg("bucket_name", bucket),
    Arg("prefix", any_text),
    Arg("inactivity_period", seconds(MAX_PERIOD_SECONDS, allow_zero=True)),
    Arg("min_objects", whole(0)),
    Arg("allow_delete", flag),
    Arg("oss_conn_id", conn_id),
    Arg("poke_interval", seconds()),
)
OBJECT_EVENT_TRIGGER: tuple[Arg, ...] = (
    Arg("prefix", any_text),
    Arg("prefix", regex_keys, when=("use_regex", True)),
    Arg("bucket_name", optional(bucket)),
    Arg("wildcard_match", flag),
    Arg("use_regex", flag),
    Arg("oss_conn_id", conn_id),
    Arg("poll_interval", seconds()),
    Arg("checkpoint_prefix", any_text),
    Arg("ordered_keys", flag),
)
JOB_TRIGGER: tuple[Arg, ...] = (
    Arg("doris_conn_id", conn_id),
    Arg("kind", one_of("load", "export")),
    Arg("database", text),
    Arg("label", text),
    Arg("poll_interval", seconds()),
    Arg("max_reconnects", whole(0, 100)),
)
