"""``CREATE CATALOG`` / ``DROP CATALOG`` for catalogs whose data lives in OSS."""

from __future__ import annotations

import re
from collections.abc import Mapping

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.quoting import quote_identifier, quote_string, render_properties
from airflow_provider_doris_oss.sql.values import check_storage

# Every name Doris reads as an OSS/S3 storage property (canonical names, former names, aliases).
_STORAGE_PREFIXES = ("s3.", "oss.", "aws_", "fs.oss.", "fs.s3a.", "fs.s3.")
_STORAGE_NAMES = frozenset(
    {
        "endpoint",
        "region",
        "access_key",
        "secret_key",
        "session_token",
        "use_path_style",
        "force_parsing_by_standard_uri",
        "provider",
    }
)
_NAME_RULE = re.compile(r"\S")


def is_storage_property(key: str) -> bool:
    """Whether Doris would read ``key`` as an OSS/S3 storage property."""
    folded = key.strip().lower()
    return folded in _STORAGE_NAMES or folded.startswith(_STORAGE_PREFIXES)


def build_create_catalog(
    name: str,
    catalog_properties: Mapping[str, object],
    storage: Mapping[str, str],
    *,
    if_not_exists: bool = False,
    comment: str | None = None,
) -> str:
    """``CREATE CATALOG [IF NOT EXISTS] name [COMMENT "..."] PROPERTIES (<catalog>, <storage>)``."""
    if not isinstance(catalog_properties, Mapping) or not catalog_properties:
        raise DorisSqlError(
            "catalog_properties: give the catalog's own properties, at least 'type' (hms, iceberg, paimon)."
        )
    folded = {str(k).strip().lower() for k in catalog_properties}
    if "type" not in folded:
        raise DorisSqlError("catalog_properties: 'type' is missing; set it to hms, iceberg, paimon, ...")
    checked_storage = check_storage(storage)
    storage_keys = {k.lower() for k in checked_storage}
    for key in catalog_properties:
        if not isinstance(key, str) or not _NAME_RULE.search(key):
            raise DorisSqlError(f"catalog_properties: property name {key!r} must be a non-empty string.")
        if is_storage_property(key) or key.strip().lower() in storage_keys:
            raise DorisSqlError(
                f"catalog_properties: {key!r} is an OSS storage property, which comes from the OSS "
                "connection. Remove it here and set it on the connection."
            )
    parts = ["CREATE CATALOG"]
    if if_not_exists:
        parts.append("IF NOT EXISTS")
    parts.append(quote_identifier(name))
    if comment is not None:
        parts.append(f"COMMENT {quote_string(comment)}")
    merged = {**dict(catalog_properties), **checked_storage}
    return " ".join(parts) + f"\nPROPERTIES (\n{render_properties(merged, field='catalog_properties')}\n)"


def build_drop_catalog(name: str, if_exists: bool = False) -> str:
    """``DROP CATALOG [IF EXISTS] name``."""
    return f"DROP CATALOG {'IF EXISTS ' if if_exists else ''}{quote_identifier(name)}"
