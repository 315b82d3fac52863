"""``uris``: what an object URI is, for every part of the provider (issue 15, items 3, 9, 10)."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.uris import (
    MAX_KEY_BYTES,
    ObjectUri,
    check_region,
    parse_uri,
    resolve,
    role_of,
    uri_problem,
    url_region,
)

AK, SK = "LTAI5tUriKeyId0001", "UriSecretValue-0123456789"


@pytest.mark.parametrize(
    "uri",
    [
        f"oss://{AK}:{SK}@lake/k",
        f"s3://{AK}:{SK}@lake/k",
        f"OSS://{AK}@lake/k",
        f"oss://{AK}:{SK}@lake",
        f"https://{AK}:{SK}@lake.oss-cn-beijing.aliyuncs.com/k",
        f"oss://{AK}:{SK}/k",  # no '@': the ':' alone is refused, and not echoed
        "oss://lake:443/k",
    ],
)
def test_credentials_in_a_uri_are_refused_without_echoing_them(uri):
    problem = uri_problem(uri, field="source_uris", role="source")
    assert problem is not None and problem.startswith("source_uris: ")
    assert "never in a URI" in problem and "oss://bucket/path" in problem
    assert AK not in problem and SK not in problem
    with pytest.raises(ValueError) as info:
        parse_uri(uri, field="source_uris")
    assert AK not in str(info.value) and SK not in str(info.value)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("oss://My_Bucket/k", "uppercase"),
        ("oss://ab/k", "3 to 63"),
        ("s3://my_bucket/k", "lowercase letters, digits and hyphens"),
        ("oss://-lake/k", "start and end with a letter or digit"),
        ("oss://" + "a" * 64 + "/k", "3 to 63"),
        ("https://my_bucket.oss-cn-beijing.aliyuncs.com/k", "lowercase letters, digits and hyphens"),
    ],
)
def test_bucket_names_inside_uris_follow_oss_rules(uri, reason):
    problem = uri_problem(uri, field="target_uri", role="target")
    assert problem is not None and problem.startswith("target_uri: ")
    assert reason in problem and "Example: oss://my-bucket-1/path" in problem


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("oss://lake//a/b.csv", "starts with '/' (the URI has '//' after the bucket)"),
        ("oss://lake/\\a.csv", "starts with '\\\\'"),
        ("oss://lake/" + "x" * (MAX_KEY_BYTES + 1), "1024 bytes"),
        ("oss://lake/" + "中" * 342, "1026 bytes"),
        ("oss://lake/bad\udc80", "not valid UTF-8"),
        ("https://lake.oss-cn-beijing.aliyuncs.com//a.csv", "starts with '/'"),
        ("https://lake.oss-cn-beijing.aliyuncs.com/%FF.csv", "not UTF-8"),
    ],
)
def test_keys_follow_oss_object_naming_rules(uri, reason):
    problem = uri_problem(uri, field="bucket_key", role="key")
    assert problem is not None and problem.startswith("bucket_key: ")
    assert reason in problem


def test_the_longest_key_oss_allows_is_accepted():
    assert parse_uri("oss://lake/" + "中" * 341).key == "中" * 341  # 1023 bytes
    assert parse_uri("oss://lake/" + "x" * MAX_KEY_BYTES).key == "x" * MAX_KEY_BYTES


def test_a_regex_key_may_start_with_a_backslash_and_be_long():
    assert parse_uri("oss://lake/\\d+\\.csv", regex=True).key == "\\d+\\.csv"
    assert uri_problem("oss://lake//x", field="prefix", regex=True) is not None  # '/' never starts a name


@pytest.mark.parametrize(
    "uri", ["oss://lake", "oss://lake/", "s3://lake/", "https://lake.oss-cn-beijing.aliyuncs.com/"]
)
def test_a_uri_without_a_key(uri):
    source = uri_problem(uri, field="source_uris", role="source")
    assert source is not None and "read every object in bucket 'lake'" in source and "oss://lake/*" in source
    target = uri_problem(uri, field="target_uri", role="target")
    assert target is not None and "root of bucket 'lake'" in target and "oss://lake/dir/prefix_" in target
    key = uri_problem(uri, field="bucket_key", role="key")
    assert key is not None and "names no object key" in key
    assert parse_uri(uri, role="prefix") == ObjectUri("lake", "")  # a prefix may be the whole bucket
    assert parse_uri("oss://lake/*", role="source").key == "*"  # everything, said explicitly


def test_roles_of_the_parameters():
    fields = (
        "source_uris",
        "source_uris[3]",
        "source_uri",
        "target_uri",
        "bucket_key[1]",
        "bucket_keys",
        "prefix",
    )
    assert [role_of(f) for f in fields] == ["source", "source", "source", "target", "key", "key", "prefix"]
    assert role_of("staging_uri") == role_of("checkpoint_prefix") == "prefix"


def test_whitespace_before_the_scheme_is_refused_and_after_the_key_kept():
    problem = uri_problem(" oss://lake/a.csv", field="source_uri")
    assert problem is not None and "starts with whitespace" in problem
    assert parse_uri("oss://lake/a.csv ").key == "a.csv "


@pytest.mark.parametrize(
    ("url", "expected", "region"),
    [
        ("https://lake.oss-cn-beijing.aliyuncs.com/dir/a.csv", ObjectUri("lake", "dir/a.csv"), "cn-beijing"),
        ("https://lake.oss-cn-beijing-internal.aliyuncs.com/a.csv", ObjectUri("lake", "a.csv"), "cn-beijing"),
        ("http://lake.oss-ap-southeast-1.aliyuncs.com/a.csv", ObjectUri("lake", "a.csv"), "ap-southeast-1"),
        ("https://lake.s3.oss-cn-hangzhou.aliyuncs.com/a.csv", ObjectUri("lake", "a.csv"), "cn-hangzhou"),
        ("HTTPS://Lake.OSS-CN-BEIJING.aliyuncs.com/A.csv", ObjectUri("lake", "A.csv"), "cn-beijing"),
        ("https://lake.oss-accelerate.aliyuncs.com/a.csv", ObjectUri("lake", "a.csv"), None),
        ("https://lake.oss-accelerate-overseas.aliyuncs.com/a.csv", ObjectUri("lake", "a.csv"), None),
        # the console percent-encodes: a space, non-ASCII, a literal '%' and '?' (as %3F)
        (
            "https://lake.oss-cn-beijing.aliyuncs.com/d%20x/%E4%B8%AD%25%3F.csv",
            ObjectUri("lake", "d x/中%?.csv"),
            "cn-beijing",
        ),
        ("https://lake.oss-cn-beijing.aliyuncs.com/in/*.csv", ObjectUri("lake", "in/*.csv"), "cn-beijing"),
    ],
)
def test_oss_object_urls_name_their_bucket_key_and_region(url, expected, region):
    assert parse_uri(url, field="bucket_key", role="key") == expected
    assert url_region(url) == region
    assert parse_uri(url).as_s3() == f"s3://{expected.bucket}/{expected.key}"  # what Doris statements get


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            f"https://lake.oss-cn-beijing.aliyuncs.com/a.csv?OSSAccessKeyId={AK}&Expires=1&Signature={SK}",
            "has a query",
        ),
        ("https://lake.oss-cn-beijing.aliyuncs.com/a.csv#top", "has a fragment"),
        ("https://oss-cn-beijing.aliyuncs.com/lake/a.csv", "path-style URL"),
        ("https://files.example.com/a.csv", "custom domain"),
        ("https://lake.cn-hangzhou.oss-dls.aliyuncs.com/a.csv", "not an OSS object URL"),
        ("https://lake.s3.us-east-1.amazonaws.com/a.csv", "not an OSS object URL"),
        ("ftp://lake/a.csv", "is not an object URI"),
    ],
)
def test_urls_that_name_no_oss_object_are_refused(url, reason):
    problem = uri_problem(url, field="bucket_key", role="key")
    assert problem is not None and problem.startswith("bucket_key: ")
    assert reason in problem and "oss://" in problem
    assert AK not in problem and SK not in problem


def test_a_url_in_another_region_than_the_connection_is_refused():
    url = "https://lake.oss-cn-hangzhou.aliyuncs.com/a.csv"
    with pytest.raises(ValueError) as info:
        check_region(["oss://lake/x", url], "cn-beijing", field="source_uris", conn_id="doris_oss_default")
    text = str(info.value)
    assert text.startswith("source_uris[1]: ") and "'cn-hangzhou'" in text and "'cn-beijing'" in text
    assert "doris_oss_default" in text
    check_region(url, "cn-hangzhou", field="f", conn_id="c")  # the same region
    check_region("https://lake.oss-accelerate.aliyuncs.com/a", "cn-beijing", field="f", conn_id="c")
    check_region("oss://lake/a", "cn-beijing", field="f", conn_id="c")
    with pytest.raises(ValueError, match=r"prefix: .*'cn-hangzhou'"):
        resolve(url, None, conn_id="c", field="prefix", region="cn-beijing")
    assert resolve(url, None, conn_id="c", region="cn-hangzhou") == ObjectUri("lake", "a.csv")
