"""The object-storage properties of a statement, read as Doris reads them, and the boto3 client.

Every name and alias Doris 3.1+ accepts for OSS/S3 (``s3.*``, ``oss.*``, ``AWS_*``, bare names),
the region derived from an OSS endpoint, and the checks Doris makes before accepting a LOAD.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

_ALIASES: dict[str, tuple[str, ...]] = {
    "endpoint": (
        "oss.endpoint",
        "s3.endpoint",
        "aws_endpoint",
        "endpoint",
        "fs.oss.endpoint",
        "fs.s3a.endpoint",
    ),
    "region": ("oss.region", "s3.region", "aws_region", "region", "fs.oss.region", "fs.s3a.endpoint.region"),
    "access_key": (
        "oss.access_key",
        "s3.access_key",
        "aws_access_key",
        "access_key",
        "fs.oss.accesskeyid",
        "fs.s3a.access.key",
    ),
    "secret_key": (
        "oss.secret_key",
        "s3.secret_key",
        "aws_secret_key",
        "secret_key",
        "fs.oss.accesskeysecret",
        "fs.s3a.secret.key",
    ),
    "session_token": ("oss.session_token", "s3.session_token", "aws_token", "session_token"),
    "max_connections": ("oss.connection.maximum", "s3.connection.maximum", "aws_max_connections"),
    "request_timeout_ms": (
        "oss.connection.request.timeout",
        "s3.connection.request.timeout",
        "aws_request_timeout_ms",
    ),
    "connection_timeout_ms": ("oss.connection.timeout", "s3.connection.timeout", "aws_connection_timeout_ms"),
    "use_path_style": ("oss.use_path_style", "s3.path-style-access", "use_path_style", "s3.use_path_style"),
    "provider": ("provider",),
}
ENDPOINT_NAMES = _ALIASES["endpoint"]  # every name an endpoint property may have
_UNSUPPORTED = ("s3.sts_endpoint", "s3.sts_region", "s3.iam_role", "s3.external_id", "oss.iam_role")
_OSS_ENDPOINT = re.compile(r"^(https?://)?(s3\.)?oss-([a-z0-9-]+?)(-internal)?\.aliyuncs\.com$")


@dataclass(frozen=True)
class StorageProps:
    """Connection settings for one object store, as a backend would receive them."""

    endpoint: str
    region: str
    access_key: str | None
    secret_key: str | None
    session_token: str | None
    use_path_style: bool
    max_connections: int
    request_timeout_ms: int
    connection_timeout_ms: int

    @property
    def endpoint_url(self) -> str:
        """Doris assumes ``http://`` for an endpoint given without a scheme."""
        return self.endpoint if "://" in self.endpoint else "http://" + self.endpoint


def _err(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def parse_storage(props: Mapping[str, str]) -> StorageProps:
    """Read the storage properties out of ``props`` (names case-insensitive); raise Doris's errors."""
    lowered = {k.lower(): v for k, v in props.items()}
    for key in _UNSUPPORTED:
        if key in lowered:
            raise _err(f"{key} is not supported for OSS yet: use an access key and secret key.")
    values: dict[str, str] = {}
    for field_name, names in _ALIASES.items():
        for name in names:
            if lowered.get(name):
                values[field_name] = lowered[name].strip()
                break
    endpoint = values.get("endpoint")
    if not endpoint:
        raise _err("Endpoint is not set. Please specify 's3.endpoint' (or 'oss.endpoint') in the properties.")
    host = urlsplit(endpoint if "://" in endpoint else "http://" + endpoint).hostname or ""
    if host.endswith(".oss-dls.aliyuncs.com"):
        raise _err(f"OSS-HDFS endpoint {endpoint} is not an S3 endpoint: use the oss.hdfs.* properties.")
    region = values.get("region")
    if not region:
        match = _OSS_ENDPOINT.match(endpoint)
        if match is None:
            raise _err(
                "Region is not set. If you are using a standard endpoint, the region will be detected "
                "automatically. Otherwise, please specify it explicitly with 's3.region'."
            )
        region = match.group(3)
    access_key, secret_key = values.get("access_key"), values.get("secret_key")
    if bool(access_key) != bool(secret_key):
        raise _err("Both the access key and the secret key must be set.")
    return StorageProps(
        endpoint=endpoint,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        session_token=values.get("session_token"),
        use_path_style=values.get("use_path_style", "false").lower() == "true",
        max_connections=_int(values, "max_connections", 100),
        request_timeout_ms=_int(values, "request_timeout_ms", 10000),
        connection_timeout_ms=_int(values, "connection_timeout_ms", 10000),
    )


def _int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise _err(f"{_ALIASES[name][1]} must be an integer, got '{raw}'.") from exc


_clients: dict[tuple[StorageProps, str | None], Any] = {}
_clients_lock = threading.Lock()


def client_for(props: StorageProps, proxy: str | None) -> Any:
    """A boto3 S3 client configured for OSS, cached per property set and proxy."""
    key = (props, proxy)
    with _clients_lock:
        cached = _clients.get(key)
        if cached is not None:
            return cached
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        signature_version="s3v4" if props.access_key else UNSIGNED,
        region_name=props.region,
        s3={"addressing_style": "path" if props.use_path_style else "virtual"},
        proxies={"http": proxy, "https": proxy} if proxy else None,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        max_pool_connections=max(1, props.max_connections),
        connect_timeout=props.connection_timeout_ms / 1000,
        read_timeout=props.request_timeout_ms / 1000,
        retries={"mode": "standard", "total_max_attempts": 2},
    )
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=props.endpoint_url,
        aws_access_key_id=props.access_key,
        aws_secret_access_key=props.secret_key,
        aws_session_token=props.session_token,
        config=config,
    )
    client.meta.events.register("before-sign.s3.DeleteObjects", _content_md5)
    with _clients_lock:
        _clients[key] = client
    return client


def _content_md5(request: Any, **_: Any) -> None:
    """OSS requires Content-MD5 on DeleteObjects; botocore sends a CRC32 checksum instead."""
    import base64
    import hashlib

    body = request.body if isinstance(request.body, bytes) else (request.body or b"")
    for header in list(request.headers.keys()):
        if header.lower().startswith("x-amz-checksum") or header.lower() == "x-amz-sdk-checksum-algorithm":
            del request.headers[header]
    request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` or ``oss://bucket/key`` (or ``http(s)://bucket.host/key``) to (bucket, key).

    Split by hand, not with ``urlsplit``: a key may hold ``?`` and ``#`` (wildcards, names) and
    control characters, which URL parsing would cut off or drop.
    """
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    authority, _, path = rest.partition("/")
    if sep and scheme in ("s3", "oss", "s3a", "s3n", "cos", "obs", "bos") and authority:
        return authority, path
    host = authority.rpartition("@")[2].split(":", 1)[0].lower()
    if sep and scheme in ("http", "https") and host:
        if host.count(".") >= 3:
            return host.split(".", 1)[0], path
        bucket, _, key = path.partition("/")
        return bucket, key
    raise _err(f"Invalid uri: {uri}. The uri must look like s3://bucket/path/to/file.")


def describe_error(exc: BaseException) -> str:
    """A storage failure in the words an S3 SDK would use, without secrets."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.get("Code", "")
        message = error.get("Message") or code
        return f"{message} (Service: S3, Status Code: {status}, Error Code: {code})"
    return str(exc)


def check_storage(props: StorageProps, proxy: str | None, buckets: Iterable[str]) -> None:
    """Doris's check before accepting a LOAD: reach the endpoint, then list each bucket with the keys."""
    if proxy is None:
        parts = urlsplit(props.endpoint_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=10):
                pass
        except OSError as exc:
            raise _err(f"Incorrect object storage info: {exc}") from exc
    client = client_for(props, proxy)
    for bucket in dict.fromkeys(buckets):
        try:
            client.list_objects_v2(Bucket=bucket, MaxKeys=1)
        except Exception as exc:
            raise _err(f"Incorrect object storage info, Error message={describe_error(exc)}") from exc
