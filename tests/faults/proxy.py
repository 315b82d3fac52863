"""A fault-injecting HTTP proxy for OSS traffic in tests (a test helper, not part of the package).

Clients reach ``LocalOss`` through an HTTP proxy (``Config(proxies=...)``); this proxy sits in
front of that one. It forwards each request upstream unless a scripted ``Fault`` matches it, and
then, instead:

- ``internal_error``: answers ``500 InternalError`` with an OSS-style XML body;
- ``slow_down``: answers ``503 SlowDown`` with an OSS-style XML body;
- ``access_denied``: answers ``403 AccessDenied`` with an OSS-style XML body (no body to a HEAD);
- ``reset_before_body``: resets the connection (RST) after the request line and headers;
- ``reset_after_body``: reads the whole request body, then resets the connection;
- ``stall``: reads the request, then holds it without an answer for ``stall_seconds`` (set it
  past the client's read timeout), then resets the connection;
- ``slow_answer``: reads the request, waits ``stall_seconds``, then forwards it and answers (a
  busy server that acknowledges a received part late);
- ``slow_read``: reads the request line and headers, then waits ``stall_seconds`` before it reads
  the body (a busy server or a slow link: the client's socket buffers fill and its writes block),
  then forwards it and answers.

A fault matches on the HTTP method, a query parameter that must be present (``uploadId``,
``uploads``, ``list-type``, ``continuation-token``, ``delete``) and a substring of the path,
for its first ``times`` matching requests (``None``: every one). Every request is recorded with
the fault it got. Everything is bounded: reads have socket timeouts, a stall waits on an event
that ``stop()`` sets, and ``stop()`` closes open client connections.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, get_args
from urllib.parse import parse_qs, urlsplit

FaultKind = Literal[
    "internal_error",
    "slow_down",
    "access_denied",
    "reset_before_body",
    "reset_after_body",
    "stall",
    "slow_answer",
    "slow_read",
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
_ERRORS: dict[str, tuple[int, str, str]] = {
    "internal_error": (500, "InternalError", "We encountered an internal error. Please try again."),
    "slow_down": (503, "SlowDown", "Please reduce your request rate."),
    "access_denied": (403, "AccessDenied", "You have no right to access this object because of bucket acl."),
}
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
}
_MAX_CHUNKS = 100_000  # a chunked body with more chunks than this is refused
_SOCKET_TIMEOUT = 30.0  # seconds an idle or slow client connection is kept


@dataclass
class Fault:
    """One scripted fault: what it does and which requests it hits."""

    kind: FaultKind
    method: str | None = None
    query: str | None = None
    path: str | None = None
    times: int | None = 1
    injected: int = 0

    def matches(self, method: str, path: str, params: dict[str, list[str]]) -> bool:
        """Whether a request with this method, path and query parameters gets this fault."""
        if self.times is not None and self.injected >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.query is not None and self.query not in params:
            return False
        return self.path is None or self.path in path


@dataclass(frozen=True)
class SeenRequest:
    """One request the proxy received, and the fault it answered with (None: forwarded)."""

    method: str
    host: str
    path: str
    query: str
    fault: FaultKind | None

    @property
    def params(self) -> dict[str, list[str]]:
        """The query parameters, blank ones included (``?uploads`` gives ``{"uploads": [""]}``)."""
        return parse_qs(self.query, keep_blank_values=True)


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 that forwards to ``upstream`` (another proxy) or injects faults.

    A context manager. ``inject(...)`` scripts a fault, ``seen`` lists what arrived,
    ``count(...)`` counts matching requests and ``injected`` counts faults by kind.
    """

    def __init__(self, upstream: str, *, stall_seconds: float = 5.0, upstream_timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"upstream must be an http://host:port proxy URL, not {upstream!r}.")
        self.upstream_host: str = parts.hostname
        self.upstream_port: int = parts.port
        self.stall_seconds = stall_seconds
        self.upstream_timeout = upstream_timeout
        self._faults: list[Fault] = []
        self._seen: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The proxy URL clients use."""
        if self._server is None:
            raise RuntimeError("FaultProxy is not running: use it in a `with` block or call start().")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        """Listen on a random port of 127.0.0.1."""
        proxy = self

        class Handler(_FaultHandler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release stalled requests, close client connections, stop the server and join its thread."""
        self._stopping.set()
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        query: str | None = None,
        path: str | None = None,
        times: int | None = 1,
    ) -> Fault:
        """Script a fault for the first ``times`` matching requests (``None``: all); returns it."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}.")
        fault = Fault(kind, method, query, path, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Drop every scripted fault: from now on every request is forwarded."""
        with self._lock:
            self._faults.clear()

    @property
    def seen(self) -> list[SeenRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._seen)

    @property
    def injected(self) -> Counter[str]:
        """How many faults of each kind were injected."""
        return Counter(r.fault for r in self.seen if r.fault is not None)

    def count(
        self,
        *,
        method: str | None = None,
        query: str | None = None,
        path: str | None = None,
        faulted: bool | None = None,
    ) -> int:
        """How many received requests match (``faulted``: only those that got, or did not get, a fault)."""
        return sum(
            1
            for r in self.seen
            if (method is None or r.method == method.upper())
            and (query is None or query in r.params)
            and (path is None or path in r.path)
            and (faulted is None or (r.fault is not None) == faulted)
        )

    def _take(self, method: str, host: str, path: str, query: str) -> FaultKind | None:
        params = parse_qs(query, keep_blank_values=True)
        with self._lock:
            fault = next((f for f in self._faults if f.matches(method, path, params)), None)
            if fault is not None:
                fault.injected += 1
            kind = fault.kind if fault is not None else None
            self._seen.append(SeenRequest(method, host, path, query, kind))
            return kind

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)


class _FaultHandler(BaseHTTPRequestHandler):
    """Handles one client connection (keep-alive) for ``owner``."""

    owner: FaultProxy
    protocol_version = "HTTP/1.1"
    timeout = _SOCKET_TIMEOUT
    _fault: FaultKind | None
    _decided: bool

    def setup(self) -> None:
        super().setup()
        self.owner._opened(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.owner._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are recorded, not printed."""

    def parse_request(self) -> bool:
        self._decided = False
        self._fault = None
        return super().parse_request()

    def handle_expect_100(self) -> bool:
        """Decide the fault before the client sends its body: a reset must come before the body."""
        if self._decide() == "reset_before_body":
            self._reset()
            return False
        return super().handle_expect_100()

    def do_GET(self) -> None:
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up (its read timeout) or went away

    do_HEAD = do_PUT = do_POST = do_DELETE = do_GET

    def _decide(self) -> FaultKind | None:
        if not self._decided:
            url = urlsplit(self.path)
            host = self.headers.get("Host") or url.netloc
            self._fault = self.owner._take(self.command, host, url.path, url.query)
            self._decided = True
        return self._fault

    def _handle(self) -> None:
        fault = self._decide()
        if fault == "reset_before_body":
            self._reset()
            return
        if fault == "slow_read":
            self.owner._stopping.wait(self.owner.stall_seconds)
        body = self._read_body()
        if fault == "slow_read" and len(body) < int(self.headers.get("Content-Length") or 0):
            self._reset()  # the client gave up while its body waited: forward nothing
        elif fault == "reset_after_body":
            self._reset()
        elif fault == "stall":
            self.owner._stopping.wait(self.owner.stall_seconds)
            self._reset()
        elif fault == "slow_answer":
            self.owner._stopping.wait(self.owner.stall_seconds)
            self._forward(body)
        elif fault in _ERRORS:
            self._answer_error(fault)
        else:
            self._forward(body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            for _ in range(_MAX_CHUNKS):
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            raise ValueError(f"chunked request body with more than {_MAX_CHUNKS} chunks")
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reset(self) -> None:
        """Close the client connection with a TCP reset."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drops the makefile reference, so close() below really closes
        self.connection.close()

    def _answer_error(self, fault: FaultKind) -> None:
        status, code, message = _ERRORS[fault]
        request_id = uuid.uuid4().hex.upper()[:24]
        host = self.headers.get("Host", "")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            f"<Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId>"
            f"<HostId>{host}</HostId><EC>0002-00000001</EC></Error>"
        ).encode()
        payload = b"" if self.command == "HEAD" else body
        self.send_response(status, code)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-oss-request-id", request_id)
        self.send_header("x-oss-ec", "0002-00000001")
        self.end_headers()
        self.wfile.write(payload)

    def _forward(self, body: bytes) -> None:
        owner = self.owner
        upstream = http.client.HTTPConnection(
            owner.upstream_host, owner.upstream_port, timeout=owner.upstream_timeout
        )
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                    upstream.putheader(name, value)
            if body or self.command in ("PUT", "POST"):
                upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body or None)
            response = upstream.getresponse()
            data = response.read()
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP | {"content-length", "server", "date"}:
                    self.send_header(name, value)
            length = response.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", length or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        finally:
            upstream.close()
