"""DorisOssAsyncHook: the shared aiobotocore client honours the connection's OSS settings."""

from __future__ import annotations

import asyncio
import json

import pytest

from airflow_provider_doris_oss.hooks.oss_async import (
    DorisOssAsyncHook,
    close_shared_clients,
    shared_client_count,
)
from airflow_provider_doris_oss.uris import ObjectUri


def run(coro_fn):
    async def wrapper():
        try:
            return await coro_fn()
        finally:
            await close_shared_clients()

    return asyncio.run(wrapper())


def test_client_uses_the_connection_settings(local_oss, oss_bucket, monkeypatch):
    conn = local_oss.connection("oss_tuned", bucket=oss_bucket)
    extra = json.loads(conn.extra) | {
        "s3.connection.maximum": 7,
        "s3.connection.timeout": 1500,
        "s3.connection.request.timeout": 2500,
    }
    conn.extra = json.dumps(extra)
    monkeypatch.setenv("AIRFLOW_CONN_OSS_TUNED", conn.as_json())

    async def scenario():
        client = await DorisOssAsyncHook("oss_tuned").client()
        config = client.meta.config
        return (
            config.max_pool_connections,
            config.connect_timeout,
            config.read_timeout,
            config.s3["addressing_style"],
            config.signature_version,
            config.request_checksum_calculation,
            client.meta.region_name,
        )

    assert run(scenario) == (7, 1.5, 2.5, "virtual", "s3v4", "when_required", "cn-beijing")


def test_requests_are_virtual_hosted_and_signed(local_oss, oss_conn):
    local_oss.client().put_object(Bucket=oss_conn, Key="v/k", Body=b"12")

    async def scenario():
        return await DorisOssAsyncHook().head(ObjectUri(oss_conn, "v/k"))

    before = len(local_oss.requests)
    assert run(scenario)["ContentLength"] == 2
    [request] = [r for r in local_oss.requests[before:] if r.method == "HEAD"]
    assert request.host == f"{oss_conn}.oss-cn-beijing.aliyuncs.com"
    assert request.status == 200  # the local OSS checks the SigV4 signature


def test_wrong_secret_is_refused_without_leaking_it(local_oss, oss_bucket, monkeypatch):
    conn = local_oss.connection("oss_bad", bucket=oss_bucket)
    conn.password = "not-the-secret-0123456789"
    monkeypatch.setenv("AIRFLOW_CONN_OSS_BAD", conn.as_json())

    async def scenario():
        return await DorisOssAsyncHook("oss_bad").head(ObjectUri(oss_bucket, "x"))

    from airflow_provider_doris_oss.hooks.oss import OssOperationError

    with pytest.raises(OssOperationError) as info:
        run(scenario)
    assert "not-the-secret-0123456789" not in str(info.value)
    assert "HEAD" in str(info.value)


def test_head_missing_is_none_and_default_bucket_resolves(local_oss, oss_conn):
    async def scenario():
        hook = DorisOssAsyncHook()
        target = await hook.resolve("nothing/here")
        return target, await hook.head(target), await hook.resolve("oss://other/k")

    target, head, uri = run(scenario)
    assert target == ObjectUri(oss_conn, "nothing/here")
    assert head is None
    assert uri == ObjectUri("other", "k")


def test_resolve_without_bucket_names_the_fix(local_oss, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_OSS_NOBUCKET", local_oss.connection("oss_nobucket").as_json())

    async def scenario():
        return await DorisOssAsyncHook("oss_nobucket").resolve("k", field="bucket_key")

    with pytest.raises(ValueError, match=r"bucket_key.*set 'bucket' on connection 'oss_nobucket'"):
        run(scenario)


def test_pages_stop_when_the_caller_stops(local_oss, oss_conn):
    client = local_oss.client()
    for i in range(6):
        client.put_object(Bucket=oss_conn, Key=f"p/{i}", Body=b"1")

    async def scenario():
        pages = []
        async for page in DorisOssAsyncHook().iter_pages(oss_conn, "p/", page_size=2):
            pages.append([o["Key"] for o in page])
            if len(pages) == 2:
                break
        everything = [o["Key"] async for o in DorisOssAsyncHook().iter_objects(oss_conn, "p/", page_size=4)]
        return pages, everything

    before = len(local_oss.requests)
    pages, everything = run(scenario)
    assert pages == [["p/0", "p/1"], ["p/2", "p/3"]]
    assert everything == [f"p/{i}" for i in range(6)]
    lists = [r for r in local_oss.requests[before:] if "list-type=2" in r.query]
    assert len(lists) == 2 + 2


def test_concurrent_first_use_creates_one_client(local_oss, oss_conn):
    async def scenario():
        clients = await asyncio.gather(*(DorisOssAsyncHook().client() for _ in range(50)))
        return len({id(c) for c in clients}), shared_client_count()

    assert run(scenario) == (1, 1)


def test_put_and_get_bytes(local_oss, oss_conn):
    async def scenario():
        hook = DorisOssAsyncHook()
        await hook.put_bytes(ObjectUri(oss_conn, "cp/x.json"), b'{"a": 1}')
        return await hook.get_bytes(ObjectUri(oss_conn, "cp/x.json")), await hook.get_bytes(
            ObjectUri(oss_conn, "cp/no")
        )

    assert run(scenario) == (b'{"a": 1}', None)


def test_clients_are_per_event_loop(local_oss, oss_conn):
    """Two live loops get two clients; each works in its own loop."""
    from airflow_provider_doris_oss.uris import ObjectUri

    local_oss.client().put_object(Bucket=oss_conn, Key="loop/k", Body=b"1")

    async def head() -> tuple[int, int, int]:
        hook = DorisOssAsyncHook()
        found = await hook.head(ObjectUri(oss_conn, "loop/k"))
        return id(await hook.client()), shared_client_count(), found["ContentLength"]

    loop_a, loop_b = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        id_a, count_a, size_a = loop_a.run_until_complete(head())
        id_b, count_b, size_b = loop_b.run_until_complete(head())
        assert loop_a.run_until_complete(head())[0] == id_a
    finally:
        for loop in (loop_a, loop_b):
            loop.run_until_complete(close_shared_clients())
            loop.close()
    assert id_a != id_b
    assert count_a == count_b == 1
    assert size_a == size_b == 1
