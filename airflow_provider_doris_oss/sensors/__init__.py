"""OSS sensors: ``OssKeySensor`` and ``OssKeysUnchangedSensor`` (imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_doris_oss.sensors.key import OssKeySensor
    from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

__all__ = ["OssKeySensor", "OssKeysUnchangedSensor"]


def __getattr__(name: str) -> Any:
    if name == "OssKeySensor":
        from airflow_provider_doris_oss.sensors.key import OssKeySensor

        return OssKeySensor
    if name == "OssKeysUnchangedSensor":
        from airflow_provider_doris_oss.sensors.keys_unchanged import OssKeysUnchangedSensor

        return OssKeysUnchangedSensor
    raise AttributeError(name)
