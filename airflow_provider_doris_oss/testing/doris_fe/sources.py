"""Finding the objects a load or the S3 table function reads: wildcard URIs and path columns.

Wildcards are matched against the keys listed under the literal prefix before the first
wildcard: ``*`` and ``?`` stay within one path segment, ``[...]`` is a character class, and
(in the S3 table function) ``{a,b}`` and ``{1..3}`` are alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.storage import describe_error, split_uri

_WILDCARDS = "*?[{"


@dataclass(frozen=True)
class SourceObject:
    """One object to read: its URI, bucket, key and size."""

    uri: str
    bucket: str
    key: str
    size: int


class ListingError(Exception):
    """The object store refused a listing or a read: the detail in an SDK's words."""


def glob_to_regex(pattern: str, braces: bool) -> re.Pattern[str]:
    """A key pattern as a regular expression."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif ch == "{" and braces:
            end = pattern.find("}", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                out.append("(?:" + "|".join(_brace_options(pattern[i + 1 : end])) + ")")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def _brace_options(body: str) -> list[str]:
    range_match = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", body)
    if range_match:
        low, high = sorted((int(range_match.group(1)), int(range_match.group(2))))
        return [str(n) for n in range(low, high + 1)]
    return [re.escape(option) for option in body.split(",")]


def list_matching(client: Any, uri: str, braces: bool = False) -> list[SourceObject]:
    """The objects matching ``uri``; "directories" (keys ending in ``/``) never match."""
    bucket, key = split_uri(uri)
    scheme = uri.split("://", 1)[0]
    first = min((key.find(c) for c in (_WILDCARDS if braces else "*?[") if c in key), default=-1)
    try:
        if first < 0:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
            return [
                SourceObject(uri, bucket, key, int(item["Size"]))
                for page in pages
                for item in page.get("Contents", [])
                if item["Key"] == key
            ]
        prefix = key[:first]
        regex = glob_to_regex(key, braces)
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                name = item["Key"]
                if not name.endswith("/") and regex.match(name):
                    found.append(SourceObject(f"{scheme}://{bucket}/{name}", bucket, name, int(item["Size"])))
        return sorted(found, key=lambda o: o.key)
    except Exception as exc:
        raise ListingError(describe_error(exc)) from exc


def read_object(client: Any, obj: SourceObject) -> bytes:
    """The bytes of one object."""
    try:
        return bytes(client.get_object(Bucket=obj.bucket, Key=obj.key)["Body"].read())
    except Exception as exc:
        raise ListingError(describe_error(exc)) from exc


def path_values(key: str, names: list[str]) -> dict[str, str | None]:
    """Values of ``name=value`` directory segments of ``key`` for each of ``names``."""
    found: dict[str, str] = {}
    for segment in key.split("/")[:-1]:
        name, sep, value = segment.partition("=")
        if sep:
            found[name.lower()] = value
    return {name: found.get(name.lower()) for name in names}
