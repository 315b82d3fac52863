"""Provider metadata for Airflow's ProvidersManager (the ``apache_airflow_provider`` entry point)."""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss import __version__
from airflow_provider_doris_oss.connection_types import (
    doris_connection_type,
    doris_oss_connection_type,
    legacy_doris_oss_connection_type,
)

_INTEGRATION = "Apache Doris on Aliyun OSS"
_PACKAGE = "airflow-provider-doris-oss"


def project_urls() -> dict[str, str]:
    """The installed package's ``[project.urls]`` (Documentation, Source, Issues, Changelog)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata(_PACKAGE).get_all("Project-URL") or []
    except PackageNotFoundError:
        return {}
    pairs = (entry.split(",", 1) for entry in entries if "," in entry)
    return {name.strip(): url.strip() for name, url in pairs}


def get_provider_info() -> dict[str, Any]:
    """The provider's hooks, connection types and forms, as Airflow's provider schema describes them."""
    docs = project_urls().get("Documentation")
    integration: dict[str, Any] = {"integration-name": _INTEGRATION, "tags": ["service"]}
    if docs:
        integration["external-doc-url"] = docs
    return {
        "package-name": _PACKAGE,
        "name": "Apache Doris and Aliyun OSS",
        "description": "Move data between Aliyun OSS and Apache Doris: Broker Load, EXPORT, OUTFILE, "
        "the S3 table function, catalogs, and OSS sensors and event triggers.",
        "versions": [__version__],
        "integrations": [integration],
        # Airflow's Providers page links this; Airflow fills it from the same metadata.
        "documentation-url": docs,
        "hooks": [
            {
                "integration-name": _INTEGRATION,
                "python-modules": [
                    "airflow_provider_doris_oss.hooks.oss",
                    "airflow_provider_doris_oss.hooks.doris",
                ],
            }
        ],
        "operators": [
            {
                "integration-name": _INTEGRATION,
                "python-modules": [
                    "airflow_provider_doris_oss.operators.broker_load",
                    "airflow_provider_doris_oss.operators.export",
                    "airflow_provider_doris_oss.operators.outfile",
                    "airflow_provider_doris_oss.operators.insert",
                    "airflow_provider_doris_oss.operators.catalog",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": _INTEGRATION,
                "python-modules": [
                    "airflow_provider_doris_oss.sensors.key",
                    "airflow_provider_doris_oss.sensors.keys_unchanged",
                ],
            }
        ],
        "triggers": [
            {
                "integration-name": _INTEGRATION,
                "python-modules": [
                    "airflow_provider_doris_oss.triggers.doris",
                    "airflow_provider_doris_oss.triggers.key",
                    "airflow_provider_doris_oss.triggers.keys_unchanged",
                    "airflow_provider_doris_oss.triggers.object_event",
                ],
            }
        ],
        "connection-types": [
            doris_oss_connection_type(),
            doris_connection_type(),
            legacy_doris_oss_connection_type(),
        ],
        "filesystems": ["airflow_provider_doris_oss.fs.oss"],
        "asset-uris": [
            {
                "schemes": ["oss"],
                "handler": "airflow_provider_doris_oss.assets.sanitize_uri",
                "factory": "airflow_provider_doris_oss.assets.create_asset",
            }
        ],
    }
