"""``OssFileSystem``: s3fs speaking to OSS with the provider's one client configuration.

Importing this module claims the ``oss`` protocol in fsspec (fsspec's own table names ``ossfs``),
so ``oss://bucket/key`` parses as bucket and key the way ``s3://`` does.
"""

from __future__ import annotations

from typing import Any

import fsspec

from airflow_provider_doris_oss.fs import MISSING_S3FS
from airflow_provider_doris_oss.fs.literal import LiteralNames
from airflow_provider_doris_oss.hooks.client import register_oss_handlers

try:
    from s3fs import S3FileSystem
except ImportError as error:
    raise ImportError(MISSING_S3FS) from error

# Options the connection decides; storage options may not change them.
RESERVED_OPTIONS = frozenset(
    {
        "key",
        "secret",
        "token",
        "username",
        "password",
        "anon",
        "endpoint_url",
        "client_kwargs",
        "config_kwargs",
        "session",
        "use_ssl",
        "max_concurrency",
    }
)


class OssFileSystem(LiteralNames, S3FileSystem):
    """s3fs for Aliyun OSS: virtual-hosted, SigV4, checksums only when required, Content-MD5 deletes.

    Built from a ``dorisoss`` connection: ``OssFileSystem(conn_id="doris_oss_default", **options)``
    reads the connection (default ``doris_oss_default``, never the environment's AWS settings).
    Only the connection id and ``options`` are kept as its ``storage_options``, so ``to_json()``
    and pickling carry no keys: the copy made from them reads the connection again.
    Paths are names, not patterns (see ``literal``).
    """

    protocol = ("oss",)

    def __init__(self, *args: Any, conn_id: str | None = None, **options: Any) -> None:
        from airflow_provider_doris_oss.fs.oss import connection_properties

        reserved = sorted(RESERVED_OPTIONS.intersection(options))
        if reserved:
            raise ValueError(
                f"Storage option(s) {', '.join(reserved)} cannot be set for oss://: the dorisoss "
                "connection decides the endpoint, keys and client settings. Change the connection instead."
            )
        props = connection_properties(conn_id)
        super().__init__(
            *args,
            key=props.access_key,
            secret=props.secret_key,
            endpoint_url=props.endpoint_url,
            client_kwargs={"region_name": props.region},
            config_kwargs=props.client_config_kwargs(),
            max_concurrency=min(10, props.connection_maximum),
            **options,
        )

    async def set_session(self, refresh: bool = False, kwargs: dict[str, Any] | None = None) -> Any:
        """The aiobotocore client, with the OSS request fix-ups installed on each new one."""
        previous = self._s3
        client = await super().set_session(refresh=refresh, kwargs=kwargs or {})
        if client is not previous:
            register_oss_handlers(client.meta.events)
        return client


fsspec.register_implementation("oss", OssFileSystem, clobber=True)
