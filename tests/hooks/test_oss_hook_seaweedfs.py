"""DorisOssHook against a real S3 server (SeaweedFS), reached as OSS is: virtual hosts via a proxy."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from airflow.sdk import Connection

from airflow_provider_doris_oss.hooks.oss import DorisOssHook, OssOperationError
from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS
from airflow_provider_doris_oss.uris import ObjectUri

MiB = 1024 * 1024


@dataclass
class SentRequest:
    operation: str
    method: str
    host: str
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class RequestLog:
    """The requests a boto3 client sent, captured client-side (SeaweedFS records none)."""

    sent: list[SentRequest] = field(default_factory=list)

    def __call__(self, request: Any, event_name: str, **_: Any) -> None:
        url = urlsplit(request.url)
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        self.sent.append(
            SentRequest(
                event_name.rsplit(".", 1)[-1], request.method, url.netloc, url.path, url.query, headers
            )
        )

    def of(self, operation: str) -> list[SentRequest]:
        return [r for r in self.sent if r.operation == operation]


def _logged(hook: DorisOssHook) -> RequestLog:
    log = RequestLog()
    hook.get_conn().meta.events.register("before-send.s3", log)
    hook.transfer_client.meta.events.register("before-send.s3", log)  # uploads have their own client
    return log


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_upload_single_and_multipart_then_head_and_read_back(seaweedfs_conn: str, tmp_path: Path) -> None:
    bucket = seaweedfs_conn
    small = tmp_path / "small.csv"
    small.write_bytes(b"1,a\n2,b\n")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * MiB))  # above boto3's 8 MiB multipart threshold: two parts
    hook = DorisOssHook()
    log = _logged(hook)

    hook.upload_files([(small, ObjectUri(bucket, "in/small.csv")), (big, ObjectUri(bucket, "in/big.bin"))])

    assert len(log.of("PutObject")) == 1
    assert len(log.of("CreateMultipartUpload")) == 1
    assert len(log.of("UploadPart")) == 2
    assert len(log.of("CompleteMultipartUpload")) == 1
    assert all(r.host == f"{bucket}.oss-cn-beijing.aliyuncs.com" for r in log.sent)
    assert not any(r.path.startswith(f"/{bucket}") for r in log.sent), "a request was path-style"
    assert not any("aws-chunked" in r.headers.get("content-encoding", "") for r in log.sent)

    head = hook.head(ObjectUri(bucket, "in/big.bin"))
    assert head is not None and head["ContentLength"] == 9 * MiB
    client = hook.get_conn()
    assert _md5(client.get_object(Bucket=bucket, Key="in/big.bin")["Body"].read()) == _md5(big.read_bytes())
    assert client.get_object(Bucket=bucket, Key="in/small.csv")["Body"].read() == small.read_bytes()
    assert hook.head(ObjectUri(bucket, "in/missing")) is None


def test_list_pages_through_a_prefix(local_seaweedfs: LocalSeaweedFS, seaweedfs_conn: str) -> None:
    client = local_seaweedfs.client()
    inside = [f"p/{i:02d}" for i in range(25)]
    for key in [*inside, "other/x", "p-sibling"]:
        client.put_object(Bucket=seaweedfs_conn, Key=key, Body=b"x")
    hook = DorisOssHook()
    log = _logged(hook)

    keys = [o["Key"] for o in hook.iter_objects(seaweedfs_conn, "p/", page_size=7)]

    assert keys == inside
    lists = log.of("ListObjectsV2")
    assert len(lists) == 4  # 7 + 7 + 7 + 4
    assert all("max-keys=7" in r.query and "prefix=p%2F" in r.query for r in lists)
    assert sum("continuation-token=" in r.query for r in lists) == 3


def test_delete_more_than_1000_keys_in_two_requests_with_content_md5(
    local_seaweedfs: LocalSeaweedFS, seaweedfs_conn: str
) -> None:
    bucket = seaweedfs_conn
    keys = [f"many/{i:05d}" for i in range(1005)]
    client = local_seaweedfs.client()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: client.put_object(Bucket=bucket, Key=key, Body=b""), keys))
    hook = DorisOssHook()
    assert len(hook.list_keys(bucket, "many/")) == 1005
    log = _logged(hook)

    assert hook.delete_keys(bucket, keys) == 1005

    deletes = log.of("DeleteObjects")
    assert len(deletes) == 2
    assert all(r.headers.get("content-md5") for r in deletes)
    assert not any("x-amz-checksum-crc32" in r.headers for r in deletes)
    assert hook.list_keys(bucket, "many/") == []


def _with_keys(local_seaweedfs: LocalSeaweedFS, bucket: str, *, access_key: str, secret_key: str) -> str:
    good = local_seaweedfs.connection("bad_keys", bucket=bucket)
    return Connection(
        conn_id="bad_keys",
        conn_type="doris_oss",
        host=good.host,
        login=access_key,
        password=secret_key,
        extra=good.extra,
    ).as_json()


@pytest.mark.parametrize(
    ("which", "expected_code"),
    [("secret", "SignatureDoesNotMatch"), ("access", "InvalidAccessKeyId")],
)
def test_wrong_keys_are_refused(
    local_seaweedfs: LocalSeaweedFS,
    seaweedfs_conn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    which: str,
    expected_code: str,
) -> None:
    wrong = "Wrong-" + local_seaweedfs.secret_key[:10]
    keys = {"access_key": local_seaweedfs.access_key, "secret_key": local_seaweedfs.secret_key}
    keys[f"{which}_key"] = wrong
    monkeypatch.setenv("AIRFLOW_CONN_BAD_KEYS", _with_keys(local_seaweedfs, seaweedfs_conn, **keys))
    hook = DorisOssHook("bad_keys")

    ok, message = hook.test_connection()
    assert not ok
    assert "403" in message and wrong not in message

    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(OssOperationError, match=expected_code):
        hook.upload_files([(path, ObjectUri(seaweedfs_conn, "k"))])
    assert DorisOssHook().head(ObjectUri(seaweedfs_conn, "k")) is None


def test_test_connection_with_the_right_keys(seaweedfs_conn: str) -> None:
    ok, message = DorisOssHook().test_connection()
    assert ok, message
    assert seaweedfs_conn in message
