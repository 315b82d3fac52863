"""``ObjectStoragePath("oss://…", conn_id=…)`` through the provider's filesystem, against the local OSS.

The local OSS refuses path-style addressing and aws-chunked bodies, and DeleteObjects without
Content-MD5, as OSS does; every operation here succeeding is the proof the client is set up for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest

CONN_ID = "doris_oss_fs"  # the connection tests/fs/conftest.py defines


def _path(bucket: str, key: str = "") -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(f"oss://{bucket}/{key}", conn_id=CONN_ID)


def test_provider_info_maps_oss_to_the_provider_filesystem() -> None:
    from airflow.sdk.io.fs import _register_filesystems

    from airflow_provider_doris_oss.fs import oss

    assert _register_filesystems()["oss"] is oss.get_fs


def test_oss_path_parses_bucket_and_key(oss_fs_conn: str) -> None:
    path = _path(oss_fs_conn, "events/dt=2026-01-01/part-0.csv")
    assert path.bucket == oss_fs_conn
    assert path.key == "events/dt=2026-01-01/part-0.csv"
    assert str(path.parent).endswith(f"{oss_fs_conn}/events/dt=2026-01-01")
    assert path.name == "part-0.csv" and path.conn_id == CONN_ID


def test_write_read_list_exists_delete(local_oss: Any, oss_fs_conn: str) -> None:
    from airflow_provider_doris_oss.fs.filesystem import OssFileSystem

    base = _path(oss_fs_conn, "dir/")
    first, second = base / "a.txt", base / "sub" / "b.txt"
    assert isinstance(first.fs, OssFileSystem)
    assert not first.exists()
    first.write_text("héllo\n")
    second.write_bytes(b"\x00\x01")
    assert first.exists() and first.read_text() == "héllo\n" and second.read_bytes() == b"\x00\x01"
    assert first.stat()["size"] == len("héllo\n".encode())
    body = local_oss.client().get_object(Bucket=oss_fs_conn, Key="dir/a.txt")["Body"].read()
    assert body == "héllo\n".encode()
    assert sorted(p.key for p in base.iterdir()) == ["dir/a.txt", "dir/sub"]
    assert sorted(p.key for p in base.rglob("*.txt")) == ["dir/a.txt", "dir/sub/b.txt"]
    assert all(p.conn_id == CONN_ID for p in base.iterdir())
    first.unlink()
    assert not first.exists() and second.exists()
    base.fs.rm(base.path, recursive=True)  # DeleteObjects: OSS requires Content-MD5 on it
    assert local_oss.client().list_objects_v2(Bucket=oss_fs_conn).get("KeyCount") == 0
    hosts = {r.host for r in local_oss.requests if oss_fs_conn in r.host or oss_fs_conn in r.path}
    assert hosts == {f"{oss_fs_conn}.oss-cn-beijing.aliyuncs.com"}, hosts


def test_multipart_sized_write(local_oss: Any, oss_fs_conn: str) -> None:
    path = _path(oss_fs_conn, "big/blob.bin")
    payload = os.urandom(1024) * (12 * 1024)  # 12 MiB: three parts of 5 MiB
    local_oss.clear_requests()
    step = 5 * 2**20  # OSS's smallest part (but the last)
    with path.open("wb", block_size=step) as out:
        for start in range(0, len(payload), step):
            out.write(payload[start : start + step])
    assert path.read_bytes() == payload and path.stat()["size"] == len(payload)
    puts = [r for r in local_oss.requests if r.method == "PUT" and r.host.startswith(oss_fs_conn)]
    part_numbers = sorted(
        int(q.split("=")[1]) for r in puts for q in r.query.split("&") if q.startswith("partNumber=")
    )
    assert part_numbers == [1, 2, 3]
    assert any(r.method == "POST" and "uploadId=" in r.query for r in local_oss.requests)  # completed
    encodings = {r.headers.get("Content-Encoding", "") for r in puts} | {
        r.headers.get("X-Amz-Content-Sha256", "") for r in puts
    }
    assert not any("aws-chunked" in e or "STREAMING" in e for e in encodings), encodings


def test_client_settings_come_from_the_connection(
    local_oss: Any, oss_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_doris_oss.fs.oss import get_fs

    extra = {"connection_maximum": 7, "connection_timeout": 2500, "connection_request_timeout": 4500}
    conn = local_oss.connection(CONN_ID)
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{CONN_ID.upper()}",
        json.dumps({**json.loads(conn.as_json()), "extra": {**conn.extra_dejson, **extra}}),
    )
    fs = get_fs(CONN_ID)
    client = fs.s3  # connects
    config = client.meta.config
    assert config.max_pool_connections == 7 and fs.max_concurrency == 7
    assert config.connect_timeout == 2.5 and config.read_timeout == 4.5
    assert config.s3["addressing_style"] == "virtual" and config.signature_version == "s3v4"
    assert config.request_checksum_calculation == "when_required"
    assert config.proxies == {"http": local_oss.proxy_url, "https": local_oss.proxy_url}
    assert client.meta.region_name == "cn-beijing"
    assert local_oss.secret_key not in repr(fs) and local_oss.access_key not in repr(fs)


def test_a_connection_of_another_type_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_doris_oss.fs.oss import get_fs

    monkeypatch.setenv("AIRFLOW_CONN_NOT_OSS", json.dumps({"conn_type": "aws", "login": "x"}))
    with pytest.raises(ValueError, match=r"'not_oss' has type 'aws'; oss:// paths need a 'dorisoss'"):
        get_fs("not_oss")


def test_storage_options_cannot_replace_the_connection(oss_fs_conn: str) -> None:
    from airflow_provider_doris_oss.fs.oss import get_fs

    with pytest.raises(ValueError, match=r"endpoint_url, key cannot be set for oss://"):
        get_fs(CONN_ID, {"key": "other", "endpoint_url": "http://elsewhere"})
    assert get_fs(CONN_ID, {"default_block_size": 6 * 2**20}).default_block_size == 6 * 2**20


def test_without_conn_id_the_default_connection_is_used_never_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec
    from airflow.sdk.exceptions import AirflowNotFoundException

    monkeypatch.delenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-environment")
    with pytest.raises(AirflowNotFoundException, match="doris_oss_default"):
        fsspec.filesystem("oss", skip_instance_cache=True)


def test_a_path_without_conn_id_uses_doris_oss_default_for_every_operation(
    local_oss: Any, oss_conn: str
) -> None:
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(f"oss://{oss_conn}/plain/a.txt")
    assert path.conn_id is None
    path.write_text("plain")  # through universal_pathlib's own filesystem: OssFileSystem()
    assert path.exists() and path.read_text() == "plain" and path.stat()["size"] == 5
    assert [p.key for p in path.parent.iterdir()] == ["plain/a.txt"]
    path.unlink()
    assert local_oss.client().list_objects_v2(Bucket=oss_conn).get("KeyCount") == 0


def test_without_s3fs_the_error_names_the_extra() -> None:
    """In a fresh interpreter where s3fs cannot be imported, both ways in say what to install."""
    script = (
        "import sys; sys.modules['s3fs'] = None\n"
        "from airflow_provider_doris_oss.fs.oss import get_fs\n"
        "for attempt in (lambda: get_fs('x'), lambda: __import__('upath').UPath('oss://b/k')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as e:\n"
        "        print('ERR', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    expected = "pip install 'airflow-provider-doris-oss[fs]'"
    assert out.count(expected) == 2, out


def test_taskflow_writes_csv_and_broker_load_loads_it(
    run_dag: Any, local_oss: Any, oss_conn: str, local_doris_fe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pymysql

    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    db = f"db_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}`")
        cur.execute(
            f"CREATE TABLE `{db}`.`events` (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
            'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG, ObjectStoragePath, task
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            @task
            def write_csv() -> str:
                path = ObjectStoragePath("oss://{oss_conn}/exports/events.csv", conn_id="doris_oss_default")
                path.write_text("1,alice\\n2,bob\\n3,carol\\n")
                return str(path)

            written = write_csv()
            load = DorisBrokerLoadOperator(
                task_id="load",
                table="{db}.events",
                source_uris="oss://{oss_conn}/exports/events.csv",
                format="csv",
                column_separator=",",
                columns=["id", "name"],
                poll_interval=0.2,
                deferrable=False,
            )
            written >> load
        """
    )
    assert result.task_states == {"write_csv": "success", "load": "success"}
    assert result.xcom("write_csv").endswith(f"{oss_conn}/exports/events.csv")
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name FROM `{db}`.`events` ORDER BY id")
        assert cur.fetchall() == ((1, "alice"), (2, "bob"), (3, "carol"))
    conn.close()
    assert result.xcom("load")["loaded_rows"] == 3
