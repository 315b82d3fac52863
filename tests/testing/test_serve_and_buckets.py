"""``serve --bucket`` and CreateBucket as OSS answers it (no LocationConstraint needed)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from airflow_provider_doris_oss.hooks.client import build_client
from airflow_provider_doris_oss.properties import OssProperties


def test_create_bucket_without_location_constraint_lands_in_the_endpoints_region(local_oss):
    name = f"plain-{uuid.uuid4().hex[:12]}"
    client = local_oss.client()
    client.create_bucket(Bucket=name)
    created = [r for r in local_oss.requests if r.method == "PUT" and r.host.startswith(name + ".")]
    assert [(r.status, r.headers.get("content-length", "0")) for r in created] == [(200, "0")]
    headers = client.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-bucket-region"] == local_oss.region


def read_banner(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("OSS secret key:"):
            return lines
    raise AssertionError(f"serve ended before printing its banner: {lines}")


def value(lines: list[str], start: str) -> str:
    [line] = [line for line in lines if line.startswith(start)]
    return line[len(start) :].strip()


def extra_of(conn: dict[str, Any]) -> dict[str, Any]:
    extra = conn["extra"]
    return dict(json.loads(extra) if isinstance(extra, str) else extra)


def client_from(conn: dict[str, Any]) -> Any:
    extra = extra_of(conn)
    settings = {"endpoint": conn["host"], "access_key": conn["login"], "secret_key": conn["password"]}
    return build_client(OssProperties.from_mapping({**settings, **extra}, where="test"))


def test_serve_creates_buckets_and_prints_ready_connections_and_an_upload_command(tmp_path: Path):
    import botocore.exceptions
    import pymysql

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_doris_oss.testing",
            "serve",
            "--bucket",
            "lake",
            "--bucket",
            "raw-2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = read_banner(process)
        exports = dict(
            shlex.split(line)[1].split("=", 1) for line in lines if line.startswith("export AIRFLOW_CONN_")
        )
        assert sorted(exports) == ["AIRFLOW_CONN_DORIS_DEFAULT", "AIRFLOW_CONN_DORIS_OSS_DEFAULT"]
        oss_conn = json.loads(exports["AIRFLOW_CONN_DORIS_OSS_DEFAULT"])
        assert extra_of(oss_conn)["bucket"] == "lake"
        assert value(lines, "Buckets:") == "lake, raw-2"

        (tmp_path / "orders.csv").write_text("1,alice,9.90,2026-01-01\n")
        upload = subprocess.run(
            value(lines, "Upload a file:"),
            shell=True,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert upload.returncode == 0, upload.stderr

        client = client_from(oss_conn)
        body = client.get_object(Bucket="lake", Key="inbox/orders.csv")["Body"].read()
        assert body == b"1,alice,9.90,2026-01-01\n"
        client.head_bucket(Bucket="raw-2")
        try:
            client.head_bucket(Bucket="never-created")
            raise AssertionError("a bucket nobody created exists")
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "404"

        doris = json.loads(exports["AIRFLOW_CONN_DORIS_DEFAULT"])
        conn = pymysql.connect(host=doris["host"], port=doris["port"], user=doris["login"], password="")
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        conn.close()
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


def test_serve_refuses_a_bad_bucket_name():
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_doris_oss.testing", "serve", "--bucket", "Bad_Name"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--bucket" in result.stderr and "'Bad_Name' is not a valid OSS bucket name" in result.stderr
