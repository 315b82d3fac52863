"""Key patterns as S3KeySensor users know them, resolved by listing only what a pattern can match.

A pattern is an exact key, an ``fnmatch`` wildcard (``*`` also crosses ``/``) or a regular
expression matched with ``re.match``. Each knows the literal prefix it can be listed under:
a wildcard's characters before its first ``*``, ``?``, ``[`` (or ``{``); a regex's leading
characters that are not regex syntax.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from airflow_provider_doris_oss.uris import ObjectUri, literal_prefix, parse_uri

Mode = Literal["exact", "wildcard", "regex"]

_REGEX_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("*+?{")
LIST_PAGE_SIZE = 1000
LISTING_FIELDS = ("Key", "Size", "ETag", "LastModified", "StorageClass")


def regex_literal_prefix(pattern: str) -> str:
    """The leading characters every ``re.match`` of ``pattern`` must start with.

    Stops at the first regex metacharacter or before a character a quantifier follows (it may
    be absent); a top-level ``|`` anywhere means no prefix is certain.
    """
    depth = 0
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "|" and depth == 0:
            return ""
    prefix = []
    for index, char in enumerate(pattern):
        if char in _REGEX_SPECIAL:
            break
        following = pattern[index + 1] if index + 1 < len(pattern) else ""
        if following and following in _QUANTIFIERS:
            break
        prefix.append(char)
    return "".join(prefix)


@dataclass(frozen=True)
class KeyPattern:
    """One key to wait for in one bucket: exact, wildcard or regex."""

    bucket: str
    pattern: str
    mode: Mode = "exact"

    @classmethod
    def from_uri(cls, uri: str, mode: Mode, *, field: str = "bucket_key") -> KeyPattern:
        """A pattern from its ``oss://bucket/pattern`` form."""
        target = parse_uri(uri, field=field)
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
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def needs_head(metadata_keys: list[str]) -> bool:
    """Whether the requested metadata goes beyond what a listing returns."""
    return any(k == "*" or k not in LISTING_FIELDS for k in metadata_keys)


def listed_metadata(bucket: str, obj: dict[str, Any], metadata_keys: list[str]) -> dict[str, Any]:
    """``Key``, ``Size``, ``Bucket``, ``ETag`` and the requested fields from a listing entry."""
    meta = {"Bucket": bucket, "Key": obj["Key"], "Size": obj.get("Size"), "ETag": obj.get("ETag")}
    for key in metadata_keys:
        meta.setdefault(key, obj.get(key))
    return json_safe(meta)


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
    return json_safe(meta)
