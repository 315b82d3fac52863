"""Bad input is refused before any network call, with a message naming the field and the fix.

One table per family: connections (Connection fields, extra JSON with Doris's names, URI),
operator/sensor/trigger arguments at construction, templated arguments after rendering (checked at
the start of ``execute``), and operators run against a bad connection. Every row asserts that

- the refusal is a ``ValueError`` (``OssPropertiesError``, ``ArgumentError`` or ``DorisSqlError``),
- its message contains the field's name and the fix,
- no secret appears in it,
- no socket was opened: ``socket.create_connection``, ``socket.socket.connect``, botocore's
  ``Endpoint._send`` and pymysql's ``connect`` are patched to fail the test, and every connection
  points at a port on 127.0.0.1 that nothing listens on.

docs/troubleshooting.md ("Refused input") lists these families with their messages.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from airflow_provider_doris_oss.hooks.oss import DorisOssHook
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.catalog import DorisCreateCatalogOperator
from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator
from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS
from airflow_provider_doris_oss.sensors.key import OssKeySensor
from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor
from airflow_provider_doris_oss.triggers.doris import DorisJobTrigger
from airflow_provider_doris_oss.triggers.key import OssKeyTrigger
from airflow_provider_doris_oss.triggers.keys_unchanged import OssKeysUnchangedTrigger
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger
from tests.network_guard import refuse_network

AK, SK = "LTAI5tBadInputKey0001", "BadInputSecretValue-0123456789"
PROXY_PASSWORD = "proxy-pass-6789"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CLOSED = _closed_port()  # bound and released: nothing listens there
ENDPOINT = f"127.0.0.1:{CLOSED}"
BUCKET = "good-bucket"
DORIS_NAMES = {s.field: s.doris_name or s.field for s in PROPERTY_SPECS}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if anything opens a connection; also record the attempt."""
    calls = refuse_network(monkeypatch)
    good_oss = {
        "conn_type": "doris_oss",
        "host": ENDPOINT,
        "login": AK,
        "password": SK,
        "extra": json.dumps({"region": "cn-beijing", "bucket": BUCKET}),
    }
    doris = {"conn_type": "doris", "host": "127.0.0.1", "port": CLOSED, "login": "root", "schema": "db"}
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", json.dumps(good_oss))
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", json.dumps(doris))
    monkeypatch.setenv(
        "AIRFLOW_CONN_BAD_OSS", json.dumps({**good_oss, "extra": '{"connection_maximum": 1e12}'})
    )
    yield calls
    assert calls == [], f"a network call was made: {calls}"


def assert_refused(call: Callable[[], Any], field_name: str, fix: str) -> str:
    """``call`` raises a ValueError naming ``field_name`` and ``fix``, without secrets; returns the text."""
    with pytest.raises(ValueError) as info:
        call()
    text = str(info.value)
    assert field_name in text, f"field {field_name!r} not named in: {text}"
    assert fix in text, f"fix {fix!r} not given in: {text}"
    for secret in (SK, AK, PROXY_PASSWORD):
        assert secret not in text
    return text


# ---------------------------------------------------------------- connections, in three forms


@dataclass
class ConnCase:
    """Settings by form-field name; ``raw`` keys go into the extra as written."""

    id: str
    settings: dict[str, Any]
    field: str
    fix: str
    forms: tuple[str, ...] = ("fields", "extra", "uri")
    raw: dict[str, Any] = dc_field(default_factory=dict)


BASE_SETTINGS: dict[str, Any] = {
    "endpoint": ENDPOINT,
    "access_key": AK,
    "secret_key": SK,
    "region": "cn-beijing",
}
FIELDS_ONLY = ("fields",)
_POOL_FIX = "Use a value from 1 to 1000"
_HOUR_FIX = "Use a value from 1 to 3600000"
_TEN_MIN_FIX = "Use a value from 1 to 600000"

CONN_CASES = [
    ConnCase("pool-1e7", {"connection_maximum": 10**7}, "connection_maximum", _POOL_FIX),
    ConnCase("pool-1e12", {"connection_maximum": 10**12}, "connection_maximum", _POOL_FIX),
    ConnCase("pool-1001", {"connection_maximum": 1001}, "connection_maximum", "urllib3 allocates"),
    ConnCase("pool-0", {"connection_maximum": 0}, "connection_maximum", "allowed: 1 to 1000"),
    ConnCase("pool-negative", {"connection_maximum": -5}, "connection_maximum", "allowed: 1 to 1000"),
    ConnCase("pool-word", {"connection_maximum": "ten"}, "connection_maximum", "must be a whole number"),
    ConnCase("pool-fraction", {"connection_maximum": 2.5}, "connection_maximum", "must be a whole number"),
    ConnCase(
        "request-timeout-1e15",
        {"connection_request_timeout": 10**15},
        "connection_request_timeout",
        _HOUR_FIX,
    ),
    ConnCase(
        "request-timeout-0", {"connection_request_timeout": 0}, "connection_request_timeout", "at least 1"
    ),
    ConnCase("connect-timeout-1e15", {"connection_timeout": 10**15}, "connection_timeout", _TEN_MIN_FIX),
    ConnCase("connect-timeout-1h", {"connection_timeout": 3_600_000}, "connection_timeout", _TEN_MIN_FIX),
    ConnCase("connect-timeout-negative", {"connection_timeout": -1}, "connection_timeout", "at least 1"),
    ConnCase("path-style-word", {"use_path_style": "maybe"}, "use_path_style", "must be true or false"),
    ConnCase("bucket-uppercase", {"bucket": "My-Bucket"}, "bucket", "Example: 'my-bucket-1'"),
    ConnCase("bucket-short", {"bucket": "ab"}, "bucket", "3 to 63"),
    ConnCase("bucket-long", {"bucket": "a" * 64}, "bucket", "3 to 63"),
    ConnCase("bucket-leading-hyphen", {"bucket": "-abc"}, "bucket", "start and end with a letter or digit"),
    ConnCase("bucket-trailing-hyphen", {"bucket": "abc-"}, "bucket", "start and end with a letter or digit"),
    ConnCase(
        "bucket-underscore", {"bucket": "my_bucket"}, "bucket", "only lowercase letters, digits and hyphens"
    ),
    ConnCase("bucket-dot", {"bucket": "my.bucket"}, "bucket", "only lowercase letters, digits and hyphens"),
    ConnCase("bucket-uri", {"bucket": "oss://my-bucket"}, "bucket", "without oss://"),
    ConnCase("proxy-not-url", {"proxy": "not a url"}, "proxy", "http://proxy.example.com:3128"),
    ConnCase("proxy-socks", {"proxy": "socks5://proxy:1080"}, "proxy", "not an http:// or https:// URL"),
    ConnCase(
        "proxy-no-scheme", {"proxy": "proxy.example.com:3128"}, "proxy", "not an http:// or https:// URL"
    ),
    ConnCase("proxy-bad-port", {"proxy": "http://proxy:99999"}, "proxy", "from 1 to 65535"),
    ConnCase("proxy-path", {"proxy": "http://proxy:3128/x"}, "proxy", "Write it as http://"),
    ConnCase(
        "proxy-query-with-password",
        {"proxy": f"http://user:{PROXY_PASSWORD}@proxy:3128/?x=1"},
        "proxy",
        "query string",
    ),
    ConnCase("endpoint-query", {"endpoint": "oss-cn-beijing.aliyuncs.com?x=1"}, "endpoint", "query string"),
    ConnCase(
        "endpoint-userinfo",
        {"endpoint": f"user:{PROXY_PASSWORD}@oss-cn-beijing.aliyuncs.com"},
        "endpoint",
        "Access key (Login, --conn-login)",
    ),
    ConnCase("endpoint-ftp", {"endpoint": "ftp://oss-cn-beijing.aliyuncs.com"}, "endpoint", "https://<host>"),
    ConnCase(
        "endpoint-path", {"endpoint": "oss-cn-beijing.aliyuncs.com/my-bucket"}, "endpoint", "goes in 'bucket'"
    ),
    ConnCase(
        "endpoint-bad-port", {"endpoint": "oss-cn-beijing.aliyuncs.com:99999"}, "endpoint", "from 1 to 65535"
    ),
    ConnCase(
        "endpoint-word-port", {"endpoint": "oss-cn-beijing.aliyuncs.com:https"}, "endpoint", "from 1 to 65535"
    ),
    ConnCase(
        "endpoint-space", {"endpoint": "oss cn-beijing.aliyuncs.com"}, "endpoint", "contains whitespace"
    ),
    ConnCase("endpoint-bad-host", {"endpoint": "-bad-.example.com"}, "endpoint", "no valid host name"),
    ConnCase(
        "endpoint-oss-hdfs",
        {"endpoint": "cn-beijing.oss-dls.aliyuncs.com"},
        "endpoint",
        "oss-cn-beijing.aliyuncs.com",
    ),
    ConnCase(
        "endpoint-accelerate-no-region",
        {"endpoint": "oss-accelerate.aliyuncs.com", "region": None},
        "region",
        "Set 'region'",
    ),
    ConnCase(
        "custom-domain-no-region", {"endpoint": "data.example.com", "region": None}, "region", "Set 'region'"
    ),
    ConnCase("no-secret-key", {"secret_key": None}, "secret_key", "Password"),
    ConnCase("no-access-key", {"access_key": None}, "access_key", "Login"),
    ConnCase("no-endpoint", {"endpoint": None}, "endpoint", "Host"),
    ConnCase("typo-key", {}, "s3.connection.maximun", "Did you mean", raw={"s3.connection.maximun": "5"}),
    ConnCase("sts-key", {}, "s3.iam_role", "Use an AccessKey pair", raw={"s3.iam_role": "role"}),
    ConnCase(
        "endpoint-twice",
        {},
        "endpoint is given twice",
        "Keep one of them",
        raw={"oss.endpoint": "oss-cn-hangzhou.aliyuncs.com"},
    ),
    # Only the Connection fields can carry these.
    ConnCase("extra-not-json", {"raw_extra": "{not json"}, "extra", "Fix the JSON", FIELDS_ONLY),
    ConnCase(
        "extra-truncated-json",
        {"raw_extra": '{"region": "cn-beijing", "bucket": "my-bucket",'},
        "extra",
        "none of its settings (region, bucket, proxy",
        FIELDS_ONLY,
    ),
    ConnCase("extra-json-list", {"raw_extra": '["region"]'}, "extra", "must be a JSON object", FIELDS_ONLY),
    ConnCase(
        "extra-json-string", {"raw_extra": '"cn-beijing"'}, "extra", "must be a JSON object", FIELDS_ONLY
    ),
    ConnCase(
        "port-out-of-range", {"port": 70000}, "Port (--conn-port)", "0 for the scheme's default", FIELDS_ONLY
    ),
    ConnCase("port-negative", {"port": -1}, "Port (--conn-port)", "or a port from 1 to 65535", FIELDS_ONLY),
    ConnCase(
        "port-conflicts-with-endpoint",
        {"endpoint": "oss-cn-beijing.aliyuncs.com:443", "port": 8443},
        "Port (--conn-port) says 8443",
        "Keep one of them",
        FIELDS_ONLY,
    ),
    ConnCase(
        "schema-is-bucket",
        {"schema": "my-bucket"},
        "Schema (--conn-schema)",
        "goes in the extra's 'bucket'",
        ("fields", "uri"),
    ),
    ConnCase(
        "schema-ftp", {"schema": "ftp"}, "Schema (--conn-schema)", "'http' or 'https'", ("fields", "uri")
    ),
    ConnCase(
        "schema-conflicts-with-endpoint",
        {"endpoint": "http://oss-cn-beijing.aliyuncs.com", "schema": "https"},
        "Schema (--conn-schema) says 'https'",
        "Keep one of them",
        FIELDS_ONLY,
    ),
    # issue 15 item 10: ":0" written in an endpoint or proxy was dropped silently (port 0 would mean
    # "no port"). The Port *field's* 0 still means "not set": test_port_field_zero_means_not_set.
    ConnCase("endpoint-port-zero", {"endpoint": "http://127.0.0.1:0"}, "endpoint", "from 1 to 65535"),
    ConnCase(
        "endpoint-port-zero-bare",
        {"endpoint": "127.0.0.1:0"},
        "endpoint",
        "from 1 to 65535",
        ("fields", "extra"),  # a URI's host:0 is the Port field
    ),
    ConnCase("proxy-port-zero", {"proxy": "http://proxy.example.com:0"}, "proxy", "from 1 to 65535"),
]


def _settings(case: ConnCase) -> dict[str, Any]:
    merged = {**BASE_SETTINGS, **case.settings}
    return {k: v for k, v in merged.items() if v is not None}


def conn_json(case: ConnCase, form: str) -> str:
    """The connection as AIRFLOW_CONN_* text: JSON with fields, JSON with Doris names, or a URI."""
    settings = _settings(case)
    port, schema, raw_extra = (
        settings.pop("port", None),
        settings.pop("schema", None),
        settings.pop("raw_extra", None),
    )
    if form == "extra":
        extra = {DORIS_NAMES[k]: v for k, v in settings.items()} | case.raw
        return json.dumps({"conn_type": "doris_oss", "extra": json.dumps(extra)})
    host, login, password = (
        settings.pop("endpoint", None),
        settings.pop("access_key", None),
        settings.pop("secret_key", None),
    )
    if form == "fields":
        conn = {
            "conn_type": "doris_oss",
            "host": host,
            "login": login,
            "password": password,
            "port": port,
            "schema": schema,
        }
        conn["extra"] = raw_extra if raw_extra is not None else json.dumps(settings | case.raw)
        return json.dumps({k: v for k, v in conn.items() if v is not None})
    assert form == "uri"
    query = {k: str(v) for k, v in (settings | case.raw).items()}
    if host is not None and not _PLAIN_HOST.fullmatch(host):
        query["endpoint"], host = host, ""
    userinfo = f"{quote(login or '', safe='')}:{quote(password or '', safe='')}"
    netloc = f"{userinfo}@{host or ''}" if userinfo else host or ""
    if port is not None:
        netloc += f":{port}"
    return f"doris-oss://{netloc}/{quote(schema or '')}?{urlencode(query)}"


_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,4})?")


CONN_ROWS = [pytest.param(case, form, id=f"{case.id}[{form}]") for case in CONN_CASES for form in case.forms]


@pytest.mark.parametrize(("case", "form"), CONN_ROWS)
def test_connection_refused(case: ConnCase, form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_CASE", conn_json(case, form))
    hook = DorisOssHook(oss_conn_id="case")
    text = assert_refused(hook.get_conn, case.field, case.fix)
    assert "connection 'case'" in text


# ---------------------------------------------------------------- arguments at construction

BL = {"task_id": "t", "table": "db.t", "source_uris": f"oss://{BUCKET}/in/a.csv"}
EX = {"task_id": "t", "table": "db.t", "target_uri": f"oss://{BUCKET}/out/x_"}
IN = {"task_id": "t", "table": "db.t", "source_uri": f"oss://{BUCKET}/in/a.csv", "format": "csv"}
OF = {"task_id": "t", "sql": "SELECT 1", "target_uri": f"oss://{BUCKET}/out/x_"}
CA = {"task_id": "t", "catalog_name": "c", "catalog_properties": {"type": "iceberg"}}
KS = {"task_id": "t", "bucket_key": f"oss://{BUCKET}/k"}
KU = {"task_id": "t", "prefix": f"oss://{BUCKET}/p/"}
KT = {"bucket_keys": [f"oss://{BUCKET}/k"]}
UT = {"bucket_name": BUCKET, "prefix": "p/"}
ET = {"prefix": f"oss://{BUCKET}/in/"}
JT = {"doris_conn_id": "doris_default", "kind": "load", "database": "db", "label": "l1"}

CLASSES: dict[str, tuple[type, dict[str, Any]]] = {
    "broker_load": (DorisBrokerLoadOperator, BL),
    "export": (DorisExportOperator, EX),
    "insert": (DorisOssInsertOperator, IN),
    "outfile": (DorisOutfileOperator, OF),
    "catalog": (DorisCreateCatalogOperator, CA),
    "key_sensor": (OssKeySensor, KS),
    "keys_unchanged_sensor": (OssKeysUnchangedSensor, KU),
    "key_trigger": (OssKeyTrigger, KT),
    "keys_unchanged_trigger": (OssKeysUnchangedTrigger, UT),
    "object_event_trigger": (OssObjectEventTrigger, ET),
    "job_trigger": (DorisJobTrigger, JT),
}

NAN = float("nan")
ARG_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # Broker Load
    ("broker_load", {"cleanup_staging": "false"}, "cleanup_staging", "cleanup_staging=False"),
    ("broker_load", {"cleanup_staging": "true"}, "cleanup_staging", "cleanup_staging=True"),
    ("broker_load", {"cleanup_staging": 0}, "cleanup_staging", "True or False"),
    ("broker_load", {"cleanup_staging": None}, "cleanup_staging", "True or False"),
    ("broker_load", {"deferrable": "false"}, "deferrable", "deferrable=False"),
    ("broker_load", {"deferrable": "no"}, "deferrable", "deferrable=True or deferrable=False"),
    ("broker_load", {"poll_interval": "abc"}, "poll_interval", "poll_interval=30"),
    ("broker_load", {"poll_interval": "10"}, "poll_interval", "poll_interval=30"),
    ("broker_load", {"poll_interval": 0}, "poll_interval", "more than 0 seconds"),
    ("broker_load", {"poll_interval": -1}, "poll_interval", "more than 0 seconds"),
    ("broker_load", {"poll_interval": NAN}, "poll_interval", "more than 0 seconds"),
    ("broker_load", {"poll_interval": 10**9}, "poll_interval", "was it given in milliseconds"),
    ("broker_load", {"columns": [1, 2]}, "columns[0]", "must be a non-empty string"),
    ("broker_load", {"columns": "a,b"}, "columns", "columns=['a,b']"),
    ("broker_load", {"columns": ["a", ""]}, "columns[1]", "must be a non-empty string"),
    ("broker_load", {"columns_from_path": [None]}, "columns_from_path[0]", "must be a non-empty string"),
    ("broker_load", {"set": {"a": 1}}, "set['a']", "non-empty expression string"),
    ("broker_load", {"set": ["a"]}, "set", "dict of column -> expression"),
    (
        "broker_load",
        {"format_properties": {"jsonpaths": None}},
        "format_properties['jsonpaths']",
        "string, number or boolean",
    ),
    ("broker_load", {"format_properties": "x"}, "format_properties", "must be a dict"),
    ("broker_load", {"properties": {"timeout": None}}, "properties['timeout']", "string, number or boolean"),
    ("broker_load", {"properties": {"timeout": [5]}}, "properties['timeout']", "string, number or boolean"),
    ("broker_load", {"properties": [1]}, "properties", "must be a dict"),
    ("broker_load", {"properties": {"": 1}}, "properties", "non-empty string"),
    ("broker_load", {"partitions": "p1"}, "partitions", "partitions=['p1']"),
    ("broker_load", {"partitions": [""]}, "partitions[0]", "non-empty string"),
    ("broker_load", {"source_uris": "/data/a.csv"}, "source_uris", "oss://bucket/path"),
    ("broker_load", {"source_uris": "ftp://b/a.csv"}, "source_uris", "oss://bucket/path"),
    ("broker_load", {"source_uris": [f"oss://{BUCKET}/a", 5]}, "source_uris[1]", "non-empty string"),
    ("broker_load", {"source_uris": "oss:///a.csv"}, "source_uris", "oss://bucket/path"),
    ("broker_load", {"source_uris": None, "local_files": [1]}, "local_files[0]", "non-empty string"),
    ("broker_load", {"source_uris": None, "local_files": 5}, "local_files", "string or a non-empty list"),
    (
        "broker_load",
        {"source_uris": None, "local_files": "/a.csv", "staging_uri": "bucket/x"},
        "staging_uri",
        "oss://bucket/path",
    ),
    (
        "broker_load",
        {"source_uris": None, "table": None, "data_descriptions": "x"},
        "data_descriptions",
        "list of DataDescription",
    ),
    (
        "broker_load",
        {"source_uris": None, "table": None, "data_descriptions": [5]},
        "data_descriptions[0]",
        "DataDescription or a dict",
    ),
    ("broker_load", {"table": 5}, "table", "non-empty string"),
    ("broker_load", {"table": ""}, "table", "non-empty string"),
    ("broker_load", {"database": 5}, "database", "non-empty string"),
    ("broker_load", {"label": 5}, "label", "non-empty string"),
    ("broker_load", {"where": 5}, "where", "non-empty string"),
    ("broker_load", {"format": 5}, "format", "non-empty string"),
    ("broker_load", {"compress_type": ""}, "compress_type", "non-empty string"),
    ("broker_load", {"column_separator": 5}, "column_separator", "non-empty string"),
    ("broker_load", {"line_delimiter": ""}, "line_delimiter", "non-empty string"),
    ("broker_load", {"doris_conn_id": ""}, "doris_conn_id", "Name a connection that exists"),
    ("broker_load", {"oss_conn_id": "my conn"}, "oss_conn_id", "without spaces"),
    ("broker_load", {"oss_conn_id": None}, "oss_conn_id", "without spaces"),
    # EXPORT
    ("export", {"target_uri": "/tmp/x_"}, "target_uri", "oss://bucket/path"),
    ("export", {"target_uri": None}, "target_uri", "oss://bucket/path"),
    ("export", {"table": None}, "table", "non-empty string"),
    ("export", {"columns": [1]}, "columns[0]", "non-empty string"),
    ("export", {"partitions": "p1"}, "partitions", "partitions=['p1']"),
    ("export", {"parallelism": 0}, "parallelism", "1 or more"),
    ("export", {"parallelism": "4"}, "parallelism", "parallelism=1"),
    ("export", {"timeout": -5}, "timeout", "1 or more"),
    ("export", {"timeout": 2.5}, "timeout", "whole number"),
    ("export", {"delete_existing_files": "false"}, "delete_existing_files", "delete_existing_files=False"),
    ("export", {"with_bom": "yes"}, "with_bom", "True or False"),
    ("export", {"deferrable": "false"}, "deferrable", "deferrable=False"),
    ("export", {"poll_interval": "abc"}, "poll_interval", "poll_interval=30"),
    ("export", {"label": ""}, "label", "non-empty string"),
    ("export", {"where": 1}, "where", "non-empty string"),
    ("export", {"format": None, "column_separator": 1}, "column_separator", "non-empty string"),
    ("export", {"oss_conn_id": ""}, "oss_conn_id", "without spaces"),
    # INSERT
    ("insert", {"format": None}, "format", "non-empty string"),
    ("insert", {"source_uri": "x.csv"}, "source_uri", "oss://bucket/path"),
    ("insert", {"select_list": []}, "select_list", "non-empty list"),
    ("insert", {"select_list": [1]}, "select_list[0]", "non-empty string"),
    ("insert", {"columns": [1]}, "columns[0]", "non-empty string"),
    ("insert", {"partitions": "p"}, "partitions", "partitions=['p']"),
    ("insert", {"read_json_by_line": "true"}, "read_json_by_line", "read_json_by_line=True"),
    ("insert", {"reader_options": {"x": [1]}}, "reader_options['x']", "string, number or boolean"),
    ("insert", {"reader_options": "x"}, "reader_options", "must be a dict"),
    ("insert", {"csv_schema": 5}, "csv_schema", "non-empty string"),
    ("insert", {"doris_conn_id": None}, "doris_conn_id", "without spaces"),
    ("insert", {"table": ""}, "table", "non-empty string"),
    ("insert", {"where": ["a"]}, "where", "non-empty string"),
    # OUTFILE
    ("outfile", {"sql": None}, "sql", "SELECT statement as a string"),
    ("outfile", {"sql": 5}, "sql", "SELECT statement as a string"),
    ("outfile", {"target_uri": "out/x_"}, "target_uri", "oss://bucket/path"),
    ("outfile", {"format": None}, "format", "non-empty string"),
    ("outfile", {"with_bom": "false"}, "with_bom", "with_bom=False"),
    ("outfile", {"delete_existing_files": 1}, "delete_existing_files", "True or False"),
    ("outfile", {"success_file_name": ""}, "success_file_name", "non-empty string"),
    ("outfile", {"file_suffix": 5}, "file_suffix", "non-empty string"),
    ("outfile", {"download_to": 5}, "download_to", "non-empty string"),
    ("outfile", {"oss_conn_id": ""}, "oss_conn_id", "without spaces"),
    # CREATE CATALOG
    ("catalog", {"catalog_properties": None}, "catalog_properties", "must be a dict"),
    (
        "catalog",
        {"catalog_properties": {"type": None}},
        "catalog_properties['type']",
        "string, number or boolean",
    ),
    ("catalog", {"catalog_properties": {"": "x"}}, "catalog_properties", "non-empty string"),
    ("catalog", {"catalog_name": None}, "catalog_name", "non-empty string"),
    ("catalog", {"if_not_exists": "false"}, "if_not_exists", "if_not_exists=False"),
    ("catalog", {"comment": 5}, "comment", "non-empty string"),
    ("catalog", {"doris_conn_id": " "}, "doris_conn_id", "without spaces"),
    # OssKeySensor
    ("key_sensor", {"deferrable": "false"}, "deferrable", "deferrable=False"),
    ("key_sensor", {"wildcard_match": "false"}, "wildcard_match", "wildcard_match=False"),
    ("key_sensor", {"use_regex": "true"}, "use_regex", "use_regex=True"),
    ("key_sensor", {"bucket_key": None}, "bucket_key", "string or a non-empty list"),
    ("key_sensor", {"bucket_key": []}, "bucket_key", "string or a non-empty list"),
    ("key_sensor", {"bucket_key": ["a", 1]}, "bucket_key[1]", "non-empty string"),
    ("key_sensor", {"use_regex": True, "bucket_key": f"oss://{BUCKET}/("}, "bucket_key", "drop use_regex"),
    ("key_sensor", {"use_regex": True, "bucket_key": ["ok", "a[b"]}, "bucket_key[1]", "drop use_regex"),
    # Only a leading scheme makes a URI: the whole plain key is the regex, "://" and all.
    ("key_sensor", {"use_regex": True, "bucket_key": "a(b/https://h/ok"}, "bucket_key", "drop use_regex"),
    ("key_sensor", {"bucket_name": "My_Bucket"}, "bucket_name", "Example: 'my-bucket-1'"),
    ("key_sensor", {"bucket_name": "ab"}, "bucket_name", "3 to 63"),
    ("key_sensor", {"metadata_keys": "Size"}, "metadata_keys", "metadata_keys=['Size']"),
    ("key_sensor", {"poke_interval": "abc"}, "poke_interval", "poke_interval=30"),
    ("key_sensor", {"poke_interval": -1}, "poke_interval", "more than 0 seconds"),
    ("key_sensor", {"timeout": "abc"}, "timeout", "timeout=30"),
    ("key_sensor", {"oss_conn_id": ""}, "oss_conn_id", "without spaces"),
    ("key_sensor", {"soft_fail": "false"}, "soft_fail", "soft_fail=False"),
    # OssKeysUnchangedSensor
    ("keys_unchanged_sensor", {"inactivity_period": "abc"}, "inactivity_period", "inactivity_period=30"),
    ("keys_unchanged_sensor", {"inactivity_period": -1}, "inactivity_period", "0 or more seconds"),
    (
        "keys_unchanged_sensor",
        {"inactivity_period": 10**12},
        "inactivity_period",
        "was it given in milliseconds",
    ),
    ("keys_unchanged_sensor", {"min_objects": -1}, "min_objects", "0 or more"),
    ("keys_unchanged_sensor", {"min_objects": 1.5}, "min_objects", "whole number"),
    ("keys_unchanged_sensor", {"allow_delete": "false"}, "allow_delete", "allow_delete=False"),
    ("keys_unchanged_sensor", {"deferrable": "false"}, "deferrable", "deferrable=False"),
    ("keys_unchanged_sensor", {"prefix": None}, "prefix", "non-empty string"),
    ("keys_unchanged_sensor", {"bucket_name": "UPPER"}, "bucket_name", "lowercase"),
    ("keys_unchanged_sensor", {"poke_interval": "abc"}, "poke_interval", "poke_interval=30"),
    # OssKeyTrigger
    ("key_trigger", {"poke_interval": "abc"}, "poke_interval", "poke_interval=30"),
    ("key_trigger", {"poke_interval": 0}, "poke_interval", "more than 0 seconds"),
    ("key_trigger", {"mode": "glob"}, "mode", "one of exact, wildcard, regex"),
    ("key_trigger", {"bucket_keys": []}, "bucket_keys", "non-empty list"),
    (
        "key_trigger",
        {"mode": "regex", "bucket_keys": [f"oss://{BUCKET}/("]},
        "bucket_keys[0]",
        "drop use_regex",
    ),
    ("key_trigger", {"should_check_fn": "false"}, "should_check_fn", "should_check_fn=False"),
    ("key_trigger", {"wait_first": "false"}, "wait_first", "wait_first=False"),
    ("key_trigger", {"metadata_keys": "Size"}, "metadata_keys", "metadata_keys=['Size']"),
    ("key_trigger", {"oss_conn_id": ""}, "oss_conn_id", "without spaces"),
    # OssKeysUnchangedTrigger
    ("keys_unchanged_trigger", {"bucket_name": "Bad_Bucket"}, "bucket_name", "Example: 'my-bucket-1'"),
    ("keys_unchanged_trigger", {"inactivity_period": "x"}, "inactivity_period", "inactivity_period=30"),
    ("keys_unchanged_trigger", {"min_objects": -1}, "min_objects", "0 or more"),
    ("keys_unchanged_trigger", {"allow_delete": "false"}, "allow_delete", "allow_delete=False"),
    ("keys_unchanged_trigger", {"poke_interval": 0}, "poke_interval", "more than 0 seconds"),
    ("keys_unchanged_trigger", {"prefix": None}, "prefix", "must be a string"),
    # OssObjectEventTrigger
    ("object_event_trigger", {"poll_interval": "abc"}, "poll_interval", "poll_interval=30"),
    ("object_event_trigger", {"poll_interval": 0}, "poll_interval", "more than 0 seconds"),
    ("object_event_trigger", {"poll_interval": 10**9}, "poll_interval", "was it given in milliseconds"),
    ("object_event_trigger", {"use_regex": True, "prefix": f"oss://{BUCKET}/("}, "prefix", "drop use_regex"),
    ("object_event_trigger", {"wildcard_match": "false"}, "wildcard_match", "wildcard_match=False"),
    ("object_event_trigger", {"use_regex": "true"}, "use_regex", "use_regex=True"),
    ("object_event_trigger", {"bucket_name": "BAD"}, "bucket_name", "lowercase"),
    ("object_event_trigger", {"checkpoint_prefix": None}, "checkpoint_prefix", "must be a string"),
    ("object_event_trigger", {"oss_conn_id": ""}, "oss_conn_id", "without spaces"),
    ("object_event_trigger", {"checkpoint_name": "a b"}, "checkpoint_name", "1-128 letters, digits"),
    ("object_event_trigger", {"ordered_keys": "false"}, "ordered_keys", "ordered_keys=False"),
    ("object_event_trigger", {"start_from": "yesterday"}, "start_from", "'beginning'"),
    # DorisJobTrigger
    ("job_trigger", {"kind": "import"}, "kind", "one of load, export"),
    ("job_trigger", {"poll_interval": "abc"}, "poll_interval", "poll_interval=30"),
    ("job_trigger", {"poll_interval": 0}, "poll_interval", "more than 0 seconds"),
    ("job_trigger", {"database": ""}, "database", "non-empty string"),
    ("job_trigger", {"label": None}, "label", "non-empty string"),
    ("job_trigger", {"max_reconnects": -1}, "max_reconnects", "from 0 to 100"),
    ("job_trigger", {"max_reconnects": "3"}, "max_reconnects", "max_reconnects=0"),
    ("job_trigger", {"doris_conn_id": ""}, "doris_conn_id", "without spaces"),
    # ---- issue 15 item 1: partitions=["*"] is a partition named "*", not PARTITION (*)
    ("insert", {"overwrite": True, "partitions": ["*"]}, "partitions[0]", 'write partitions="*"'),
    ("insert", {"partitions": ["p1", " * "]}, "partitions[1]", 'write partitions="*"'),
    ("insert", {"overwrite": True, "partitions": None}, "partitions", "overwrite=True needs partitions"),
    ("insert", {"overwrite": True, "partitions": []}, "partitions", "overwrite=True needs partitions"),
    ("insert", {"overwrite": True, "partitions": ""}, "partitions", "not an empty string"),
    ("insert", {"partitions": "*"}, "partitions", "set overwrite=True"),
    ("broker_load", {"partitions": ["*"]}, "partitions[0]", "leave partitions out"),
    ("export", {"partitions": ["*"]}, "partitions[0]", "leave partitions out"),
    # ---- issue 15 item 10: an OUTFILE sql that is not a query
    ("outfile", {"sql": "WITH x AS (SELECT 1) DELETE FROM t WHERE k = 1"}, "sql", "write WITH ... SELECT"),
    (
        "outfile",
        {"sql": "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"},
        "sql",
        "write WITH ... SELECT",
    ),
    ("outfile", {"sql": "WITH x AS (SELECT 1)"}, "sql", "write WITH ... SELECT"),
    ("outfile", {"sql": "(DELETE FROM t)"}, "sql", "write the statement as a query"),
    ("outfile", {"sql": "UPDATE t SET a = (SELECT 1)"}, "sql", "write the statement as a query"),
    # ---- issue 15 item 10: regular expressions that backtrack without bound (ReDoS)
    *[
        ("key_sensor", {"use_regex": True, "bucket_key": f"oss://{BUCKET}/{pattern}"}, "bucket_key", fix)
        for pattern, fix in (
            ("(a+)+$", "use wildcard_match"),
            ("(a|aa)*b", "use wildcard_match"),
            ("(.*)*x", "use wildcard_match"),
            ("(a.|.a)*$", "use wildcard_match"),
            ("(\\w+/)*x", "use wildcard_match"),
            ("\\d+\\d+\\d+x", "at most two unbounded repeats"),
            (".*a.*a.*b", "at most two unbounded repeats"),
        )
    ],
    ("key_sensor", {"use_regex": True, "bucket_key": ["in/ok", "(x+x+)+y"]}, "bucket_key[1]", "Rewrite it"),
    (
        "key_trigger",
        {"mode": "regex", "bucket_keys": [f"oss://{BUCKET}/(a|aa)*b"]},
        "bucket_keys[0]",
        "Rewrite",
    ),
    ("object_event_trigger", {"use_regex": True, "prefix": f"oss://{BUCKET}/(a+)+$"}, "prefix", "Rewrite it"),
    # ---- issue 20 item 2: values without template markers are judged at DAG parse
    ("export", {"max_file_size": "1MB"}, "max_file_size", "minimum of 5MB"),
    ("export", {"max_file_size": "lots"}, "max_file_size", "text such as '512MB'"),
    ("export", {"data_consistency": "tablet"}, "data_consistency", "partition, none"),
    ("export", {"format": "parquet", "with_bom": True}, "with_bom", "CSV formats only"),
    ("export", {"compress_type": "ZSTD"}, "compress_type", "set format to parquet or orc"),
    ("export", {"columns": ["a,b"]}, "columns", "contains ','"),
    ("export", {"where": "k1 = 1; DROP TABLE t"}, "where", "without ';'"),
    ("export", {"label": "bad label!"}, "label", "use only letters A-Z a-z, digits"),
    ("outfile", {"max_file_size": "1MB"}, "max_file_size", "minimum of 5MB"),
    ("outfile", {"format": "parquet", "with_bom": True}, "with_bom", "CSV formats only"),
    ("outfile", {"format": "xlsx"}, "format", "csv, csv_with_names"),
    ("outfile", {"compress_type": "ZSTD"}, "compress_type", "Parquet and ORC output only"),
    ("broker_load", {"properties": {"timeout": "--5"}}, "properties['timeout']", "is not an integer"),
    ("broker_load", {"properties": {"timeout": 10**7}}, "properties['timeout']", "between 1 and 259200"),
    ("broker_load", {"properties": {"max_filter_ratio": 2}}, "properties['max_filter_ratio']", "between"),
    ("broker_load", {"properties": {"bogus": 1}}, "properties", "Valid keys: exec_mem_limit"),
    ("broker_load", {"where": "k1 > 0; DROP TABLE t"}, "where", "without ';'"),
    ("broker_load", {"where": "k1 > 0 # comment"}, "where", "use -- or /* */"),
    ("broker_load", {"where": "k1 > (0"}, "where", "leaves a parenthesis open"),
    ("broker_load", {"set": {"k1": "k1 + 1; DROP TABLE t"}}, "set['k1']", "without ';'"),
    ("broker_load", {"format": "xlsx"}, "format", "csv, csv_with_names"),
    ("broker_load", {"format": "parquet", "column_separator": ","}, "column_separator", "CSV formats only"),
    ("broker_load", {"compress_type": "ZIP"}, "compress_type", "GZ, BZ2"),
    ("broker_load", {"label": "a.b"}, "label", "no '.', ':', '/'"),
    ("broker_load", {"table": "db.t.x"}, "table", "is ambiguous"),
    (
        "broker_load",
        {"source_uris": None, "table": None, "data_descriptions": [{"source_uris": f"oss://{BUCKET}/k"}]},
        "data_descriptions[0]",
        "give at least 'source_uris' and 'table'",
    ),
    (
        "broker_load",
        {"source_uris": None, "table": None, "data_descriptions": [{"source_uris": "x", "table": "db.t"}]},
        "data_descriptions[0]",
        "oss://",
    ),
    ("insert", {"where": "k1 = 1 #"}, "where", "use -- or /* */"),
    ("insert", {"select_list": ["c1", "c2); DROP TABLE t; --"]}, "select_list[1]", "without ';'"),
    ("insert", {"select_list": ["c1", "max(c2"]}, "select_list[1]", "leaves a parenthesis open"),
    ("insert", {"format": "xlsx"}, "format", "csv, csv_with_names"),
    ("insert", {"reader_options": {"bogus": 1}}, "reader_options", "Valid keys: column_separator"),
    ("insert", {"reader_options": {"skip_lines": -1}}, "reader_options['skip_lines']", "between 0 and inf"),
    (
        "insert",
        {"column_separator": ",", "reader_options": {"Column_Separator": ";"}},
        "reader_options",
        "keep one of them",
    ),
    (
        "catalog",
        {"catalog_properties": {"type": "iceberg", "oss.endpoint": "x"}},
        "catalog_properties",
        "set it on the connection",
    ),
    (
        "catalog",
        {"catalog_properties": {"warehouse": "oss://b/w"}},
        "catalog_properties",
        "'type' is missing",
    ),
    (
        "catalog",
        {"catalog_properties": {"type": "hms", "s3.access_key": "k"}},
        "catalog_properties",
        "Remove it here",
    ),
    ("catalog", {"catalog_name": "a\x00b"}, "catalog_name", "NUL"),
    # ---- issue 20 item 3: the refusal names the argument the user wrote
    ("broker_load", {"format_properties": {"bogus": 1}}, "format_properties:", "Valid keys: enclose"),
    (
        "broker_load",
        {"format_properties": {"skip_lines": "x"}},
        "format_properties['skip_lines']",
        "not an integer",
    ),
    ("outfile", {"max_file_size": "x"}, "max_file_size:", "text such as '512MB'"),
    (
        "insert",
        {"reader_options": {"read_json_by_line": "maybe"}},
        "reader_options['read_json_by_line']",
        "true or false",
    ),
    # ---- issue 20 item 2: a URI in OssKeySensor's bucket_key is judged at parse
    ("key_sensor", {"bucket_key": "https://host/a.json"}, "bucket_key", "oss://bucket/"),
    ("key_sensor", {"bucket_key": ["in/ok", "https://host/a.json"]}, "bucket_key[1]", "oss://bucket/"),
]


@pytest.mark.parametrize(
    ("kind", "overrides", "field_name", "fix"),
    [pytest.param(*row, id=f"{row[0]}-{'-'.join(row[1])}-{i}") for i, row in enumerate(ARG_CASES)],
)
def test_argument_refused(kind: str, overrides: dict[str, Any], field_name: str, fix: str) -> None:
    cls, base = CLASSES[kind]
    text = assert_refused(lambda: cls(**{**base, **overrides}), field_name, fix)
    assert text.startswith(cls.__name__) or field_name in text.split(":")[0] or kind.endswith("trigger")


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_good_arguments_are_accepted(kind: str) -> None:
    cls, base = CLASSES[kind]
    assert cls(**base) is not None


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("broker_load", {"table": "{{ params.table }}", "properties": {"timeout": "{{ params.t }}"}}),
        ("export", {"target_uri": "{{ params.target }}", "columns": "{{ params.columns }}"}),
        ("insert", {"source_uri": "{{ params.src }}"}),
        ("outfile", {"sql": "{{ params.sql }}"}),
        ("outfile", {"sql": "query.sql"}),
        ("key_sensor", {"bucket_key": "{{ params.key }}", "use_regex": True}),
        ("keys_unchanged_sensor", {"bucket_name": "{{ params.bucket }}"}),
    ],
)
def test_templates_wait_for_rendering(kind: str, overrides: dict[str, Any]) -> None:
    cls, base = CLASSES[kind]
    assert cls(**{**base, **overrides}) is not None


# ---------------------------------------------------------------- rendered templates, at execute()


def _context() -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="d", task_id="t", run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti, "run_id": "manual__1"}


RENDERED_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    ("broker_load", {"table": "{{ t }}"}, {"table": 5}, "table", "non-empty string"),
    (
        "broker_load",
        {"properties": {"timeout": "{{ t }}"}},
        {"properties": ["a"]},
        "properties",
        "must be a dict",
    ),
    (
        "broker_load",
        {"properties": {"timeout": "{{ t }}"}},
        {"properties": {"timeout": "--5"}},
        "properties['timeout']",
        "is not an integer",
    ),
    ("broker_load", {"where": "{{ w }}"}, {"where": 5}, "where", "non-empty string"),
    (
        "broker_load",
        {"source_uris": "{{ s }}"},
        {"source_uris": "local.csv"},
        "source_uris",
        "oss://bucket/path",
    ),
    (
        "broker_load",
        {"label": "{{ l }}"},
        {"job_label": "bad label!"},
        "label",
        "use only letters A-Z a-z, digits",
    ),
    ("broker_load", {"partitions": "{{ p }}"}, {"partitions": "p1"}, "partitions", "partitions=['p1']"),
    (
        "broker_load",
        {
            "source_uris": None,
            "table": None,
            "data_descriptions": [{"source_uris": "{{ s }}", "table": "db.t"}],
        },
        {"data_descriptions": [{"source_uris": f"oss://{BUCKET}/k", "table": "db.t", "columns": [1]}]},
        "columns[0]",
        "non-empty name string",
    ),
    ("export", {"columns": "{{ c }}"}, {"columns": [1]}, "columns[0]", "non-empty string"),
    ("export", {"target_uri": "{{ u }}"}, {"target_uri": "x"}, "target_uri", "oss://bucket/path"),
    ("insert", {"source_uri": "{{ u }}"}, {"source_uri": ""}, "source_uri", "oss://bucket/path"),
    ("insert", {"columns": "{{ c }}"}, {"columns": "a"}, "columns", "columns=['a']"),
    ("outfile", {"sql": "{{ q }}"}, {"sql": None}, "sql", "SELECT statement as a string"),
    ("outfile", {"target_uri": "{{ u }}"}, {"target_uri": "nope"}, "target_uri", "oss://bucket/path"),
    (
        "catalog",
        {"catalog_properties": {"type": "{{ t }}"}},
        {"catalog_properties": "x"},
        "catalog_properties",
        "must be a dict",
    ),
    ("catalog", {"catalog_name": "{{ n }}"}, {"catalog_name": ""}, "catalog_name", "non-empty string"),
    ("key_sensor", {"bucket_key": "{{ k }}"}, {"bucket_key": 5}, "bucket_key", "string or a non-empty list"),
    (
        "key_sensor",
        {"bucket_key": "{{ k }}", "use_regex": True},
        {"bucket_key": f"oss://{BUCKET}/("},
        "bucket_key",
        "drop use_regex",
    ),
    (
        "key_sensor",
        {"bucket_name": "{{ b }}"},
        {"bucket_name": "Bad_Name"},
        "bucket_name",
        "Example: 'my-bucket-1'",
    ),
    ("keys_unchanged_sensor", {"prefix": "{{ p }}"}, {"prefix": None}, "prefix", "non-empty string"),
    (
        "keys_unchanged_sensor",
        {"oss_conn_id": "{{ c }}"},
        {"oss_conn_id": ""},
        "oss_conn_id",
        "without spaces",
    ),
    # ---- issue 15 item 1: a templated partitions that renders empty never overwrites the whole table
    *[
        ("insert", {"overwrite": True, "partitions": "{{ p }}"}, {"partitions": rendered}, "partitions", fix)
        for rendered, fix in (
            (None, "overwrite=True needs partitions"),
            ([], "overwrite=True needs partitions"),
            ((), "overwrite=True needs partitions"),
            ("", "not an empty string"),
            ("None", "partitions=['None']"),
            (["*"], 'write partitions="*"'),
            ([""], "non-empty string"),
        )
    ],
    ("insert", {"partitions": "{{ p }}"}, {"partitions": "*"}, "partitions", "set overwrite=True"),
    ("export", {"partitions": "{{ p }}"}, {"partitions": ["*"]}, "partitions[0]", "leave partitions out"),
    (
        "broker_load",
        {"partitions": "{{ p }}"},
        {"partitions": ["*"]},
        "partitions[0]",
        "leave partitions out",
    ),
    # ---- every templated argument is judged after rendering by the rule it is judged by at parse
    ("broker_load", {"where": "{{ w }}"}, {"where": "k1 > 0; DROP TABLE t"}, "where", "without ';'"),
    ("broker_load", {"label": "{{ l }}"}, {"job_label": "a.b"}, "label", "no '.', ':', '/'"),
    ("broker_load", {"source_uris": "{{ s }}"}, {"source_uris": None}, "source_uris", "Give exactly one"),
    ("broker_load", {"table": "{{ t }}"}, {"table": "a.b.c"}, "table", "is ambiguous"),
    ("export", {"where": "{{ w }}"}, {"where": "a > (1"}, "where", "leaves a parenthesis open"),
    ("export", {"columns": "{{ c }}"}, {"columns": ["a,b"]}, "columns", "contains ','"),
    ("insert", {"select_list": "{{ s }}"}, {"select_list": "c1 # x"}, "select_list", "use -- or /* */"),
    (
        "outfile",
        {"sql": "{{ q }}"},
        {"sql": "WITH x AS (SELECT 1) DELETE FROM t"},
        "sql",
        "write WITH ... SELECT",
    ),
    (
        "catalog",
        {"catalog_properties": {"type": "{{ t }}"}},
        {"catalog_properties": {"type": "hms", "s3.secret_key": "k"}},
        "catalog_properties",
        "set it on the connection",
    ),
    (
        "key_sensor",
        {"bucket_key": "{{ k }}", "use_regex": True},
        {"bucket_key": f"oss://{BUCKET}/(a+)+$"},
        "bucket_key",
        "use wildcard_match",
    ),
]


@pytest.mark.parametrize(
    ("kind", "template", "rendered", "field_name", "fix"),
    [pytest.param(*row, id=f"{row[0]}-{row[3]}-{i}") for i, row in enumerate(RENDERED_CASES)],
)
def test_rendered_value_refused_at_execute(
    kind: str, template: dict[str, Any], rendered: dict[str, Any], field_name: str, fix: str
) -> None:
    cls, base = CLASSES[kind]
    task = cls(**{**base, **template})
    for attr, value in rendered.items():
        setattr(task, attr, value)
    assert_refused(lambda: task.execute(_context()), field_name, fix)


# ---------------------------------------------------------------- operators on a bad connection


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("broker_load", {"oss_conn_id": "bad_oss", "label": "l1"}),
        (
            "broker_load",
            {"oss_conn_id": "bad_oss", "source_uris": None, "local_files": __file__, "label": "l1"},
        ),
        ("export", {"oss_conn_id": "bad_oss", "label": "l1"}),
        ("insert", {"oss_conn_id": "bad_oss", "label": "l1"}),
        ("outfile", {"oss_conn_id": "bad_oss"}),
        ("catalog", {"oss_conn_id": "bad_oss"}),
        ("key_sensor", {"oss_conn_id": "bad_oss"}),
        ("keys_unchanged_sensor", {"oss_conn_id": "bad_oss"}),
    ],
)
def test_task_on_a_bad_connection_is_refused_before_connecting(kind: str, overrides: dict[str, Any]) -> None:
    cls, base = CLASSES[kind]
    task = cls(**{**base, **overrides})
    assert_refused(lambda: task.execute(_context()), "connection_maximum", _POOL_FIX)


@pytest.mark.parametrize("key", [f"oss://{BUCKET}/\\d+\\.csv", f"oss://{BUCKET}/in/(a|b)+\\.csv", "\\w+/x"])
def test_a_regex_that_cannot_backtrack_without_bound_is_accepted(key: str) -> None:
    """A regex key is judged as a regex (a leading escape such as \\d is no backslash in the key)."""
    assert OssKeySensor(task_id="t", bucket_key=key, use_regex=True, bucket_name=None) is not None


def test_port_field_zero_means_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Port field's 0 is "not set" (Airflow 3.3.2's Test button sends it); the endpoint's port stays."""
    conn = {"conn_type": "doris_oss", "host": ENDPOINT, "port": 0, "login": AK, "password": SK}
    monkeypatch.setenv("AIRFLOW_CONN_ZERO", json.dumps({**conn, "extra": '{"region": "cn-beijing"}'}))
    assert DorisOssHook(oss_conn_id="zero").properties.endpoint_url == f"https://{ENDPOINT}"


def test_the_table_has_at_least_150_rows() -> None:
    rows = len(CONN_ROWS) + len(ARG_CASES) + len(RENDERED_CASES) + 8
    assert rows >= 150, rows


# ---------------------------------------------------------------- the triggerer's side


def test_async_hook_refuses_a_bad_connection_before_connecting() -> None:
    import asyncio

    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

    assert_refused(
        lambda: asyncio.run(DorisOssAsyncHook("bad_oss").properties()), "connection_maximum", _POOL_FIX
    )


@pytest.mark.parametrize(
    "trigger",
    [
        pytest.param(
            lambda: OssKeyTrigger(bucket_keys=[f"oss://{BUCKET}/k"], oss_conn_id="bad_oss"), id="key"
        ),
        pytest.param(
            lambda: OssKeysUnchangedTrigger(bucket_name=BUCKET, prefix="p/", oss_conn_id="bad_oss"),
            id="keys-unchanged",
        ),
    ],
)
def test_trigger_on_a_bad_connection_ends_with_the_message(trigger: Callable[[], Any]) -> None:
    import asyncio

    async def first_event() -> Any:
        async for event in trigger().run():
            return event.payload
        return None

    payload = asyncio.run(asyncio.wait_for(first_event(), timeout=30))
    assert payload["status"] == "error"
    assert "connection_maximum" in payload["message"] and _POOL_FIX in payload["message"]
    assert SK not in payload["message"]


# ---------------------------------------------------------------- issue 15 items 3, 9, 10: object locations
# (uris.py's rules, everywhere a URI is taken; kept apart from the tables above)

_CREDS = f"{AK}:{SK}@"
_CONSOLE = f"https://{BUCKET}.oss-cn-beijing.aliyuncs.com"
_NO_CREDS = "belong in the OSS connection"
LOCATION_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # item 3: user information or a port where the bucket belongs, in every kind of location
    ("broker_load", {"source_uris": f"oss://{_CREDS}{BUCKET}/k.csv"}, "source_uris", _NO_CREDS),
    (
        "broker_load",
        {"source_uris": [BL["source_uris"], f"s3://{AK}@{BUCKET}/k"]},
        "source_uris[1]",
        _NO_CREDS,
    ),
    (
        "broker_load",
        {"source_uris": None, "local_files": "/a.csv", "staging_uri": f"oss://{_CREDS}{BUCKET}/st/"},
        "staging_uri",
        _NO_CREDS,
    ),
    (
        "insert",
        {"source_uri": f"https://{_CREDS}{BUCKET}.oss-cn-beijing.aliyuncs.com/k"},
        "source_uri",
        _NO_CREDS,
    ),
    ("export", {"target_uri": f"oss://{_CREDS}{BUCKET}/out/x_"}, "target_uri", _NO_CREDS),
    ("outfile", {"target_uri": f"oss://{BUCKET}:8443/out/x_"}, "target_uri", "write oss://bucket/path"),
    ("outfile", {"target_uri": f"oss://{AK}:{SK}/out/x_"}, "target_uri", _NO_CREDS),
    ("key_sensor", {"bucket_key": f"oss://{_CREDS}{BUCKET}/k"}, "bucket_key", _NO_CREDS),
    ("keys_unchanged_sensor", {"prefix": f"s3://{_CREDS}{BUCKET}/p/"}, "prefix", _NO_CREDS),
    ("key_trigger", {"bucket_keys": [f"oss://{_CREDS}{BUCKET}/k"]}, "bucket_keys[0]", _NO_CREDS),
    ("object_event_trigger", {"prefix": f"oss://{_CREDS}{BUCKET}/in/"}, "prefix", _NO_CREDS),
    # item 3: OSS's bucket-name rules apply to the bucket inside a URI
    ("broker_load", {"source_uris": "oss://My_Bucket/k"}, "source_uris", "Example: oss://my-bucket-1/path"),
    ("export", {"target_uri": "oss://ab/out/x_"}, "target_uri", "3 to 63"),
    ("insert", {"source_uri": "s3://bad_bucket/k"}, "source_uri", "lowercase letters, digits and hyphens"),
    ("key_sensor", {"bucket_key": "oss://-bucket/k"}, "bucket_key", "start and end with a letter or digit"),
    ("object_event_trigger", {"prefix": "oss://UPPER/in/"}, "prefix", "uppercase"),
    # item 9: keys OSS cannot hold, so no object ever matches (a wait without an end)
    ("key_sensor", {"bucket_key": f"oss://{BUCKET}//a/b.csv"}, "bucket_key", f"Write oss://{BUCKET}/a/b.csv"),
    ("key_sensor", {"bucket_key": "/a/b.csv", "bucket_name": BUCKET}, "bucket_key", "Write 'a/b.csv'"),
    ("key_sensor", {"bucket_key": ["ok", "\\a.csv"]}, "bucket_key[1]", "cannot start with '/' or '\\'"),
    ("key_sensor", {"bucket_key": "/in/*.csv", "wildcard_match": True}, "bucket_key", "Write 'in/*.csv'"),
    ("key_sensor", {"bucket_key": "\\/in/.*", "use_regex": True}, "bucket_key", "Drop the leading '/'"),
    ("key_sensor", {"bucket_key": f"oss://{BUCKET}/" + "k" * 1024}, "bucket_key", "at most 1023"),
    ("key_sensor", {"bucket_key": f"oss://{BUCKET}/\udcff"}, "bucket_key", "OSS object names are UTF-8"),
    ("key_sensor", {"bucket_key": f" oss://{BUCKET}/k"}, "bucket_key", "Remove it"),
    ("keys_unchanged_sensor", {"prefix": "/p/"}, "prefix", "Write 'p/'"),
    (
        "broker_load",
        {"source_uris": f"oss://{BUCKET}//in/*.csv"},
        "source_uris",
        f"Write oss://{BUCKET}/in/*.csv",
    ),
    ("key_trigger", {"bucket_keys": [f"oss://{BUCKET}//k"]}, "bucket_keys[0]", f"Write oss://{BUCKET}/k"),
    ("key_trigger", {"bucket_keys": ["k"]}, "bucket_keys[0]", "Write it as oss://bucket/path"),
    # item 9: OSS object URLs: accepted (test_object_urls_are_accepted), or refused saying why
    (
        "key_sensor",
        {"bucket_key": f"{_CONSOLE}/k?OSSAccessKeyId={AK}&Signature={SK}"},
        "bucket_key",
        "Drop it",
    ),
    ("key_sensor", {"bucket_key": f"{_CONSOLE}/k#frag"}, "bucket_key", f"write oss://{BUCKET}/key"),
    ("insert", {"source_uri": f"https://oss-cn-beijing.aliyuncs.com/{BUCKET}/k"}, "source_uri", "path-style"),
    ("export", {"target_uri": "https://files.example.com/out/x_"}, "target_uri", "a custom domain does not"),
    ("key_sensor", {"bucket_key": f"{_CONSOLE}/%FF"}, "bucket_key", "Fix the escapes"),
    # item 10: no key where one is needed
    (
        "broker_load",
        {"source_uris": f"oss://{BUCKET}"},
        "source_uris",
        f"oss://{BUCKET}/* if you really mean",
    ),
    ("broker_load", {"source_uris": [f"oss://{BUCKET}/"]}, "source_uris[0]", f"write oss://{BUCKET}/*"),
    ("insert", {"source_uri": f"s3://{BUCKET}/"}, "source_uri", "read every object in bucket"),
    ("insert", {"source_uri": f"{_CONSOLE}/"}, "source_uri", f"oss://{BUCKET}/* if you really mean"),
    ("export", {"target_uri": f"oss://{BUCKET}"}, "target_uri", f"Write oss://{BUCKET}/dir/prefix_"),
    ("outfile", {"target_uri": f"oss://{BUCKET}/"}, "target_uri", "delete every object in the bucket"),
    ("key_sensor", {"bucket_key": f"oss://{BUCKET}"}, "bucket_key", f"Write oss://{BUCKET}/key"),
]


@pytest.mark.parametrize(
    ("kind", "overrides", "field_name", "fix"),
    [pytest.param(*row, id=f"{row[0]}-{row[2]}-{i}") for i, row in enumerate(LOCATION_CASES)],
)
def test_location_refused(kind: str, overrides: dict[str, Any], field_name: str, fix: str) -> None:
    cls, base = CLASSES[kind]
    assert_refused(lambda: cls(**{**base, **overrides}), field_name, fix)


def test_a_data_description_without_a_key_is_refused() -> None:
    """Refused at DAG parse or, at the latest, before the statement is built."""
    cls, base = CLASSES["broker_load"]
    descriptions = [{"source_uris": f"oss://{BUCKET}", "table": "db.t"}]
    args = {**base, "source_uris": None, "table": None, "data_descriptions": descriptions}
    assert_refused(
        lambda: cls(**args).execute(_context()), "source_uris", f"oss://{BUCKET}/* if you really mean"
    )


LOCATION_RENDERED_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    (
        "broker_load",
        {"source_uris": "{{ s }}"},
        {"source_uris": f"oss://{_CREDS}{BUCKET}/k"},
        "source_uris",
        _NO_CREDS,
    ),
    (
        "insert",
        {"source_uri": "{{ s }}"},
        {"source_uri": f"oss://{BUCKET}"},
        "source_uri",
        f"oss://{BUCKET}/*",
    ),
    ("export", {"target_uri": "{{ t }}"}, {"target_uri": f"s3://{BUCKET}/"}, "target_uri", "dir/prefix_"),
    (
        "outfile",
        {"target_uri": "{{ t }}"},
        {"target_uri": f"oss://{_CREDS}{BUCKET}/x_"},
        "target_uri",
        _NO_CREDS,
    ),
    ("key_sensor", {"bucket_key": "{{ k }}"}, {"bucket_key": f"oss://{BUCKET}//k"}, "bucket_key", "'//'"),
    ("key_sensor", {"bucket_key": "{{ k }}"}, {"bucket_key": ["ok", "/k"]}, "bucket_key[1]", "Write 'k'"),
    (
        "keys_unchanged_sensor",
        {"prefix": "{{ p }}"},
        {"prefix": f"oss://{_CREDS}{BUCKET}/"},
        "prefix",
        _NO_CREDS,
    ),
]


@pytest.mark.parametrize(
    ("kind", "template", "rendered", "field_name", "fix"),
    [pytest.param(*row, id=f"{row[0]}-{row[3]}-{i}") for i, row in enumerate(LOCATION_RENDERED_CASES)],
)
def test_rendered_location_refused_at_execute(
    kind: str, template: dict[str, Any], rendered: dict[str, Any], field_name: str, fix: str
) -> None:
    cls, base = CLASSES[kind]
    task = cls(**{**base, **template})
    for attr, value in rendered.items():
        setattr(task, attr, value)
    assert_refused(lambda: task.execute(_context()), field_name, fix)


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("broker_load", {"source_uris": f"{_CONSOLE}/in/*.csv"}),
        ("broker_load", {"source_uris": f"oss://{BUCKET}/*"}),  # the whole bucket, said explicitly
        ("insert", {"source_uri": f"https://{BUCKET}.oss-cn-beijing-internal.aliyuncs.com/in/a%20b.csv"}),
        ("export", {"target_uri": f"https://{BUCKET}.oss-accelerate.aliyuncs.com/out/x_"}),
        ("outfile", {"target_uri": f"https://{BUCKET}.s3.oss-cn-beijing.aliyuncs.com/out/"}),
        ("key_sensor", {"bucket_key": f"{_CONSOLE}/in/a.csv"}),
        ("key_sensor", {"bucket_key": "\\d+\\.csv", "use_regex": True, "bucket_name": BUCKET}),
        (
            "key_sensor",
            {"bucket_key": f"oss://{BUCKET}/\\d+\\.csv", "use_regex": True},
        ),  # an escape, not a key
        ("keys_unchanged_sensor", {"prefix": f"{_CONSOLE}/p/"}),
        ("keys_unchanged_sensor", {"prefix": f"oss://{BUCKET}/"}),  # a prefix may be the whole bucket
        ("broker_load", {"source_uris": None, "local_files": "/a.csv", "staging_uri": f"oss://{BUCKET}"}),
        ("object_event_trigger", {"prefix": f"{_CONSOLE}/in/"}),
    ],
)
def test_object_urls_and_bucket_roots_are_accepted_where_they_make_sense(
    kind: str, overrides: dict[str, Any]
) -> None:
    cls, base = CLASSES[kind]
    assert cls(**{**base, **overrides}) is not None


def test_an_asset_uri_with_user_information_is_refused() -> None:
    from airflow.sdk import Asset

    assert_refused(lambda: Asset(uri=f"oss://{AK}@{BUCKET}/k"), "asset URI", _NO_CREDS)
    assert_refused(lambda: Asset(uri=f"oss://{BUCKET}//k"), "asset URI", f"Write oss://{BUCKET}/k")
    assert_refused(lambda: Asset(uri="oss://Bad_Bucket/k"), "asset URI", "lowercase")


# ------------------------------------------ delete_existing_files with no folder below the bucket
# Doris empties the target's folder first: for oss://bucket/prefix_ that is the whole bucket.

DELETE_SCOPE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("export", {"target_uri": f"oss://{BUCKET}/prefix_", "delete_existing_files": True}),
    ("outfile", {"target_uri": f"s3://{BUCKET}/result_", "delete_existing_files": True}),
    ("outfile", {"target_uri": f"{_CONSOLE}/result_", "delete_existing_files": True}),
]


@pytest.mark.parametrize(("kind", "overrides"), DELETE_SCOPE_CASES)
def test_deleting_existing_files_in_a_bucket_root_is_refused(kind: str, overrides: dict[str, Any]) -> None:
    cls, base = CLASSES[kind]
    text = assert_refused(lambda: cls(**{**base, **overrides}), "target_uri", f"oss://{BUCKET}/dir/")
    assert "every object in bucket" in text


@pytest.mark.parametrize("kind", ["export", "outfile"])
def test_deleting_existing_files_in_a_rendered_bucket_root_is_refused_at_execute(kind: str) -> None:
    cls, base = CLASSES[kind]
    task = cls(**{**base, "target_uri": "{{ t }}", "delete_existing_files": True})
    task.target_uri = f"oss://{BUCKET}/prefix_"
    assert_refused(lambda: task.execute(_context()), "target_uri", f"oss://{BUCKET}/dir/")


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("export", {"target_uri": f"oss://{BUCKET}/dir/prefix_", "delete_existing_files": True}),
        ("outfile", {"target_uri": f"oss://{BUCKET}/prefix_", "delete_existing_files": False}),
    ],
)
def test_deleting_existing_files_under_a_folder_is_accepted(kind: str, overrides: dict[str, Any]) -> None:
    cls, base = CLASSES[kind]
    assert cls(**{**base, **overrides}) is not None
