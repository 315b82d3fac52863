"""The shared key poller: many waiting OssKeyTriggers, one LIST per folder and interval, real LocalOss."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook, shared_client_count
from airflow_provider_doris_oss.triggers.key import OssKeyTrigger
from airflow_provider_doris_oss.triggers.key_poller import active_pollers, folder_of, shared_poller


def bucket_requests(local_oss: Any, bucket: str) -> list[Any]:
    return [r for r in local_oss.requests if r.host.startswith(bucket + ".")]


def lists(local_oss: Any, bucket: str) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in bucket_requests(local_oss, bucket) if "list-type=2" in r.query]


def head_paths(local_oss: Any, bucket: str) -> list[str]:
    return [r.path for r in bucket_requests(local_oss, bucket) if r.method == "HEAD"]


async def next_event(trigger: OssKeyTrigger) -> dict[str, Any]:
    events = trigger.run()
    try:
        return (await anext(events)).payload
    finally:
        await events.aclose()


async def until(condition: Any, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def test_folder_of():
    assert folder_of("a/b/c.csv") == "a/b/"
    assert folder_of("top") == ""
    assert folder_of("a//b") == "a//"


def test_many_keys_in_one_folder_cost_one_list_per_interval(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    for name in ("k/0000-before", "k/zzzz-after", "other/k-0001"):
        client.put_object(Bucket=bucket, Key=name, Body=b"x")
    keys = [f"k/{i:04d}" for i in range(40)]
    # the second half asks for metadata a listing does not carry: their keys are HEADed once found
    triggers = [
        OssKeyTrigger(
            [f"oss://{bucket}/{key}"], poke_interval=0.3, metadata_keys=["ContentType"] if i >= 20 else None
        )
        for i, key in enumerate(keys)
    ]

    heads_for_arrivals: list[str] = []

    async def scenario() -> tuple[list[dict[str, Any]], int, int, list[dict[str, list[str]]]]:
        tasks = [asyncio.create_task(next_event(t)) for t in triggers]
        await until(lambda: sum(p.waiting for p in active_pollers()) == 40)
        # A tick while the first trigger alone was registered HEADs its key (one key, one HEAD):
        # count from the next tick on, when that one's requests are done.
        [poller] = active_pollers()
        ticks = poller.stats.ticks
        await until(lambda: poller.stats.ticks > ticks)
        heads_before, lists_before = len(head_paths(local_oss, bucket)), len(lists(local_oss, bucket))
        await until(lambda: len(lists(local_oss, bucket)) >= lists_before + 3)
        listings_while_waiting = lists(local_oss, bucket)[lists_before:]
        heads_while_waiting = len(head_paths(local_oss, bucket)) - heads_before
        assert not any(t.done() for t in tasks)
        [poller] = active_pollers()
        assert poller.waiting == 40
        heads_before_arrivals = len(head_paths(local_oss, bucket))
        for key in keys:
            await asyncio.to_thread(
                client.put_object, Bucket=bucket, Key=key, Body=b"12", ContentType="text/csv"
            )
        events = await asyncio.wait_for(asyncio.gather(*tasks), 30)
        heads_for_arrivals.extend(head_paths(local_oss, bucket)[heads_before_arrivals:])
        return events, heads_while_waiting, len(active_pollers()), listings_while_waiting

    events, heads_while_waiting, pollers_after, listings = asyncio.run(scenario())
    assert heads_while_waiting == 0  # 40 waiting keys, not one HEAD each
    assert all(q["prefix"] == ["k/"] for q in listings)
    assert all(q["start-after"] == ["k/000"] for q in listings)  # from just before the smallest key
    assert [e["status"] for e in events] == ["success"] * 40
    assert [e["files"][0]["Key"] for e in events] == keys
    assert all(e["files"][0]["Size"] == 2 for e in events)
    assert [e["files"][0].get("ContentType") for e in events] == [None] * 20 + ["text/csv"] * 20
    assert pollers_after == 0
    # a listing finds the keys; only those whose triggers need HEAD's metadata were HEADed
    # (the last key, once it waits alone, is HEADed each tick: one key, one request)
    assert set(heads_for_arrivals) == {f"/{k}" for k in keys[20:]}
    assert len(heads_for_arrivals) < 40


def test_a_key_is_found_exactly_when_head_finds_it(local_oss, oss_conn):
    """Near-miss keys in the same listing (a longer key, a trailing space, a child) do not count."""
    bucket = oss_conn
    client = local_oss.client()
    for near in ("ex/a ", "ex/ab", "ex/a/b", "ex/A"):
        client.put_object(Bucket=bucket, Key=near, Body=b"x")
    triggers = [OssKeyTrigger([f"oss://{bucket}/ex/{k}"], poke_interval=0.2) for k in ("a", "c")]

    async def scenario() -> list[dict[str, Any]]:
        tasks = [asyncio.create_task(next_event(t)) for t in triggers]
        await until(lambda: len(lists(local_oss, bucket)) >= 3)
        assert not any(t.done() for t in tasks)
        await asyncio.to_thread(client.put_object, Bucket=bucket, Key="ex/c", Body=b"x")
        await asyncio.to_thread(client.put_object, Bucket=bucket, Key="ex/a", Body=b"xyz")
        return await asyncio.wait_for(asyncio.gather(*tasks), 30)

    events = asyncio.run(scenario())
    assert [(e["files"][0]["Key"], e["files"][0]["Size"]) for e in events] == [("ex/a", 3), ("ex/c", 1)]


def test_a_folder_whose_listing_costs_more_is_headed(local_oss, oss_conn):
    bucket = oss_conn
    client = local_oss.client()
    for i in range(12):
        client.put_object(Bucket=bucket, Key=f"big/m{i:02d}", Body=b"x")

    async def scenario() -> tuple[int, int, int, int]:
        hook = DorisOssAsyncHook()
        poller = await shared_poller(hook, bucket, 60.0)
        poller.page_size = 2  # the two keys span six pages of two
        waits = [asyncio.create_task(poller.wait(k)) for k in ("big/a", "big/z")]
        await until(lambda: poller.stats.heads >= 1)
        first = (poller.stats.lists, poller.stats.heads)
        await poller.poll_once()
        second = (poller.stats.lists, poller.stats.heads)
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
        return (*first, *second)

    lists_1, heads_1, lists_2, heads_2 = asyncio.run(scenario())
    # listing cut short at one page per key; only the key past the listed range is HEADed
    assert (lists_1, heads_1) == (2, 1)
    assert (lists_2, heads_2) == (2, 3)  # next interval: HEADs only


def test_cancelled_triggers_leave_and_the_last_stops_the_poller(local_oss, oss_conn):
    bucket = oss_conn
    triggers = [OssKeyTrigger([f"oss://{bucket}/c/{i}"], poke_interval=0.2) for i in range(3)]

    async def scenario() -> dict[str, Any]:
        tasks = [asyncio.create_task(next_event(t)) for t in triggers]
        await until(lambda: len(lists(local_oss, bucket)) >= 2)
        [poller] = active_pollers()
        result: dict[str, Any] = {"waiting": [poller.waiting]}
        tasks[0].cancel()
        await asyncio.gather(tasks[0], return_exceptions=True)
        result["waiting"].append(poller.waiting)
        result["still_polling"] = active_pollers() == [poller]
        for task in tasks[1:]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        result["pollers"] = len(active_pollers())
        result["clients"] = shared_client_count()
        settled = len(bucket_requests(local_oss, bucket))
        await asyncio.sleep(1.0)  # five intervals: a poller still running would have listed again
        result["requests_after_stop"] = len(bucket_requests(local_oss, bucket)) - settled
        result["tasks"] = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return result

    result = asyncio.run(scenario())
    assert result["waiting"] == [3, 2]
    assert result["still_polling"] is True
    assert result["pollers"] == 0
    assert result["clients"] == 0  # the last lease closed the shared client
    assert result["requests_after_stop"] == 0
    assert result["tasks"] == []


def test_a_failing_head_ends_its_trigger_with_an_error_event(local_oss, oss_conn, monkeypatch):
    """LocalOss answers 502 for a host that is not its endpoint: the poller hands the error on."""
    import json

    conn = json.loads(local_oss.connection("wrong_endpoint", bucket=oss_conn).as_json())
    conn["host"] = "http://oss-cn-hangzhou.aliyuncs.com"
    extra = conn["extra"] if isinstance(conn["extra"], dict) else json.loads(conn["extra"])
    conn["extra"] = {**extra, "region": "cn-hangzhou"}
    monkeypatch.setenv("AIRFLOW_CONN_WRONG_ENDPOINT", json.dumps(conn))
    trigger = OssKeyTrigger([f"oss://{oss_conn}/x/flag"], oss_conn_id="wrong_endpoint", poke_interval=0.2)

    async def scenario() -> tuple[dict[str, Any], int]:
        event = await asyncio.wait_for(next_event(trigger), 60)
        return event, len(active_pollers())

    event, pollers = asyncio.run(scenario())
    assert event["status"] == "error"
    assert "HEAD oss://" in event["message"] and "x/flag" in event["message"]
    assert pollers == 0
