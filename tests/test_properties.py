"""The OSS property rules, one row per rule."""

from __future__ import annotations

import json

import pytest
from airflow.sdk import Connection

from airflow_provider_doris_oss.endpoints import derive_region
from airflow_provider_doris_oss.properties import OssProperties
from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS, UNSUPPORTED_NAMES, OssPropertiesError

AK, SK = "LTAI5tTestAccessKey01", "TestSecretKeyValue-0123456789"
BASE = {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": AK, "s3.secret_key": SK}


def conn(**kwargs: object) -> Connection:
    extra = kwargs.pop("extra", {})
    return Connection(conn_id="c", conn_type="doris_oss", extra=json.dumps(extra), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mapping", "attribute", "expected"),
    [
        pytest.param(BASE, "region", "cn-beijing", id="region-derived-public"),
        pytest.param(
            {**BASE, "s3.endpoint": "oss-cn-hangzhou-internal.aliyuncs.com"},
            "region",
            "cn-hangzhou",
            id="internal",
        ),
        pytest.param(
            {**BASE, "s3.endpoint": "s3.oss-cn-shanghai.aliyuncs.com"}, "region", "cn-shanghai", id="s3-alias"
        ),
        pytest.param(
            {**BASE, "s3.endpoint": "https://oss-ap-southeast-1.aliyuncs.com"},
            "region",
            "ap-southeast-1",
            id="scheme",
        ),
        pytest.param({**BASE, "s3.region": "cn-shenzhen"}, "region", "cn-shenzhen", id="region-given-wins"),
        pytest.param(BASE, "endpoint_url", "https://oss-cn-beijing.aliyuncs.com", id="https-by-default"),
        pytest.param(
            {**BASE, "s3.endpoint": "http://oss-cn-beijing.aliyuncs.com"},
            "endpoint_url",
            "http://oss-cn-beijing.aliyuncs.com",
            id="explicit-scheme-kept",
        ),
        pytest.param(BASE, "connection_maximum", 50, id="default-pool"),
        pytest.param(BASE, "connection_request_timeout", 3000, id="default-request-timeout"),
        pytest.param(BASE, "connection_timeout", 1000, id="default-connect-timeout"),
        pytest.param({**BASE, "s3.connection.maximum": "8"}, "connection_maximum", 8, id="numeric-string"),
        pytest.param({**BASE, "connection_timeout": 250}, "connection_timeout", 250, id="form-field-name"),
        pytest.param({**BASE, "use_path_style": "true"}, "use_path_style", True, id="bool-string"),
        pytest.param({**BASE, "bucket": "  my-bucket "}, "bucket", "my-bucket", id="stripped"),
        pytest.param({**BASE, "region": ""}, "region", "cn-beijing", id="empty-form-field-is-absent"),
        pytest.param(
            {**BASE, "s3.endpoint": "oss-cn-beijing.aliyuncs.com/"},
            "endpoint",
            "oss-cn-beijing.aliyuncs.com",
            id="trailing-slash",
        ),
    ],
)
def test_accepted(mapping: dict, attribute: str, expected: object) -> None:
    assert getattr(OssProperties.from_mapping(mapping), attribute) == expected


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        pytest.param(
            {k: v for k, v in BASE.items() if k != "s3.endpoint"},
            "Endpoint is missing. Fill in Endpoint (Host, --conn-host)",
            id="no-endpoint",
        ),
        pytest.param(
            {k: v for k, v in BASE.items() if k != "s3.access_key"},
            "Access key is missing. Fill in Access key (Login, --conn-login)",
            id="no-ak",
        ),
        pytest.param(
            {k: v for k, v in BASE.items() if k != "s3.secret_key"},
            "Secret key is missing. Fill in Secret key (Password, --conn-password)",
            id="no-sk",
        ),
        pytest.param(
            {**BASE, "s3.connection.maximum": "ten"},
            "connection_maximum in extra 's3.connection.maximum' must be a whole number",
            id="not-integer",
        ),
        pytest.param(
            {**BASE, "s3.connection.timeout": 0},
            "connection_timeout in extra 's3.connection.timeout' must be at least 1",
            id="zero",
        ),
        pytest.param({**BASE, "connection_maximum": -3}, "must be at least 1", id="negative"),
        pytest.param({**BASE, "connection_maximum": 2.5}, "must be a whole number", id="fraction"),
        pytest.param({**BASE, "connection_maximum": True}, "must be a whole number", id="bool-as-number"),
        pytest.param(
            {**BASE, "use_path_style": "maybe"},
            "Use path-style addressing (extra 'use_path_style') must be true or false",
            id="bad-bool",
        ),
        pytest.param({**BASE, "s3.endpoint": "cn-beijing.oss-dls.aliyuncs.com"}, "OSS-HDFS", id="oss-hdfs"),
        pytest.param({**BASE, "s3.endpoint": "oss-accelerate.aliyuncs.com"}, "Set 'region'", id="accelerate"),
        pytest.param({**BASE, "s3.endpoint": "data.example.com"}, "Set 'region'", id="custom-domain"),
        pytest.param({**BASE, "s3.endpiont": "x"}, "Did you mean 's3.endpoint'?", id="typo-s3"),
        pytest.param({**BASE, "oss.acess_key": "x"}, "Did you mean 'oss.access_key'?", id="typo-oss"),
        pytest.param(
            {**BASE, "s3.connection.maximun": 3}, "Did you mean 's3.connection.maximum'?", id="typo-conn"
        ),
        pytest.param(
            {**BASE, "oss.endpoint": "oss-cn-hangzhou.aliyuncs.com"},
            "endpoint is given twice with different values",
            id="conflict",
        ),
        pytest.param(
            {**BASE, "s3.endpoint": 5}, "endpoint in extra 's3.endpoint' must be a string", id="not-string"
        ),
    ],
)
def test_refused(mapping: dict, message: str) -> None:
    with pytest.raises(OssPropertiesError, match=None) as info:
        OssProperties.from_mapping(mapping)
    assert message in str(info.value)
    assert SK not in str(info.value)


@pytest.mark.parametrize("name", UNSUPPORTED_NAMES)
def test_unsupported_sts_and_role_keys(name: str) -> None:
    with pytest.raises(OssPropertiesError, match="not yet supported"):
        OssProperties.from_mapping({**BASE, name: "x"})


def test_conflict_names_both_sources_without_secret_values() -> None:
    with pytest.raises(OssPropertiesError) as info:
        OssProperties.from_connection(
            conn(
                host="oss-cn-beijing.aliyuncs.com",
                login=AK,
                password=SK,
                extra={"oss.secret_key": "another-secret-value"},
            )
        )
    text = str(info.value)
    assert "Secret key (Password, --conn-password)" in text and "extra 'oss.secret_key'" in text
    assert SK not in text and "another-secret-value" not in text


def test_conflict_between_host_and_legacy_endpoint_names_both() -> None:
    with pytest.raises(OssPropertiesError) as info:
        OssProperties.from_connection(
            conn(
                host="oss-cn-beijing.aliyuncs.com",
                login=AK,
                password=SK,
                extra={"oss.endpoint": "oss-cn-hangzhou.aliyuncs.com"},
            )
        )
    assert "Endpoint (Host, --conn-host)" in str(info.value) and "extra 'oss.endpoint'" in str(info.value)


def test_same_value_twice_is_not_a_conflict() -> None:
    props = OssProperties.from_connection(
        conn(
            host="oss-cn-beijing.aliyuncs.com",
            login=AK,
            password=SK,
            extra={"s3.endpoint": "oss-cn-beijing.aliyuncs.com"},
        )
    )
    assert props.endpoint == "oss-cn-beijing.aliyuncs.com"


def test_standard_fields_map_to_endpoint_and_keys() -> None:
    props = OssProperties.from_connection(conn(host="oss-cn-qingdao.aliyuncs.com", login=AK, password=SK))
    assert (props.endpoint, props.region, props.access_key, props.secret_key) == (
        "oss-cn-qingdao.aliyuncs.com",
        "cn-qingdao",
        AK,
        SK,
    )


def test_uri_form() -> None:
    c = Connection.from_uri(
        f"doris-oss://{AK}:{SK}@oss-cn-beijing.aliyuncs.com?region=cn-beijing&bucket=b-1", conn_id="u"
    )
    props = OssProperties.from_connection(c)
    assert c.conn_type == "doris_oss"
    assert (props.endpoint, props.region, props.bucket, props.secret_key) == (
        "oss-cn-beijing.aliyuncs.com",
        "cn-beijing",
        "b-1",
        SK,
    )


def test_json_form_legacy_names_only_matches_done_when() -> None:
    c = Connection.from_json(
        json.dumps(
            {
                "conn_type": "doris_oss",
                "extra": {
                    "oss.endpoint": "oss-cn-beijing.aliyuncs.com",
                    "oss.access_key": AK,
                    "oss.secret_key": SK,
                },
            }
        ),
        conn_id="legacy",
    )
    props = OssProperties.from_connection(c)
    kwargs = props.boto3_client_kwargs()
    config = kwargs["config"]
    assert kwargs["endpoint_url"] == "https://oss-cn-beijing.aliyuncs.com"
    assert kwargs["region_name"] == "cn-beijing"
    assert (config.max_pool_connections, config.connect_timeout, config.read_timeout) == (50, 1.0, 3.0)
    assert config.s3["addressing_style"] == "virtual"


def test_doris_rendering_uses_canonical_names_and_strings() -> None:
    props = OssProperties.from_mapping(
        {
            "oss.endpoint": "oss-cn-beijing.aliyuncs.com",
            "oss.access_key": AK,
            "oss.secret_key": SK,
            "s3.connection.maximum": 7,
        }
    )
    assert props.doris_properties() == {
        "s3.endpoint": "oss-cn-beijing.aliyuncs.com",
        "s3.region": "cn-beijing",
        "s3.access_key": AK,
        "s3.secret_key": SK,
        "s3.connection.maximum": "7",
        "s3.connection.request.timeout": "3000",
        "s3.connection.timeout": "1000",
    }


def test_doris_rendering_carries_path_style_only_when_set() -> None:
    props = OssProperties.from_mapping({**BASE, "use_path_style": True})
    assert props.doris_properties()["use_path_style"] == "true"


def test_repr_and_str_hide_keys() -> None:
    props = OssProperties.from_mapping(BASE)
    assert SK not in repr(props) and SK not in str(props)
    assert AK not in repr(props)


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("oss-cn-beijing.aliyuncs.com", "cn-beijing"),
        ("oss-cn-beijing-internal.aliyuncs.com", "cn-beijing"),
        ("s3.oss-cn-beijing-internal.aliyuncs.com", "cn-beijing"),
        ("http://oss-eu-central-1.aliyuncs.com", "eu-central-1"),
        ("oss-accelerate-overseas.aliyuncs.com", None),
        ("cdn.example.com", None),
    ],
)
def test_derive_region(endpoint: str, region: str | None) -> None:
    assert derive_region(endpoint) == region


def test_each_name_is_declared_once() -> None:
    names = [n for spec in PROPERTY_SPECS for n in spec.names]
    assert len(names) == len(set(names))
    assert not set(names) & set(UNSUPPORTED_NAMES)


def test_port_field_is_honoured_not_dropped() -> None:
    props = OssProperties.from_connection(
        conn(host="oss-cn-beijing.aliyuncs.com", port=8443, login=AK, password=SK)
    )
    assert props.endpoint_url == "https://oss-cn-beijing.aliyuncs.com:8443"
    assert props.doris_properties()["s3.endpoint"] == "https://oss-cn-beijing.aliyuncs.com:8443"
    assert props.region == "cn-beijing"
    assert props.boto3_client_kwargs()["endpoint_url"] == "https://oss-cn-beijing.aliyuncs.com:8443"


def test_port_in_a_uri_reaches_the_client() -> None:
    c = Connection.from_uri(f"doris-oss://{AK}:{SK}@oss-cn-beijing.aliyuncs.com:8443/", conn_id="u")
    assert OssProperties.from_connection(c).endpoint_url == "https://oss-cn-beijing.aliyuncs.com:8443"


@pytest.mark.parametrize("port", [None, 0])
def test_empty_or_zero_port_means_the_endpoints_own(port: int | None) -> None:
    props = OssProperties.from_connection(
        conn(host="http://127.0.0.1:9000", port=port, login=AK, password=SK, extra={"region": "cn-beijing"})
    )
    assert props.endpoint_url == "http://127.0.0.1:9000"


def test_port_field_with_schema_http() -> None:
    props = OssProperties.from_connection(
        conn(host="oss-cn-beijing.aliyuncs.com", port=8080, schema="http", login=AK, password=SK)
    )
    assert props.doris_properties()["s3.endpoint"] == "http://oss-cn-beijing.aliyuncs.com:8080"


def test_same_port_in_field_and_endpoint_is_not_a_conflict() -> None:
    props = OssProperties.from_connection(
        conn(host="oss-cn-beijing.aliyuncs.com:8443", port=8443, login=AK, password=SK)
    )
    assert props.endpoint_url == "https://oss-cn-beijing.aliyuncs.com:8443"


@pytest.mark.parametrize(("schema", "url"), [("http", "http://"), ("HTTPS", "https://"), ("", "https://")])
def test_schema_field_is_the_endpoints_scheme(schema: str, url: str) -> None:
    props = OssProperties.from_connection(
        conn(host="oss-cn-beijing.aliyuncs.com", schema=schema, login=AK, password=SK)
    )
    assert props.endpoint_url == f"{url}oss-cn-beijing.aliyuncs.com"


def test_ipv6_endpoint_with_port() -> None:
    props = OssProperties.from_mapping({**BASE, "s3.endpoint": "http://[::1]:9000", "region": "cn-beijing"})
    assert props.endpoint_url == "http://[::1]:9000"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("connection_maximum", 1),
        ("connection_maximum", 1000),
        ("connection_timeout", 600_000),
        ("connection_request_timeout", 3_600_000),
        ("connection_request_timeout", 1),
    ],
)
def test_bounds_are_inclusive(name: str, value: int) -> None:
    assert getattr(OssProperties.from_mapping({**BASE, name: value}), name) == value


@pytest.mark.parametrize("bucket", ["abc", "my-bucket-1", "a" * 63, "0-9"])
def test_valid_bucket_names(bucket: str) -> None:
    assert OssProperties.from_mapping({**BASE, "bucket": bucket}).bucket == bucket


def test_proxy_password_is_hidden_in_repr_and_masked() -> None:
    props = OssProperties.from_mapping(
        {**BASE, "proxy": "http://user:proxy-secret-99@proxy.example.com:3128"}
    )
    assert "proxy-secret-99" not in repr(props) and "proxy-secret-99" not in str(props)
    assert "http://user:***@proxy.example.com:3128" in repr(props)
    assert "proxy-secret-99" in props.secrets
    assert props.client_config_kwargs()["proxies"]["https"].endswith("@proxy.example.com:3128")


def test_extra_that_is_not_json_is_refused_not_dropped() -> None:
    c = Connection(
        conn_id="c",
        conn_type="doris_oss",
        host="oss-cn-beijing.aliyuncs.com",
        login=AK,
        password=SK,
        extra='{"bucket": "my-bucket", "proxy": "http://p:3128"',
    )
    with pytest.raises(OssPropertiesError, match="not valid JSON"):
        OssProperties.from_connection(c)


def test_form_schema_carries_the_bounds() -> None:
    from airflow_provider_doris_oss.connection_types import doris_oss_connection_type

    fields = doris_oss_connection_type()["conn-fields"]
    assert fields["connection_maximum"]["schema"]["maximum"] == 1000
    assert fields["connection_timeout"]["schema"]["maximum"] == 600_000
    assert fields["connection_request_timeout"]["schema"]["maximum"] == 3_600_000


def test_properties_built_directly_are_checked_before_a_client_is_configured() -> None:
    from dataclasses import replace

    props = replace(OssProperties.from_mapping(BASE), connection_maximum=10**7)
    with pytest.raises(OssPropertiesError, match=r"connection_maximum .* must be at most 1000"):
        props.client_config_kwargs()
