"""OssKeyTrigger and OssKeysUnchangedTrigger: real async runs against the local OSS."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

from airflow_provider_doris_oss.hooks.oss_async import (
    DorisOssAsyncHook,
    close_shared_clients,
    shared_client_count,
)
from airflow_provider_doris_oss.triggers.key import OssKeyTrigger, afind_matches
from airflow_provider_doris_oss.triggers.keys_unchanged import OssKeysUnchangedTrigger
from airflow_provider_doris_oss.triggers.matching import KeyPattern


async def first_event(trigger, timeout: float = 60.0) -> dict:
    events = trigger.run()
    try:
        return (await asyncio.wait_for(anext(events), timeout)).payload
    finally:
        await events.aclose()


def heads(local_oss, bucket: str, key: str) -> int:
    return sum(
        1
        for r in local_oss.requests
        if r.method == "HEAD" and r.host.startswith(bucket + ".") and r.path == "/" + key
    )


def test_a_hundred_waiting_triggers_share_one_client(local_oss, oss_conn):
    bucket = oss_conn
    triggers = [OssKeyTrigger([f"oss://{bucket}/ready/flag"], poke_interval=0.2) for _ in range(100)]

    async def scenario() -> tuple[list[dict], int, set[int], int]:
        tasks = [asyncio.create_task(first_event(t)) for t in triggers]
        while heads(local_oss, bucket, "ready/flag") < 3:  # three ticks of the shared poller
            await asyncio.sleep(0.05)
            assert not any(t.done() for t in tasks)
        clients_while_waiting = shared_client_count()
        hook = DorisOssAsyncHook()
        client_ids = {id(await DorisOssAsyncHook().client()) for _ in range(3)}
        pool = (await hook.client()).meta.config.max_pool_connections
        await asyncio.to_thread(local_oss.client().put_object, Bucket=bucket, Key="ready/flag", Body=b"1")
        events = await asyncio.gather(*tasks)
        await close_shared_clients()
        return events, clients_while_waiting, client_ids, pool

    events, clients, client_ids, pool = asyncio.run(scenario())
    assert clients == 1
    assert len(client_ids) == 1
    assert pool == 50  # the connection's connection.maximum default, shared by all 100
    assert [e["status"] for e in events] == ["success"] * 100
    assert all(e["files"][0]["Key"] == "ready/flag" for e in events)


def test_wildcard_stops_listing_at_the_first_match(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    for i in range(10):
        client.put_object(Bucket=bucket, Key=f"pages/{i:02d}.csv", Body=b"1")

    def list_calls() -> list[str]:
        return [
            parse_qs(r.query).get("prefix", [""])[0]
            for r in local_oss.requests
            if r.host.startswith(bucket + ".") and "list-type=2" in r.query
        ]

    async def scenario(first_only: bool) -> list[dict]:
        found = await afind_matches(
            DorisOssAsyncHook(),
            KeyPattern(bucket, "pages/*.csv", "wildcard"),
            first_only=first_only,
            metadata_keys=["Size"],
            page_size=2,
        )
        await close_shared_clients()
        return found

    before = len(list_calls())
    found = asyncio.run(scenario(first_only=True))
    assert [f["Key"] for f in found] == ["pages/00.csv"]
    assert list_calls()[before:] == ["pages/"]  # one page of two, not five pages

    before = len(list_calls())
    found = asyncio.run(scenario(first_only=False))
    assert len(found) == 10
    assert list_calls()[before:] == ["pages/"] * 5


@pytest.mark.parametrize(
    ("mode", "pattern", "expected"),
    [
        ("exact", "t/exact.txt", ["t/exact.txt"]),
        ("wildcard", "t/*.txt", ["t/exact.txt"]),
        ("regex", r"t/\w+\.txt", ["t/exact.txt"]),
    ],
)
def test_key_trigger_modes_fire_success(local_oss, oss_conn, mode, pattern, expected):
    local_oss.client().put_object(Bucket=oss_conn, Key="t/exact.txt", Body=b"123")
    event = asyncio.run(_fire(OssKeyTrigger([f"oss://{oss_conn}/{pattern}"], mode=mode, poke_interval=0.2)))
    assert event["status"] == "success"
    assert [f["Key"] for f in event["files"]] == expected
    assert event["files"][0]["Size"] == 3


def test_key_trigger_with_check_fn_reports_every_match(local_oss, oss_conn):
    client = local_oss.client()
    for key in ("c/1.csv", "c/2.csv", "c/3.txt"):
        client.put_object(Bucket=oss_conn, Key=key, Body=b"1")
    trigger = OssKeyTrigger(
        [f"oss://{oss_conn}/c/*.csv"], mode="wildcard", should_check_fn=True, poke_interval=0.2
    )
    event = asyncio.run(_fire(trigger))
    assert event["status"] == "running"
    assert sorted(f["Key"] for f in event["files"]) == ["c/1.csv", "c/2.csv"]


def test_key_trigger_reports_errors_as_events(local_oss, oss_conn):
    trigger = OssKeyTrigger(["oss://no-such-bucket-for-this-test/x*"], mode="wildcard", poke_interval=0.2)
    event = asyncio.run(_fire(trigger))
    assert event["status"] == "error"
    assert "no-such-bucket-for-this-test" in event["message"]


def test_key_trigger_serialize_round_trips():
    trigger = OssKeyTrigger(
        ["oss://bkt/k*"],
        mode="wildcard",
        oss_conn_id="c",
        poke_interval=3,
        should_check_fn=True,
        metadata_keys=["*"],
        wait_first=True,
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_doris_oss.triggers.key.OssKeyTrigger"
    assert OssKeyTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_keys_unchanged_trigger_waits_for_quiet(local_oss, oss_conn):
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="batch/1", Body=b"1")

    async def scenario() -> dict:
        trigger = OssKeysUnchangedTrigger(
            oss_conn, "batch/", inactivity_period=1.0, min_objects=2, poke_interval=0.2
        )
        task = asyncio.create_task(_fire(trigger))
        await asyncio.sleep(1.5)
        assert not task.done(), "fired with fewer than min_objects"
        await asyncio.to_thread(client.put_object, Bucket=oss_conn, Key="batch/2", Body=b"1")
        return await task

    event = asyncio.run(scenario())
    assert event == {"status": "success", "objects": 2}


def test_keys_unchanged_trigger_refuses_deletions_when_told(local_oss, oss_conn):
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="del/1", Body=b"1")
    client.put_object(Bucket=oss_conn, Key="del/2", Body=b"1")

    async def scenario() -> dict:
        trigger = OssKeysUnchangedTrigger(
            oss_conn, "del/", inactivity_period=30, allow_delete=False, poke_interval=0.2
        )
        task = asyncio.create_task(_fire(trigger))
        while not any(
            r.host.startswith(oss_conn + ".") and "list-type=2" in r.query for r in local_oss.requests
        ):
            await asyncio.sleep(0.05)
        await asyncio.to_thread(client.delete_object, Bucket=oss_conn, Key="del/2")
        return await task

    event = asyncio.run(scenario())
    assert event["status"] == "error"
    assert "allow_delete" in event["message"] and "del/2" in event["message"]


def test_keys_unchanged_trigger_serialize_round_trips():
    trigger = OssKeysUnchangedTrigger("bkt", "p/", 10, 2, False, "c", 1.0, {"p/a": '"e"'}, 123.0)
    classpath, kwargs = trigger.serialize()
    assert OssKeysUnchangedTrigger(**kwargs).serialize() == (classpath, kwargs)


async def _fire(trigger) -> dict:
    try:
        return await first_event(trigger)
    finally:
        await close_shared_clients()
