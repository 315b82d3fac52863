"""A local OSS: a moto S3 server reached as an HTTP proxy, so clients address the real OSS hosts.

Clients use the endpoint ``http://oss-cn-beijing.aliyuncs.com`` with virtual-hosted bucket
names and ``proxy_url`` as their HTTP proxy. The gateway in front of moto behaves as OSS does
where it matters to a client: it checks SigV4 signatures against its key pair, refuses
path-style requests to OSS host names (``SecondLevelDomainForbidden``), ``aws-chunked``
uploads and DeleteObjects without ``Content-MD5`` (OSS's DeleteMultipleObjects requires it),
answers 502 for any other host (so a wrong endpoint fails as it would), and records every
request so tests can assert on addressing and request counts.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_doris_oss.testing.sigv4 import SignatureProblem, check_signature
from airflow_provider_doris_oss.testing.stand_in import OssStandIn

if TYPE_CHECKING:
    pass

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


def _error_body(problem: SignatureProblem, request_id: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
        f"<Code>{problem.code}</Code><Message>{problem.message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>oss-cn-beijing.aliyuncs.com</HostId>"
        "</Error>"
    ).encode()


class _OssGateway:
    """WSGI middleware in front of moto: OSS's addressing and signature rules, request recording."""

    def __init__(self, backend: _WsgiApp, oss: LocalOss) -> None:
        self._backend = backend
        self._oss = oss

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
        problem = self._check(environ["REQUEST_METHOD"], host, raw_uri, headers, body)
        status_holder: list[int] = []

        def recording_start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            status_holder.append(int(status.split()[0]))
            return start_response(status, response_headers, exc_info)

        if problem is not None:
            request_id = uuid.uuid4().hex.upper()[:24]
            # A HEAD answer carries no body; the length lets keep-alive clients reuse the socket.
            body = b"" if environ["REQUEST_METHOD"] == "HEAD" else _error_body(problem, request_id)
            recording_start_response(
                f"{problem.status} Error",
                [
                    ("Content-Type", "application/xml"),
                    ("Content-Length", str(len(body))),
                    ("x-oss-request-id", request_id),
                    ("x-oss-ec", "0002-00000001"),
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
            )
        )
        return result

    def _check(
        self, method: str, host: str, raw_uri: str, headers: dict[str, str], body: bytes
    ) -> SignatureProblem | None:
        endpoint_host = self._oss.endpoint_host
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
        suffix = "." + self._oss.endpoint_host
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

    Buckets live in moto's process-wide store: two ``LocalOss`` in one process see the same
    buckets, so tests should use their own bucket names.
    """

    def __init__(self, *, access_key: str | None = None, secret_key: str | None = None) -> None:
        super().__init__(access_key=access_key, secret_key=secret_key)
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def proxy_url(self) -> str:
        """The HTTP proxy that delivers requests for the OSS host names to this server."""
        if self._server is None:
            return super().proxy_url
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> LocalOss:
        """Start the server on 127.0.0.1 with a random port."""
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                """Requests are recorded, not printed."""

        app = _OssGateway(DomainDispatcherApplication(create_backend_app), self)
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-oss", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

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
