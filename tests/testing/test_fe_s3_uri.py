"""The S3() table function reads its ``uri`` by Doris's ``S3URI`` rules: the endpoint and bucket of a
virtual-hosted URI, path-style with ``use_path_style``, ``s3://``/``oss://``, and
``force_parsing_by_standard_uri``; refusals in Doris's words."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_doris_oss.testing.doris_fe.s3_uri import S3Uri, S3UriError, parse_s3_uri

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


@pytest.mark.parametrize(
    ("uri", "path_style", "standard", "expected"),
    [
        ("s3://b/dir/k.csv", False, False, S3Uri("b", "dir/k.csv", None)),
        ("oss://b/k*", False, False, S3Uri("b", "k*", None)),
        ("S3A://b/k", False, False, S3Uri("b", "k", None)),
        ("http://b.oss-cn-beijing.aliyuncs.com/dir/k", False, False, S3Uri("b", "dir/k", "oss-cn-beijing.aliyuncs.com")),
        ("https://b.s3.us-east-1.amazonaws.com/k?x#y", False, False, S3Uri("b", "k?x#y", "s3.us-east-1.amazonaws.com")),
        ("http://oss-cn-beijing.aliyuncs.com/b/dir/k", True, False, S3Uri("b", "dir/k", "oss-cn-beijing.aliyuncs.com")),
        ("http://127.0.0.1:9000/b/k", True, False, S3Uri("b", "k", "127.0.0.1:9000")),
        # a path-style URI read virtual-hosted: the first host label is the "bucket"
        ("http://oss-cn-beijing.aliyuncs.com/b/k", False, False, S3Uri("oss-cn-beijing", "b/k", "aliyuncs.com")),
        ("oss://b.oss-cn-beijing.aliyuncs.com/k", False, True, S3Uri("b", "k", "oss-cn-beijing.aliyuncs.com")),
        ("s3://host/b/k", True, True, S3Uri("b", "k", "host")),
        ("http://localhost/k", False, False, S3Uri("localhost", "k", None)),
    ],
)  # fmt: skip
def test_uri_rules(uri: str, path_style: bool, standard: bool, expected: S3Uri) -> None:
    assert parse_s3_uri(uri, path_style, standard) == expected


@pytest.mark.parametrize(
    ("uri", "path_style", "message"),
    [
        ("ftp://b/k", False, "Invalid scheme: ftp://b/k"),
        ("b/k", False, "Invalid scheme: b/k"),
        ("s3://b", False, "missing key: s3://b"),
        ("s3:///k", False, "missing bucket: s3:///k"),
        ("http:///k", False, "Invalid S3 URI: no hostname: http:///k"),
        ("http://b.host", False, "missing key: http://b.host"),
        ("http://host/b", True, "missing key: http://host/b"),
        ("http://host/", True, "missing bucket: http://host/"),
    ],
)
def test_uri_refusals_in_doris_words(uri: str, path_style: bool, message: str) -> None:
    with pytest.raises(S3UriError) as info:
        parse_s3_uri(uri, path_style)
    assert str(info.value) == message


def keys(doris: DorisClient) -> str:
    return f'"s3.access_key" = "{doris.oss.access_key}", "s3.secret_key" = "{doris.oss.secret_key}"'


def test_outfile_output_reads_back_through_a_virtual_hosted_uri_without_endpoint(
    doris: DorisClient, oss_bucket: str
) -> None:
    doris.run("CREATE TABLE t (k INT, v VARCHAR(8)) DISTRIBUTED BY HASH(k) BUCKETS 1")
    doris.run("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    (result,) = doris.run(
        f'SELECT * FROM t INTO OUTFILE "s3://{oss_bucket}/out/r_" FORMAT AS CSV PROPERTIES ({doris.storage()})'
    )
    prefix = result["URL"].split(f"s3://{oss_bucket}/", 1)[1]
    host = doris.oss.endpoint.split("://", 1)[1]  # oss-cn-beijing.aliyuncs.com, as OSS names it
    uri = f"http://{oss_bucket}.{host}/{prefix}"
    rows = doris.run(f'SELECT c1, c2 FROM S3("uri" = "{uri}", "format" = "csv", {keys(doris)}) ORDER BY c1')
    assert rows == [{"c1": "1", "c2": "a"}, {"c1": "2", "c2": "b"}]
    # the OSS endpoint the URI names was reached (through the FE's proxy), bucket in the host
    assert any(r.host == f"{oss_bucket}.{host}" and r.method == "GET" for r in doris.oss.requests)


def test_export_output_reads_back_through_a_virtual_hosted_uri(doris: DorisClient, oss_bucket: str) -> None:
    doris.run("CREATE TABLE t (k INT, v VARCHAR(8)) DISTRIBUTED BY HASH(k) BUCKETS 1")
    doris.run("INSERT INTO t VALUES (7, 'x')")
    doris.run(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/exp/e_" PROPERTIES ("label" = "e1", "column_separator" = ",") '
        f"WITH S3 ({doris.storage()})"
    )
    assert doris.wait("EXPORT", "e1")["State"] == "FINISHED"
    host = doris.oss.endpoint.split("://", 1)[1]
    uri = f"https://{oss_bucket}.{host}/exp/e_*"
    rows = doris.run(
        f'SELECT * FROM S3("uri" = "{uri}", "format" = "csv", "column_separator" = ",", {keys(doris)})'
    )
    assert rows == [{"c1": "7", "c2": "x"}]


def test_path_style_uri_needs_use_path_style_and_meets_oss_refusal(
    doris: DorisClient, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "p/a.csv", b"1\n")
    host = doris.oss.endpoint.split("://", 1)[1]
    uri = f"http://{host}/{oss_bucket}/p/a.csv"
    # Read virtual-hosted (Doris's default) the endpoint is "aliyuncs.com": no region derivable.
    _, message = doris.error(f'SELECT * FROM S3("uri" = "{uri}", "format" = "csv", {keys(doris)})')
    assert "Region is not set" in message
    # With use_path_style the bucket is the first path segment; OSS refuses path-style requests.
    _, message = doris.error(
        f'SELECT * FROM S3("uri" = "{uri}", "format" = "csv", "use_path_style" = "true", {keys(doris)})'
    )
    assert "SecondLevelDomainForbidden" in message


def test_uri_refusal_and_missing_endpoint(doris: DorisClient, oss_bucket: str) -> None:
    code, message = doris.error(
        f'SELECT * FROM S3("uri" = "ftp://{oss_bucket}/k", "format" = "csv", {keys(doris)})'
    )
    assert (code, message) == (
        1105,
        f"errCode = 2, detailMessage = parse s3 uri failed, uri = ftp://{oss_bucket}/k",
    )
    _, message = doris.error(
        f'SELECT * FROM S3("uri" = "s3://{oss_bucket}/k", "format" = "csv", {keys(doris)})'
    )
    assert "Endpoint is not set" in message  # an s3:// URI names no endpoint


def test_object_store_uri_parsed_as_standard_url_when_forced(doris: DorisClient, oss_bucket: str) -> None:
    doris.put(oss_bucket, "f/a.csv", b"5\tz\n")
    host = doris.oss.endpoint.split("://", 1)[1]
    uri = f"oss://{oss_bucket}.{host}/f/a.csv"
    forced = '"force_parsing_by_standard_uri" = "true"'
    rows = doris.run(f'SELECT * FROM S3("uri" = "{uri}", "format" = "csv", {forced}, {keys(doris)})')
    assert rows == [{"c1": "5", "c2": "z"}]
