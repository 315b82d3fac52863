"""OSS endpoints as users write them, parsed and checked, and the region one names.

Also the other addresses a connection holds: the bucket name rule and the proxy URL, which share
the URL checks. Every refusal raises ``OssPropertiesError`` naming the field and the fix.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, NamedTuple
from urllib.parse import SplitResult, urlsplit

from airflow_provider_doris_oss.field_names import field_name
from airflow_provider_doris_oss.property_specs import OssPropertiesError

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


def parse_endpoint(text: str, source: str, where: str, *, name: str = "endpoint") -> Endpoint:
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


def refuse_oss_hdfs(endpoint: Endpoint, name: str, where: str) -> None:
    if _OSS_HDFS_HOST.search(endpoint.host):
        raise OssPropertiesError(
            f"{where}: {name} {str(endpoint)!r} is an OSS-HDFS (JindoFS) endpoint, which does not "
            "speak the S3 protocol. Use the bucket's OSS endpoint, e.g. oss-cn-beijing.aliyuncs.com."
        )


def refuse_misplaced(endpoint: Endpoint, name: str, source: str, where: str) -> None:
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


def endpoints_region(endpoint: Endpoint, doris_endpoint: Endpoint | None, where: str) -> str | None:
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


def with_port(endpoint: Endpoint, port: Any, source: str, where: str) -> Endpoint:
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


def with_scheme(endpoint: Endpoint, schema: Any, source: str, where: str) -> Endpoint:
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


def check_proxy(proxy: str, source: str, where: str) -> None:
    example = "http://proxy.example.com:3128 (user:password@ allowed)"
    split = _split_url(proxy, name="proxy", source=source, where=where, example=example)
    if split.scheme.lower() not in _SCHEMES:
        shown = redact_url(proxy)
        raise OssPropertiesError(
            f"{where}: proxy {shown!r} in {source} is not an http:// or https:// URL (botocore supports "
            f"no other proxy kind). Write it as {example}."
        )
