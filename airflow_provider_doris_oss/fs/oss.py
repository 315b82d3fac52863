"""The provider info's ``filesystems`` module: ``oss://`` for ObjectStoragePath and ``attach``.

Airflow calls ``get_fs(conn_id)`` for every ``oss://`` store; the connection must be a
``doris_oss`` one, parsed by ``OssProperties`` like every other client the provider builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

schemes = ["oss"]

DEFAULT_CONN_ID = "doris_oss_default"


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> AbstractFileSystem:
    """An ``OssFileSystem`` for the ``doris_oss`` connection ``conn_id`` (default ``doris_oss_default``)."""
    from airflow.sdk.log import mask_secret

    from airflow_provider_doris_oss.fs.filesystem import OssFileSystem
    from airflow_provider_doris_oss.properties import OssProperties
    from airflow_provider_doris_oss.version_compat import BaseHook

    conn = BaseHook.get_connection(conn_id or DEFAULT_CONN_ID)
    if conn.conn_type != "doris_oss":
        raise ValueError(
            f"Connection {conn.conn_id!r} has type {conn.conn_type!r}; oss:// paths need a 'doris_oss' "
            "connection. Set conn_id to one, or change the connection's type."
        )
    props = OssProperties.from_connection(conn)
    for secret in props.secrets:
        mask_secret(secret)
    return OssFileSystem.from_properties(props, **(storage_options or {}))
