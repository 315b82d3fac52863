"""The OSS storage properties Doris uses, parsed once and rendered for boto3 and for Doris SQL.

Every property name, alias and default lives in ``PROPERTY_SPECS``; the connection form, the
parser, both renderings and the table in docs/connections.md are derived from it. This module
imports nothing heavy: botocore is loaded only when a client configuration is rendered.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import SplitResult, urlsplit

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
        "Connection pool size, also the upload concurrency (1-1000)",
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

# Doris's own pattern for standard OSS endpoints, applied to the host; group 2 is the region.
_REGION_IN_HOST = re.compile(r"^(s3\.)?oss-([a-z0-9-]+?)(-internal)?\.aliyuncs\.com$")
_ACCELERATE_HOST = re.compile(r"^oss-accelerate(-overseas)?\.aliyuncs\.com$")
_OSS_HDFS_HOST = re.compile(r"(^|\.)oss-dls\.aliyuncs\.com$")
# A bucket's own domain, as the OSS console shows it: the bucket, then an OSS endpoint.
_BUCKET_DOMAIN = re.compile(r"^(?!s3\.)([a-z0-9][a-z0-9-]*)\.((?:s3\.)?oss-[a-z0-9-]+\.aliyuncs\.com)$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# OSS bucket naming rules: 3-63 characters, lowercase letters, digits and hyphens, starting and
# ending with a letter or digit.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_URL_PASSWORD = re.compile(r"(//[^/@:]*):[^/@]*@")
_SCHEMES = ("http", "https")
_SPECS_BY_NAME: dict[str, PropertySpec] = {name: s for s in PROPERTY_SPECS for name in s.names}
_REQUIRED = ("endpoint", "access_key", "secret_key")
# The form's Port label. Airflow 3.3.2's row Test button sends Port 0 for an empty Port and the API
# refuses a Port that differs from the stored one, so the label asks for a value and says 0 works.
REQUIRED_MARK = "required"  # how both forms mark a field that must be filled in
PORT_LABEL = f"Port ({REQUIRED_MARK}; 0 = default)"


def field_name(name: str) -> str:
    """A field as messages name it: the form's label, then Airflow's field and CLI option, or the extra key.

    ``field_name("endpoint")`` is ``Endpoint (Host, --conn-host)``; ``field_name("region")`` is
    ``Region (extra 'region')``; ``port`` and ``schema`` are Airflow's own fields.
    """
    if name in ("port", "schema"):
        label = PORT_LABEL.split(" (")[0] if name == "port" else "Schema"
        return f"{label} (--conn-{name})"
    spec = _SPECS_BY_NAME[name]
    if spec.connection_attr:
        return f"{spec.label} ({spec.connection_attr.capitalize()}, --conn-{spec.connection_attr})"
    return f"{spec.label} (extra {spec.field!r})"


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid OSS bucket name (3-63 of ``[a-z0-9-]``, letter/digit ends), or None."""
    if _BUCKET_NAME.match(name):
        return None
    if "://" in name or "/" in name:
        return "give the bucket's name alone, without oss:// or a path"
    if not 3 <= len(name) <= 63:
        return f"it has {len(name)} characters; OSS bucket names have 3 to 63"
    if name != name.lower():
        return "it has uppercase letters; OSS bucket names are lowercase"
    return (
        "OSS bucket names use only lowercase letters, digits and hyphens, and start and end with a "
        "letter or digit"
    )


def redact_url(url: str) -> str:
    """``url`` with the password of a ``user:password@`` part replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\1:***@", url)


def _host_of(endpoint: str) -> str | None:
    text = endpoint.strip().lower()
    try:
        return urlsplit(text if "://" in text else f"//{text}").hostname
    except ValueError:
        return None


def derive_region(endpoint: str) -> str | None:
    """The region a standard OSS endpoint names (public, -internal or s3.oss- form), else None."""
    host = _host_of(endpoint)
    if not host or _ACCELERATE_HOST.match(host):
        return None
    match = _REGION_IN_HOST.match(host)
    return match.group(2) if match else None


def is_acceleration_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint`` is OSS's global acceleration endpoint, which names no region."""
    host = _host_of(endpoint)
    return bool(host and _ACCELERATE_HOST.match(host))


class Endpoint(NamedTuple):
    """An endpoint split into its optional scheme, host and optional port."""

    scheme: str | None
    host: str
    port: int | None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{host}{port}" if self.scheme else f"{host}{port}"


@dataclass(frozen=True)
class OssProperties:
    """Immutable, validated OSS properties. ``repr`` never shows the keys or a proxy's password."""

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
    doris_endpoint: str | None = None

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            if f.repr:
                value = getattr(self, f.name)
                shown.append(f"{f.name}={redact_url(value) if f.name == 'proxy' and value else value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __str__(self) -> str:
        return repr(self)

    @property
    def endpoint_url(self) -> str:
        """The endpoint as a URL: ``https://`` unless the endpoint carries its own scheme."""
        return self.endpoint if "://" in self.endpoint else f"https://{self.endpoint}"

    @property
    def endpoint_for_doris(self) -> str:
        """The endpoint rendered into Doris statements: ``doris_endpoint`` when set, else ``endpoint``."""
        return self.doris_endpoint or self.endpoint

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values to mask wherever text leaves the process (the keys, a proxy's password)."""
        password = urlsplit(self.proxy).password if self.proxy else None
        return (self.access_key, self.secret_key, *((password,) if password else ()))

    @classmethod
    def from_connection(cls, conn: Connection) -> OssProperties:
        """Parse a ``dorisoss`` connection: Host, Login, Password, Port, Schema and the extra JSON."""
        where = f"connection {conn.conn_id!r}"
        given: list[tuple[str, Any, str]] = []
        for spec in PROPERTY_SPECS:
            if spec.connection_attr:
                value = getattr(conn, spec.connection_attr, None)
                given.append((spec.field, value, field_name(spec.field)))
        extra = _parse_extra(conn.extra, where)
        return cls._build(
            given, extra, where=where, port=getattr(conn, "port", None), schema=getattr(conn, "schema", None)
        )

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, where: str = "properties") -> OssProperties:
        """Parse a plain mapping keyed by form field names and/or Doris names."""
        if not isinstance(mapping, Mapping):
            raise OssPropertiesError(f"{where}: give the properties as a dict, not {type(mapping).__name__}.")
        return cls._build([], mapping, where=where)

    @classmethod
    def _build(
        cls,
        given: list[tuple[str, Any, str]],
        extra: Mapping[str, Any],
        *,
        where: str,
        port: Any = None,
        schema: Any = None,
    ) -> OssProperties:
        for key, value in extra.items():
            spec = _SPECS_BY_NAME.get(key) if isinstance(key, str) else None
            if spec is None:
                _refuse_unknown(str(key), where)
            else:
                own = key == spec.field and not spec.connection_attr
                source = field_name(key) if own else f"extra {key!r}"
                given.append((spec.field, value, source))
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
                    f"{where}: {spec.label} is missing. Fill in {field_name(name)}, or set "
                    f"{spec.doris_name!r} in the extra."
                )
        endpoint = _parse_endpoint(values["endpoint"], origin["endpoint"], where)
        endpoint = _with_scheme(endpoint, schema, origin["endpoint"], where)
        endpoint = _with_port(endpoint, port, origin["endpoint"], where)
        _refuse_oss_hdfs(endpoint, "endpoint", where)
        _refuse_misplaced(endpoint, "endpoint", origin["endpoint"], where)
        doris_endpoint = None
        if "doris_endpoint" in values:
            label = _SPECS_BY_NAME["doris_endpoint"].label
            source = origin["doris_endpoint"]
            doris_endpoint = _parse_endpoint(values["doris_endpoint"], source, where, name=label)
            _refuse_oss_hdfs(doris_endpoint, field_name("doris_endpoint"), where)
            _refuse_misplaced(doris_endpoint, label, source, where)
        region = values.get("region") or _endpoints_region(endpoint, doris_endpoint, where)
        if not region:
            raise OssPropertiesError(
                f"{where}: the region cannot be derived from endpoint {str(endpoint)!r} (an acceleration "
                "endpoint or a custom domain). Set 'region', e.g. cn-beijing."
            )
        if "bucket" in values:
            problem = bucket_name_problem(values["bucket"])
            if problem:
                raise OssPropertiesError(
                    f"{where}: bucket {values['bucket']!r} in {origin['bucket']} is not a valid OSS bucket "
                    f"name: {problem}. Example: 'my-bucket-1'."
                )
        if "proxy" in values:
            _check_proxy(values["proxy"], origin["proxy"], where)
        parsed = {s.field: values.get(s.field, s.default) for s in PROPERTY_SPECS}
        for_doris = str(doris_endpoint) if doris_endpoint and doris_endpoint != endpoint else None
        return cls(**{**parsed, "endpoint": str(endpoint), "region": region, "doris_endpoint": for_doris})

    def doris_properties(self) -> dict[str, str]:
        """The property map for Doris statements: ``s3.*`` names, string values."""
        rendered: dict[str, str] = {}
        for spec in PROPERTY_SPECS:
            value = getattr(self, spec.field)
            if spec.doris_name is None or (spec.kind is bool and not value):
                continue
            rendered[spec.doris_name] = str(value).lower() if spec.kind is bool else str(value)
        rendered["s3.endpoint"] = self.endpoint_for_doris
        return rendered

    def client_config_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``botocore.config.Config`` (or aiobotocore's ``AioConfig``).

        The bounds are checked again here, for properties built directly rather than parsed.
        """
        for spec in PROPERTY_SPECS:
            if spec.kind is int:
                _coerce(spec, getattr(self, spec.field), "these properties", type(self).__name__)
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


def _parse_extra(raw: Any, where: str) -> Mapping[str, Any]:
    """The connection's extra as a mapping; text that is not a JSON object is refused, not dropped."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, Mapping):
        return raw
    try:
        extra = json.loads(raw)
    except (TypeError, ValueError) as error:
        detail = (
            f"{error.msg} at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else type(error).__name__
        )
        raise OssPropertiesError(
            f"{where}: the extra is not valid JSON ({detail}), so none of its settings (region, "
            "bucket, proxy, timeouts) can be read. Fix the JSON, e.g. "
            '{"region": "cn-beijing", "bucket": "my-bucket"}.'
        ) from None
    if not isinstance(extra, Mapping):
        raise OssPropertiesError(
            f"{where}: the extra must be a JSON object ({{...}}), not a JSON {type(extra).__name__}. "
            'Example: {"region": "cn-beijing"}.'
        )
    return extra


def _split_url(text: str, *, name: str, source: str, where: str, example: str) -> SplitResult:
    """``text`` split as a URL (a bare host is taken as ``//host``); a malformed one is refused."""
    shown = redact_url(text)
    if any(c.isspace() for c in text):
        raise OssPropertiesError(
            f"{where}: {name} {shown!r} in {source} contains whitespace. Write it as {example}."
        )
    try:
        split = urlsplit(text if "://" in text else f"//{text}")
        if split.port == 0:  # urlsplit reads ":0" as port 0, which would be dropped as "no port"
            raise ValueError("Port out of range 1-65535")
    except ValueError as error:
        raise OssPropertiesError(
            f"{where}: {name} {shown!r} in {source} is not a valid URL ({redact_url(str(error))}); a port "
            f"must be a number from 1 to 65535. Write it as {example}."
        ) from None
    if split.query or split.fragment or "?" in text or "#" in text:
        raise OssPropertiesError(
            f"{where}: {name} {shown!r} in {source} has a query string or fragment. Write it as {example}; "
            "settings such as region and bucket go in the extra."
        )
    if split.path not in ("", "/"):
        raise OssPropertiesError(
            f"{where}: {name} {shown!r} in {source} has a path ({split.path!r}). Write it as {example}; "
            "a default bucket goes in 'bucket'."
        )
    host = split.hostname or ""
    if not _valid_host(host):
        raise OssPropertiesError(
            f"{where}: {name} {shown!r} in {source} has no valid host name. Write it as {example}."
        )
    return split


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return 0 < len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _parse_endpoint(text: str, source: str, where: str, *, name: str = "endpoint") -> Endpoint:
    example = "a host such as oss-cn-beijing.aliyuncs.com, optionally with https:// and :port"
    split = _split_url(text, name=name, source=source, where=where, example=example)
    scheme = split.scheme.lower() or None
    if scheme is not None and scheme not in _SCHEMES:
        bare = " (or the bare host, which means https)" if name == "endpoint" else " or http://<host>"
        raise OssPropertiesError(
            f"{where}: {name} in {source} has the scheme {scheme!r}; OSS speaks http or https. Write "
            f"https://<host>{bare}."
        )
    if split.username is not None or split.password is not None or "@" in split.netloc:
        raise OssPropertiesError(
            f"{where}: {name} in {source} carries user:password@. Put the AccessKey ID in "
            f"{field_name('access_key')}, the secret in {field_name('secret_key')}, and the host alone in "
            f"{field_name('endpoint') if name == 'endpoint' else name}."
        )
    return Endpoint(scheme, (split.hostname or "").lower(), split.port)


def _refuse_oss_hdfs(endpoint: Endpoint, name: str, where: str) -> None:
    if _OSS_HDFS_HOST.search(endpoint.host):
        raise OssPropertiesError(
            f"{where}: {name} {str(endpoint)!r} is an OSS-HDFS (JindoFS) endpoint, which does not "
            "speak the S3 protocol. Use the bucket's OSS endpoint, e.g. oss-cn-beijing.aliyuncs.com."
        )


def _refuse_misplaced(endpoint: Endpoint, name: str, source: str, where: str) -> None:
    """Refuse a bucket's domain as the endpoint, and a scheme on the other scheme's port at OSS."""
    domain = _BUCKET_DOMAIN.match(endpoint.host)
    if domain:
        bucket, host = domain.groups()
        raise OssPropertiesError(
            f"{where}: {name} {str(endpoint)!r} in {source} is the domain of bucket {bucket!r}, as the OSS "
            f"console shows it; the client adds the bucket itself, so {bucket}.{bucket}.{host} would not "
            f"resolve. Set the endpoint to {str(endpoint._replace(host=host))!r} and "
            f"{field_name('bucket')} to {bucket!r}."
        )
    if not endpoint.host.endswith(".aliyuncs.com") or endpoint.port is None:
        return
    scheme = endpoint.scheme or "https"
    if (scheme, endpoint.port) == ("http", 443):
        raise OssPropertiesError(
            f"{where}: {name} {str(endpoint)!r} sends plain HTTP to port 443, where OSS speaks only HTTPS "
            "(it answers 400 'The plain HTTP request was sent to HTTPS port'). Write https:// (or the bare "
            f"host) and set {field_name('port')} to 0, or keep http:// and set Port to 0 (port 80)."
        )
    if (scheme, endpoint.port) == ("https", 80):
        raise OssPropertiesError(
            f"{where}: {name} {str(endpoint)!r} speaks HTTPS to port 80, where OSS speaks only plain HTTP, "
            f"so the TLS handshake fails. Set {field_name('port')} to 0 (port 443 for https), or write "
            "http:// for plain HTTP on port 80."
        )


def _endpoints_region(endpoint: Endpoint, doris_endpoint: Endpoint | None, where: str) -> str | None:
    """The region the endpoints name; refused when Airflow's and Doris's name different regions.

    A bucket lives in one region and OSS serves it only through that region's endpoints, so the
    two endpoints of one connection must agree (oss-cn-beijing and oss-cn-beijing-internal do).
    """
    region = derive_region(str(endpoint))
    if doris_endpoint is None:
        return region
    doris_region = derive_region(str(doris_endpoint))
    if region and doris_region and region != doris_region:
        raise OssPropertiesError(
            f"{where}: {field_name('endpoint')} {str(endpoint)!r} is in region {region!r} but "
            f"{field_name('doris_endpoint')} {str(doris_endpoint)!r} is in region {doris_region!r}. A bucket "
            f"lives in one region: use that region's endpoints on both sides, e.g. oss-{region}.aliyuncs.com "
            f"for Airflow and oss-{region}-internal.aliyuncs.com for Doris."
        )
    return region or doris_region


def _with_port(endpoint: Endpoint, port: Any, source: str, where: str) -> Endpoint:
    """Honour the connection's Port field: 0 or empty means unset; a different port is a conflict."""
    if port is None or port == 0 or (isinstance(port, str) and not port.strip()):
        return endpoint
    try:
        if isinstance(port, bool):
            raise ValueError
        number = int(port)
    except (TypeError, ValueError):
        raise OssPropertiesError(
            f"{where}: {field_name('port')} must be a whole number: 0 for the scheme's default (443 for "
            f"https, 80 for http) or a port from 1 to 65535, not {port!r}."
        ) from None
    if not 1 <= number <= 65535:
        raise OssPropertiesError(
            f"{where}: {field_name('port')} must be 0 for the scheme's default (443 for https, 80 for "
            f"http) or a port from 1 to 65535, not {number}."
        )
    if endpoint.port is not None and endpoint.port != number:
        raise OssPropertiesError(
            f"{where}: {field_name('port')} says {number} but the endpoint in {source} says "
            f":{endpoint.port}. Keep one of them: set Port to 0 to use the endpoint's."
        )
    # The scheme is written out, so Doris (which may read a bare host as http) also uses https.
    scheme = endpoint.scheme or "https"
    if endpoint.port is None and number == {"http": 80, "https": 443}[scheme]:
        # The scheme's own port stays implicit: through a proxy the Host header would carry ":80"
        # while SigV4 signs the host without it, and OSS would answer SignatureDoesNotMatch.
        return endpoint._replace(scheme=scheme)
    return endpoint._replace(port=number, scheme=scheme)


def _with_scheme(endpoint: Endpoint, schema: Any, source: str, where: str) -> Endpoint:
    """Honour the connection's Schema field as the endpoint's scheme (http or https); refuse others."""
    if schema is None or (isinstance(schema, str) and not schema.strip()):
        return endpoint
    scheme = str(schema).strip().lower()
    if scheme not in _SCHEMES:
        raise OssPropertiesError(
            f"{where}: {field_name('schema')} is {schema!r}, which a dorisoss connection reads only "
            "as the endpoint's scheme ('http' or 'https'). Clear it, or set 'http'/'https'; a default "
            "bucket goes in the extra's 'bucket' (in a URI: ?bucket=my-bucket)."
        )
    if endpoint.scheme is not None and endpoint.scheme != scheme:
        raise OssPropertiesError(
            f"{where}: {field_name('schema')} says {scheme!r} but the endpoint in {source} says "
            f"{endpoint.scheme!r}://. Keep one of them."
        )
    return endpoint._replace(scheme=scheme)


def _check_proxy(proxy: str, source: str, where: str) -> None:
    example = "http://proxy.example.com:3128 (user:password@ allowed)"
    split = _split_url(proxy, name="proxy", source=source, where=where, example=example)
    if split.scheme.lower() not in _SCHEMES:
        shown = redact_url(proxy)
        raise OssPropertiesError(
            f"{where}: proxy {shown!r} in {source} is not an http:// or https:// URL (botocore supports "
            f"no other proxy kind). Write it as {example}."
        )


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
    what = source if source.startswith(spec.label) else f"{spec.field} in {source}"
    if spec.kind is str:
        if not isinstance(raw, str):
            raise OssPropertiesError(f"{where}: {what} must be a string.")
        return raw.strip()
    if spec.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise OssPropertiesError(f"{where}: {what} must be true or false, not {raw!r}.")
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        number = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise OssPropertiesError(f"{where}: {what} must be a whole number, not {raw!r}.") from None
    low, high = spec.minimum or 1, spec.maximum
    if number < low:
        raise OssPropertiesError(
            f"{where}: {what} must be at least {low}, not {number}"
            + (f" (allowed: {low} to {high})." if high else ".")
        )
    if high is not None and number > high:
        raise OssPropertiesError(
            f"{where}: {what} must be at most {high}, not {number}: {spec.bound_reason}. "
            f"Use a value from {low} to {high}."
        )
    return number
