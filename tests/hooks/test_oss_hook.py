"""DorisOssHook: the client's configuration, and object operations against the local OSS."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from airflow.sdk import Connection

from airflow_provider_doris_oss.hooks.oss import DorisOssHook, OssOperationError
from airflow_provider_doris_oss.uris import ObjectUri, parse_uri

AK, SK = "LTAI5tHookTestKey0001", "HookTestSecretValue-0123456789"


@pytest.fixture
def legacy_conn(monkeypatch: pytest.MonkeyPatch) -> str:
    extra = {"oss.endpoint": "oss-cn-beijing.aliyuncs.com", "oss.access_key": AK, "oss.secret_key": SK}
    monkeypatch.setenv("AIRFLOW_CONN_LEGACY_OSS", json.dumps({"conn_type": "doris_oss", "extra": extra}))
    return "legacy_oss"


def test_client_configuration_from_legacy_names(legacy_conn: str) -> None:
    client = DorisOssHook(legacy_conn).get_conn()
    config = client.meta.config
    assert client.meta.endpoint_url == "https://oss-cn-beijing.aliyuncs.com"
    assert client.meta.region_name == "cn-beijing"
    assert config.signature_version == "s3v4"
    assert config.s3 == {"addressing_style": "virtual", "payload_signing_enabled": False}
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert (config.max_pool_connections, config.connect_timeout, config.read_timeout) == (50, 1.0, 3.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 5}
    assert config.proxies is None


def test_client_is_built_once_per_hook(legacy_conn: str) -> None:
    hook = DorisOssHook(legacy_conn)
    assert hook.get_conn() is hook.get_conn()


def test_hook_repr_and_properties_repr_hide_secrets(legacy_conn: str) -> None:
    hook = DorisOssHook(legacy_conn)
    assert SK not in repr(hook) and SK not in repr(hook.properties) and AK not in repr(hook.properties)


def test_doris_properties(legacy_conn: str) -> None:
    rendered = DorisOssHook(legacy_conn).doris_properties()
    assert rendered["s3.endpoint"] == "oss-cn-beijing.aliyuncs.com"
    assert rendered["s3.secret_key"] == SK
    assert all(isinstance(v, str) for v in rendered.values())


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("oss://bkt/a/b.csv", ObjectUri("bkt", "a/b.csv")),
        ("s3://bkt/dir/", ObjectUri("bkt", "dir/")),
        ("OSS://bkt", ObjectUri("bkt", "")),
    ],
)
def test_parse_uri(uri: str, expected: ObjectUri) -> None:
    assert parse_uri(uri) == expected


@pytest.mark.parametrize("uri", ["bkt/a", "http://bkt/a", "oss:///a"])
def test_parse_uri_refuses(uri: str) -> None:
    with pytest.raises(ValueError, match="source"):
        parse_uri(uri, field="source")


def test_resolve_uses_default_bucket_or_says_how(oss_conn: str) -> None:
    hook = DorisOssHook()
    assert hook.resolve("k/x") == ObjectUri(oss_conn, "k/x")
    assert hook.resolve("s3://other/k") == ObjectUri("other", "k")
    assert hook.resolve("k", "explicit") == ObjectUri("explicit", "k")


def _hosts_and_paths(local_oss, bucket: str) -> list:
    return [r for r in local_oss.requests if r.host.startswith(bucket + ".")]


def test_object_operations_against_local_oss(local_oss, oss_conn: str, tmp_path: Path) -> None:
    bucket = oss_conn
    small = tmp_path / "small.csv"
    small.write_bytes(b"1,a\n2,b\n")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # above boto3's 8 MiB multipart threshold
    hook = DorisOssHook()
    local_oss.clear_requests()

    hook.upload_files([(small, ObjectUri(bucket, "in/small.csv")), (big, ObjectUri(bucket, "in/big.bin"))])
    assert sorted(hook.list_keys(bucket, "in/")) == ["in/big.bin", "in/small.csv"]
    head = hook.head(ObjectUri(bucket, "in/big.bin"))
    assert head is not None and head["ContentLength"] == big.stat().st_size
    assert hook.head(ObjectUri(bucket, "in/missing")) is None
    body = hook.get_conn().get_object(Bucket=bucket, Key="in/small.csv")["Body"].read()
    assert body == small.read_bytes()
    assert hook.delete_keys(bucket, ["in/small.csv", "in/big.bin"]) == 2
    assert hook.list_keys(bucket, "in/") == []

    requests = local_oss.requests
    ours = [r for r in requests if bucket in r.host or bucket in r.path]
    assert ours, "no request reached the local OSS"
    assert all(r.host == f"{bucket}.oss-cn-beijing.aliyuncs.com" for r in ours)
    assert not any(r.path.startswith(f"/{bucket}") for r in ours), "a request was path-style"
    assert not any("aws-chunked" in r.headers.get("content-encoding", "") for r in ours)
    assert not any(r.headers.get("x-amz-content-sha256", "").startswith("STREAMING") for r in ours)
    assert any("uploadId" in r.query for r in ours), "the big file was not uploaded in parts"
    assert all(r.status < 400 for r in ours if r.method != "HEAD")


def test_list_pages_through_many_keys(local_oss, oss_conn: str) -> None:
    client = local_oss.client()
    for i in range(7):
        client.put_object(Bucket=oss_conn, Key=f"p/{i:02d}", Body=b"x")
    local_oss.clear_requests()
    keys = [o["Key"] for o in DorisOssHook().iter_objects(oss_conn, "p/", page_size=3)]
    assert keys == [f"p/{i:02d}" for i in range(7)]
    lists = [r for r in local_oss.requests if "list-type=2" in r.query]
    assert len(lists) == 3
    assert all("prefix=p%2F" in r.query for r in lists)


def test_delete_in_batches_of_1000(local_oss, oss_conn: str) -> None:
    hook = DorisOssHook()
    keys = [f"many/{i:05d}" for i in range(1001)]
    local_oss.clear_requests()
    hook.delete_keys(oss_conn, keys)  # absent keys delete fine in S3 and OSS
    deletes = [r for r in local_oss.requests if r.method == "POST" and "delete" in r.query]
    assert len(deletes) == 2
    assert all(r.headers.get("content-md5") for r in deletes)


def test_test_connection_ok_and_clear_failure(
    local_oss, oss_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok, message = DorisOssHook().test_connection()
    assert ok, message
    assert oss_conn in message

    bad = local_oss.connection("bad_oss", bucket=oss_conn)
    bad_conn = Connection(
        conn_id="bad_oss",
        conn_type="doris_oss",
        host=bad.host,
        login=bad.login,
        password="not-the-secret",
        extra=bad.extra,
    )
    monkeypatch.setenv("AIRFLOW_CONN_BAD_OSS", bad_conn.as_json())
    ok, message = DorisOssHook("bad_oss").test_connection()
    assert not ok
    assert "403" in message
    assert "not-the-secret" not in message


def test_test_connection_reports_bad_properties(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_TYPO_OSS",
        json.dumps(
            {
                "conn_type": "doris_oss",
                "host": "oss-cn-beijing.aliyuncs.com",
                "login": AK,
                "password": SK,
                "extra": {"s3.regoin": "cn-beijing"},
            }
        ),
    )
    ok, message = DorisOssHook("typo_oss").test_connection()
    assert not ok
    assert "Did you mean 's3.region'?" in message


def test_upload_failure_names_the_object(local_oss, oss_conn: str, tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(OssOperationError, match="oss://no-such-bucket-zz/k"):
        DorisOssHook().upload_files([(path, ObjectUri("no-such-bucket-zz", "k"))])


def test_an_endpoint_the_local_oss_does_not_serve_cannot_be_reached(
    local_oss, oss_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = local_oss.connection("elsewhere_oss", bucket=oss_bucket)
    elsewhere = Connection(conn_id="elsewhere_oss", conn_type="doris_oss", host="http://oss-cn-hangzhou.aliyuncs.com",
                           login=conn.login, password=conn.password, extra=conn.extra)
    monkeypatch.setenv("AIRFLOW_CONN_ELSEWHERE_OSS", elsewhere.as_json())
    ok, message = DorisOssHook("elsewhere_oss").test_connection()
    assert not ok
    assert "502" in message and "http://oss-cn-hangzhou.aliyuncs.com" in message


@pytest.mark.parametrize(("files", "expected"), [(1, 10), (3, 30), (6, 50), (500, 50)])
def test_uploads_keep_ten_parts_per_file_in_flight_within_the_pool(
    local_oss, oss_conn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int, expected: int
) -> None:
    """One file's parts go 10 at a time (s3transfer's default), more files share up to connection.maximum (50)."""
    import boto3.s3.transfer

    seen: list[int] = []
    real = boto3.s3.transfer.create_transfer_manager

    def spy(client, config, *args, **kwargs):
        seen.append(config.max_concurrency)
        return real(client, config, *args, **kwargs)

    monkeypatch.setattr(boto3.s3.transfer, "create_transfer_manager", spy)
    paths = []
    for n in range(files):
        path = tmp_path / f"f{n}.csv"
        path.write_bytes(b"1,a\n")
        paths.append((path, ObjectUri(oss_conn, f"in/f{n}.csv")))
    DorisOssHook().upload_files(paths)
    assert seen == [expected]
    assert len(DorisOssHook().list_keys(oss_conn, "in/")) == files
