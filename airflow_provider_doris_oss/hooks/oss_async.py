"""The async side of the OSS hook: one aiobotocore client per connection and event loop, shared.

Triggers run in the triggerer's single event loop; a thousand waiting sensors on one connection
must share one client, and so one connection pool bounded by ``connection_maximum``. Clients are
cached by ``(event loop, OssProperties)``: the properties are frozen and hashable, so a connection
whose settings change gets a new client, and a client never crosses event loops (aiohttp sessions
are bound to the loop that created them). The cache holds loops weakly.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.hooks.client import (
    NOT_FOUND_CODES,
    OssOperationError,
    describe_error,
    error_code,
    register_oss_handlers,
)
from airflow_provider_doris_oss.properties import OssProperties
from airflow_provider_doris_oss.uris import ObjectUri, resolve

if TYPE_CHECKING:
    from airflow.sdk import Connection


class _LoopClients:
    """The clients of one event loop: a creation future per properties, so concurrent callers share."""

    def __init__(self) -> None:
        self.futures: dict[OssProperties, asyncio.Future[Any]] = {}
        self.contexts: dict[OssProperties, Any] = {}
        self.leases: dict[OssProperties, int] = {}


_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = weakref.WeakKeyDictionary()


async def shared_client(props: OssProperties) -> Any:
    """The aiobotocore S3 client for ``props`` in the running event loop, created once and shared."""
    loop = asyncio.get_running_loop()
    clients = _CLIENTS.setdefault(loop, _LoopClients())
    future = clients.futures.get(props)
    if future is None:
        future = loop.create_future()
        clients.futures[props] = future
        try:
            # Importing aiobotocore and reading botocore's S3 model take a second or more on a busy
            # machine: done in a worker thread, so the triggerer's other triggers keep running.
            context = await asyncio.to_thread(_client_context, props)
            client = await context.__aenter__()
        except BaseException as error:
            del clients.futures[props]
            future.set_exception(error)
            future.exception()  # retrieved here, so an unawaited failure logs nothing
            raise

        register_oss_handlers(client.meta.events)
        clients.contexts[props] = context
        future.set_result(client)
    return await asyncio.shield(future)


def shared_client_count() -> int:
    """How many clients the running event loop has (for tests and diagnostics)."""
    clients = _CLIENTS.get(asyncio.get_running_loop())
    return 0 if clients is None else len(clients.futures)


async def close_shared_clients() -> None:
    """Close every client of the running event loop (call before the loop ends)."""
    clients = _CLIENTS.pop(asyncio.get_running_loop(), None)
    if clients is None:
        return
    for context in clients.contexts.values():
        await context.__aexit__(None, None, None)


@asynccontextmanager
async def leased_client(props: OssProperties) -> AsyncIterator[Any]:
    """The shared client, held for the block; the last holder to leave closes it.

    A triggerer with waiting triggers always holds a lease, so its client lives as long as
    there is work; a short-lived loop (``dag.test()`` runs each trigger in its own) closes
    its client before the loop ends.
    """
    clients = _CLIENTS.setdefault(asyncio.get_running_loop(), _LoopClients())
    clients.leases[props] = clients.leases.get(props, 0) + 1
    try:
        yield await shared_client(props)
    finally:
        clients.leases[props] -= 1
        if clients.leases[props] == 0:
            del clients.leases[props]
            clients.futures.pop(props, None)
            context = clients.contexts.pop(props, None)
            if context is not None:
                await context.__aexit__(None, None, None)


def _client_context(props: OssProperties) -> Any:
    """The client's async context, its session's S3 model already loaded (no event loop needed)."""
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    session = get_session()
    # What creating the client reads from disk, into the session loader's cache (botocore's
    # Loader caches per instance), so that __aenter__ on the loop parses no JSON. aiobotocore 3.7+
    # names that list itself; older releases read the same files.
    if hasattr(session, "warm_up_loader_caches"):
        session.warm_up_loader_caches("s3")
    else:
        loader = session.get_component("data_loader")
        for name in ("_retry", "endpoints", "partitions", "sdk-default-configuration"):
            loader.load_data_with_path(name)
        for type_name in ("service-2", "endpoint-rule-set-1"):
            loader.load_service_model("s3", type_name, api_version=None)  # botocore's cache key
    return session.create_client(
        "s3",
        endpoint_url=props.endpoint_url,
        region_name=props.region,
        aws_access_key_id=props.access_key,
        aws_secret_access_key=props.secret_key,
        config=AioConfig(**props.client_config_kwargs()),
    )


async def connection_properties(oss_conn_id: str) -> OssProperties:
    """The connection's OSS properties, fetched without blocking the loop; the keys are masked."""
    from airflow_provider_doris_oss.version_compat import aget_connection, amask_secret

    conn: Connection = await aget_connection(oss_conn_id)
    props = OssProperties.from_connection(conn)
    for secret in props.secrets:
        await amask_secret(secret)
    return props


class DorisOssAsyncHook:
    """Async OSS access for triggers, on the process-wide shared client of ``oss_conn_id``."""

    def __init__(self, oss_conn_id: str = "doris_oss_default") -> None:
        self.oss_conn_id = oss_conn_id
        self._props: OssProperties | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(oss_conn_id={self.oss_conn_id!r})"

    async def properties(self) -> OssProperties:
        """The connection's properties (fetched once per hook)."""
        if self._props is None:
            self._props = await connection_properties(self.oss_conn_id)
        return self._props

    async def client(self) -> Any:
        """The shared aiobotocore S3 client."""
        return await shared_client(await self.properties())

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Any]:
        """Hold the shared client for a trigger's lifetime (see ``leased_client``)."""
        async with leased_client(await self.properties()) as client:
            yield client

    async def resolve(self, uri_or_key: str, bucket: str | None = None, *, field: str = "key") -> ObjectUri:
        """A full URI as it is, or a key in ``bucket`` (else the connection's default bucket)."""
        properties = await self.properties()
        return resolve(
            uri_or_key,
            bucket or properties.bucket,
            conn_id=self.oss_conn_id,
            field=field,
            region=properties.region,
        )

    async def iter_pages(
        self, bucket: str, prefix: str = "", *, page_size: int = 1000, start_after: str = ""
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The objects under ``prefix`` (after ``start_after``), one ListObjectsV2 page at a time.

        Stop iterating to stop listing.
        """

        client = await self.client()
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
            if start_after:
                kwargs["StartAfter"] = start_after
            if token:
                kwargs["ContinuationToken"] = token
            try:
                page = await client.list_objects_v2(**kwargs)
            except Exception as error:
                raise OssOperationError(
                    f"Listing oss://{bucket}/{prefix} failed: {describe_error(error)}"
                ) from None
            yield [dict(obj) for obj in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    async def iter_objects(
        self, bucket: str, prefix: str = "", *, page_size: int = 1000
    ) -> AsyncIterator[dict[str, Any]]:
        """The objects under ``prefix``, listed page by page as they are consumed."""
        async for page in self.iter_pages(bucket, prefix, page_size=page_size):
            for obj in page:
                yield obj

    async def head(self, target: ObjectUri) -> dict[str, Any] | None:
        """The object's HEAD response, or None when it does not exist."""

        client = await self.client()
        try:
            response = await client.head_object(Bucket=target.bucket, Key=target.key)
        except Exception as error:
            if error_code(error) in NOT_FOUND_CODES:
                return None
            raise OssOperationError(f"HEAD {target} failed: {describe_error(error)}") from None
        return dict(response)

    async def get_bytes(self, target: ObjectUri) -> bytes | None:
        """The object's content, or None when it does not exist."""
        found = await self.get_versioned(target)
        return None if found is None else found[0]

    async def get_versioned(
        self, target: ObjectUri, *, max_bytes: int | None = None
    ) -> tuple[bytes, str] | None:
        """The object's content and ETag, or None when it does not exist.

        With ``max_bytes``, an object larger than that is refused before its body is read.
        """

        client = await self.client()
        try:
            response = await client.get_object(Bucket=target.bucket, Key=target.key)
        except Exception as error:
            if error_code(error) in NOT_FOUND_CODES:
                return None
            raise OssOperationError(f"GET {target} failed: {describe_error(error)}") from None
        async with response["Body"] as body:
            size = response.get("ContentLength")
            if max_bytes is not None and isinstance(size, int) and size > max_bytes:
                raise OssOperationError(f"GET {target}: {size} bytes, more than the {max_bytes} expected.")
            try:
                return bytes(await body.read()), str(response.get("ETag", ""))
            except Exception as error:
                raise OssOperationError(f"GET {target} failed: {describe_error(error)}") from None

    async def put_bytes(self, target: ObjectUri, data: bytes, content_type: str = "application/json") -> str:
        """Write ``data`` to the object (replacing it); returns the new ETag."""

        client = await self.client()
        try:
            response = await client.put_object(
                Bucket=target.bucket, Key=target.key, Body=data, ContentType=content_type
            )
        except Exception as error:
            raise OssOperationError(f"PUT {target} failed: {describe_error(error)}") from None
        return str(response.get("ETag", ""))
