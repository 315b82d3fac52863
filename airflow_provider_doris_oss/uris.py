"""Object locations: the one place that says what an object URI is, for the whole provider.

Accepted wherever the provider takes an object or prefix location (operators, sensors,
triggers, assets), and always rendered as ``s3://bucket/key`` in Doris statements:

- ``oss://bucket/key`` and ``s3://bucket/key`` (scheme in any case). The key is everything after
  the bucket's ``/``, taken verbatim: a trailing space is part of it, ``%`` is a literal ``%``,
  and ``?``, ``*``, ``[`` are literal characters, or wildcards where patterns are taken.
- ``https://bucket.oss-<region>[-internal].aliyuncs.com/key``, the URL the OSS console copies
  (also ``http://``, ``bucket.s3.oss-<region>.aliyuncs.com`` and the ``oss-accelerate`` hosts).
  Its path is percent-decoded; a query (a signed URL) or a fragment is refused.

Refused before any request, with a message that names the field and never echoes what may be a
credential (user information, a URL's query):

- whitespace before the scheme;
- user information or a port where the bucket belongs (``oss://AK:SK@bucket/k``);
- a bucket name that breaks OSS's rules (3-63 of ``[a-z0-9-]``);
- a key that breaks OSS's object naming rules: it starts with ``/`` or ``\\`` (as after
  ``oss://bucket//``), is not UTF-8, or is longer than 1023 bytes;
- no key where the location's ``Role`` needs one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, NamedTuple
from urllib.parse import unquote

from airflow_provider_doris_oss.endpoints import bucket_name_problem, derive_region, is_acceleration_endpoint

SCHEMES = ("oss", "s3")
URL_SCHEMES = ("https", "http")
MAX_KEY_BYTES = 1023  # OSS object names: 1 to 1023 bytes of UTF-8
_WILDCARD = re.compile(r"[*?\[{]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_URL_AUTHORITY_END = re.compile(r"[/?#]")
_OSS_AUTHORITY_END = re.compile(r"/")
_URL_QUERY = re.compile(r"[?#]")
_SHOWN_MAX = 160  # characters of a location quoted in a message

Role = Literal["prefix", "key", "source", "target"]
"""What a location names, which decides what a missing key means.

``prefix``: a key prefix, ``oss://bucket/`` being the whole bucket (sensors' and triggers'
prefixes, ``staging_uri``). ``key``: one object or key pattern (``OssKeySensor``). ``source``:
objects Doris reads; without a key it would read every object in the bucket. ``target``: the
prefix Doris writes ``<prefix><query-id>_<n>.<ext>`` under; without a key the files would land in
the bucket's root, and ``delete_existing_files`` would first delete every object in the bucket.
"""

# What a missing key means for the parameters that take a location; any other field (``prefix``,
# ``staging_uri``, ``checkpoint_prefix``) takes a prefix.
PARAMETER_ROLES: dict[str, Role] = {
    "source_uris": "source",
    "source_uri": "source",
    "target_uri": "target",
    "bucket_key": "key",
    "bucket_keys": "key",
}

_MISSING_KEY: dict[str, str] = {
    "key": "names no object key. Write oss://{bucket}/key.",
    "source": (
        "names no object, so Doris would read every object in bucket {bucket!r}. Name the objects "
        "(oss://{bucket}/dir/*.csv), or write oss://{bucket}/* if you really mean the whole bucket."
    ),
    "target": (
        "names no directory or file prefix, so Doris would write its files into the root of bucket "
        "{bucket!r} (and delete_existing_files would first delete every object in the bucket). "
        "Write oss://{bucket}/dir/prefix_."
    ),
}


class ObjectUri(NamedTuple):
    """A bucket and a key (or key prefix); ``str()`` gives the ``oss://`` form."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"oss://{self.bucket}/{self.key}"

    def as_s3(self) -> str:
        """The ``s3://`` form, which every Doris release accepts in its statements."""
        return f"s3://{self.bucket}/{self.key}"


class _Parsed(NamedTuple):
    location: ObjectUri | None
    region: str | None  # the region an OSS URL's host names
    problem: str | None


def shown(uri: str) -> str:
    """``repr(uri)`` for messages, with what may be a credential replaced by ``***``.

    That is user information or a ``:`` where the bucket belongs, and a URL's query or fragment
    (a signed URL carries an AccessKey ID and a signature there).
    """
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return repr(uri if len(uri) <= _SHOWN_MAX else uri[: _SHOWN_MAX - 3] + "...")
    url = scheme.strip().lower() in URL_SCHEMES
    authority, tail = _split_authority(rest, url=url)
    if "@" in authority:
        host = authority.rpartition("@")[2]
        authority = "***" if ":" in host else f"***@{host}"
    elif ":" in authority:
        authority = "***"
    if url and (cut := _URL_QUERY.search(tail)):
        tail = tail[: cut.start() + 1] + "***"
    text = f"{scheme}{sep}{authority}{tail}"
    return repr(text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "...")


def _split_authority(rest: str, *, url: bool) -> tuple[str, str]:
    """The authority (bucket, or a URL's host) and what follows it, from the text after ``://``."""
    match = (_URL_AUTHORITY_END if url else _OSS_AUTHORITY_END).search(rest)
    end = match.start() if match else len(rest)
    return rest[:end], rest[end:]


def key_problem(
    key: str,
    *,
    field: str,
    role: Role = "key",
    regex: bool = False,
    uri: str | None = None,
    bucket: str = "bucket",
) -> str | None:
    """Why ``key`` breaks OSS's object naming rules, or lacks where ``role`` needs one; else None.

    ``uri`` is the URI the key came from (named in the message instead of the key). A ``regex``
    may start with ``\\`` (an escape) and be of any length; ``/`` never starts an object name.
    """
    where = f"{field}: {shown(uri)}" if uri is not None else f"{field}: {shown(key)}"
    if not key:
        return None if role == "prefix" else f"{where} {_MISSING_KEY[role].format(bucket=bucket)}"
    if key[0] == "/" or (key[0] == "\\" and not regex):
        rest = key.lstrip("/\\")
        fix = f"oss://{bucket}/{rest}" if uri is not None else repr(rest)
        extra = " (the URI has '//' after the bucket)" if uri is not None and key[0] == "/" else ""
        noun = "prefix" if role == "prefix" else "key"
        return (
            f"{where}: the {noun} {key!r} starts with {key[0]!r}{extra}, and OSS object names cannot start "
            f"with '/' or '\\', so no object has that {noun}. Write {fix}."
        )
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return (
            f"{where}: the key holds characters that are not valid UTF-8 (an unpaired surrogate); "
            "OSS object names are UTF-8 text. Fix the key's characters."
        )
    if size > MAX_KEY_BYTES and not regex:
        return f"{where}: the key is {size} bytes of UTF-8; OSS object names have at most {MAX_KEY_BYTES}."
    return None


class _Refused(Exception):
    """A location that is not an object URI; the message is the whole refusal."""


def _parse(uri: str, field: str, role: Role, regex: bool) -> _Parsed:
    try:
        location, region = _read(uri, field, role, regex)
    except _Refused as refused:
        return _Parsed(None, None, str(refused))
    return _Parsed(location, region, None)


def _read(uri: str, field: str, role: Role, regex: bool) -> tuple[ObjectUri, str | None]:
    text = shown(uri)
    if uri != uri.lstrip():
        raise _Refused(
            f"{field}: {text} starts with whitespace. Remove it: a URI starts with its scheme "
            "(oss://, s3://, https://), and keys are taken verbatim."
        )
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    url = scheme in URL_SCHEMES
    if not sep or not (url or scheme in SCHEMES):
        raise _Refused(
            f"{field}: {text} is not an object URI. Write it as oss://bucket/path or s3://bucket/path "
            "(or give the https://bucket.oss-<region>.aliyuncs.com/path URL the OSS console copies)."
        )
    authority, tail = _split_authority(rest, url=url)
    if "@" in authority or ":" in authority:
        what = "user information (before '@')" if "@" in authority else "a ':' (a port or credentials)"
        raise _Refused(
            f"{field}: {text} has {what} where the bucket name belongs. Access keys belong in the OSS "
            "connection, never in a URI: write oss://bucket/path."
        )
    bucket, key, region = _read_url(field, text, authority, tail) if url else (authority, tail[1:], None)
    if not bucket:
        raise _Refused(f"{field}: {text} names no bucket. Write it as oss://bucket/path.")
    problem = bucket_name_problem(bucket)
    if problem:
        raise _Refused(
            f"{field}: {text} names the bucket {bucket!r}, which is not a valid OSS bucket name: "
            f"{problem}. Example: oss://my-bucket-1/path."
        )
    problem = key_problem(key, field=field, role=role, regex=regex, uri=uri, bucket=bucket)
    if problem:
        raise _Refused(problem)
    return ObjectUri(bucket, key), region


def _read_url(field: str, text: str, authority: str, tail: str) -> tuple[str, str, str | None]:
    """Bucket, key and region of a virtual-hosted OSS object URL (``authority`` is its host)."""
    host = authority.lower()
    bucket, _, endpoint = host.partition(".")
    if not endpoint or not (derive_region(endpoint) or is_acceleration_endpoint(endpoint)):
        raise _Refused(_not_an_object_url(field, text, host))
    if cut := _URL_QUERY.search(tail):
        part = "query ('?...')" if tail[cut.start()] == "?" else "fragment ('#...')"
        raise _Refused(
            f"{field}: {text} has a {part}: a signed or parameterised URL is not an object location "
            "(the connection's keys sign every request), and '?' in a URL is no wildcard. Drop it, or "
            f"write oss://{bucket}/key."
        )
    try:
        key = unquote(tail[1:], errors="strict")
    except UnicodeDecodeError:
        raise _Refused(
            f"{field}: {text} has percent-escapes that are not UTF-8; OSS object names are UTF-8 "
            "text. Fix the escapes, or write oss://bucket/key."
        ) from None
    return bucket, key, derive_region(endpoint)


def _not_an_object_url(field: str, text: str, host: str) -> str:
    if derive_region(host) or is_acceleration_endpoint(host):
        return (
            f"{field}: {text} is a path-style URL, which OSS does not serve. Write the bucket in the host "
            f"(https://bucket.{host}/key), or write oss://bucket/key."
        )
    return (
        f"{field}: {text} is not an OSS object URL: only https://<bucket>.oss-<region>[-internal]"
        ".aliyuncs.com/<key> (and oss-accelerate) hosts say which bucket they serve; a custom domain "
        "does not. Write oss://bucket/key."
    )


def parse_uri(uri: str, *, field: str = "uri", role: Role = "prefix", regex: bool = False) -> ObjectUri:
    """Bucket and key of an object URI or OSS object URL; a ``ValueError`` naming ``field`` if it is not one.

    ``role`` says whether a missing key is allowed; ``regex`` marks the key as a regular expression.
    """
    parsed = _parse(uri, field, role, regex)
    if parsed.location is None:
        raise ValueError(parsed.problem)
    return parsed.location


def role_of(field: str) -> Role:
    """The role of the parameter ``field`` names (``source_uris[2]`` is ``source_uris``'s)."""
    return PARAMETER_ROLES.get(field.partition("[")[0], "prefix")


def uri_problem(uri: str, *, field: str, role: Role = "prefix", regex: bool = False) -> str | None:
    """Why ``uri`` is not an object URI for ``role`` (the whole message, naming ``field``), or None."""
    return _parse(uri, field, role, regex).problem


def location_problem(text: str, *, field: str, role: Role = "prefix", regex: bool = False) -> str | None:
    """``uri_problem`` for a URI, ``key_problem`` for a plain key or prefix (taken verbatim)."""
    if is_uri(text):
        return uri_problem(text, field=field, role=role, regex=regex)
    return key_problem(text, field=field, role=role, regex=regex)


def url_region(uri: str) -> str | None:
    """The region an OSS object URL's host names; None for ``oss://``/``s3://`` and acceleration URLs."""
    return _parse(uri, "uri", "prefix", True).region if is_uri(uri) else None


def check_region(value: str | Sequence[str] | None, region: str, *, field: str, conn_id: str) -> None:
    """Refuse an OSS object URL whose host names another region than the connection's.

    OSS serves a bucket only through its own region's endpoints, so the connection could not
    reach it: this says so before any request, instead of contradicting the URL silently.
    """
    items = [value] if isinstance(value, str) else list(value or ())
    for i, item in enumerate(items):
        named = url_region(item) if isinstance(item, str) else None
        if named and named != region:
            where = field if isinstance(value, str) else f"{field}[{i}]"
            raise ValueError(
                f"{where}: {shown(item)} is an object URL in region {named!r}, but connection {conn_id!r} "
                f"uses region {region!r}. OSS serves a bucket only through its own region's endpoints: "
                f"use a connection whose endpoint is in {named} (oss-{named}.aliyuncs.com), or fix the URL."
            )


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


def resolve(
    uri_or_key: str,
    bucket: str | None,
    *,
    conn_id: str,
    field: str = "key",
    role: Role = "prefix",
    region: str | None = None,
) -> ObjectUri:
    """A URI as ``parse_uri`` reads it (its region checked against ``region``), or a key in ``bucket``.

    A plain key is taken verbatim: callers check it by their own rules (a prefix, a regex...).
    """
    if is_uri(uri_or_key):
        location = parse_uri(uri_or_key, field=field, role=role)
        if region:
            check_region(uri_or_key, region, field=field, conn_id=conn_id)
        return location
    if not bucket:
        raise ValueError(
            f"{field}: {uri_or_key!r} names no bucket. Give a full oss://bucket/key URI, pass the "
            f"bucket, or set 'bucket' on connection {conn_id!r}."
        )
    return ObjectUri(bucket, uri_or_key)
