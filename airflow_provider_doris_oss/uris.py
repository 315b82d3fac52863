"""``oss://`` and ``s3://`` object URIs: parsing, formatting, and wildcard prefixes."""

from __future__ import annotations

import re
from typing import NamedTuple

SCHEMES = ("oss", "s3")
_WILDCARD = re.compile(r"[*?\[{]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class ObjectUri(NamedTuple):
    """A bucket and a key (or key prefix); ``str()`` gives the ``oss://`` form."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"oss://{self.bucket}/{self.key}"

    def as_s3(self) -> str:
        """The ``s3://`` form, which every Doris release accepts in its statements."""
        return f"s3://{self.bucket}/{self.key}"


def parse_uri(uri: str, *, field: str = "uri") -> ObjectUri:
    """Split ``oss://bucket/key`` or ``s3://bucket/key``; the error names ``field``."""
    scheme, sep, rest = uri.strip().partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise ValueError(
            f"{field}: {uri!r} is not an object URI. Write it as oss://bucket/path or s3://bucket/path."
        )
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise ValueError(f"{field}: {uri!r} names no bucket. Write it as oss://bucket/path.")
    return ObjectUri(bucket, key)


def is_uri(text: str) -> bool:
    """Whether ``text`` starts with a scheme (``oss://``, ``s3://``, ``https://``): only a leading
    scheme makes a URI, so ``mirror/https://x`` is a key, as in the amazon provider's sensors."""
    return _SCHEME.match(text.lstrip()) is not None


def literal_prefix(pattern: str) -> str:
    """The part of a key pattern before its first wildcard character (``*``, ``?``, ``[``, ``{``)."""
    match = _WILDCARD.search(pattern)
    return pattern[: match.start()] if match else pattern


def has_wildcard(pattern: str) -> bool:
    """Whether a key pattern contains a wildcard character."""
    return _WILDCARD.search(pattern) is not None


def resolve(uri_or_key: str, bucket: str | None, *, conn_id: str, field: str = "key") -> ObjectUri:
    """A full URI as it is, or a key in ``bucket`` (a connection's default); the error says how to fix it."""
    if "://" in uri_or_key:
        return parse_uri(uri_or_key, field=field)
    if not bucket:
        raise ValueError(
            f"{field}: {uri_or_key!r} names no bucket. Give a full oss://bucket/key URI, pass the "
            f"bucket, or set 'bucket' on connection {conn_id!r}."
        )
    return ObjectUri(bucket, uri_or_key)
