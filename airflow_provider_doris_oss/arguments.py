"""Operator, sensor and trigger arguments: one rule per argument, judged at DAG parse and after rendering.

Every operator and sensor lists its rules (``argument_rules``, a tuple of ``Arg`` and ``Together``).
``check_arguments`` runs them first thing in ``__init__``, at DAG parse, on every value that holds
no template; ``check_rendered`` runs the same rules at the start of ``execute()`` on the rendered
values of the templated arguments (and on the cross-argument rules they take part in). Both run
before any connection is opened; every refusal names the argument and the fix. This module and
``argument_checks`` import only the standard library, ``properties`` and ``uris``; the checks that
ask the statement builders (``argument_sql``) import them on first use.

Booleans must be real ``True``/``False``: none of the flags checked here is a templated field, so
a string such as ``"false"`` is always a mistake (and would be truthy), and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from airflow_provider_doris_oss import argument_sql as sql_checks
from airflow_provider_doris_oss.argument_checks import (
    MAX_PERIOD_SECONDS,
    Check,
    any_text,
    conn_id,
    every,
    flag,
    mapping,
    names,
    one_of,
    optional,
    partitions,
    regex_keys,
    seconds,
    sequence_of_dicts,
    text,
    texts,
    whole,
)
from airflow_provider_doris_oss.argument_checks import shown as _shown
from airflow_provider_doris_oss.argument_sql import PENDING
from airflow_provider_doris_oss.endpoints import bucket_name_problem
from airflow_provider_doris_oss.uris import parse_uri, role_of, uri_problem


class ArgumentError(ValueError):
    """An operator, sensor or trigger argument that cannot work; the message names it and the fix."""


class Arg(NamedTuple):
    """One argument's rule: its name, its check, and where a templated value lives after rendering.

    A named tuple rather than a frozen dataclass: as immutable, and about 0.5 ms less per class
    at every DAG file's import.
    """

    name: str
    check: Check
    templated: bool = False
    attr: str | None = None
    when: tuple[str, Any] | None = None  # (argument, value): the rule applies only then

    @property
    def attribute(self) -> str:
        """The instance attribute holding the (rendered) value."""
        return self.attr or self.name


class Together(NamedTuple):
    """A rule over several arguments; ``check`` gets their values by name, ``PENDING`` for a template."""

    names: tuple[str, ...]
    check: Callable[[Mapping[str, Any]], str | None]


Rule = Arg | Together


def has_template(value: Any) -> bool:
    """Whether ``value`` (or any string inside it) is a Jinja template still to be rendered."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value or value.rstrip().endswith(".sql")
    if isinstance(value, Mapping):
        return any(has_template(k) or has_template(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_template(v) for v in value)
    return False


def check_arguments(owner: str, rules: Iterable[Rule], values: Mapping[str, Any]) -> None:
    """Judge ``values`` (``__init__``'s ``locals()``, whose ``kwargs`` are included too) at DAG parse.

    A templated argument holding a template is left for ``check_rendered``; cross-argument rules
    see it as ``PENDING``. Per-argument rules run first, so each value is named by its own rule.
    """
    rules = tuple(rules)
    given = {**values.get("kwargs", {}), **values} if isinstance(values.get("kwargs"), Mapping) else values
    templated = {r.name for r in rules if isinstance(r, Arg) and r.templated}
    pending = {n for n in templated if n in given and has_template(given[n])}
    for rule in rules:
        if not isinstance(rule, Arg) or rule.name not in given or rule.name in pending:
            continue
        if rule.when is None or given.get(rule.when[0]) == rule.when[1]:
            _apply(owner, rule.check(rule.name, given[rule.name]))
    for rule in rules:
        if isinstance(rule, Together):
            _apply(owner, rule.check({n: PENDING if n in pending else given.get(n) for n in rule.names}))


def check_rendered(owner: str, rules: Iterable[Rule], task: Any) -> None:
    """Judge the rendered templated arguments on ``task`` by the same rules (first thing in ``execute``).

    Cross-argument rules run again when a templated argument takes part in them.
    """
    rules = tuple(rules)
    attribute = {r.name: r.attribute for r in rules if isinstance(r, Arg)}
    templated = {r.name for r in rules if isinstance(r, Arg) and r.templated}
    for rule in rules:
        if not isinstance(rule, Arg) or not rule.templated:
            continue
        if rule.when is None or getattr(task, rule.when[0], None) == rule.when[1]:
            _apply(owner, rule.check(rule.name, getattr(task, rule.attribute, None)))
    for rule in rules:
        if isinstance(rule, Together) and templated.intersection(rule.names):
            _apply(owner, rule.check({n: getattr(task, attribute.get(n, n), None) for n in rule.names}))


def rules_of(cls: type) -> tuple[Rule, ...]:
    """The rules an operator or sensor class judges its arguments by (its ``argument_rules``)."""
    return tuple(getattr(cls, "argument_rules", ()))


def _apply(owner: str, problem: str | None) -> None:
    if problem:
        raise ArgumentError(f"{owner}: {problem}")


# ---- checks that name URIs and buckets (URI rules live in ``uris``) ----


def object_uri(name: str, value: Any) -> str | None:
    """An object URI or OSS object URL by ``uris.parse_uri``'s rules, for the parameter's role."""
    if not isinstance(value, str) or not value.strip():
        return f"{name} must be an oss://bucket/path URI, not {_shown(value)}."
    role = role_of(name)
    # A key to wait for may be a regex (a leading backslash is an escape): the sensors and triggers
    # judge it again by their match mode (``triggers.matching.key_rules``).
    return uri_problem(value, field=name, role=role, regex=role == "key")


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


def delete_scope(values: Mapping[str, Any]) -> str | None:
    """``delete_existing_files=True`` only under a folder: Doris empties the target's folder first.

    For ``oss://bucket/prefix_`` (no folder) that folder is the bucket root: every object in the
    bucket would be deleted.
    """
    target = values.get("target_uri")
    if values.get("delete_existing_files") is not True or not isinstance(target, str):
        return None
    if uri_problem(target, field="target_uri", role=role_of("target_uri")):
        return None  # the target's own rule names what is wrong with it
    found = parse_uri(target, field="target_uri", role=role_of("target_uri"))
    if "/" in found.key:
        return None
    return (
        f"target_uri: with delete_existing_files=True Doris first deletes every object in the target's "
        f"folder, and {str(found)!r} has no folder below the bucket: every object in bucket "
        f"{found.bucket!r} would be deleted. Write the target inside a folder only this job writes to "
        f"(oss://{found.bucket}/dir/{found.key}), or leave delete_existing_files off."
    )


def _names_or_star(name: str, value: Any) -> str | None:
    """Partition names Doris can hold, or ``"*"`` (INSERT OVERWRITE's "the partitions the rows fall in")."""
    return None if value == "*" else sql_checks.identifiers(name, value)


# ---- the rules of each operator, sensor and trigger (parameter names as users write them) ----

_JOB = (
    Arg("doris_conn_id", conn_id),
    Arg("poll_interval", seconds()),
    Arg("deferrable", flag),
)
_LABEL = Arg("label", optional(sql_checks.label), templated=True, attr="job_label")
BROKER_LOAD: tuple[Rule, ...] = (
    *_JOB,
    Arg("table", optional(sql_checks.table_name), templated=True),
    Arg("database", optional(sql_checks.identifier), templated=True),
    Arg("source_uris", optional(object_uris), templated=True),
    Arg("local_files", optional(texts), templated=True),
    Arg("staging_uri", optional(object_uri), templated=True),
    Arg(
        "data_descriptions",
        optional(every(sequence_of_dicts, sql_checks.data_descriptions)),
        templated=True,
    ),
    _LABEL,
    Arg("properties", optional(sql_checks.job_properties), templated=True),
    Arg("where", optional(sql_checks.expression), templated=True),
    Arg("partitions", optional(partitions(star=False)), templated=True),
    Arg("format", optional(text)),
    Arg("compress_type", optional(text)),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("columns", optional(sql_checks.identifiers)),
    Arg("columns_from_path", optional(sql_checks.identifiers)),
    Arg("set", optional(sql_checks.set_expressions)),
    Arg("format_properties", optional(sql_checks.format_properties)),
    Arg("oss_conn_id", conn_id),
    Arg("cleanup_staging", flag),
    Together(
        (*sql_checks.BROKER_LOAD_SOURCES, "table", "staging_uri", *sql_checks.BROKER_LOAD_SINGLE),
        sql_checks.broker_load_sources,
    ),
    Together(("data_descriptions", *sql_checks.BROKER_LOAD_SINGLE), sql_checks.broker_load_description),
)
EXPORT: tuple[Rule, ...] = (
    *_JOB,
    Arg("table", sql_checks.table_name, templated=True),
    Arg("target_uri", object_uri, templated=True),
    Arg("partitions", optional(every(partitions(star=False), sql_checks.identifiers)), templated=True),
    Arg("where", optional(sql_checks.expression), templated=True),
    Arg("columns", optional(sql_checks.csv_columns), templated=True),
    _LABEL,
    Arg("format", optional(text)),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("max_file_size", optional(sql_checks.file_size)),
    Arg("parallelism", optional(whole(1))),
    Arg("delete_existing_files", optional(flag)),
    Arg("with_bom", optional(flag)),
    Arg("data_consistency", optional(text)),
    Arg("timeout", optional(whole(1))),
    Arg("compress_type", optional(text)),
    Arg("oss_conn_id", conn_id),
    Together(sql_checks.EXPORT_OPTIONS, sql_checks.export_options),
    Together(("target_uri", "delete_existing_files"), delete_scope),
)
INSERT: tuple[Rule, ...] = (
    Arg("table", sql_checks.table_name, templated=True),
    Arg("source_uri", object_uri, templated=True),
    Arg("select_list", sql_checks.expressions, templated=True),
    Arg("where", optional(sql_checks.expression), templated=True),
    Arg("columns", optional(sql_checks.identifiers), templated=True),
    Arg("partitions", optional(every(partitions(star=True), _names_or_star)), templated=True),
    Arg("overwrite", flag),
    _LABEL,
    Arg("format", text),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("csv_schema", optional(text)),
    Arg("read_json_by_line", optional(flag)),
    Arg("reader_options", optional(mapping)),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
    Together(("partitions", "overwrite"), sql_checks.overwrite_partitions),
    Together(sql_checks.INSERT_READER_OPTIONS, sql_checks.reader_options),
)
OUTFILE: tuple[Rule, ...] = (
    Arg("sql", sql_checks.query, templated=True),
    Arg("target_uri", object_uri, templated=True),
    Arg("download_to", optional(text), templated=True),
    Arg("format", text),
    Arg("column_separator", optional(text)),
    Arg("line_delimiter", optional(text)),
    Arg("max_file_size", optional(sql_checks.file_size)),
    Arg("delete_existing_files", optional(flag)),
    Arg("success_file_name", optional(text)),
    Arg("file_suffix", optional(text)),
    Arg("with_bom", optional(flag)),
    Arg("compress_type", optional(text)),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
    Together(("format", *sql_checks.OUTFILE_OPTIONS), sql_checks.outfile_options),
    Together(("target_uri", "delete_existing_files"), delete_scope),
)
CATALOG: tuple[Rule, ...] = (
    Arg("catalog_name", sql_checks.identifier, templated=True),
    Arg("catalog_properties", sql_checks.catalog_properties, templated=True),
    Arg("comment", optional(text), templated=True),
    Arg("if_not_exists", flag),
    Arg("doris_conn_id", conn_id),
    Arg("oss_conn_id", conn_id),
)
SENSOR_BASE: tuple[Rule, ...] = (
    Arg("poke_interval", optional(seconds())),
    Arg("timeout", optional(seconds(MAX_PERIOD_SECONDS))),
    Arg("soft_fail", optional(flag)),
    Arg("exponential_backoff", optional(flag)),
)
KEY_SENSOR: tuple[Rule, ...] = (
    *SENSOR_BASE,
    Arg("bucket_key", texts, templated=True),  # keys and URIs by matching.key_rules (mode-aware)
    Arg("bucket_key", regex_keys, templated=True, when=("use_regex", True)),
    Arg("bucket_name", optional(bucket), templated=True),
    Arg("oss_conn_id", conn_id, templated=True),
    Arg("wildcard_match", flag),
    Arg("use_regex", flag),
    Arg("metadata_keys", optional(names)),
    Arg("max_xcom_files", whole(0)),
    Arg("deferrable", flag),
)
KEYS_UNCHANGED_SENSOR: tuple[Rule, ...] = (
    *SENSOR_BASE,
    Arg("prefix", text, templated=True),
    Arg("bucket_name", optional(bucket), templated=True),
    Arg("oss_conn_id", conn_id, templated=True),
    Arg("inactivity_period", seconds(MAX_PERIOD_SECONDS, allow_zero=True)),
    Arg("min_objects", whole(0)),
    Arg("allow_delete", flag),
    Arg("deferrable", flag),
)
KEY_TRIGGER: tuple[Rule, ...] = (
    Arg("bucket_keys", texts),
    Arg("bucket_keys", regex_keys, when=("mode", "regex")),
    Arg("mode", one_of("exact", "wildcard", "regex")),
    Arg("oss_conn_id", conn_id),
    Arg("poke_interval", seconds()),
    Arg("should_check_fn", flag),
    Arg("metadata_keys", optional(names)),
    Arg("wait_first", flag),
)
KEYS_UNCHANGED_TRIGGER: tuple[Rule, ...] = (
    Arg("bucket_name", bucket),
    Arg("prefix", any_text),
    Arg("inactivity_period", seconds(MAX_PERIOD_SECONDS, allow_zero=True)),
    Arg("min_objects", whole(0)),
    Arg("allow_delete", flag),
    Arg("oss_conn_id", conn_id),
    Arg("poke_interval", seconds()),
)
OBJECT_EVENT_TRIGGER: tuple[Rule, ...] = (
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
JOB_TRIGGER: tuple[Rule, ...] = (
    Arg("doris_conn_id", conn_id),
    Arg("kind", one_of("load", "export")),
    Arg("database", text),
    Arg("label", text),
    Arg("poll_interval", seconds()),
    Arg("max_reconnects", whole(0, 100)),
)
