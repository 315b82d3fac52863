"""``serve --https``: the banner's connections, CA bundle and curl command work over https."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_doris_oss.hooks.client import build_client
from airflow_provider_doris_oss.properties import OssProperties


def _banner(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("OSS secret key:"):
            return lines
    raise AssertionError(f"serve ended before printing its banner: {lines}")


def _exports(lines: list[str]) -> dict[str, str]:
    return dict(shlex.split(line)[1].split("=", 1) for line in lines if line.startswith("export "))


def test_serve_https_prints_a_ca_bundle_the_clients_verify_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import pymysql

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_doris_oss.testing",
            "serve",
            "--https",
            "--bucket",
            "lake-tls",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = _banner(process)
        exports = _exports(lines)
        assert sorted(exports) == [
            "AIRFLOW_CONN_DORIS_DEFAULT",
            "AIRFLOW_CONN_DORIS_OSS_DEFAULT",
            "AWS_CA_BUNDLE",
        ]
        ca_bundle = exports["AWS_CA_BUNDLE"]
        assert Path(ca_bundle).read_text().startswith("-----BEGIN CERTIFICATE-----")
        oss_conn = json.loads(exports["AIRFLOW_CONN_DORIS_OSS_DEFAULT"])
        assert oss_conn["host"] == "https://oss-cn-beijing.aliyuncs.com"

        (tmp_path / "orders.csv").write_text("1,alice\n2,bob\n")
        [upload] = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Upload a file:")]
        assert f"--cacert {ca_bundle}" in upload and "https://lake-tls.oss-cn-beijing.aliyuncs.com/" in upload
        done = subprocess.run(upload, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

        # The provider's client, as an Airflow worker with the printed exports builds it.
        monkeypatch.setenv("AWS_CA_BUNDLE", ca_bundle)
        extra = json.loads(oss_conn["extra"]) if isinstance(oss_conn["extra"], str) else oss_conn["extra"]
        settings = {
            "endpoint": oss_conn["host"],
            "access_key": oss_conn["login"],
            "secret_key": oss_conn["password"],
        }
        client = build_client(OssProperties.from_mapping({**settings, **extra}, where="test"))
        body = client.get_object(Bucket="lake-tls", Key="inbox/orders.csv")["Body"].read()
        assert body == b"1,alice\n2,bob\n"

        # The FE in the same process reads the object over https too.
        doris = json.loads(exports["AIRFLOW_CONN_DORIS_DEFAULT"])
        storage = (
            f'"s3.endpoint" = "{oss_conn["host"]}", "s3.access_key" = "{oss_conn["login"]}", '
            f'"s3.secret_key" = "{oss_conn["password"]}", "s3.region" = "{extra["region"]}"'
        )
        conn = pymysql.connect(host=doris["host"], port=doris["port"], user=doris["login"], password="")
        with conn, conn.cursor() as cursor:
            cursor.execute(
                f'SELECT c2 FROM S3("uri" = "s3://lake-tls/inbox/orders.csv", "format" = "csv", "column_separator" = ",", {storage}) '
                "ORDER BY c1"
            )
            assert cursor.fetchall() == (("alice",), ("bob",))
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    assert not Path(ca_bundle).exists(), "the throw-away CA outlived serve"
