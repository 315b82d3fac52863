"""A SeaweedFS-backed ``doris_oss_default`` connection for the hook tests (the server is the plugin's)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS


@pytest.fixture
def seaweedfs_conn(local_seaweedfs: LocalSeaweedFS, monkeypatch: pytest.MonkeyPatch) -> str:
    """``doris_oss_default`` (as ``AIRFLOW_CONN_*``) to a fresh SeaweedFS bucket; returns the bucket."""
    bucket = local_seaweedfs.create_bucket(f"test-{uuid.uuid4().hex[:16]}")
    conn = local_seaweedfs.connection("doris_oss_default", bucket=bucket)
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", conn.as_json())
    return bucket
