"""The provider info's ``filesystems`` module: ``oss://`` for ObjectStoragePath and ``attach``.

Airflow calls ``get_fs(conn_id)`` for every ``oss://`` store; the connection must be a
``dorisoss`` one (or of the former type ``doris_oss``), parsed by ``OssProperties`` like every
other client the provider builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from airflow_provider_doris_oss.properties import OssProperties

schemes = ["oss"]

DEFAULT_CONN_ID = "doris_oss_default"


def connection_properties(conn_id: str | None) -> OssProperties:
    """The OSS properties of the ``dorisoss`` connection ``conn_id``; its secrets are masked in logs."""
    from airflow.sdk import BaseHook
    from airflow.sdk.log import mask_secret

    from airflow_provider_doris_oss.connection_types import OSS_CONN_TYPE, OSS_CONN_TYPES
    from airflow_provider_doris_oss.properties import OssProperties

    conn = BaseHook.get_connection(conn_id or DEFAULT_CONN_ID)
    if conn.conn_type not in OSS_CONN_TYPES:
        raise ValueError(
            f"Connection {conn.conn_id!r} has type {conn.conn_type!r}; oss:// paths need a {OSS_CONN_TYPE!r} "
            "connection. Set conn_id to one, or change the connection's type."
        )
    props = OssProperties.from_connection(conn)
    for secret in props.secrets:
        mask_secret(secret)
    return props


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> AbstractFileSystem:
    """An ``OssFileSystem`` for the ``dorisoss`` connection ``conn_id`` (default ``doris_oss_default``).

    Always a new instance, built from the connection as it is now: Airflow keeps one per
    connection id itself (``attach``).
    """
    from airflow_provider_doris_oss.fs.filesystem import OssFileSystem

    return OssFileSystem(
        conn_id=conn_id or DEFAULT_CONN_ID, skip_instance_cache=True, **(storage_options or {})
    )
