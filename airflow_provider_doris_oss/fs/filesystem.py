"""``OssFileSystem``: s3fs speaking to OSS with the provider's one client configuration.

Importing this module claims the ``oss`` protocol in fsspec (fsspec's own table names ``ossfs``),
so ``oss://bucket/key`` parses as bucket and key the way ``s3://`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import fsspec

from airflow_provider_doris_oss.fs import MISSING_S3FS
from airflow_provider_doris_oss.hooks.client import register_oss_handlers

try:
    from s3fs import S3FileSystem
except ImportError as error:
    raise ImportError(MISSING_S3FS) from error

if TYPE_CHECKING:
    from airflow_provider_doris_oss.properties import OssProperties

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
    }
)


class OssFileSystem(S3FileSystem):
    """s3fs for Aliyun OSS: virtual-hosted, SigV4, checksums only when required, Content-MD5 deletes.

    Build it with ``from_properties``; a bare ``OssFileSystem()`` has no endpoint or keys and
    refuses, because it would otherwise fall back to AWS and the environment's credentials.
    """

    protocol = ("oss",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        missing = [name for name in ("endpoint_url", "key", "secret") if not kwargs.get(name)]
        if missing:
            raise ValueError(
                f"An oss:// filesystem needs a doris_oss connection ({', '.join(missing)} missing). "
                "Pass one: ObjectStoragePath('oss://bucket/key', conn_id='doris_oss_default')."
            )
        super().__init__(*args, **kwargs)

    @classmethod
    def from_properties(cls, props: OssProperties, **options: Any) -> OssFileSystem:
        """The filesystem for ``props``; ``options`` are further s3fs settings (block size, caching)."""
        reserved = sorted(RESERVED_OPTIONS.intersection(options))
        if reserved:
            raise ValueError(
                f"Storage option(s) {', '.join(reserved)} cannot be set for oss://: the doris_oss "
                "connection decides the endpoint, keys and client settings. Change the connection instead."
            )
        return cls(
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
