"""A ``dorisoss`` connection named ``doris_oss_fs`` to the local OSS, and a view of its bucket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

CONN_ID = "doris_oss_fs"
PROXY_PASSWORD = "Proxy-Pass-7f3c"  # a test value the serialized forms must not hold


@pytest.fixture
def oss_fs_conn(local_oss: Any, oss_bucket: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``doris_oss_fs`` (as ``AIRFLOW_CONN_*``) to the local OSS; returns a fresh bucket.

    The proxy URL carries a user and password (the local OSS ignores them), so every test here
    also checks that a proxy password does not break or leak.
    """
    conn = local_oss.connection(CONN_ID)
    proxy = local_oss.proxy_url.replace("http://", f"http://fs-user:{PROXY_PASSWORD}@", 1)
    fields = {**json.loads(conn.as_json()), "extra": {**conn.extra_dejson, "proxy": proxy}}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(fields))
    return oss_bucket


@dataclass
class Bucket:
    """The test bucket, read and written with a plain boto3 client (not the filesystem under test)."""

    oss: Any
    name: str

    def path(self, key: str) -> Any:
        """``ObjectStoragePath("oss://<bucket>/<key>", conn_id="doris_oss_fs")``."""
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(f"oss://{self.name}/{key}", conn_id=CONN_ID)

    @cached_property
    def client(self) -> Any:
        return self.oss.client()

    def put(self, objects: dict[str, str]) -> None:
        """Write each key with its body, and drop the filesystem's listing cache."""
        for key, body in objects.items():
            self.client.put_object(Bucket=self.name, Key=key, Body=body.encode())
        self.path("").fs.invalidate_cache()

    def contents(self) -> dict[str, str]:
        """Every object in the bucket: key -> body."""
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            o["Key"]: self.client.get_object(Bucket=self.name, Key=o["Key"])["Body"].read().decode()
            for o in listed
        }


@pytest.fixture
def bucket(local_oss: Any, oss_fs_conn: str) -> Bucket:
    """The ``oss_fs_conn`` bucket as a ``Bucket``."""
    return Bucket(local_oss, oss_fs_conn)
