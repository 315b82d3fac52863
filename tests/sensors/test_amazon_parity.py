"""OssKeySensor beside the amazon provider's S3KeySensor, both poking the same LocalOss objects.

Where the two sensors share an interface they must agree: which keys count as found, what a
``check_fn`` is called with (and how), and which strings are keys rather than URIs.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest


@pytest.fixture
def aws_conn(local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``aws_default`` pointing at the same local OSS (virtual-hosted, through its proxy)."""
    extra = {
        "endpoint_url": local_oss.endpoint,
        "region_name": local_oss.region,
        "config_kwargs": {
            "proxies": {"http": local_oss.proxy_url},
            "s3": {"addressing_style": "virtual"},
            "signature_version": "s3v4",
        },
    }
    conn = {
        "conn_type": "aws",
        "login": local_oss.access_key,
        "password": local_oss.secret_key,
        "extra": extra,
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
    return oss_conn


def put(local_oss: Any, bucket: str, key: str, body: bytes = b"hello") -> None:
    local_oss.client().put_object(Bucket=bucket, Key=key, Body=body)


def both(**kwargs: Any) -> tuple[Any, Any]:
    """The amazon sensor and ours, built from the same arguments."""
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    return S3KeySensor(task_id="amazon", **kwargs), OssKeySensor(task_id="ours", **kwargs)


CONTEXT: dict[str, Any] = {"ds": "2026-11-28", "run_id": "parity"}  # a task's context is never empty


def found(sensor: Any) -> bool:
    result = sensor.poke(CONTEXT)
    return bool(getattr(result, "is_done", result))


def test_the_amazon_sensor_reaches_the_local_oss(aws_conn, local_oss):
    """The harness itself: both sensors see a present key and miss an absent one."""
    put(local_oss, aws_conn, "h/present")
    assert [found(s) for s in both(bucket_key="h/present", bucket_name=aws_conn)] == [True, True]
    assert [found(s) for s in both(bucket_key="h/absent", bucket_name=aws_conn)] == [False, False]


@pytest.mark.parametrize("form", ["plain", "uri"])
def test_a_key_ending_in_a_space_is_that_key(aws_conn, local_oss, form):
    put(local_oss, aws_conn, "sp/report.csv ")
    args = (
        {"bucket_key": "sp/report.csv ", "bucket_name": aws_conn}
        if form == "plain"
        else {"bucket_key": f"s3://{aws_conn}/sp/report.csv "}
    )
    amazon, ours = both(**args)
    assert found(amazon) is True
    assert found(ours) is True
    assert [f["Key"] for f in ours.poke(CONTEXT).xcom_value] == ["sp/report.csv "]
    # and the stripped key, which does not exist, is not what either sensor looks for
    amazon, ours = both(bucket_key="sp/report.csv", bucket_name=aws_conn)
    assert [found(amazon), found(ours)] == [False, False]


def test_a_plain_key_containing_a_scheme_separator_is_a_key(aws_conn, local_oss):
    put(local_oss, aws_conn, "mirror/https://example.com/a.json")
    amazon, ours = both(bucket_key="mirror/https://example.com/a.json", bucket_name=aws_conn)
    assert found(amazon) is True
    assert found(ours) is True


def test_a_url_of_another_service_is_refused_by_both(aws_conn):
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    args = {"bucket_key": "https://elsewhere/a.json", "bucket_name": aws_conn}
    with pytest.raises(TypeError, match="relative path"):
        S3KeySensor(task_id="amazon", **args).poke({})
    with pytest.raises(ValueError, match=r"bucket_key: 'https://elsewhere/a\.json' is not an OSS object URL"):
        OssKeySensor(task_id="ours", **args)  # at DAG parse, before any poke


@pytest.mark.parametrize("with_bucket_name", [True, False])
def test_a_space_before_a_uri_is_refused_by_both(aws_conn, local_oss, with_bucket_name):
    """A key is verbatim, but a space before ``s3://`` makes no key: both sensors refuse it."""
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    put(local_oss, aws_conn, "sp/a.csv")
    args: dict[str, Any] = {"bucket_key": f" s3://{aws_conn}/sp/a.csv"}
    if with_bucket_name:
        args["bucket_name"] = aws_conn
    from airflow.providers.amazon.aws.exceptions import S3HookUriParseFailure

    with pytest.raises(TypeError if with_bucket_name else S3HookUriParseFailure):
        S3KeySensor(task_id="amazon", **args).poke({})
    with pytest.raises(ValueError, match="starts with whitespace"):
        OssKeySensor(task_id="ours", **args)


def test_the_console_url_of_an_object_is_accepted_by_both(aws_conn, local_oss):
    """Each sensor takes the virtual-hosted URL its console copies: S3's, and OSS's."""
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    put(local_oss, aws_conn, "u/a b.csv")
    amazon = S3KeySensor(
        task_id="amazon", bucket_key=f"https://{aws_conn}.s3.cn-beijing.amazonaws.com/u/a b.csv"
    )
    ours = OssKeySensor(
        task_id="ours", bucket_key=f"https://{aws_conn}.oss-cn-beijing.aliyuncs.com/u/a%20b.csv"
    )
    assert found(amazon) is True
    assert found(ours) is True
    assert [f["Key"] for f in ours.poke(CONTEXT).xcom_value] == ["u/a b.csv"]


def test_a_double_slash_after_the_bucket(aws_conn, local_oss):
    """Amazon strips the leading '/' and waits for 'a/b.csv'; OSS has no key '/a/b.csv', so ours refuses."""
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    put(local_oss, aws_conn, "a/b.csv")
    assert found(S3KeySensor(task_id="amazon", bucket_key=f"s3://{aws_conn}//a/b.csv")) is True
    with pytest.raises(ValueError, match=r"bucket_key: .*the key '/a/b.csv' starts with '/'.*Write oss://"):
        OssKeySensor(task_id="ours", bucket_key=f"s3://{aws_conn}//a/b.csv")


def test_check_fn_with_a_list_of_keys(aws_conn, local_oss):
    """Amazon calls ``check_fn`` once per key, each time with that key's files; ours once, with all."""
    put(local_oss, aws_conn, "two/a.csv", b"1")
    put(local_oss, aws_conn, "two/b.csv", b"22")
    seen: dict[str, list[list[str]]] = {"amazon": [], "ours": []}

    def recorder(name: str) -> Any:
        def check(files: list[dict[str, Any]]) -> bool:
            seen[name].append(sorted(str(f["Size"]) for f in files))
            return True

        return check

    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    args = {"bucket_key": ["two/a.csv", "two/b.csv"], "bucket_name": aws_conn}
    assert found(S3KeySensor(task_id="amazon", check_fn=recorder("amazon"), **args)) is True
    assert found(OssKeySensor(task_id="ours", check_fn=recorder("ours"), **args)) is True
    assert seen["amazon"] == [["1"], ["2"]]
    assert seen["ours"] == [["1", "2"]]


def test_regex_with_a_parenthesis_in_a_class_before_a_top_level_alternative(aws_conn, local_oss):
    put(local_oss, aws_conn, "logs/x.log")
    amazon, ours = both(bucket_key=r"xx[(]|logs/x\.log", bucket_name=aws_conn, use_regex=True)
    assert found(amazon) is True
    assert found(ours) is True


def test_check_fn_without_context_is_called_with_the_files_only(aws_conn, local_oss):
    put(local_oss, aws_conn, "cf/a.csv", b"12345")
    seen: dict[str, list[Any]] = {"amazon": [], "ours": []}

    def recorder(name: str) -> Any:
        def check(files: list[dict[str, Any]]) -> bool:
            seen[name].append(files)
            return True

        return check

    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    args = {"bucket_key": "cf/*.csv", "bucket_name": aws_conn, "wildcard_match": True}
    amazon = S3KeySensor(task_id="amazon", check_fn=recorder("amazon"), **args)
    ours = OssKeySensor(task_id="ours", check_fn=recorder("ours"), **args)
    assert found(amazon) is True
    assert found(ours) is True
    assert [[f["Size"] for f in files] for files in seen["amazon"]] == [[5]]
    assert [[f["Size"] for f in files] for files in seen["ours"]] == [[5]]


@pytest.mark.parametrize("wildcard", [True, False])
def test_check_fn_gets_last_modified_as_a_datetime(aws_conn, local_oss, wildcard):
    put(local_oss, aws_conn, "lm/a.csv")
    seen: dict[str, Any] = {}

    def recorder(name: str) -> Any:
        def check(files: list[dict[str, Any]], **context: Any) -> bool:
            seen[name] = files[0]["LastModified"]
            return True

        return check

    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    key = "lm/*.csv" if wildcard else "lm/a.csv"
    args = {
        "bucket_key": key,
        "bucket_name": aws_conn,
        "wildcard_match": wildcard,
        "metadata_keys": ["LastModified"],
    }
    assert found(S3KeySensor(task_id="amazon", check_fn=recorder("amazon"), **args)) is True
    assert found(OssKeySensor(task_id="ours", check_fn=recorder("ours"), **args)) is True
    assert isinstance(seen["amazon"], datetime)
    assert isinstance(seen["ours"], datetime)
    assert seen["ours"] == seen["amazon"]
