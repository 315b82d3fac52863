"""pytest fixtures for testing DAGs against the local stand-ins (installed as a ``pytest11`` plugin).

- ``local_oss``: a ``LocalOss`` for the whole session (buckets are process-wide in moto).
- ``oss_bucket``: a fresh, uniquely named bucket in it, per test.
- ``local_doris_fe``: a ``LocalDorisFE`` per test, wired to ``local_oss``, answering as the Doris
  release ``doris_version`` names (default: the newest line; parametrize it to run on several).
- ``local_seaweedfs``: a real S3 server (SeaweedFS) for the session, behind the same interface.

Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
    from airflow_provider_doris_oss.testing.local_oss import LocalOss
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS


@pytest.fixture(scope="session")
def local_oss() -> Iterator[LocalOss]:
    """A local OSS on 127.0.0.1, addressed as ``http://oss-cn-beijing.aliyuncs.com`` through its proxy."""
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    with LocalOss() as oss:
        yield oss


@pytest.fixture
def oss_bucket(local_oss: LocalOss) -> str:
    """A new empty bucket in the local OSS, named for this test."""
    return local_oss.create_bucket(f"test-{uuid.uuid4().hex[:16]}")


@pytest.fixture
def doris_version() -> str | None:
    """The Doris release ``local_doris_fe`` answers as: None (the newest line), ``"3.1"``, ``"2.1.2"``, ..."""
    return None


@pytest.fixture
def local_doris_fe(local_oss: LocalOss, doris_version: str | None) -> Iterator[LocalDorisFE]:
    """A local Doris FE on 127.0.0.1 whose jobs reach ``local_oss``, answering as ``doris_version``."""
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss, doris_version=doris_version) as fe:
        yield fe


@pytest.fixture(scope="session")
def local_seaweedfs() -> Iterator[LocalSeaweedFS]:
    """A SeaweedFS S3 server on 127.0.0.1, addressed as ``http://oss-cn-beijing.aliyuncs.com`` through it."""
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS

    with LocalSeaweedFS() as server:
        yield server
