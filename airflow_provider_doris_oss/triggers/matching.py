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
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from airflow_provider_doris_oss.uris import ObjectUri, is_uri, literal_prefix, parse_uri

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


def split_key_uri(uri: str, *, field: str = "bucket_key") -> ObjectUri:
    """``parse_uri`` for object keys: the key is taken verbatim, trailing whitespace included."""
    target = parse_uri(uri, field=field)
    return ObjectUri(target.bucket, uri.partition("://")[2].partition("/")[2])


def resolve_key(key: str, bucket: str | None, *, field: str = "bucket_key", conn_id: str = "") -> ObjectUri:
    """A ``scheme://bucket/key`` URI as it is, else ``key`` verbatim in ``bucket``.

    Only a leading scheme makes a URI: ``mirror/https://x`` is a key, as in S3KeySensor.
    """
    if is_uri(key):
        return split_key_uri(key, field=field)
    if not bucket:
        raise ValueError(
            f"{field}: {key!r} names no bucket. Give a full oss://bucket/key URI, pass bucket_name, "
            f"or set 'bucket' on connection {conn_id!r}."
        )
    return ObjectUri(bucket, key)


@dataclass(frozen=True)
class KeyPattern:
    """One key to wait for in one bucket: exact, wildcard or regex."""

    bucket: str
    pattern: str
    mode: Mode = "exact"

    @classmethod
    def from_uri(cls, uri: str, mode: Mode, *, field: str = "bucket_key") -> KeyPattern:
        """A pattern from its ``oss://bucket/pattern`` form."""
        target = split_key_uri(uri, field=field)
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
