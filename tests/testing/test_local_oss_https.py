"""``LocalOss(https=True)``: OSS's endpoint over TLS, where botocore's default uploads are aws-chunked.

botocore (>= 1.36) sends PutObject and UploadPart bodies as ``aws-chunked`` with a CRC32 trailer
only over https (``httpchecksum.resolve_request_checksum_algorithm``: the trailer is chosen for
streaming input when the URL's scheme is https). OSS refuses them; the local OSS must too, so a
client configured that way fails locally as it would on OSS, and the provider's clients pass.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.testing.local_oss import LocalOss
from airflow_provider_doris_oss.uris import ObjectUri

OSS_MESSAGE = "aws-chunked encoding is not supported with the specified x-amz-content-sha256 value."


@pytest.fixture(scope="module")
def https_oss() -> Iterator[LocalOss]:
    with LocalOss(https=True) as oss:
        yield oss


@pytest.fixture
def bucket(https_oss: LocalOss) -> str:
    return https_oss.create_bucket(f"tls-{uuid.uuid4().hex[:16]}")


def stock_client(oss: LocalOss, *, verify: Any, **config: Any) -> Any:
    """boto3 as a user writes it: keys, region, the proxy and virtual hosts; every other default."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=oss.endpoint,
        region_name=oss.region,
        aws_access_key_id=oss.access_key,
        aws_secret_access_key=oss.secret_key,
        verify=verify,
        config=Config(
            proxies={"http": oss.proxy_url, "https": oss.proxy_url},
            s3={"addressing_style": "virtual"},
            retries={"total_max_attempts": 1},
            **config,
        ),
    )


def test_the_endpoint_is_https_and_the_certificate_names_the_oss_hosts(https_oss: LocalOss) -> None:
    from cryptography import x509

    assert https_oss.endpoint == "https://oss-cn-beijing.aliyuncs.com"
    assert https_oss.ca_bundle is not None and Path(https_oss.ca_bundle).is_file()
    assert https_oss.connection().host == "https://oss-cn-beijing.aliyuncs.com"
    server_pem = Path(https_oss.ca_bundle).with_name("server.pem").read_bytes()
    names = (
        x509.load_pem_x509_certificate(server_pem)
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
        .value.get_values_for_type(x509.DNSName)
    )
    assert sorted(names) == ["*.oss-cn-beijing.aliyuncs.com", "oss-cn-beijing.aliyuncs.com"]
    assert os.stat(Path(https_oss.ca_bundle).with_name("server-key.pem")).st_mode & 0o077 == 0


def test_the_provider_uploads_small_and_multipart_files_over_https(
    https_oss: LocalOss, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook

    assert https_oss.ca_bundle is not None
    monkeypatch.setenv("AWS_CA_BUNDLE", https_oss.ca_bundle)  # the provider's clients verify with it
    monkeypatch.setenv(
        "AIRFLOW_CONN_DORIS_OSS_TLS", https_oss.connection("doris_oss_tls", bucket=bucket).as_json()
    )
    small, big = tmp_path / "small.csv", tmp_path / "big.bin"
    small.write_bytes(b"1,a\n2,b\n")
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # above the 8 MiB multipart threshold
    https_oss.clear_requests()

    DorisOssHook("doris_oss_tls").upload_files(
        [(small, ObjectUri(bucket, "in/small.csv")), (big, ObjectUri(bucket, "in/big.bin"))]
    )

    client = https_oss.client()
    assert client.get_object(Bucket=bucket, Key="in/small.csv")["Body"].read() == small.read_bytes()
    assert client.get_object(Bucket=bucket, Key="in/big.bin")["Body"].read() == big.read_bytes()
    uploads = [
        r for r in https_oss.requests if r.host.startswith(bucket + ".") and r.method in ("PUT", "POST")
    ]
    assert uploads and {r.scheme for r in uploads} == {"https"}
    assert any("partNumber" in r.query for r in uploads), "the big file was not uploaded in parts"
    assert all(r.status == 200 for r in uploads), [(r.method, r.query, r.status) for r in uploads]
    assert not any("aws-chunked" in r.headers.get("content-encoding", "") for r in uploads)


def test_the_async_client_reaches_it_over_https(
    https_oss: LocalOss, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook, close_shared_clients

    assert https_oss.ca_bundle is not None
    monkeypatch.setenv("AWS_CA_BUNDLE", https_oss.ca_bundle)
    monkeypatch.setenv(
        "AIRFLOW_CONN_DORIS_OSS_TLS", https_oss.connection("doris_oss_tls", bucket=bucket).as_json()
    )
    https_oss.client().put_object(Bucket=bucket, Key="a.json", Body=b"{}")

    async def scenario() -> Any:
        try:
            hook = DorisOssAsyncHook("doris_oss_tls")
            await hook.put_bytes(ObjectUri(bucket, "b.json"), b"[]")
            return await hook.head(ObjectUri(bucket, "a.json")), await hook.get_bytes(
                ObjectUri(bucket, "b.json")
            )
        finally:
            await close_shared_clients()

    head, body = asyncio.run(scenario())
    assert head is not None and head["ContentLength"] == 2 and body == b"[]"


@pytest.mark.parametrize("operation", ["PutObject", "UploadPart"])
def test_a_stock_boto3_upload_is_refused_as_oss_refuses_it(
    https_oss: LocalOss, bucket: str, operation: str
) -> None:
    import botocore.exceptions

    client = stock_client(https_oss, verify=https_oss.ca_bundle)
    body = os.urandom(5 * 1024 * 1024)
    https_oss.clear_requests()
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        if operation == "PutObject":
            client.put_object(Bucket=bucket, Key="stock/data.bin", Body=body)
        else:
            upload = client.create_multipart_upload(Bucket=bucket, Key="stock/data.bin")["UploadId"]
            client.upload_part(Bucket=bucket, Key="stock/data.bin", UploadId=upload, PartNumber=1, Body=body)

    assert refused.value.operation_name == operation
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidArgument", OSS_MESSAGE)
    assert (error["ArgumentName"], error["ArgumentValue"], error["EC"]) == (
        "Content-Encoding",
        "aws-chunked",
        "0017-00000804",
    )
    assert refused.value.response["ResponseMetadata"]["HTTPHeaders"]["x-oss-ec"] == "0017-00000804"
    [sent] = [r for r in https_oss.requests if r.status == 400]
    assert sent.scheme == "https" and sent.headers["content-encoding"] == "aws-chunked"
    assert sent.headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert "Contents" not in https_oss.client().list_objects_v2(Bucket=bucket, Prefix="stock/")
    # The refused body was read to its end: the next request on the same connection is served.
    assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_the_fix_the_docs_give_makes_the_stock_client_pass(https_oss: LocalOss, bucket: str) -> None:
    client = stock_client(
        https_oss,
        verify=https_oss.ca_bundle,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client.put_object(Bucket=bucket, Key="fixed.txt", Body=b"ok")
    assert https_oss.client().get_object(Bucket=bucket, Key="fixed.txt")["Body"].read() == b"ok"


def test_over_plain_http_the_same_stock_client_sends_no_aws_chunked_body(
    local_oss: Any, oss_bucket: str
) -> None:
    """Why the HTTPS mode exists: over http botocore puts its checksum in a header, and OSS takes it."""
    client = stock_client(local_oss, verify=None)
    local_oss.clear_requests()
    client.put_object(Bucket=oss_bucket, Key="plain.txt", Body=b"ok")
    [put] = [r for r in local_oss.requests if r.method == "PUT"]
    assert put.status == 200 and put.scheme == "http"
    assert "content-encoding" not in put.headers and "x-amz-checksum-crc32" in put.headers


def test_a_client_without_the_ca_bundle_does_not_trust_it(https_oss: LocalOss, bucket: str) -> None:
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        stock_client(https_oss, verify=True).list_objects_v2(Bucket=bucket)


def test_a_tunnel_to_another_host_is_refused(https_oss: LocalOss) -> None:
    import http.client
    from urllib.parse import urlsplit

    proxy = urlsplit(https_oss.proxy_url)
    connection = http.client.HTTPSConnection(
        proxy.hostname or "", proxy.port, context=ssl.create_default_context(cafile=https_oss.ca_bundle)
    )
    connection.set_tunnel("example.com", 443)
    with pytest.raises(OSError, match="502"):
        connection.request("GET", "/")
    connection.close()


def test_the_certificate_is_deleted_at_stop() -> None:
    oss = LocalOss(https=True).start()
    bundle = oss.ca_bundle
    assert bundle is not None and Path(bundle).exists()
    oss.stop()
    assert not Path(bundle).parent.exists()
    with pytest.raises(RuntimeError, match="made at start"):
        _ = oss.ca_bundle
