"""The local Doris FE: a MySQL-protocol stand-in for a Doris frontend, for tests and demos."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.extras import LOCAL_FE_MODULES, TESTING, require_extra

require_extra("LocalDorisFE", TESTING, LOCAL_FE_MODULES)

from airflow_provider_doris_oss.testing.doris_fe.server import LocalDorisFE  # noqa: E402

__all__ = ["LocalDorisFE"]
