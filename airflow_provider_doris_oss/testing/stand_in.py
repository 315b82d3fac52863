"""What every local OSS stand-in shares: the OSS host it answers for, its keys, and the ways in."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Connection
    from mypy_boto3_s3 import S3Client
    from typing_extensions import Self


class OssStandIn:
    """A local S3 server addressed like OSS: ``http://oss-cn-beijing.aliyuncs.com`` through ``proxy_url``.

    Subclasses start and stop the server and say where its proxy listens.
    """

    endpoint_host = "oss-cn-beijing.aliyuncs.com"
    region = "cn-beijing"

    def __init__(self, *, access_key: str | None = None, secret_key: str | None = None) -> None:
        self.access_key = access_key or "LTAI5t" + secrets.token_hex(9).upper()
        self.secret_key = secret_key or secrets.token_urlsafe(22)

    @property
    def endpoint(self) -> str:
        """The endpoint clients use: the real OSS host name, over http through the proxy."""
        return f"http://{self.endpoint_host}"

    @property
    def proxy_url(self) -> str:
        """The HTTP proxy that delivers requests for the OSS host names to this server."""
        raise RuntimeError(f"{type(self).__name__} is not running: use it in a `with` block or call start().")

    def start(self) -> Self:
        """Start the server on 127.0.0.1."""
        return self

    def stop(self) -> None:
        """Stop the server."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def connection_extra(self) -> dict[str, Any]:
        """The extra JSON of a ``dorisoss`` connection to this server."""
        return {"region": self.region, "proxy": self.proxy_url}

    def connection(self, conn_id: str = "doris_oss_default", *, bucket: str | None = None) -> Connection:
        """A ready ``dorisoss`` connection pointing at this server."""
        from airflow_provider_doris_oss.connection_types import OSS_CONN_TYPE
        from airflow_provider_doris_oss.version_compat import new_connection

        extra = self.connection_extra() | ({"bucket": bucket} if bucket else {})
        return new_connection(
            conn_id=conn_id,
            conn_type=OSS_CONN_TYPE,
            host=self.endpoint,
            login=self.access_key,
            password=self.secret_key,
            extra=json.dumps(extra),
        )

    def export_connection(self, conn_id: str = "doris_oss_default", *, bucket: str | None = None) -> str:
        """Set ``AIRFLOW_CONN_<ID>`` to this server's connection (JSON form); return the variable name."""
        name = f"AIRFLOW_CONN_{conn_id.upper()}"
        os.environ[name] = self.connection(conn_id, bucket=bucket).as_json()
        return name

    def client(self) -> S3Client:
        """A boto3 S3 client configured exactly as the provider configures one for OSS."""
        from airflow_provider_doris_oss.hooks.client import build_client
        from airflow_provider_doris_oss.properties import OssProperties

        settings = {"endpoint": self.endpoint, "access_key": self.access_key, "secret_key": self.secret_key}
        return build_client(
            OssProperties.from_mapping({**settings, **self.connection_extra()}, where=type(self).__name__)
        )

    def create_bucket(self, name: str) -> str:
        """Create a bucket (if missing) and return its name."""
        client = self.client()
        location: Any = {"LocationConstraint": self.region}
        exists = (client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists)
        with contextlib.suppress(*exists):
            client.create_bucket(Bucket=name, CreateBucketConfiguration=location)
        return name
