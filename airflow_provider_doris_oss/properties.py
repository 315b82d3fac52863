"""The OSS storage properties Doris uses, parsed once and rendered for boto3 and for Doris SQL.

The names, aliases, defaults and bounds come from ``property_specs.PROPERTY_SPECS``, the endpoint
and proxy rules from ``endpoints``. This module imports nothing heavy: botocore is loaded only when
a client configuration is rendered.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_doris_oss.endpoints import (
    bucket_name_problem,
    check_proxy,
    endpoints_region,
    parse_endpoint,
    redact_url,
    refuse_misplaced,
    refuse_oss_hdfs,
    with_port,
    with_scheme,
)
from airflow_provider_doris_oss.field_names import field_name
from airflow_provider_doris_oss.property_specs import (
    PROPERTY_SPECS,
    SPECS_BY_NAME,
    UNSUPPORTED_NAMES,
    OssPropertiesError,
    PropertySpec,
)

if TYPE_CHECKING:
    from airflow.sdk import Connection

_REQUIRED = ("endpoint", "access_key", "secret_key")


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
            spec = SPECS_BY_NAME.get(key) if isinstance(key, str) else None
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
            spec = SPECS_BY_NAME[name]
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
                spec = SPECS_BY_NAME[name]
                assert spec.doris_name and spec.connection_attr
                raise OssPropertiesError(
                    f"{where}: {spec.label} is missing. Fill in {field_name(name)}, or set "
                    f"{spec.doris_name!r} in the extra."
                )
        endpoint = parse_endpoint(values["endpoint"], origin["endpoint"], where)
        endpoint = with_scheme(endpoint, schema, origin["endpoint"], where)
        endpoint = with_port(endpoint, port, origin["endpoint"], where)
        refuse_oss_hdfs(endpoint, "endpoint", where)
        refuse_misplaced(endpoint, "endpoint", origin["endpoint"], where)
        doris_endpoint = None
        if "doris_endpoint" in values:
            label = SPECS_BY_NAME["doris_endpoint"].label
            source = origin["doris_endpoint"]
            doris_endpoint = parse_endpoint(values["doris_endpoint"], source, where, name=label)
            refuse_oss_hdfs(doris_endpoint, field_name("doris_endpoint"), where)
            refuse_misplaced(doris_endpoint, label, source, where)
        region = values.get("region") or endpoints_region(endpoint, doris_endpoint, where)
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
            check_proxy(values["proxy"], origin["proxy"], where)
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


def _refuse_unknown(key: str, where: str) -> None:
    if key in UNSUPPORTED_NAMES:
        raise OssPropertiesError(
            f"{where}: {key!r} is not yet supported by Doris for OSS (STS and role-based access). "
            "Use an AccessKey pair in s3.access_key and s3.secret_key."
        )
    close = difflib.get_close_matches(key, list(SPECS_BY_NAME), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise OssPropertiesError(
        f"{where}: unknown key {key!r} in the extra.{hint} Valid keys: {', '.join(sorted(SPECS_BY_NAME))}."
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
