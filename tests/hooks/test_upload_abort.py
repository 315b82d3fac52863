"""A multipart upload whose AbortMultipartUpload also fails says that an upload may be left behind.

No server: every OSS request is answered by a ``before-send`` handler, so nothing leaves the
process (the connection points at a closed port to make sure).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.oss import DorisOssHook, OssOperationError
from airflow_provider_doris_oss.uris import ObjectUri

AK, SK = "LTAI5tAbortTestKey01", "AbortTestSecretValue-0123456789"
_CREATED = (
    b'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>abort-test</Bucket>'
    b"<Key>big.bin</Key><UploadId>UPLOAD-1</UploadId></InitiateMultipartUploadResult>"
)


def _error(code: str, status: int) -> tuple[int, bytes]:
    body = f"<Error><Code>{code}</Code><Message>{code} injected</Message></Error>"
    return status, body.encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> DorisOssHook:
    extra = {"region": "cn-beijing", "connection_request_timeout": 200, "connection_timeout": 200}
    conn = {
        "conn_type": "doris_oss",
        "host": f"http://127.0.0.1:{_closed_port()}",
        "login": AK,
        "password": SK,
        "extra": json.dumps(extra),
    }
    monkeypatch.setenv("AIRFLOW_CONN_ABORT_TEST", json.dumps(conn))
    return DorisOssHook(oss_conn_id="abort_test")


def _answer(hook: DorisOssHook, answers: dict[str, tuple[int, bytes]], seen: list[str]) -> None:
    from botocore.awsrequest import AWSResponse

    def before_send(request: Any, **_: Any) -> AWSResponse:
        method, url = request.method, request.url
        if method == "POST" and "uploads" in url and "uploadId" not in url:
            op = "CreateMultipartUpload"
        elif method == "PUT" and "partNumber" in url:
            op = "UploadPart"
        elif method == "DELETE" and "uploadId" in url:
            op = "AbortMultipartUpload"
        else:
            op = f"{method} {url}"
        seen.append(op)
        status, body = answers.get(op, _error("Unexpected", 400))
        return AWSResponse(url, status, {}, _Raw(body))

    hook.transfer_client.meta.events.register_first("before-send.s3", before_send)


def _big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (9 * 1024 * 1024))  # above boto3's 8 MiB multipart threshold
    return path


def test_failed_abort_says_an_upload_may_be_left_behind(hook: DorisOssHook, tmp_path: Path) -> None:
    seen: list[str] = []
    _answer(
        hook,
        {
            "CreateMultipartUpload": (200, _CREATED),
            "UploadPart": _error("AccessDenied", 403),
            "AbortMultipartUpload": _error("AccessDenied", 403),
        },
        seen,
    )
    with pytest.raises(OssOperationError) as info:
        hook.upload_file(_big_file(tmp_path), ObjectUri("abort-test", "big.bin"))
    message = str(info.value)
    assert "AbortMultipartUpload" in seen
    assert "oss://abort-test/big.bin" in message
    assert "AbortMultipartUpload also failed" in message and "may be left behind" in message
    assert "ListMultipartUploads" in message  # the fix: find and abort it, or a lifecycle rule
    assert SK not in message and AK not in message


def test_successful_abort_adds_no_warning(hook: DorisOssHook, tmp_path: Path) -> None:
    seen: list[str] = []
    _answer(
        hook,
        {
            "CreateMultipartUpload": (200, _CREATED),
            "UploadPart": _error("AccessDenied", 403),
            "AbortMultipartUpload": (204, b""),
        },
        seen,
    )
    with pytest.raises(OssOperationError) as info:
        hook.upload_file(_big_file(tmp_path), ObjectUri("abort-test", "big.bin"))
    assert "AbortMultipartUpload" in seen
    assert "AccessDenied" in str(info.value)
    assert "left behind" not in str(info.value)
