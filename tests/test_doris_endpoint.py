"""The Endpoint for Doris: parsed and checked with the connection, rendered into Doris statements only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_doris_oss.properties import OssProperties
from airflow_provider_doris_oss.property_specs import OssPropertiesError
from tests.network_guard import refuse_network

AK, SK = "LTAI5tAKEXAMPLE0001", "doris-endpoint-secret-9"
BASE = {"endpoint": "oss-cn-beijing.aliyuncs.com", "access_key": AK, "secret_key": SK}
INTERNAL = "oss-cn-beijing-internal.aliyuncs.com"


def connection(extra: dict[str, Any], **fields: Any) -> Any:
    from airflow_provider_doris_oss.version_compat import new_connection

    values = {"host": "oss-cn-beijing.aliyuncs.com", "login": AK, "password": SK} | fields
    return new_connection(conn_id="two_endpoints", conn_type="doris_oss", extra=json.dumps(extra), **values)


def test_doris_statements_get_the_doris_endpoint_and_clients_the_other() -> None:
    props = OssProperties.from_connection(connection({"doris_endpoint": INTERNAL}))
    assert props.doris_properties()["s3.endpoint"] == INTERNAL
    assert props.doris_properties()["s3.region"] == "cn-beijing"
    assert props.boto3_client_kwargs()["endpoint_url"] == "https://oss-cn-beijing.aliyuncs.com"
    assert props.endpoint_for_doris == INTERNAL


def test_without_a_doris_endpoint_both_sides_use_the_endpoint() -> None:
    props = OssProperties.from_connection(connection({}, port=443))
    assert props.doris_endpoint is None
    assert props.doris_properties()["s3.endpoint"] == "https://oss-cn-beijing.aliyuncs.com"


def test_a_doris_endpoint_equal_to_the_endpoint_is_no_second_endpoint() -> None:
    props = OssProperties.from_mapping({**BASE, "doris_endpoint": " OSS-cn-beijing.aliyuncs.com "})
    assert props.doris_endpoint is None


def test_the_port_and_schema_fields_belong_to_the_endpoint_not_to_doris_endpoint() -> None:
    props = OssProperties.from_connection(
        connection({"doris_endpoint": f"http://{INTERNAL}:8080"}, port=443, schema="https")
    )
    assert props.endpoint == "https://oss-cn-beijing.aliyuncs.com"
    assert props.doris_properties()["s3.endpoint"] == f"http://{INTERNAL}:8080"


def test_the_region_comes_from_the_doris_endpoint_when_the_endpoint_names_none() -> None:
    props = OssProperties.from_mapping({**BASE, "endpoint": "files.example.com", "doris_endpoint": INTERNAL})
    assert props.region == "cn-beijing"


def test_repr_shows_the_doris_endpoint_but_no_secret() -> None:
    props = OssProperties.from_mapping({**BASE, "doris_endpoint": INTERNAL})
    assert INTERNAL in repr(props) and SK not in repr(props) and AK not in repr(props)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "oss-cn-hangzhou-internal.aliyuncs.com", "is in region 'cn-hangzhou'", id="other-region"
        ),
        pytest.param(f"{INTERNAL} ", None, id="trailing-space-is-trimmed"),
        pytest.param("oss cn-beijing.aliyuncs.com", "contains whitespace", id="whitespace"),
        pytest.param(f"ftp://{INTERNAL}", "has the scheme 'ftp'", id="scheme"),
        pytest.param(f"{INTERNAL}/bucket", "has a path", id="path"),
        pytest.param(f"{INTERNAL}:0", "port must be a number from 1 to 65535", id="port-0"),
        pytest.param("cn-beijing.oss-dls.aliyuncs.com", "OSS-HDFS", id="oss-hdfs"),
        pytest.param(f"http://{AK}:{SK}@{INTERNAL}", "carries user:password@", id="credentials"),
        pytest.param(7, "must be a string", id="not-a-string"),
    ],
)
def test_bad_doris_endpoints_are_refused_naming_the_field_before_any_network_call(
    value: Any, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = refuse_network(monkeypatch)
    conn = connection({"doris_endpoint": value})
    if expected is None:
        assert OssProperties.from_connection(conn).doris_endpoint == INTERNAL
        return
    with pytest.raises(OssPropertiesError) as raised:
        OssProperties.from_connection(conn)
    message = str(raised.value)
    assert expected in message
    assert "doris_endpoint" in message
    assert SK not in message and AK not in message
    assert calls == []


def test_the_form_has_the_field_and_the_docs_table_a_row() -> None:
    from pathlib import Path

    from airflow_provider_doris_oss.connection_types import doris_oss_connection_type

    field = doris_oss_connection_type()["conn-fields"]["doris_endpoint"]
    assert field["label"] == "Endpoint for Doris"
    assert "internal" in field["description"]
    docs = (Path(__file__).parents[1] / "docs/connections.md").read_text()
    assert "Endpoint for Doris" in docs


def test_the_test_message_names_both_endpoints_only_when_they_differ(
    local_oss: Any, oss_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook

    conn = local_oss.connection("doris_oss_default", bucket=oss_bucket)
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", conn.as_json())
    ok, alone = DorisOssHook().test_connection()
    assert ok and INTERNAL not in alone and "Endpoint for Doris" not in alone
    conn.extra = json.dumps(json.loads(conn.extra) | {"doris_endpoint": INTERNAL})
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", conn.as_json())
    ok, both = DorisOssHook().test_connection()
    assert ok, both
    assert local_oss.endpoint in both and f"Endpoint for Doris, {INTERNAL}" in both


def test_the_oss_filesystem_and_the_triggers_client_use_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from airflow_provider_doris_oss.fs.oss import get_fs
    from airflow_provider_doris_oss.hooks.oss_async import _client_context

    conn = connection({"doris_endpoint": INTERNAL})
    monkeypatch.setenv("AIRFLOW_CONN_TWO_ENDPOINTS", conn.as_json())
    fs: Any = get_fs("two_endpoints")
    assert fs.endpoint_url == "https://oss-cn-beijing.aliyuncs.com"
    props = OssProperties.from_connection(conn)

    async def endpoint() -> str:
        async with _client_context(props) as client:
            return str(client.meta.endpoint_url)

    assert asyncio.run(endpoint()) == "https://oss-cn-beijing.aliyuncs.com"
