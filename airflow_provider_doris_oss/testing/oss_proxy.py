"""The local OSS's HTTP proxy handler: quiet, reads chunked bodies whole, and tunnels TLS to OSS hosts.

Clients reach the local OSS through an HTTP proxy, so they can address the real OSS host names.
With HTTPS on, a ``CONNECT`` to an OSS host on port 443 is answered and TLS is spoken inside the
tunnel with the stand-in's certificate; a ``CONNECT`` to any other host gets 502, as a wrong
endpoint would fail.
"""

from __future__ import annotations

import contextlib
import io
import ssl
from typing import Any


def read_chunked(stream: Any) -> bytes:
    """An HTTP/1.1 chunked body to its end: chunk extensions and trailer fields are read and dropped."""
    body = bytearray()
    while True:
        size_line = stream.readline(1024)
        if not size_line.endswith(b"\n"):
            raise ValueError("the chunked request body ended early")
        size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            break
        body += stream.read(size)
        stream.readline(1024)
    while stream.readline(8192).strip():  # trailer fields, up to the blank line
        pass
    return bytes(body)


def proxy_handler_class() -> type:
    """werkzeug's request handler, quiet, and able to open a TLS tunnel (CONNECT) to the OSS hosts."""
    import socketserver

    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        tunnel: ssl.SSLSocket | None = None

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """Requests are recorded, not printed."""

        def do_CONNECT(self) -> None:
            """With HTTPS on, answer a tunnel to an OSS host and speak TLS in it; else as any request."""
            context: ssl.SSLContext | None = getattr(self.server, "tls_context", None)
            if context is None:
                self.run_wsgi()
                return
            endpoint_host: str = getattr(self.server, "tunnel_host", "")
            host, _, port = self.path.rpartition(":")
            if port != "443" or not (host == endpoint_host or host.endswith("." + endpoint_host)):
                self.send_error(
                    502,
                    f"{self.path} cannot be reached through this proxy; the endpoint is {endpoint_host}:443.",
                )
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            try:
                tunnel = context.wrap_socket(self.connection, server_side=True)
            except (ssl.SSLError, OSError):
                self.close_connection = True  # e.g. a client that does not trust the certificate
                return
            self.tunnel = tunnel
            self.connection = tunnel
            self.rfile = tunnel.makefile("rb")
            self.wfile = socketserver._SocketWriter(tunnel)  # type: ignore[attr-defined]
            self.close_connection = False

        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            if self.tunnel is not None:
                environ["wsgi.url_scheme"] = "https"
            if environ.pop("wsgi.input_terminated", False):
                # Transfer-Encoding: chunked (botocore's aws-chunked bodies carry a trailer, which
                # werkzeug's reader does not expect): read it here, so the gateway sees a length.
                body = read_chunked(self.rfile)
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
            return environ

        def handle(self) -> None:
            with contextlib.suppress(ssl.SSLError):  # a client that went away mid-TLS
                super().handle()

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                if self.tunnel is not None:
                    self.tunnel.close()

    return Handler
