"""Object-storage URIs read as Doris's ``S3URI`` reads them: bucket, key, and the endpoint a URI names.

Rules (``fe-core/.../common/util/S3URI.java``):

- the scheme must be one of ``http https s3 s3a s3n bos oss cos cosn obs`` (``Invalid scheme: <uri>``);
- an object-store scheme (all but http/https) is read AWS-CLI style unless
  ``force_parsing_by_standard_uri`` is true: the authority is the bucket, the path the key, and the
  URI names no endpoint;
- otherwise the URI is a standard URL (``Invalid S3 URI: no hostname: <uri>`` without a host):
  path-style with ``use_path_style`` (the first path segment is the bucket, the whole authority the
  endpoint), else virtual-hosted (the first host label is the bucket, the rest of the authority the
  endpoint);
- a missing bucket or key is ``missing bucket: <uri>`` / ``missing key: <uri>``.

The S3 table function reports a refusal as ``parse s3 uri failed, uri = <uri>`` (3.0's
``S3TableValuedFunction.getS3Uri``).
"""

from __future__ import annotations

from dataclasses import dataclass

_OBJECT_STORE_SCHEMES = frozenset({"s3", "s3a", "s3n", "bos", "oss", "cos", "cosn", "obs"})
_VALID_SCHEMES = _OBJECT_STORE_SCHEMES | {"http", "https"}


class S3UriError(ValueError):
    """A URI Doris's ``S3URI`` refuses, in its words."""


@dataclass(frozen=True)
class S3Uri:
    """One parsed location: its bucket and key, and the endpoint the URI itself names (if any)."""

    bucket: str
    key: str
    endpoint: str | None

    @property
    def location(self) -> str:
        """The location as Doris hands it to a backend: ``s3://bucket/key``."""
        return f"s3://{self.bucket}/{self.key}"


def _split(uri: str) -> tuple[str | None, str | None, str]:
    """(scheme, authority, path) of ``uri``, split by hand: keys keep their ``?``, ``#`` and ``*``."""
    scheme: str | None = None
    rest = uri
    head, sep, tail = uri.partition(":")
    if sep and head and "/" not in head and "?" not in head and "#" not in head:
        scheme, rest = head, tail
    authority: str | None = None
    if rest.startswith("//"):
        rest = rest[2:]
        cut = rest.find("/")
        cut = len(rest) if cut < 0 else cut
        authority, rest = rest[:cut], rest[cut:]
    return scheme, authority, rest


def parse_s3_uri(uri: str, use_path_style: bool = False, force_standard: bool = False) -> S3Uri:
    """Bucket, key and endpoint of ``uri`` by Doris's rules; raise S3UriError as Doris words it."""
    if not uri:
        raise S3UriError("s3 location can not be null")
    scheme, authority, path = _split(uri)
    if scheme is None or scheme.lower() not in _VALID_SCHEMES:
        raise S3UriError(f"Invalid scheme: {uri}")
    if not force_standard and scheme.lower() in _OBJECT_STORE_SCHEMES:
        if not authority:
            raise S3UriError(f"missing bucket: {uri}")
        if len(path) <= 1:
            raise S3UriError(f"missing key: {uri}")
        return S3Uri(authority, path[1:], None)
    host = (authority or "").rpartition("@")[2]
    if not host.split(":", 1)[0]:
        raise S3UriError(f"Invalid S3 URI: no hostname: {uri}")
    if use_path_style:
        if not path or path == "/":
            raise S3UriError(f"missing bucket: {uri}")
        bucket, slash, key = path[1:].partition("/")
        if not slash or not key:
            raise S3UriError(f"missing key: {uri}")
        return S3Uri(bucket, key, host)
    bucket, dot, endpoint = host.partition(".")
    if not path or path == "/":
        raise S3UriError(f"missing key: {uri}")
    return S3Uri(bucket, path[1:], endpoint if dot and endpoint else None)
