"""What a failed connection test means: OSS's answers and network errors turned into a cause and a fix.

Used by ``DorisOssHook.test_connection`` and ``DorisHook.test_connection``, so the Test button and
``airflow connections test`` name the cause (wrong key, wrong secret, no permission, no such bucket,
wrong region or endpoint, endpoint or proxy unreachable, wrong scheme) instead of an HTTP status.
No message ever contains a key, a secret or a proxy's password.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_doris_oss.connection_types import (
    DORIS_HTTP_PORT,
    DORIS_QUERY_PORT,
    doris_field_name,
)
from airflow_provider_doris_oss.endpoints import Endpoint, derive_region
from airflow_provider_doris_oss.field_names import field_name
from airflow_provider_doris_oss.hooks.client import error_message
from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS

if TYPE_CHECKING:
    from airflow_provider_doris_oss.properties import OssProperties

DEFAULT_PORTS = {"http": 80, "https": 443}


def plural(count: int, noun: str) -> str:
    """``1 bucket``, ``2 buckets``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def inner(text: str) -> str:
    """``text`` fit to sit inside parentheses mid-sentence: without its own closing full stop.

    OSS's messages and socket errors end with ".", which would read "(... header.)." otherwise.
    """
    return text.strip().rstrip(".").rstrip()


def proxy_address(proxy: str) -> str:
    """The proxy as ``scheme://host:port``: never its user name or password."""
    split = urlsplit(proxy)
    port = split.port or DEFAULT_PORTS.get(split.scheme, 0)
    return f"{split.scheme}://{split.hostname}:{port}"


def without_conn_id(message: str, conn_id: str) -> str:
    """The message without its leading "connection 'id': ".

    The UI's Test button tests a copy stored under a random id, which would only confuse.
    """
    for prefix in (f"connection {conn_id!r}: ", f"Connection {conn_id!r}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def doris_names_read(extra: Mapping[str, Any]) -> str:
    """A sentence naming the extra keys given under Doris's names, or "" when the form's names are used."""
    renamed = []
    for spec in PROPERTY_SPECS:
        for name in (spec.doris_name, spec.legacy_name):
            if name and name != spec.field and name in extra:
                renamed.append(f"{name!r} as {spec.field}")
    if not renamed:
        return ""
    return (
        f" Read from the extra under Doris's names: {', '.join(renamed)}. The Edit form shows these as "
        "raw keys in place of its own fields; a connection managed in the UI should use the form's names."
    )


def doris_endpoint_note(props: OssProperties) -> str:
    """A sentence naming the endpoint Doris uses when it differs from the one tested, else ""."""
    if not props.doris_endpoint:
        return ""
    return (
        f" Doris statements use the Endpoint for Doris, {props.doris_endpoint}, which this test does not "
        "reach from here: Doris uses it when a statement runs (a Broker Load checks it when submitted)."
    )


def region_note(props: OssProperties) -> str:
    """A sentence when Region names another region than a standard endpoint does, else ""."""
    named = derive_region(props.endpoint)
    if not named or named == props.region:
        return ""
    return (
        f" Note: {field_name('region')} is {props.region!r} but the endpoint {props.endpoint} is in "
        f"{named!r} (OSS's S3 API accepts the signature either way). Clear Region, which a standard "
        f"endpoint implies, or set it to {named!r}; for a bucket in {props.region!r}, use "
        f"oss-{props.region}.aliyuncs.com as the endpoint."
    )


def _endpoint_host_port(props: OssProperties) -> tuple[str, int]:
    split = urlsplit(props.endpoint_url)
    return split.hostname or props.endpoint_url, split.port or DEFAULT_PORTS.get(split.scheme, 443)


def _port_hint(props: OssProperties) -> str:
    """A sentence about the port when it is not the scheme's own (then it is the likely mistake)."""
    split = urlsplit(props.endpoint_url)
    default = DEFAULT_PORTS.get(split.scheme, 443)
    if split.port is None or split.port == default:
        return ""
    return (
        f" The port {split.port} comes from {field_name('port')} or the endpoint: set Port to 0 and write "
        f"the endpoint without a port for {split.scheme}'s own port ({default})."
    )


def _plain_http(host: str, port: int) -> str:
    """The endpoint as plain HTTP on the port that was reached (``http://host`` alone would mean port 80)."""
    return str(Endpoint("http", host, port))


def _can_connect(address: str, timeout_s: float) -> bool:
    split = urlsplit(address)
    try:
        with socket.create_connection((split.hostname or "", split.port or 0), timeout=timeout_s):
            return True
    except OSError:
        return False


def _root_cause(error: BaseException) -> str:
    """The innermost reason a botocore/urllib3 connection error carries, e.g. ``[Errno 111] ...``."""
    inner: BaseException | None = getattr(error, "kwargs", {}).get("error") or error
    seen = 0
    while inner is not None and seen < 5:
        nested = [a for a in getattr(inner, "args", ()) if isinstance(a, BaseException)]
        if not nested:
            break
        inner, seen = nested[-1], seen + 1
    text = str(inner) if inner is not None else str(error)
    # urllib3 says "AWSHTTPConnection(host=..., port=...): reason"; keep the reason.
    if "): " in text and "Connection(host=" in text:
        text = text.split("): ", 1)[1]
    return text


def network_failure(error: BaseException, props: OssProperties) -> str | None:
    """The cause of a connection-level failure (no HTTP answer from OSS), or None for other errors."""
    from botocore import exceptions as bce

    url = props.endpoint_url
    host, port = _endpoint_host_port(props)
    reason = inner(scrub(_root_cause(error), props.secrets))
    if isinstance(error, bce.ProxyConnectionError) and props.proxy:
        proxy = proxy_address(props.proxy)
        if not _can_connect(proxy, props.connection_timeout / 1000):
            return (
                f"Proxy unreachable: nothing accepts connections at {proxy} ({reason}). Check "
                f"{field_name('proxy')}, and that the proxy is running."
            )
        if url.startswith("https://"):
            return (
                f"The proxy {proxy} answered, but the HTTPS connection to {host}:{port} through it failed "
                f"({reason}). The endpoint's scheme may be wrong: an endpoint without a scheme means "
                f"https://; write {_plain_http(host, port)} if the endpoint speaks plain HTTP (as local "
                "stand-ins do)."
            )
        return f"The proxy {proxy} answered, but the request to {url} through it failed ({reason})."
    if isinstance(error, bce.SSLError):
        return (
            f"The TLS handshake with {host}:{port} failed ({reason}). The endpoint's scheme may be wrong: "
            f"an endpoint without a scheme means https://; write {_plain_http(host, port)} if it speaks "
            "plain HTTP. "
            "Otherwise its certificate is not trusted." + _port_hint(props)
        )
    if isinstance(error, bce.ConnectTimeoutError):
        return (
            f"Endpoint unreachable: {host}:{port} did not accept a connection within "
            f"{props.connection_timeout} ms (the Connect timeout). Check the endpoint and the network path "
            "(a VPC-only -internal endpoint is unreachable from outside Alibaba Cloud: when only Doris runs "
            "there, give it as Endpoint for Doris and the public one here), or set a proxy."
            + _port_hint(props)
        )
    if isinstance(error, bce.ReadTimeoutError):
        return (
            f"OSS at {url} accepted the connection but did not answer within "
            f"{props.connection_request_timeout} ms (the Request timeout). Raise the Request timeout or "
            "check the endpoint."
        )
    if isinstance(error, bce.ConnectionClosedError):
        return (
            f"{url} closed the connection without an answer. The endpoint's scheme or port may be wrong "
            "(http:// to a port that speaks only HTTPS closes this way)." + _port_hint(props)
        )
    if isinstance(error, bce.EndpointConnectionError):
        lowered = reason.lower()
        if "resolve" in lowered or "name or service not known" in lowered or "getaddrinfo" in lowered:
            return (
                f"Endpoint unreachable: the host name {host} does not resolve ({reason}). Check the endpoint."
            )
        if "refused" in lowered:
            return (
                f"Endpoint unreachable: nothing accepts connections at {host}:{port} (connection refused). "
                "Check the endpoint and its port." + _port_hint(props)
            )
        return (
            f"Endpoint unreachable: {host}:{port} ({reason}). Check the endpoint and the network path."
            + _port_hint(props)
        )
    return None


def client_error_code(error: BaseException) -> tuple[str, int | None, dict[str, Any]]:
    """OSS's error code, the HTTP status and the parsed ``Error`` element of a botocore ClientError."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return "", None, {}
    err = response.get("Error", {}) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(err.get("Code", "")), status, err


def oss_answer(error: BaseException, props: OssProperties, *, bucket: str | None) -> str:
    """The cause of an error OSS answered with (a ClientError carrying a code and, usually, a body)."""
    code, status, err = client_error_code(error)
    message = inner(scrub(error_message(getattr(error, "response", None) or {}), props.secrets))
    url = props.endpoint_url
    answered = f"{code} (HTTP {status})" if code and code != str(status) else f"HTTP {status}"
    target = f"bucket {bucket!r}" if bucket else "the bucket list"
    if code == "InvalidAccessKeyId":
        return (
            f"Wrong access key: OSS at {url} does not know this AccessKey ID ({answered}). Check "
            f"{field_name('access_key')}."
        )
    if code == "SignatureDoesNotMatch":
        return (
            f"Wrong secret key: OSS at {url} knows the AccessKey ID, but the signature does not match "
            f"({answered}). Check {field_name('secret_key')}."
        )
    if code == "AuthorizationHeaderMalformed" or (code == "InvalidArgument" and "region" in message.lower()):
        return (
            f"Wrong region: OSS at {url} refused region {props.region!r} ({answered}: {message}). Set "
            f"{field_name('region')} to the endpoint's region, or leave it empty for a standard endpoint."
        )
    if code == "AccessDenied" and (err.get("Endpoint") or "specified endpoint" in message):
        right = err.get("Endpoint")
        where = f" at {right}" if right else ""
        return (
            f"Wrong endpoint or region: {target} lives in another region and must be addressed{where} "
            f"({answered}). Set the endpoint to the bucket's regional endpoint"
            + (f", {right}." if right else ".")
        )
    if code == "AccessDenied":
        if bucket:
            return (
                f"No permission on bucket {bucket!r}: the keys are valid, but OSS denied them access "
                f"({answered}: {message}). Grant the RAM user access to the bucket (a RAM or bucket "
                "policy), or use other keys."
            )
        return (
            f"No permission to list buckets: the keys are valid, but OSS denied ListBuckets ({answered}). "
            "Set a Default bucket, so the test checks that bucket instead."
        )
    if code in ("NoSuchBucket", "404", "NotFound"):
        return (
            f"No such bucket: {bucket!r} does not exist at {url} ({answered}). Check "
            f"{field_name('bucket')}, and that the endpoint is the bucket's region."
        )
    if code == "PublicEndpointForbidden":
        return (
            f"OSS refuses the public endpoint {url} for {target} ({answered}). Use a custom domain bound "
            "to the bucket, or the -internal endpoint from inside Alibaba Cloud."
        )
    if code == "SecondLevelDomainForbidden":
        return (
            f"OSS refused a path-style request ({answered}). Turn off 'Use path-style addressing'; OSS "
            "accepts only virtual-hosted requests."
        )
    if code == "InvalidBucketName":
        return f"OSS says {bucket!r} is not a valid bucket name ({answered}). Check {field_name('bucket')}."
    if status == 502 and props.proxy:
        return (
            f"The proxy {proxy_address(props.proxy)} could not reach the endpoint {url} ({answered}: "
            f"{message}). Check the endpoint, or the proxy's own route to it."
        )
    split = urlsplit(url)
    if status == 400 and split.scheme == "http" and split.port == 443:
        return (
            f"{url} answered {answered}{f' ({message})' if message else ''}: plain HTTP went to port 443, "
            "which speaks HTTPS. Write https:// "
            f"(or the bare host) and set {field_name('port')} to 0, or keep http:// and set Port to 0 "
            "(port 80)."
        )
    if status == 403:
        return (
            f"OSS at {url} refused {target} ({answered}) without saying why: wrong key or secret, or no "
            "permission on it. Check the Access key and Secret key fields and the RAM user's policy."
        )
    detail = f": {message}" if message else ""
    return f"OSS at {url} answered {answered}{detail}."


def doris_failure(
    error: BaseException, *, address: str, user: str, database: str | None, timeout_s: int
) -> str:
    """The cause of a failed login to a Doris FE (pymysql's error codes), with the field to fix."""
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    code = args[0] if args and isinstance(args[0], int) else None
    text = inner(str(args[1]) if len(args) > 1 else str(error))
    lowered = text.lower()
    host_field, port_field = doris_field_name("host"), doris_field_name("port")
    if code is None:
        return (
            str(error)
            if isinstance(error, ValueError)
            else f"Testing the Doris FE at {address} failed: {text}."
        )
    if code == 1045:
        return (
            f"Wrong user or password: the FE at {address} refused user {user!r} ({code}: Access denied). "
            f"Check {doris_field_name('login')} and {doris_field_name('password')}."
        )
    if code == 1049:
        return (
            f"No such database: {database!r} does not exist on the FE at {address} ({code}). Check "
            f"{doris_field_name('schema')}, or leave it empty."
        )
    if code == 2003 and ("resolve" in lowered or "name or service not known" in lowered):
        host = address.rsplit(":", 1)[0]
        return f"FE unreachable: the host name {host} does not resolve ({code}). Check {host_field}."
    if code == 2003 and "refused" in lowered:
        return (
            f"FE unreachable: nothing accepts connections at {address} (connection refused). Check "
            f"{host_field} and {port_field} (the FE's query_port; 0 means {DORIS_QUERY_PORT})."
        )
    if code == 2003:
        return (
            f"FE unreachable: {address} did not accept a connection within {timeout_s} s, the Connect "
            f"timeout ({text}). Check {host_field}, {port_field} and the network path."
        )
    if code in (2006, 2013):
        return (
            f"{address} accepted the connection but did not answer as a MySQL server ({code}: {text}). "
            f"{port_field} may be wrong: it must be the FE's query_port ({DORIS_QUERY_PORT} by "
            f"default; 0 means {DORIS_QUERY_PORT}), not its HTTP port ({DORIS_HTTP_PORT})."
        )
    return f"The FE at {address} answered {code}: {text}."
