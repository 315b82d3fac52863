"""The local Doris FE: a MySQL-protocol stand-in for a Doris frontend, for tests and demos."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.server import LocalDorisFE

__all__ = ["LocalDorisFE"]
