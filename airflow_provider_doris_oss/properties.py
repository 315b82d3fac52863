"""The OSS storage properties Doris uses, parsed once and rendered for boto3 and for Doris SQL.

Every property name, alias and default lives in ``PROPERTY_SPECS``; the connection form, the
parser, both renderings and the table in docs/connections.md are derived from it. This module
imports nothing heavy: botocore is loaded only when a client configuration is rendered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Connection


class OssPropertiesError(ValueError):
    """A connection or property map that cannot describe an OSS endpoint; the text says the fix."""


@dataclass(frozen=True)
class PropertySpec:
    """One OSS property: its form field (also the extra and URI query key) and its Doris names."""

    field: str
    label: str
    description: str
    kind: type = str
    doris_name: str | None = None
    legacy_name: str | None = None
    connection_attr: str | None = None
    default: Any = None
    secret: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Every key that sets this property in a connection's extra or a property map."""
        return tuple(dict.fromkeys(n for n in (self.field, self.doris_name, self.legacy_name) if n))


PROPERTY_SPECS: tuple[PropertySpec, ...] = (
    PropertySpec(
        "endpoint",
        "Endpoint",
        "OSS endpoint, e.g. oss-cn-beijing.aliyuncs.com (https:// unless a scheme is given)",
        doris_name="s3.endpoint",
        legacy_name="oss.endpoint",
        connection_attr="host",
    ),
    PropertySpec(
        "region",
        "Region",
        "Region such as cn-beijing; derived from a standard endpoint when empty",
        doris_name="s3.region",
        legacy_name="oss.region",
    ),
    PropertySpec(
        "access_key",
        "Access key",
        "AccessKey ID",
        doris_name="s3.access_key",
        legacy_name="oss.access_key",
        connection_attr="login",
        secret=True,
    ),
    PropertySpec(
        "secret_key",
        "Secret key",
        "AccessKey secret",
        doris_name="s3.secret_key",
        legacy_name="oss.secret_key",
        connection_attr="password",
        secret=True,
    ),
    PropertySpec(
        "connection_maximum",
        "Maximum connections",
        "Connection pool size, also the upload concurrency",
        kind=int,
        doris_name="s3.connection.maximum",
        default=50,
    ),
    PropertySpec(
        "connection_request_timeout",
        "Request timeout (ms)",
        "Socket read timeout in milliseconds",
        kind=int,
        doris_name="s3.connection.request.timeout",
        default=3000,
    ),
    PropertySpec(
        "connection_timeout",
        "Connect timeout (ms)",
        "Connect timeout in milliseconds",
        kind=int,
        doris_name="s3.connection.timeout",
        default=1000,
    ),
    PropertySpec(
        "use_path_style",
        "Use path-style addressing",
        "Only for S3-compatible stand-ins: OSS itself refuses path-style requests",
        kind=bool,
        doris_name="use_path_style",
        default=False,
    ),
    PropertySpec("bucket", "Default bucket", "Bucket used when a task names none"),
    PropertySpec("proxy", "HTTP(S) proxy", "Proxy URL for the OSS client, e.g. http://proxy:3128"),
)

UNSUPPORTED_NAMES: tuple[str, ...] = ("s3.sts_endpoint", "s3.sts_region", "s3.iam_role", "s3.external_id")

# Doris's own pattern for standard OSS endpoints; group 3 is the region.
_REGION_IN_ENDPOINT = re.compile(r"^(https?://)?(s3\.)?oss-([a-z0-9-]+?)(-internal)?\.aliyuncs\.com/?$")
_ACCELERATE = re.compile(r"^(https?://)?oss-accelerate(-overseas)?\.aliyuncs\.com/?$")
_OSS_HDFS = re.compile(r"(^|[./])oss-dls\.aliyuncs\.com(:\d+)?/?$")
_SPECS_BY_NAME: dict[str, PropertySpec] = {name: s for s in PROPERTY_SPECS for name in s.names}
_REQUIRED = ("endpoint", "access_key", "secret_key")


def derive_region(endpoint: str) -> str | None:
    """The region a standard OSS endpoint names (public, -internal or s3.oss- form), else None."""
    host = endpoint.strip().lower()
    if _ACCELERATE.match(host):
        return None
    match = _REGION_IN_ENDPOINT.match(host)
    return match.group(3) if match else None


@dataclass(frozen=True)
class OssProperties:
    """Immutable, validated OSS properties. ``repr`` never shows the keys."""

    endpoint: str
    region: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    connection_maximum: int
    connection_request_timeout: int
    connection_timeout: int
    use_path_style: bool
    bucket: str | None
    proxy: str | None

    def __str__(self) -> str:
        return repr(self)

    @property
    def endpoint_url(self) -> str:
        """The endpoint as a URL: ``https://`` unless the endpoint carries its own scheme."""
        return self.endpoint if "://" in self.endpoint else f"https://{self.endpoint}"

    @property
    def secrets(self) -> tuple[str, str]:
        """The values to mask wherever text leaves the process."""
        return (self.access_key, self.secret_key)

    @classmethod
    def from_connection(cls, conn: Connection) -> OssProperties:
        """Parse a ``doris_oss`` connection: Host, Login, Password and the extra JSON."""
        given: list[tuple[str, Any, str]] = []
        for spec in PROPERTY_SPECS:
            if spec.connection_attr:
                value = getattr(conn, spec.connection_attr, None)
                given.append(
                    (spec.field, value, f"the connection's {spec.connection_attr.capitalize()} field")
                )
        extra = conn.extra_dejson
        if not isinstance(extra, Mapping):
            raise OssPropertiesError(f"Connection {conn.conn_id!r}: extra must be a JSON object.")
        return cls._build(given, extra, where=f"connection {conn.conn_id!r}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, where: str = "properties") -> OssProperties:
        """Parse a plain mapping keyed by form field names and/or Doris names."""
        return cls._build([], mapping, where=where)

    @classmethod
    def _build(
        cls, given: list[tuple[str, Any, str]], extra: Mapping[str, Any], *, where: str
    ) -> OssProperties:
        for key, value in extra.items():
            spec = _SPECS_BY_NAME.get(key)
            if spec is None:
                _refuse_unknown(key, where)
            else:
                given.append((spec.field, value, f"extra {key!r}"))
        values: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for name, raw, source in given:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            spec = _SPECS_BY_NAME[name]
            value = _coerce(spec, raw, source, where)
            if name in values and values[name] != value:
                shown = "" if spec.secret else f" ({values[name]!r} and {value!r})"
                raise OssPropertiesError(
                    f"{where}: {name} is given twice with different values{shown}, "
                    f"in {origin[name]} and in {source}. Keep one of them."
                )
            values[name], origin[name] = value, source
        for name in _REQUIRED:
            if name not in values:
                spec = _SPECS_BY_NAME[name]
                assert spec.doris_name and spec.connection_attr
                raise OssPropertiesError(
                    f"{where}: {name} is missing. Set the connection's {spec.connection_attr.capitalize()} "
                    f"field, or {spec.doris_name!r} in the extra."
                )
        endpoint = values["endpoint"].rstrip("/")
        if _OSS_HDFS.search(endpoint.lower()):
            raise OssPropertiesError(
                f"{where}: endpoint {endpoint!r} is an OSS-HDFS (JindoFS) endpoint, which does not speak "
                "the S3 protocol. Use the bucket's OSS endpoint, e.g. oss-cn-beijing.aliyuncs.com."
            )
        region = values.get("region") or derive_region(endpoint)
        if not region:
            raise OssPropertiesError(
                f"{where}: the region cannot be derived from endpoint {endpoint!r} (an acceleration "
                "endpoint or a custom domain). Set 'region', e.g. cn-beijing."
            )
        parsed = {s.field: values.get(s.field, s.default) for s in PROPERTY_SPECS}
        return cls(**{**parsed, "endpoint": endpoint, "region": region})

    def doris_properties(self) -> dict[str, str]:
        """The property map for Doris statements: ``s3.*`` names, string values."""
        rendered: dict[str, str] = {}
        for spec in PROPERTY_SPECS:
            value = getattr(self, spec.field)
            if spec.doris_name is None or (spec.kind is bool and not value):
                continue
            rendered[spec.doris_name] = str(value).lower() if spec.kind is bool else str(value)
        return rendered

    def client_config_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``botocore.config.Config`` (or aiobotocore's ``AioConfig``)."""
        config: dict[str, Any] = {
            "signature_version": "s3v4",
            "s3": {
                "addressing_style": "path" if self.use_path_style else "virtual",
                "payload_signing_enabled": False,
            },
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
            "max_pool_connections": self.connection_maximum,
            "connect_timeout": self.connection_timeout / 1000,
            "read_timeout": self.connection_request_timeout / 1000,
            "retries": {"mode": "standard", "total_max_attempts": 5},
        }
        if self.proxy:
            config["proxies"] = {"http": self.proxy, "https": self.proxy}
        return config

    def boto3_client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``boto3.client("s3", ...)``, including a botocore ``Config``."""
        from botocore.config import Config

        return {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "config": Config(**self.client_config_kwargs()),
        }


def _refuse_unknown(key: str, where: str) -> None:
    if key in UNSUPPORTED_NAMES:
        raise OssPropertiesError(
            f"{where}: {key!r} is not yet supported by Doris for OSS (STS and role-based access). "
            "Use an AccessKey pair in s3.access_key and s3.secret_key."
        )
    close = difflib.get_close_matches(key, list(_SPECS_BY_NAME), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise OssPropertiesError(
        f"{where}: unknown key {key!r} in the extra.{hint} Valid keys: {', '.join(sorted(_SPECS_BY_NAME))}."
    )


def _coerce(spec: PropertySpec, raw: Any, source: str, where: str) -> Any:
    if spec.kind is str:
        if not isinstance(raw, str):
            raise OssPropertiesError(f"{where}: {spec.field} in {source} must be a string.")
        return raw.strip()
    if spec.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise OssPropertiesError(f"{where}: {spec.field} in {source} must be true or false, not {raw!r}.")
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        number = int(raw)
    except (TypeError, ValueError):
        raise OssPropertiesError(
            f"{where}: {spec.field} in {source} must be a whole number, not {raw!r}."
        ) from None
    if number < 1:
        raise OssPropertiesError(f"{where}: {spec.field} in {source} must be at least 1, not {number}.")
    return number
