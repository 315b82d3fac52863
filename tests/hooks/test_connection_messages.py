"""Every message the Test button can show for a ``doris_oss`` connection, each from the case that produces it.

Real answers come from the local OSS (LocalOss), closed ports and refusing proxies. Answers the
local OSS cannot give (a RAM policy's AccessDenied, a bucket in another region, a malformed
region) come from ``ScriptedOss``: an HTTP proxy that answers every request with one status and
the XML error body OSS documents for that case.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.sdk import Connection

from airflow_provider_doris_oss.hooks.diagnosis import network_failure, plural, proxy_address
from airflow_provider_doris_oss.hooks.oss import DorisOssHook
from airflow_provider_doris_oss.properties import OssProperties

AK, SK = "LTAI5tMessageTestKey01", "MessageTestSecret-0123456789abcdef"
ENDPOINT = "http://oss-cn-beijing.aliyuncs.com"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ScriptedOss:
    """An HTTP proxy that answers every request with ``status`` and, except to HEAD, ``body``."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.requests: list[tuple[str, str]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                scripted.requests.append((self.command, self.path))
                body = b"" if self.command == "HEAD" else scripted.body
                self.send_response(scripted.status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, status: int, code: str = "", message: str = "", **elements: str) -> None:
        extra = "".join(f"<{k}>{v}</{k}>" for k, v in elements.items())
        self.status = status
        self.body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>5F0000000000000000000000</RequestId>{extra}</Error>"
        ).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedOss]:
    server = ScriptedOss()
    yield server
    server.close()


def _conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: Any) -> str:
    extra = fields.pop("extra", {})
    conn = {"conn_type": "doris_oss", "host": ENDPOINT, "login": AK, "password": SK, **fields}
    conn["extra"] = {"region": "cn-beijing", **extra}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return conn_id


def _test(conn_id: str) -> tuple[bool, str]:
    ok, message = DorisOssHook(conn_id).test_connection()
    assert SK not in message and AK not in message
    return ok, message


def _local(local_oss: Any, monkeypatch: pytest.MonkeyPatch, conn_id: str, **changes: Any) -> str:
    """A connection to the local OSS with its real keys, unless ``changes`` replace fields."""
    extra = {"proxy": local_oss.proxy_url, **changes.pop("extra", {})}
    fields = {"login": local_oss.access_key, "password": local_oss.secret_key, **changes}
    ok_conn = _conn(monkeypatch, conn_id, extra=extra, **fields)
    return ok_conn


# Success


def test_bucket_reachable(local_oss, oss_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ok, message = _test(_local(local_oss, monkeypatch, "ok_bucket", extra={"bucket": oss_bucket}))
    assert ok, message
    assert message == f"Connected to OSS at {ENDPOINT}: bucket {oss_bucket!r} is reachable with these keys."


@pytest.mark.parametrize("port", [80, 0])
def test_port_filled_in_as_the_test_button_needs(local_oss, oss_bucket: str, monkeypatch, port: int) -> None:
    """Port 80 on an http:// endpoint (as the form asks for) reaches the same OSS; 0 means unset."""
    conn_id = _local(local_oss, monkeypatch, f"port_{port}", port=port, extra={"bucket": oss_bucket})
    ok, message = _test(conn_id)
    assert ok, message
    assert message.startswith(f"Connected to OSS at {ENDPOINT}: bucket")


def test_bucket_count_without_a_default_bucket(local_oss, oss_bucket: str, monkeypatch) -> None:
    ok, message = _test(_local(local_oss, monkeypatch, "ok_list"))
    assert ok, message
    assert message.startswith(f"Connected to OSS at {ENDPOINT}: the keys are valid and can see ")
    assert message.endswith(" buckets.")  # the session's OSS holds this test's bucket and others


@pytest.mark.parametrize(("count", "text"), [(1, "1 bucket."), (2, "2 buckets."), (0, "0 buckets.")])
def test_bucket_count_is_singular_for_one(scripted: ScriptedOss, monkeypatch, count: int, text: str) -> None:
    owned = "".join(
        f"<Bucket><Name>b{i}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
        for i in range(count)
    )
    scripted.status = 200
    scripted.body = (
        "<?xml version='1.0' encoding='UTF-8'?><ListAllMyBucketsResult><Owner><ID>1</ID></Owner>"
        f"<Buckets>{owned}</Buckets></ListAllMyBucketsResult>"
    ).encode()
    ok, message = _test(_conn(monkeypatch, "count", extra={"proxy": scripted.url}))
    assert ok, message
    assert message.endswith(f"can see {text}")


# Keys and permissions


def test_wrong_secret_names_the_secret(local_oss, oss_bucket: str, monkeypatch) -> None:
    conn_id = _local(
        local_oss, monkeypatch, "bad_secret", password="not-the-secret-9", extra={"bucket": oss_bucket}
    )
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith("Wrong secret key: ")
    assert (
        "SignatureDoesNotMatch (HTTP 403)" in message
        and "Check Secret key (Password, --conn-password)." in message
    )
    assert "not-the-secret-9" not in message and local_oss.secret_key not in message


def test_wrong_secret_without_a_bucket(local_oss, monkeypatch) -> None:
    ok, message = _test(_local(local_oss, monkeypatch, "bad_secret_list", password="not-the-secret-9"))
    assert not ok
    assert message.startswith("Wrong secret key: ") and "not-the-secret-9" not in message


def test_wrong_access_key(local_oss, oss_bucket: str, monkeypatch) -> None:
    conn_id = _local(
        local_oss, monkeypatch, "bad_key", login="LTAI5tNoSuchKey000000", extra={"bucket": oss_bucket}
    )
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith("Wrong access key: ") and "InvalidAccessKeyId" in message
    assert "LTAI5tNoSuchKey000000" not in message


def test_missing_bucket(local_oss, monkeypatch) -> None:
    conn_id = _local(local_oss, monkeypatch, "no_bucket", extra={"bucket": "no-such-bucket-msg"})
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith("No such bucket: 'no-such-bucket-msg' does not exist at ")
    assert "NoSuchBucket (HTTP 404)" in message


def test_no_permission_on_the_bucket(scripted: ScriptedOss, monkeypatch) -> None:
    scripted.answer(403, "AccessDenied", "You have no right to access this bucket.")
    ok, message = _test(_conn(monkeypatch, "denied", extra={"proxy": scripted.url, "bucket": "data"}))
    assert not ok
    assert message.startswith("No permission on bucket 'data': the keys are valid")
    assert [method for method, _ in scripted.requests] == ["HEAD", "GET"]  # HEAD has no body: one GET


def test_no_permission_to_list_buckets(scripted: ScriptedOss, monkeypatch) -> None:
    scripted.answer(403, "AccessDenied", "You have no right to access this resource.")
    ok, message = _test(_conn(monkeypatch, "denied_list", extra={"proxy": scripted.url}))
    assert not ok
    assert message.startswith("No permission to list buckets") and "Set a Default bucket" in message


def test_bucket_in_another_region(scripted: ScriptedOss, monkeypatch) -> None:
    scripted.answer(
        403,
        "AccessDenied",
        "The bucket you are attempting to access must be addressed using the specified endpoint. "
        "Please send all future requests to this endpoint.",
        Endpoint="oss-cn-hangzhou.aliyuncs.com",
        Bucket="data",
    )
    ok, message = _test(_conn(monkeypatch, "elsewhere", extra={"proxy": scripted.url, "bucket": "data"}))
    assert not ok
    assert message.startswith("Wrong endpoint or region: bucket 'data' lives in another region")
    assert message.endswith(
        "Set the endpoint to the bucket's regional endpoint, oss-cn-hangzhou.aliyuncs.com."
    )


def test_wrong_region(scripted: ScriptedOss, monkeypatch) -> None:
    scripted.answer(
        400, "AuthorizationHeaderMalformed", "The region 'cn-beijing' is wrong; expecting 'cn-hangzhou'"
    )
    ok, message = _test(_conn(monkeypatch, "region", extra={"proxy": scripted.url, "bucket": "data"}))
    assert not ok
    assert message.startswith("Wrong region: ") and "expecting 'cn-hangzhou'" in message


@pytest.mark.parametrize(
    ("status", "code", "start"),
    [
        (400, "PublicEndpointForbidden", "OSS refuses the public endpoint"),
        (400, "InvalidBucketName", "OSS says 'data' is not a valid bucket name"),
        (500, "InternalError", f"OSS at {ENDPOINT} answered InternalError (HTTP 500): scripted"),
    ],
)
def test_other_oss_answers(scripted: ScriptedOss, monkeypatch, status: int, code: str, start: str) -> None:
    scripted.answer(status, code, "scripted")
    ok, message = _test(_conn(monkeypatch, "other", extra={"proxy": scripted.url, "bucket": "data"}))
    assert not ok
    assert message.startswith(start), message


def test_a_403_without_any_body(scripted: ScriptedOss, monkeypatch) -> None:
    scripted.status, scripted.body = 403, b""
    ok, message = _test(_conn(monkeypatch, "bodiless", extra={"proxy": scripted.url, "bucket": "data"}))
    assert not ok
    assert "without saying why: wrong key or secret, or no permission" in message


def test_path_style_is_named(local_oss, oss_bucket: str, monkeypatch) -> None:
    conn_id = _local(local_oss, monkeypatch, "path", extra={"bucket": oss_bucket, "use_path_style": True})
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith("OSS refused a path-style request (SecondLevelDomainForbidden (HTTP 403))")


# Endpoint, proxy and scheme


def test_endpoint_the_proxy_cannot_reach(local_oss, oss_bucket: str, monkeypatch) -> None:
    conn_id = _local(
        local_oss,
        monkeypatch,
        "hz",
        host="http://oss-cn-hangzhou.aliyuncs.com",
        extra={"bucket": oss_bucket, "region": "cn-hangzhou"},
    )
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith(
        f"The proxy {local_oss.proxy_url} could not reach the endpoint http://oss-cn-hangzhou.aliyuncs.com "
        "(BadGateway (HTTP 502)"
    )


def test_endpoint_refuses_connections(monkeypatch) -> None:
    port = _closed_port()
    ok, message = _test(_conn(monkeypatch, "closed", host=f"http://127.0.0.1:{port}"))
    assert not ok
    assert message.startswith(f"Endpoint unreachable: nothing accepts connections at 127.0.0.1:{port} ")


def test_endpoint_name_does_not_resolve(monkeypatch) -> None:
    ok, message = _test(_conn(monkeypatch, "dns", host="http://oss-test.invalid"))
    assert not ok
    assert message.startswith("Endpoint unreachable: the host name oss-test.invalid does not resolve")


def test_proxy_refuses(monkeypatch) -> None:
    port = _closed_port()
    proxy = f"http://user:proxy-pass-123@127.0.0.1:{port}"
    ok, message = _test(_conn(monkeypatch, "proxy_down", extra={"proxy": proxy}))
    assert not ok
    assert message.startswith(f"Proxy unreachable: nothing accepts connections at http://127.0.0.1:{port} ")
    assert "proxy-pass-123" not in message


def test_bare_endpoint_through_a_plain_http_proxy_suspects_the_scheme(
    local_oss, oss_bucket, monkeypatch
) -> None:
    conn_id = _local(
        local_oss, monkeypatch, "bare", host="oss-cn-beijing.aliyuncs.com", extra={"bucket": oss_bucket}
    )
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith(f"The proxy {local_oss.proxy_url} answered, but the HTTPS connection to ")
    assert (
        "The endpoint's scheme may be wrong" in message
        and "write http://oss-cn-beijing.aliyuncs.com:443 if" in message
    )


def test_https_to_a_plain_http_server_suspects_the_scheme(local_oss, monkeypatch) -> None:
    port = local_oss.proxy_url.rsplit(":", 1)[1]
    ok, message = _test(_conn(monkeypatch, "tls", host=f"https://127.0.0.1:{port}"))
    assert not ok
    assert message.startswith(f"The TLS handshake with 127.0.0.1:{port} failed")
    assert "The endpoint's scheme may be wrong" in message
    assert f"write http://127.0.0.1:{port} if it speaks plain HTTP" in message  # the port it reached


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and then says nothing (the test decides whether to close them)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1]), accepted
    stop.set()
    thread.join()
    for sock in accepted:
        sock.close()
    listener.close()


def test_endpoint_that_never_answers(silent_server, monkeypatch) -> None:
    port, _ = silent_server
    conn_id = _conn(
        monkeypatch, "silent", host=f"http://127.0.0.1:{port}", extra={"connection_request_timeout": 300}
    )
    ok, message = _test(conn_id)
    assert not ok
    assert message.startswith(
        f"OSS at http://127.0.0.1:{port} accepted the connection but did not answer within 300 ms"
    )


def test_endpoint_that_hangs_up(monkeypatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def hang_up() -> None:
        for _ in range(2):
            sock, _ = listener.accept()
            sock.recv(65536)
            sock.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        ok, message = _test(_conn(monkeypatch, "hangup", host=f"http://127.0.0.1:{port}"))
    finally:
        listener.close()
    assert not ok
    assert message.startswith(f"http://127.0.0.1:{port} closed the connection without an answer")


def test_connect_timeout_message() -> None:
    from botocore.exceptions import ConnectTimeoutError

    props = OssProperties.from_mapping(
        {
            "endpoint": "oss-cn-beijing.aliyuncs.com",
            "access_key": AK,
            "secret_key": SK,
            "connection_timeout": 700,
        }
    )
    message = network_failure(ConnectTimeoutError(endpoint_url=props.endpoint_url), props)
    assert message is not None
    assert message.startswith(
        "Endpoint unreachable: oss-cn-beijing.aliyuncs.com:443 did not accept a connection within 700 ms"
    )


# Configuration


def test_bad_configuration_names_the_field(monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_EMPTY_OSS", json.dumps({"conn_type": "doris_oss"}))
    ok, message = DorisOssHook("empty_oss").test_connection()
    assert not ok
    # The UI tests a copy under a random id: the message names the field, not the id.
    assert message.startswith("Endpoint is missing. Fill in Endpoint (Host, --conn-host)"), message
    assert "empty_oss" not in message


def test_doris_names_are_reported(local_oss, oss_bucket: str, monkeypatch) -> None:
    extra = {
        "oss.endpoint": ENDPOINT,
        "s3.access_key": local_oss.access_key,
        "s3.secret_key": local_oss.secret_key,
        "s3.connection.maximum": 8,
        "region": "cn-beijing",
        "proxy": local_oss.proxy_url,
        "bucket": oss_bucket,
    }
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_NAMES", json.dumps({"conn_type": "doris_oss", "extra": extra}))
    ok, message = DorisOssHook("doris_names").test_connection()
    assert ok, message
    assert (
        "Read from the extra under Doris's names: 'oss.endpoint' as endpoint, 's3.access_key' as access_key, "
        "'s3.secret_key' as secret_key, 's3.connection.maximum' as connection_maximum." in message
    )
    assert "The Edit form shows these as raw keys in place of its own fields" in message
    assert local_oss.secret_key not in message and local_oss.access_key not in message


def test_form_names_are_not_reported(local_oss, oss_bucket: str, monkeypatch) -> None:
    ok, message = _test(_local(local_oss, monkeypatch, "form_names", extra={"bucket": oss_bucket}))
    assert ok and "Doris's names" not in message


def test_helpers() -> None:
    assert [plural(n, "bucket") for n in (0, 1, 2)] == ["0 buckets", "1 bucket", "2 buckets"]
    assert proxy_address("http://u:secret@proxy.example.com:3128") == "http://proxy.example.com:3128"
    assert proxy_address("https://proxy.example.com") == "https://proxy.example.com:443"


def test_connection_object_form_is_accepted(local_oss, oss_bucket: str, monkeypatch) -> None:
    conn = local_oss.connection("object_form", bucket=oss_bucket)
    monkeypatch.setenv("AIRFLOW_CONN_OBJECT_FORM", Connection.as_json(conn))
    ok, message = DorisOssHook("object_form").test_connection()
    assert ok, message


# The doris connection


@pytest.fixture
def doris_fe(local_oss) -> Iterator[Any]:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss, password="fe-password-77") as fe:
        yield fe


def _doris(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: Any) -> str:
    conn = {"conn_type": "doris", "login": "root", **fields}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return conn_id


def _test_doris(conn_id: str) -> tuple[bool, str]:
    from airflow_provider_doris_oss.hooks.doris import DorisHook

    ok, message = DorisHook(doris_conn_id=conn_id).test_connection()
    assert "fe-password-77" not in message and "wrong-password-5" not in message
    return ok, message


def test_doris_messages_against_the_local_fe(doris_fe, monkeypatch) -> None:
    address = f"{doris_fe.host}:{doris_fe.port}"
    base = {"host": doris_fe.host, "port": doris_fe.port}
    ok, message = _test_doris(_doris(monkeypatch, "fe_ok", password="fe-password-77", **base))
    assert ok, message
    assert message.startswith(f"Connected to the Doris FE at {address} as 'root': Doris version ")

    ok, message = _test_doris(_doris(monkeypatch, "fe_bad_pw", password="wrong-password-5", **base))
    assert not ok
    assert message == (
        f"Wrong user or password: the FE at {address} refused user 'root' (1045: Access denied). "
        "Check Login (--conn-login) and Password (--conn-password)."
    )

    ok, message = _test_doris(
        _doris(monkeypatch, "fe_no_db", password="fe-password-77", schema="nodb", **base)
    )
    assert not ok
    assert message.startswith(f"No such database: 'nodb' does not exist on the FE at {address} (1049)")


def test_doris_closed_port(monkeypatch) -> None:
    port = _closed_port()
    ok, message = _test_doris(_doris(monkeypatch, "fe_closed", host="127.0.0.1", port=port))
    assert not ok
    assert message.startswith(
        f"FE unreachable: nothing accepts connections at 127.0.0.1:{port} (connection refused)"
    )


def test_doris_host_does_not_resolve(monkeypatch) -> None:
    ok, message = _test_doris(_doris(monkeypatch, "fe_dns", host="doris-fe.invalid", port=9030))
    assert not ok
    assert message.startswith("FE unreachable: the host name doris-fe.invalid does not resolve (2003)")


def test_doris_port_that_is_not_mysql(silent_server, monkeypatch) -> None:
    port, _ = silent_server
    conn_id = _doris(
        monkeypatch, "fe_http", host="127.0.0.1", port=port, extra={"connect_timeout": 1, "read_timeout": 1}
    )
    ok, message = _test_doris(conn_id)
    assert not ok
    assert message.startswith(
        f"127.0.0.1:{port} accepted the connection but did not answer as a MySQL server (2013: "
    )
    assert "not its HTTP port (8030)" in message


def test_doris_empty_host_names_the_field(monkeypatch) -> None:
    ok, message = _test_doris(_doris(monkeypatch, "fe_empty"))
    assert not ok
    assert message.startswith("Host is empty. Set it to the Doris FE's address."), message
