"""A local OSS: a moto S3 server reached as an HTTP proxy, so clients address the real OSS hosts.

Clients use the endpoint ``http://oss-cn-beijing.aliyuncs.com`` with virtual-hosted bucket
names and ``proxy_url`` as their HTTP proxy. With ``https=True`` the endpoint is
``https://oss-cn-beijing.aliyuncs.com``, as OSS serves it: the proxy accepts CONNECT tunnels to the
OSS host names and speaks TLS in them with a throw-away certificate, which clients verify with
``ca_bundle``. This matters because botocore sends its default ``aws-chunked`` uploads only over
TLS. The gateway in front of moto behaves as OSS does where it matters to a client: it checks
SigV4 signatures against its key pair, refuses path-style requests to OSS host names
(``SecondLevelDomainForbidden``), ``aws-chunked`` uploads (``InvalidArgument``, OSS's error
0017-00000804) and DeleteObjects without ``Content-MD5`` (OSS's DeleteMultipleObjects requires
it), answers 502 for any other host (so a wrong endpoint fails as it would), and records every
request so tests can assert on addressing, scheme and request counts.

With ``internal=True`` a second proxy, ``internal_proxy_url``, serves the same buckets as the
region's internal endpoint ``oss-cn-beijing-internal.aliyuncs.com`` and nothing else, as a VPC
without internet access sees OSS; the first proxy does not serve the internal host, as the internet
does not. A Doris FE given the second proxy reaches OSS only through the internal endpoint.
"""

from __future__ import annotations

import io
import shutil
import ssl
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_doris_oss.testing.extras import LOCAL_OSS_MODULES, TESTING, require_extra
from airflow_provider_doris_oss.testing.oss_proxy import proxy_handler_class
from airflow_provider_doris_oss.testing.sigv4 import SignatureProblem, check_signature
from airflow_provider_doris_oss.testing.stand_in import OssStandIn
from airflow_provider_doris_oss.testing.tls import make_tls

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the local OSS served: the Host it was addressed to, the path, the headers."""

    method: str
    host: str
    path: str
    query: str
    headers: dict[str, str]
    status: int
    scheme: str = "http"


# OSS's answer to an aws-chunked body whose x-amz-content-sha256 is not the signed-chunk value
# (docs: "Error 0017-00000804"); botocore's default over https is STREAMING-UNSIGNED-PAYLOAD-TRAILER.
AWS_CHUNKED_REFUSAL = SignatureProblem(
    400,
    "InvalidArgument",
    "aws-chunked encoding is not supported with the specified x-amz-content-sha256 value.",
    ec="0017-00000804",
    argument=("Content-Encoding", "aws-chunked"),
)
_SIGNED_CHUNKS = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
# OSS's front end (nginx-based) answers a plain-HTTP request on its HTTPS port 443 with nginx's
# HTML page, not an OSS error document: botocore sees code "400", message "Bad Request".
PLAIN_HTTP_TO_HTTPS_PORT = SignatureProblem(400, "400", "The plain HTTP request was sent to HTTPS port")
_PLAIN_HTTP_PAGE = (
    b"<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n"
    b"<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
    b"<center>The plain HTTP request was sent to HTTPS port</center>\r\n</body>\r\n</html>\r\n"
)


def _error_body(problem: SignatureProblem, request_id: str) -> bytes:
    argument = (
        f"<ArgumentName>{problem.argument[0]}</ArgumentName><ArgumentValue>{problem.argument[1]}</ArgumentValue>"
        if problem.argument
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
        f"<Code>{problem.code}</Code><Message>{problem.message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>oss-cn-beijing.aliyuncs.com</HostId>"
        f"{argument}<EC>{problem.ec}</EC></Error>"
    ).encode()


def _aws_chunked(headers: dict[str, str]) -> SignatureProblem | None:
    """OSS refuses an aws-chunked body unless its chunks are signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)."""
    payload_hash = headers.get("x-amz-content-sha256", "")
    encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",")]
    if "aws-chunked" not in encodings and not payload_hash.startswith("STREAMING-"):
        return None
    if payload_hash == _SIGNED_CHUNKS:
        # OSS accepts these; the local OSS does not decode signed chunks, and says so.
        return SignatureProblem(
            501,
            "NotImplemented",
            "The local OSS does not decode aws-chunked bodies with signed chunks "
            f"({_SIGNED_CHUNKS}); OSS accepts them.",
        )
    return AWS_CHUNKED_REFUSAL


class _OssGateway:
    """WSGI middleware in front of moto: OSS's addressing and signature rules, request recording."""

    def __init__(self, backend: _WsgiApp, oss: LocalOss, endpoint_host: str) -> None:
        self._backend = backend
        self._oss = oss
        self._endpoint_host = endpoint_host

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        url = urlsplit(raw_uri)
        host = environ.get("HTTP_HOST") or url.netloc
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        plain_to_tls = environ["wsgi.url_scheme"] == "http" and host.rpartition(":")[2] == "443"
        problem = (
            PLAIN_HTTP_TO_HTTPS_PORT
            if plain_to_tls
            else self._check(environ["REQUEST_METHOD"], host, raw_uri, headers, body)
        )
        status_holder: list[int] = []

        def recording_start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            status_holder.append(int(status.split()[0]))
            return start_response(status, response_headers, exc_info)

        if problem is not None:
            request_id = uuid.uuid4().hex.upper()[:24]
            # A HEAD answer carries no body; the length lets keep-alive clients reuse the socket.
            page = problem is PLAIN_HTTP_TO_HTTPS_PORT
            body = _PLAIN_HTTP_PAGE if page else _error_body(problem, request_id)
            body = b"" if environ["REQUEST_METHOD"] == "HEAD" else body
            oss_headers = [] if page else [("x-oss-request-id", request_id), ("x-oss-ec", problem.ec)]
            recording_start_response(
                f"{problem.status} {'Bad Request' if page else 'Error'}",
                [
                    ("Content-Type", "text/html" if page else "application/xml"),
                    ("Content-Length", str(len(body))),
                    *oss_headers,
                ],
            )
            result: Iterable[bytes] = [body]
        else:
            self._route_to_moto(environ, host, url.path)
            self._default_location(environ, url.query, body)
            result = self._backend(environ, recording_start_response)
        self._oss._record(
            RecordedRequest(
                environ["REQUEST_METHOD"],
                host,
                url.path,
                url.query,
                headers,
                status_holder[0] if status_holder else 0,
                environ["wsgi.url_scheme"],
            )
        )
        return result

    def _check(
        self, method: str, host: str, raw_uri: str, headers: dict[str, str], body: bytes
    ) -> SignatureProblem | None:
        endpoint_host = self._endpoint_host
        path = urlsplit(raw_uri).path
        bare_host = host.split(":")[0]
        if bare_host not in (endpoint_host, "127.0.0.1", "localhost") and not bare_host.endswith(
            "." + endpoint_host
        ):
            # As a forward proxy would answer for a host it cannot reach: this server is only OSS's
            # endpoint_host, so a client configured with another endpoint fails as it would for real.
            return SignatureProblem(
                502,
                "BadGateway",
                f"{bare_host} cannot be reached through this proxy; the endpoint is {endpoint_host}.",
            )
        if bare_host.endswith("." + endpoint_host) and "." in bare_host[: -len(endpoint_host) - 1]:
            # OSS's DNS has one wildcard label per endpoint: bucket.bucket.oss-... (an endpoint that
            # already holds the bucket, with the bucket put in front again) does not resolve.
            return SignatureProblem(
                502,
                "BadGateway",
                f"{bare_host} does not resolve (no DNS record), so this proxy cannot reach it.",
            )
        if bare_host == endpoint_host and path not in ("", "/"):
            return SignatureProblem(
                403, "SecondLevelDomainForbidden", "Please use virtual hosted style to access."
            )
        if (
            method == "POST"
            and "delete" in urlsplit(raw_uri).query.split("&")
            and "content-md5" not in headers
        ):
            return SignatureProblem(
                400, "InvalidDigest", "Missing required header for this request: Content-MD5."
            )
        chunked = _aws_chunked(headers)
        if chunked is not None:
            return chunked
        return check_signature(
            method=method,
            raw_uri=raw_uri,
            headers=headers,
            body=body,
            access_key=self._oss.access_key,
            secret_key=self._oss.secret_key,
        )

    def _default_location(self, environ: dict[str, Any], query: str, body: bytes) -> None:
        """CreateBucket without a LocationConstraint: OSS puts the bucket in the endpoint's region.

        Moto follows AWS and refuses it outside us-east-1 (IllegalLocationConstraintException), so
        the gateway hands moto the endpoint's region explicitly.
        """
        path = environ["PATH_INFO"]
        if environ["REQUEST_METHOD"] != "PUT" or query or body.strip() or path.strip("/").count("/"):
            return
        location = (
            '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<LocationConstraint>{self._oss.region}</LocationConstraint></CreateBucketConfiguration>"
        ).encode()
        environ["wsgi.input"] = io.BytesIO(location)
        environ["CONTENT_LENGTH"] = str(len(location))

    def _route_to_moto(self, environ: dict[str, Any], host: str, path: str) -> None:
        """Hand moto a path-style request for the bucket named in the virtual host."""
        suffix = "." + self._endpoint_host
        bare_host = host.split(":")[0]
        if bare_host.endswith(suffix):
            bucket = bare_host[: -len(suffix)]
            environ["PATH_INFO"] = f"/{bucket}{path or '/'}"
        else:
            environ["PATH_INFO"] = path or "/"
        environ["HTTP_HOST"] = "s3.amazonaws.com"
        environ.pop("RAW_URI", None)
        environ.pop("REQUEST_URI", None)


class LocalOss(OssStandIn):
    """A local stand-in for Aliyun OSS, addressed like OSS; a context manager.

    ``https=True`` serves ``https://oss-cn-beijing.aliyuncs.com`` with a certificate made at start;
    clients verify it with ``ca_bundle`` (boto3's ``verify=``, or ``AWS_CA_BUNDLE`` for the
    provider's own clients). Buckets live in moto's process-wide store: two ``LocalOss`` in one
    process see the same buckets, so tests should use their own bucket names. ``internal=True``
    adds ``internal_proxy_url``, the way in for ``internal_endpoint`` (see the module's docstring).
    """

    internal_endpoint_host = "oss-cn-beijing-internal.aliyuncs.com"

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        https: bool = False,
        internal: bool = False,
    ) -> None:
        require_extra("LocalOss", TESTING, LOCAL_OSS_MODULES)
        super().__init__(access_key=access_key, secret_key=secret_key)
        self.https = https
        self.internal = internal
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._servers: list[tuple[Any, threading.Thread]] = []
        self._tls_directory: Path | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint clients use: the real OSS host name, through the proxy (https with ``https=True``)."""
        return f"{'https' if self.https else 'http'}://{self.endpoint_host}"

    @property
    def internal_endpoint(self) -> str:
        """The region's internal endpoint, served through ``internal_proxy_url`` only."""
        return f"{'https' if self.https else 'http'}://{self.internal_endpoint_host}"

    @property
    def ca_bundle(self) -> str | None:
        """The PEM file of the CA that signed the HTTPS certificate (``None`` without ``https``)."""
        if not self.https:
            return None
        if self._tls_directory is None:
            raise RuntimeError("LocalOss is not running: its certificate is made at start().")
        return str(self._tls_directory / "ca.pem")

    @property
    def proxy_url(self) -> str:
        """The HTTP proxy that delivers requests for the OSS host names to this server."""
        if not self._servers:
            return super().proxy_url
        return f"http://127.0.0.1:{self._servers[0][0].server_port}"

    @property
    def internal_proxy_url(self) -> str:
        """The HTTP proxy that delivers requests for the internal endpoint (``internal=True`` only)."""
        if not self.internal:
            raise RuntimeError("LocalOss(internal=True) serves the internal endpoint; this one does not.")
        if len(self._servers) < 2:
            return super().proxy_url
        return f"http://127.0.0.1:{self._servers[1][0].server_port}"

    def start(self) -> LocalOss:
        """Start the server on 127.0.0.1 with a random port (and make the certificate, with ``https``)."""
        from moto.server import create_backend_app

        endpoint_hosts = [self.endpoint_host] + ([self.internal_endpoint_host] if self.internal else [])
        tls_context = None
        if self.https:
            self._tls_directory = Path(tempfile.mkdtemp(prefix="local-oss-tls-"))
            hosts = [name for host in endpoint_hosts for name in (host, f"*.{host}")]
            tls_context = make_tls(hosts, self._tls_directory).server_context()
        # moto's S3 app itself: every request the gateway passes on is S3. moto's host dispatcher
        # would pick the same app per request under one global lock, after a scan of moto's
        # service packages on disk, which made the local OSS serve one request at a time.
        backend = create_backend_app("s3")
        for endpoint_host in endpoint_hosts:
            self._serve(_OssGateway(backend, self, endpoint_host), endpoint_host, tls_context)
        return self

    def _serve(self, app: _OssGateway, endpoint_host: str, tls_context: ssl.SSLContext | None) -> None:
        from werkzeug.serving import make_server

        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=proxy_handler_class())
        server.tls_context = tls_context  # type: ignore[attr-defined]
        server.tunnel_host = endpoint_host  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, name=f"local-oss {endpoint_host}", daemon=True)
        thread.start()
        self._servers.append((server, thread))

    def stop(self) -> None:
        """Stop the servers and wait for their threads; delete the certificate."""
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
        self._servers.clear()
        if self._tls_directory is not None:
            shutil.rmtree(self._tls_directory, ignore_errors=True)
            self._tls_directory = None

    def client(self) -> S3Client:
        """A boto3 S3 client configured exactly as the provider configures one for OSS."""
        if not self.https:
            return super().client()
        # The provider's own clients find the CA through AWS_CA_BUNDLE; this one is given it.
        import boto3

        from airflow_provider_doris_oss.hooks.client import register_oss_handlers
        from airflow_provider_doris_oss.properties import OssProperties

        settings = {"endpoint": self.endpoint, "access_key": self.access_key, "secret_key": self.secret_key}
        props = OssProperties.from_mapping({**settings, **self.connection_extra()}, where="LocalOss")
        client = boto3.session.Session().client("s3", verify=self.ca_bundle, **props.boto3_client_kwargs())
        register_oss_handlers(client.meta.events)
        return client

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests served so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()
