"""Key patterns as S3KeySensor users know them, resolved by listing only what a pattern can match.

A pattern is an exact key, an ``fnmatch`` wildcard (``*`` also crosses ``/``) or a regular
expression matched with ``re.match``. Each knows the literal prefix it can be listed under:
a wildcard's characters before its first ``*``, ``?``, ``[`` (or ``{``); a regex's literal
start as Python's regex parser reads it.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from datetime import datetime
from typing import Any, Literal, NamedTuple

from airflow_provider_doris_oss.arguments import Arg
from airflow_provider_doris_oss.uris import (
    ObjectUri,
    check_region,
    is_uri,
    literal_prefix,
    location_problem,
    parse_uri,
    uri_problem,
)

Mode = Literal["exact", "wildcard", "regex"]

LIST_PAGE_SIZE = 1000
LISTING_FIELDS = ("Key", "Size", "ETag", "LastModified", "StorageClass")


def _sre(name: str) -> Any:
    """Python's own regex parser modules: ``re._parser``/``re._constants`` (3.11+) or ``sre_*`` (3.10)."""
    try:
        return importlib.import_module(f"re._{name}")
    except ModuleNotFoundError:
        return importlib.import_module(f"sre_{name.replace('parser', 'parse')}")


def _literal_run(items: Any) -> tuple[str, bool]:
    """The literal characters a parsed regex sequence starts with, and whether that is all of it."""
    sre = _sre("constants")
    prefix: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            prefix.append(chr(arg))
        elif op is sre.AT and arg in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING) and not prefix:
            continue  # ``^`` / ``\A`` at the start: re.match anchors there anyway
        elif op is sre.SUBPATTERN and not arg[1] and not arg[2]:  # a group without flag changes
            inner, complete = _literal_run(arg[3])
            prefix.append(inner)
            if not complete:
                return "".join(prefix), False
        else:
            return "".join(prefix), False  # a class, repeat, alternative, assertion ...
    return "".join(prefix), True


def regex_literal_prefix(pattern: str) -> str:
    """The leading characters every ``re.match`` of ``pattern`` must start with.

    Computed from Python's own regex parser, so escapes, classes and groups mean what ``re``
    says they mean. A top-level ``|`` leaves only the prefix its alternatives share (the parser
    factors it out; usually none), anything optional or repeated ends the prefix, and a
    case-insensitive pattern has none.
    """
    parsed = _sre("parser").parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return ""
    return _literal_run(parsed)[0]


def split_key_uri(uri: str, *, field: str = "bucket_key", mode: Mode = "exact") -> ObjectUri:
    """``parse_uri`` for a key to wait for: a key is required, and taken verbatim."""
    return parse_uri(uri, field=field, role="key", regex=mode == "regex")


def key_pattern_problem(key: str, mode: Mode, *, field: str = "bucket_key") -> str | None:
    """Why the key (or ``oss://`` URI, or OSS URL) ``key`` can never match an object, or None.

    OSS's object naming rules apply to exact keys and wildcards alike; a regex is judged by the
    literal start every match must have, so one that can only match keys starting with ``/`` or
    ``\\`` is refused too. A regex that does not compile is left to the regex check.
    """
    problem = location_problem(key, field=field, role="key", regex=mode == "regex")
    if problem or mode != "regex":
        return problem
    pattern = parse_uri(key, field=field, role="key", regex=True).key if is_uri(key) else key
    try:
        start = regex_literal_prefix(pattern)
    except re.error:
        return None
    if start[:1] in ("/", "\\"):
        return (
            f"{field}: the regular expression {pattern!r} matches only keys that start with {start[0]!r}, "
            "and OSS object names cannot start with '/' or '\\', so it matches nothing. Drop the leading "
            f"{start[0]!r}."
        )
    return None


def key_rules(name: str, mode: Mode, *, uris_only: bool = False) -> tuple[Arg, ...]:
    """The argument rule for ``name`` (a key, a URI, or a list of them): each must be able to match.

    With ``uris_only`` (a trigger's ``bucket_keys``) every item must be a full URI.
    """

    def check(field: str, value: Any) -> str | None:
        items = [value] if isinstance(value, str) else list(value)
        for i, item in enumerate(items):
            where = field if isinstance(value, str) else f"{field}[{i}]"
            if not isinstance(item, str):
                continue
            if uris_only and not is_uri(item):
                problem = uri_problem(item, field=where, role="key")
            else:
                problem = key_pattern_problem(item, mode, field=where)
            if problem:
                return problem
        return None

    return (Arg(name, check, templated=True),)


def resolve_key(
    key: str,
    bucket: str | None,
    *,
    field: str = "bucket_key",
    conn_id: str = "",
    mode: Mode = "exact",
    region: str | None = None,
) -> ObjectUri:
    """A ``scheme://bucket/key`` URI (or OSS URL) as it is, else ``key`` verbatim in ``bucket``.

    Only a leading scheme makes a URI: ``mirror/https://x`` is a key, as in S3KeySensor. A key
    that can never match (``key_pattern_problem``) is refused, as is a URL in another region than
    ``region`` (the connection's).
    """
    problem = key_pattern_problem(key, mode, field=field)
    if problem:
        raise ValueError(problem)
    if is_uri(key):
        if region:
            check_region(key, region, field=field, conn_id=conn_id)
        return split_key_uri(key, field=field, mode=mode)
    if not bucket:
        raise ValueError(
            f"{field}: {key!r} names no bucket. Give a full oss://bucket/key URI, pass bucket_name, "
            f"or set 'bucket' on connection {conn_id!r}."
        )
    return ObjectUri(bucket, key)


class KeyPattern(NamedTuple):
    """One key to wait for in one bucket: exact, wildcard or regex.

    A named tuple (immutable, like the frozen dataclass it was) costs less when a DAG file imports
    a sensor or trigger.
    """

    bucket: str
    pattern: str
    mode: Mode = "exact"

    @classmethod
    def from_uri(cls, uri: str, mode: Mode, *, field: str = "bucket_key") -> KeyPattern:
        """A pattern from its ``oss://bucket/pattern`` form."""
        target = split_key_uri(uri, field=field, mode=mode)
        if mode == "regex":
            re.compile(target.key)
        return cls(target.bucket, target.key, mode)

    @property
    def uri(self) -> str:
        """The ``oss://`` form, which is how triggers carry patterns."""
        return str(ObjectUri(self.bucket, self.pattern))

    @property
    def listing_prefix(self) -> str:
        """The only prefix that needs listing to find every match."""
        if self.mode == "regex":
            return regex_literal_prefix(self.pattern)
        if self.mode == "wildcard":
            return literal_prefix(self.pattern)
        return self.pattern

    def matches(self, key: str) -> bool:
        """Whether ``key`` is matched, with S3KeySensor's semantics."""
        if self.mode == "regex":
            return re.match(self.pattern, key) is not None
        if self.mode == "wildcard":
            return fnmatch.fnmatchcase(key, self.pattern)
        return key == self.pattern


def mode_for(wildcard_match: bool, use_regex: bool) -> Mode:
    """The pattern mode for the sensor flags; both at once is refused."""
    if wildcard_match and use_regex:
        raise ValueError("wildcard_match and use_regex are exclusive: set at most one of them.")
    return "regex" if use_regex else "wildcard" if wildcard_match else "exact"


def json_safe(value: Any) -> Any:
    """A JSON-serialisable copy of a boto response value (datetimes as ISO 8601 text)."""
    return plain_metadata(value, iso_datetimes=True)


def needs_head(metadata_keys: list[str]) -> bool:
    """Whether the requested metadata goes beyond what a listing returns."""
    return any(k == "*" or k not in LISTING_FIELDS for k in metadata_keys)


def plain_metadata(value: Any, *, iso_datetimes: bool = False) -> Any:
    """A boto response value as plain data for XCom and trigger events.

    Datetimes stay datetimes unless ``iso_datetimes`` (``check_fn`` gets ``LastModified`` as
    S3KeySensor gives it; Airflow serializes them); ``ResponseMetadata`` is dropped; anything
    exotic becomes text.
    """
    if isinstance(value, datetime):
        return value.isoformat() if iso_datetimes else value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {
            str(k): plain_metadata(v, iso_datetimes=iso_datetimes)
            for k, v in value.items()
            if k != "ResponseMetadata"
        }
    if isinstance(value, (list, tuple)):
        return [plain_metadata(v, iso_datetimes=iso_datetimes) for v in value]
    return str(value)


def listed_metadata(bucket: str, obj: dict[str, Any], metadata_keys: list[str]) -> dict[str, Any]:
    """``Key``, ``Size``, ``Bucket``, ``ETag`` and the requested fields from a listing entry."""
    meta = {"Bucket": bucket, "Key": obj["Key"], "Size": obj.get("Size"), "ETag": obj.get("ETag")}
    for key in metadata_keys:
        meta.setdefault(key, obj.get(key))
    return dict(plain_metadata(meta))


def head_metadata(bucket: str, key: str, head: dict[str, Any], metadata_keys: list[str]) -> dict[str, Any]:
    """The requested fields from a HEAD response (``*``: all of it), plus ``Key``/``Size``/``Bucket``."""
    meta: dict[str, Any] = {"Bucket": bucket, "Key": key, "Size": head.get("ContentLength")}
    meta["ETag"] = head.get("ETag")
    if "*" in metadata_keys:
        meta.update(head)
    else:
        for name in metadata_keys:
            if name not in meta:
                meta[name] = head.get(name)
    return dict(plain_metadata(meta))
