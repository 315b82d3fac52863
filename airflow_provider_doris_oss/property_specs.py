"""The OSS property table: every property's form field, label, Doris names, default and bounds.

``PROPERTY_SPECS`` is the one place the names and aliases are listed; the connection form, the
parser in ``properties``, both renderings and the table in docs/connections.md are derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    minimum: int | None = None
    maximum: int | None = None
    bound_reason: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every key that sets this property in a connection's extra or a property map."""
        return tuple(dict.fromkeys(n for n in (self.field, self.doris_name, self.legacy_name) if n))


# Bounds (docs/troubleshooting.md, "Refused input", says why each is what it is).
MAX_CONNECTIONS = 1000
MAX_REQUEST_TIMEOUT_MS = 60 * 60 * 1000
MAX_CONNECT_TIMEOUT_MS = 10 * 60 * 1000

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
        "doris_endpoint",
        "Endpoint for Doris",
        "The endpoint Doris uses when it differs from Airflow's, e.g. the internal "
        "oss-cn-beijing-internal.aliyuncs.com for a cluster in Alibaba Cloud; empty: the Endpoint",
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
        "Connection pool size; uploads keep at most this many requests in flight (1-1000)",
        kind=int,
        doris_name="s3.connection.maximum",
        default=50,
        minimum=1,
        maximum=MAX_CONNECTIONS,
        bound_reason=(
            "urllib3 allocates every pool slot when the pool is created and uploads run one "
            "thread per connection"
        ),
    ),
    PropertySpec(
        "connection_request_timeout",
        "Request timeout (ms)",
        "Socket read timeout in milliseconds (1 ms to 1 hour)",
        kind=int,
        doris_name="s3.connection.request.timeout",
        default=3000,
        minimum=1,
        maximum=MAX_REQUEST_TIMEOUT_MS,
        bound_reason="a read that waits longer than an hour for OSS's next byte is a hang",
    ),
    PropertySpec(
        "connection_timeout",
        "Connect timeout (ms)",
        "Connect timeout in milliseconds (1 ms to 10 minutes)",
        kind=int,
        doris_name="s3.connection.timeout",
        default=1000,
        minimum=1,
        maximum=MAX_CONNECT_TIMEOUT_MS,
        bound_reason="the operating system gives up on a TCP connect long before 10 minutes",
    ),
    PropertySpec(
        "use_path_style",
        "Use path-style addressing",
        "Only for S3-compatible stand-ins: OSS itself refuses path-style requests",
        kind=bool,
        doris_name="use_path_style",
        default=False,
    ),
    PropertySpec(
        "bucket",
        "Default bucket",
        "Bucket used when a task names none (3-63 lowercase letters, digits and hyphens)",
    ),
    PropertySpec(
        "proxy",
        "HTTP(S) proxy",
        "Proxy URL for the OSS client, e.g. http://proxy:3128 (user:password@ allowed)",
    ),
)

UNSUPPORTED_NAMES: tuple[str, ...] = ("s3.sts_endpoint", "s3.sts_region", "s3.iam_role", "s3.external_id")
SPECS_BY_NAME: dict[str, PropertySpec] = {name: s for s in PROPERTY_SPECS for name in s.names}
