"""Local stand-ins for Aliyun OSS and a Doris FE, for testing DAGs without either (``testing`` extra).

``LocalOss`` and ``LocalDorisFE`` are imported lazily so that ``import`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
    from airflow_provider_doris_oss.testing.local_oss import LocalOss
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS

__all__ = ["LocalDorisFE", "LocalOss", "LocalSeaweedFS"]


def __getattr__(name: str) -> Any:
    if name == "LocalOss":
        from airflow_provider_doris_oss.testing.local_oss import LocalOss

        return LocalOss
    if name == "LocalDorisFE":
        from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

        return LocalDorisFE
    if name == "LocalSeaweedFS":
        from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS

        return LocalSeaweedFS
    raise AttributeError(name)
