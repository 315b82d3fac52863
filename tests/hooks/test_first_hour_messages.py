"""What a new user meets in the first hour (issue 19, items 7 to 9), outside the browser.

Field names as the form labels them, a bucket's domain given as the endpoint, a scheme on the
other scheme's port, a Region that contradicts the endpoint, and no message with a doubled ".)."
(an OSS or socket message that ends with "." put inside parentheses). The local OSS answers each
case as real OSS does; the browser test (tests/ui/test_first_hour.py) shows the same in the UI.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type
from airflow_provider_doris_oss.hooks.diagnosis import doris_failure, network_failure, oss_answer
from airflow_provider_doris_oss.hooks.oss import DorisOssHook
from airflow_provider_doris_oss.properties import OssProperties
from airflow_provider_doris_oss.property_specs import OssPropertiesError
from tests.network_guard import refuse_network

AK, SK = "LTAI5tFirstHourKey0001", "FirstHourSecret-0123456789abcdef"


def _conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: Any) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "doris_oss", **fields}))
    return conn_id


def _raw_client(local_oss: Any, endpoint: str, region: str = "cn-beijing") -> Any:
    """A boto3 client that skips the provider's checks, as another tool would send to OSS."""
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual"},
        proxies={"http": local_oss.proxy_url},
        retries={"mode": "standard", "total_max_attempts": 1},
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=local_oss.access_key,
        aws_secret_access_key=local_oss.secret_key,
        config=config,
    )


# Item 8: the field as the form labels it, with Airflow's field and the CLI option beside it.


@pytest.mark.parametrize("attr", ["host", "login", "password"])
def test_a_missing_field_is_named_as_the_form_labels_it(attr: str, monkeypatch: pytest.MonkeyPatch) -> None:
    label = doris_oss_connection_type()["ui-field-behaviour"]["relabeling"][attr]
    assert label.endswith(" (required)"), label
    shown = label.removesuffix(" (required)")
    full = {"host": "oss-cn-beijing.aliyuncs.com", "login": AK, "password": SK, "port": 0}
    conn_id = _conn(monkeypatch, f"first_hour_no_{attr}", **{k: v for k, v in full.items() if k != attr})
    ok, message = DorisOssHook(conn_id).test_connection()
    assert not ok
    assert message.startswith(f"{shown} is missing. Fill in {shown} ({attr.capitalize()}, --conn-{attr})")
    assert "the connection's" not in message and SK not in message


def test_both_forms_mark_required_fields_alike_and_ask_for_a_port() -> None:
    oss, doris = (t()["ui-field-behaviour"] for t in (doris_oss_connection_type, doris_connection_type))
    assert doris["relabeling"]["host"] == "FE host (required)"
    assert {k for k, v in oss["relabeling"].items() if v.endswith(" (required)")} == {
        "host",
        "login",
        "password",
    }
    # Airflow 3.3.2's row Test button sends Port 0 for an empty Port: the visible label asks for it.
    assert oss["relabeling"]["port"] == "Port (required; 0 = default)"
    assert doris["relabeling"]["port"] == "Query port (required; 0 = 9030)"
    assert oss["placeholders"]["password"] == "AccessKey secret"


def test_port_zero_is_the_scheme_default_and_the_refusal_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    conn_id = _conn(
        monkeypatch, "first_hour_port", host="oss-cn-beijing.aliyuncs.com", login=AK, password=SK, port=70000
    )
    ok, message = DorisOssHook(conn_id).test_connection()
    assert not ok
    assert message == (
        "Port (--conn-port) must be 0 for the scheme's default (443 for https, 80 for http) or a port "
        "from 1 to 65535, not 70000."
    )


def test_a_refused_port_names_the_port_field_and_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conn_id = _conn(
        monkeypatch,
        "first_hour_refused",
        host=f"http://127.0.0.1:{port}",
        login=AK,
        password=SK,
        extra={"region": "cn-beijing"},
    )
    ok, message = DorisOssHook(conn_id).test_connection()
    assert not ok
    assert f"nothing accepts connections at 127.0.0.1:{port}" in message
    assert (
        f"The port {port} comes from Port (--conn-port) or the endpoint: set Port to 0 and write the "
        "endpoint without a port for http's own port (80)." in message
    )


# Item 9: a bucket's domain as the endpoint, a scheme on the other scheme's port, a contradicting Region.


def test_a_bucket_domain_as_endpoint_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = refuse_network(monkeypatch)
    conn_id = _conn(
        monkeypatch,
        "first_hour_bucket_domain",
        host="mybucket.oss-cn-beijing.aliyuncs.com",
        login=AK,
        password=SK,
        port=0,
        extra={"region": "cn-beijing", "bucket": "mybucket"},
    )
    ok, message = DorisOssHook(conn_id).test_connection()
    assert not ok
    assert message == (
        "endpoint 'mybucket.oss-cn-beijing.aliyuncs.com' in Endpoint (Host, --conn-host) is the domain of "
        "bucket 'mybucket', as the OSS console shows it; the client adds the bucket itself, so "
        "mybucket.mybucket.oss-cn-beijing.aliyuncs.com would not resolve. Set the endpoint to "
        "'oss-cn-beijing.aliyuncs.com' and Default bucket (extra 'bucket') to 'mybucket'."
    )
    # The hook's first use says the same, before any request.
    with pytest.raises(OssPropertiesError, match="is the domain of bucket 'mybucket'"):
        DorisOssHook(conn_id).list_keys("mybucket")
    assert calls == []


def test_local_oss_does_not_resolve_a_bucket_in_front_of_a_bucket_domain(
    local_oss: Any, oss_bucket: str
) -> None:
    """Real OSS: bucket.bucket.oss-<region>.aliyuncs.com has no DNS record (goharbor/harbor-helm#510)."""
    client = _raw_client(local_oss, f"http://{oss_bucket}.oss-cn-beijing.aliyuncs.com")
    with pytest.raises(ClientError) as info:
        client.list_objects_v2(Bucket=oss_bucket, MaxKeys=1)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert f"{oss_bucket}.{oss_bucket}.oss-cn-beijing.aliyuncs.com does not resolve" in str(info.value)


@pytest.mark.parametrize(
    ("endpoint", "port", "expected"),
    [
        (
            "http://oss-cn-beijing.aliyuncs.com",
            443,
            "sends plain HTTP to port 443, where OSS speaks only HTTPS",
        ),
        (
            "http://oss-cn-beijing.aliyuncs.com:443",
            0,
            "sends plain HTTP to port 443, where OSS speaks only HTTPS",
        ),
        ("oss-cn-beijing.aliyuncs.com", 80, "speaks HTTPS to port 80, where OSS speaks only plain HTTP"),
    ],
)
def test_a_scheme_on_the_other_schemes_port_is_refused(
    endpoint: str, port: int, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = refuse_network(monkeypatch)
    conn_id = _conn(monkeypatch, "first_hour_scheme_port", host=endpoint, login=AK, password=SK, port=port)
    ok, message = DorisOssHook(conn_id).test_connection()
    assert not ok and expected in message, message
    assert "Port (--conn-port) to 0" in message
    assert calls == []


def test_local_oss_answers_plain_http_on_port_443_as_oss_does(local_oss: Any, oss_bucket: str) -> None:
    """OSS's nginx front end answers 400 with an HTML page; the Test message for such an answer says why."""
    client = _raw_client(local_oss, "http://oss-cn-beijing.aliyuncs.com:443")
    with pytest.raises(ClientError) as info:
        client.list_objects_v2(Bucket=oss_bucket, MaxKeys=1)
    error = info.value
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.response["Error"]["Code"] == ""  # an HTML page, not an OSS error document
    # A custom domain is not refused up front (only OSS's own hosts are known to serve TLS on 443).
    props = OssProperties.from_mapping(
        {
            "endpoint": "http://data.example.com:443",
            "region": "cn-beijing",
            "access_key": AK,
            "secret_key": SK,
        }
    )
    message = oss_answer(error, props, bucket=oss_bucket)
    assert message == (
        "http://data.example.com:443 answered HTTP 400 (400 The plain HTTP request was sent to HTTPS port): "
        "plain HTTP went to port 443, which speaks HTTPS. "
        "Write https:// (or the bare host) and set Port (--conn-port) to 0, or keep http:// and set Port "
        "to 0 (port 80)."
    )


def test_a_region_contradicting_the_endpoint_is_named_by_test(
    local_oss: Any, oss_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OSS's S3 API signs with any region (Aliyun's AWS SDK guide uses Region.AWS_GLOBAL); Test says so."""
    assert _raw_client(local_oss, local_oss.endpoint, region="cn-hangzhou").head_bucket(Bucket=oss_bucket)
    conn_id = _conn(
        monkeypatch,
        "first_hour_region",
        host=local_oss.endpoint,
        login=local_oss.access_key,
        password=local_oss.secret_key,
        port=0,
        extra={"region": "cn-hangzhou", "bucket": oss_bucket, "proxy": local_oss.proxy_url},
    )
    ok, message = DorisOssHook(conn_id).test_connection()
    assert ok, message
    assert (
        "Note: Region (extra 'region') is 'cn-hangzhou' but the endpoint http://oss-cn-beijing.aliyuncs.com "
        "is in 'cn-beijing' (OSS's S3 API accepts the signature either way)." in message
    )
    assert "for a bucket in 'cn-hangzhou', use oss-cn-hangzhou.aliyuncs.com as the endpoint." in message


# Item 9: no message ends in a doubled ".)." (OSS's and the socket's own full stops).


def _client_error(status: int, code: str, message: str, **elements: str) -> ClientError:
    error = {"Code": code, "Message": message, **elements}
    return ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, "ListObjectsV2")


def _messages() -> list[str]:
    from botocore import exceptions as bce

    props = OssProperties.from_mapping(
        {
            "endpoint": "https://oss-cn-beijing.aliyuncs.com",
            "access_key": AK,
            "secret_key": SK,
            "proxy": "http://127.0.0.1:9",
            "connection_timeout": 50,
        }
    )
    answers = [
        _client_error(400, "InvalidArgument", "Invalid signing region in Authorization header."),
        _client_error(403, "AccessDenied", "You have no right to access this object because of bucket acl."),
        _client_error(502, "BadGateway", "The upstream is down."),
        _client_error(500, "InternalError", "We encountered an internal error. Please try again."),
        _client_error(403, "AccessDenied", "The bucket you are attempting to access must be addressed."),
    ]
    messages = [oss_answer(error, props, bucket=b) for error in answers for b in ("my-bucket", None)]
    reason = OSError("Tunnel connection failed: 502 Bad Gateway.")
    for error in (
        bce.ProxyConnectionError(proxy_url="http://127.0.0.1:9", error=reason),
        bce.EndpointConnectionError(endpoint_url=props.endpoint_url, error=reason),
        bce.SSLError(endpoint_url=props.endpoint_url, error=reason),
    ):
        messages.append(network_failure(error, props) or "")
    for code, text in ((2003, "Can't connect (timed out)."), (2013, "Lost connection."), (1105, "Failed.")):
        error = Exception(code, text)
        messages.append(doris_failure(error, address="fe:9030", user="root", database=None, timeout_s=10))
    return messages


def test_no_message_has_a_doubled_full_stop() -> None:
    messages = _messages()
    assert all(messages), messages
    for message in messages:
        assert ".)" not in message and not message.endswith(".."), message
