"""Storage properties as Doris reads them (names, aliases, region from endpoint), and the pre-LOAD check."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.storage import check_storage, client_for, parse_storage

KEYS = {"s3.access_key": "ak", "s3.secret_key": "sk"}


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("oss-cn-beijing.aliyuncs.com", "cn-beijing"),
        ("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
        ("http://oss-cn-shanghai-internal.aliyuncs.com", "cn-shanghai"),
        ("s3.oss-ap-southeast-1.aliyuncs.com", "ap-southeast-1"),
    ],
)
def test_region_is_derived_from_an_oss_endpoint(endpoint: str, region: str) -> None:
    assert parse_storage({"s3.endpoint": endpoint, **KEYS}).region == region


def test_endpoint_without_scheme_is_http() -> None:
    props = parse_storage({"s3.endpoint": "oss-cn-beijing.aliyuncs.com", **KEYS})
    assert props.endpoint_url == "http://oss-cn-beijing.aliyuncs.com"


@pytest.mark.parametrize(
    "names",
    [
        ("s3.endpoint", "s3.region", "s3.access_key", "s3.secret_key"),
        ("oss.endpoint", "oss.region", "oss.access_key", "oss.secret_key"),
        ("AWS_ENDPOINT", "AWS_REGION", "AWS_ACCESS_KEY", "AWS_SECRET_KEY"),
        ("endpoint", "region", "access_key", "secret_key"),
        ("fs.oss.endpoint", "region", "fs.oss.accessKeyId", "fs.oss.accessKeySecret"),
    ],
)
def test_every_alias_is_read(names: tuple[str, str, str, str]) -> None:
    values = ("http://custom.example.com", "cn-x", "the-ak", "the-sk")
    props = parse_storage(dict(zip(names, values, strict=True)))
    assert (props.endpoint, props.region, props.access_key, props.secret_key) == values


def test_path_style_session_token_and_connection_settings() -> None:
    props = parse_storage(
        {
            "s3.endpoint": "oss-cn-beijing.aliyuncs.com",
            **KEYS,
            "s3.session_token": "tok",
            "use_path_style": "true",
            "s3.connection.maximum": "7",
            "s3.connection.request.timeout": "2500",
            "s3.connection.timeout": "1500",
        }
    )
    assert props.session_token == "tok" and props.use_path_style
    assert (props.max_connections, props.request_timeout_ms, props.connection_timeout_ms) == (7, 2500, 1500)


@pytest.mark.parametrize(
    ("props", "text"),
    [
        (
            {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": "ak"},
            "Both the access key and the secret",
        ),
        ({"s3.region": "cn-beijing", **KEYS}, "Endpoint is not set"),
        ({"s3.endpoint": "http://minio.local:9000", **KEYS}, "Region is not set"),
        (
            {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", **KEYS, "s3.iam_role": "r"},
            "s3.iam_role is not supported",
        ),
        ({"s3.endpoint": "cn-beijing.oss-dls.aliyuncs.com", "s3.region": "cn-beijing", **KEYS}, "OSS-HDFS"),
    ],
)
def test_doris_errors(props: dict[str, str], text: str) -> None:
    with pytest.raises(DorisError, match="errCode = 2, detailMessage = ") as info:
        parse_storage(props)
    assert text in info.value.message


def test_client_is_configured_for_oss(local_oss: Any) -> None:
    props = parse_storage({"s3.endpoint": local_oss.endpoint, "s3.access_key": "a", "s3.secret_key": "b"})
    client = client_for(props, local_oss.proxy_url)
    config = client.meta.config
    assert config.s3["addressing_style"] == "virtual"
    assert config.signature_version == "s3v4"
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert client_for(props, local_oss.proxy_url) is client


def test_check_storage_passes_and_reaches_oss_virtual_hosted(local_oss: Any, oss_bucket: str) -> None:
    props = parse_storage(
        {
            "s3.endpoint": local_oss.endpoint,
            "s3.access_key": local_oss.access_key,
            "s3.secret_key": local_oss.secret_key,
        }
    )
    local_oss.clear_requests()
    check_storage(props, local_oss.proxy_url, [oss_bucket])
    hosts = {r.host.split(":")[0] for r in local_oss.requests}
    assert hosts == {f"{oss_bucket}.{local_oss.endpoint_host}"}


def test_check_storage_fails_on_a_missing_bucket(local_oss: Any) -> None:
    props = parse_storage(
        {
            "s3.endpoint": local_oss.endpoint,
            "s3.access_key": local_oss.access_key,
            "s3.secret_key": local_oss.secret_key,
        }
    )
    with pytest.raises(DorisError) as info:
        check_storage(props, local_oss.proxy_url, [f"gone-{uuid.uuid4().hex[:10]}"])
    assert info.value.message.startswith("errCode = 2, detailMessage = Incorrect object storage info, ")
    assert "NoSuchBucket" in info.value.message


def test_check_storage_fails_on_an_unreachable_endpoint() -> None:
    props = parse_storage({"s3.endpoint": "http://127.0.0.1:9", "s3.region": "cn-beijing", **KEYS})
    with pytest.raises(DorisError, match="Incorrect object storage info"):
        check_storage(props, None, ["b"])


def test_path_style_is_refused_by_oss(local_oss: Any, oss_bucket: str) -> None:
    props = parse_storage(
        {
            "s3.endpoint": local_oss.endpoint,
            "s3.access_key": local_oss.access_key,
            "s3.secret_key": local_oss.secret_key,
            "use_path_style": "true",
        }
    )
    with pytest.raises(DorisError, match="SecondLevelDomainForbidden"):
        check_storage(props, local_oss.proxy_url, [oss_bucket])
