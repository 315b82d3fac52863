"""OSS faults between the provider and LocalOss: transient ones are survived, persistent ones end clearly.

Every client reaches LocalOss through the fault proxy (tests/faults/proxy.py). botocore's budget is
5 attempts per request (``retries={"mode": "standard", "total_max_attempts": 5}``), so a fault that
hits a request at most 4 times must be invisible to the caller, with the data intact, and one that
hits it every time must end in an ``OssOperationError`` naming the operation, bucket and key (and
never a key of the key pair) within a bounded time, with no incomplete multipart upload left.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from airflow_provider_doris_oss.hooks.client import OssOperationError
from airflow_provider_doris_oss.hooks.oss import DorisOssHook
from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook, close_shared_clients
from airflow_provider_doris_oss.uris import ObjectUri

STALL_READ_TIMEOUT_MS = 400  # where every request of a test gets a fault, none can time out by accident
ATTEMPTS = 5  # botocore's total_max_attempts as the provider configures it
BOUND = 45.0  # seconds after which a call counts as hung (a persistent stall needs about 5 x 0.4 s)
MIB = 1024 * 1024
T = TypeVar("T")


def bounded(call: Callable[[], T], seconds: float = BOUND) -> T:
    """Run ``call`` in a thread; fail the test if it has not returned or raised within ``seconds``."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call).result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"{call} did not end within {seconds} s: a fault made it hang")
    finally:
        pool.shutdown(wait=False)


def run_async(make: Callable[[], Any], seconds: float = BOUND) -> Any:
    """Run a coroutine in a new event loop with a deadline, closing the shared clients after."""

    async def main() -> Any:
        try:
            return await asyncio.wait_for(make(), seconds)
        finally:
            await close_shared_clients()

    return asyncio.run(main())


def assert_clear(error: BaseException, faulty: Any, *words: str) -> str:
    """The message names every word given and neither key of the key pair."""
    message = str(error)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
    for secret in faulty.secrets:
        assert secret not in message
    return message


def incomplete_uploads(faulty: Any) -> list[dict[str, Any]]:
    """ListMultipartUploads on LocalOss itself (not through the fault proxy)."""
    return list(faulty.oss.client().list_multipart_uploads(Bucket=faulty.bucket).get("Uploads", []))


def read_back(faulty: Any, key: str) -> bytes:
    return bytes(faulty.oss.client().get_object(Bucket=faulty.bucket, Key=key)["Body"].read())


@pytest.fixture
def small_file(tmp_path: Path) -> tuple[Path, bytes]:
    data = os.urandom(64 * 1024)
    path = tmp_path / "small.bin"
    path.write_bytes(data)
    return path, data


@pytest.fixture
def large_file(tmp_path: Path) -> tuple[Path, bytes]:
    """Above boto3's 8 MiB multipart threshold: two parts (8 MiB and 1 MiB); LocalOss (moto) wants >= 5 MiB parts."""
    data = os.urandom(9 * MIB)
    path = tmp_path / "large.bin"
    path.write_bytes(data)
    return path, data


# -- DorisOssHook: uploads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["internal_error", "slow_down", "reset_before_body", "reset_after_body", "stall"]
)
def test_small_upload_survives_transient_faults(faulty_oss, small_file, kind):
    path, data = small_file
    times = 1 if kind == "stall" else ATTEMPTS - 1  # each stall costs a read timeout
    faulty_oss.proxy.inject(kind, method="PUT", path="/up/small.bin", times=times)
    target = ObjectUri(faulty_oss.bucket, "up/small.bin")

    assert bounded(lambda: DorisOssHook().upload_file(path, target)) == target
    assert read_back(faulty_oss, "up/small.bin") == data
    assert faulty_oss.proxy.count(method="PUT", path="/up/small.bin") == times + 1
    assert faulty_oss.proxy.injected[kind] == times


@pytest.mark.parametrize("kind", ["internal_error", "stall"])
def test_small_upload_persistent_fault_is_a_clear_error(faulty_oss, small_file, kind):
    path, _ = small_file
    faulty_oss.set_read_timeout(STALL_READ_TIMEOUT_MS)
    faulty_oss.proxy.inject(kind, method="PUT", times=None)
    target = ObjectUri(faulty_oss.bucket, "up/never.bin")

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().upload_file(path, target))
    assert_clear(info.value, faulty_oss, "upload", f"oss://{faulty_oss.bucket}/up/never.bin")
    assert faulty_oss.proxy.count(method="PUT") == ATTEMPTS  # the whole retry budget, then no more


def test_slow_part_answers_beyond_the_request_timeout_do_not_fail_the_upload(
    faulty_oss, large_file, monkeypatch
):
    """A busy server acknowledges each part later than the connection's request timeout (Doris's
    default is 3 s): the upload waits for it (transfers wait at least 60 s) instead of failing."""
    from airflow_provider_doris_oss.hooks import client

    monkeypatch.setattr(client, "TRANSFER_TIMEOUT_SECONDS", 60.0)
    path, data = large_file
    faulty_oss.proxy.inject("slow_answer", method="PUT", query="uploadId", times=None)
    target = ObjectUri(faulty_oss.bucket, "up/slow-parts.bin")

    bounded(lambda: DorisOssHook().upload_file(path, target))

    head = faulty_oss.oss.client().head_object(Bucket=faulty_oss.bucket, Key="up/slow-parts.bin")
    assert head["ContentLength"] == len(data)
    assert faulty_oss.proxy.injected["slow_answer"] == 2  # each part once: no timeout, no retry
    assert faulty_oss.proxy.count(method="PUT") == 2


def test_part_bodies_a_busy_server_reads_late_do_not_fail_the_upload(faulty_oss, large_file, monkeypatch):
    """A busy server (or a slow link) takes a part's body late: the client's writes block for longer
    than the connect timeout (1 s here, Doris's default). urllib3 sends a request under the connect
    timeout, so with it each 8 MiB part failed (ConnectionClosedError after 5 attempts); transfers
    wait as long for a write as for an answer."""
    from airflow_provider_doris_oss.hooks import client

    monkeypatch.setattr(client, "TRANSFER_TIMEOUT_SECONDS", 60.0)
    path, data = large_file
    faulty_oss.proxy.inject("slow_read", method="PUT", query="uploadId", times=None)
    target = ObjectUri(faulty_oss.bucket, "up/slow-reads.bin")

    bounded(lambda: DorisOssHook().upload_file(path, target))

    assert read_back(faulty_oss, "up/slow-reads.bin") == data
    assert faulty_oss.proxy.injected["slow_read"] == 2  # each part once: no write timeout, no retry
    assert faulty_oss.proxy.count(method="PUT") == 2


def test_multipart_upload_survives_transient_faults_in_every_step(faulty_oss, large_file):
    path, data = large_file
    proxy = faulty_oss.proxy
    proxy.inject("slow_down", method="POST", query="uploads", times=2)  # CreateMultipartUpload
    proxy.inject("reset_before_body", method="PUT", query="uploadId", times=1)  # UploadPart
    proxy.inject("internal_error", method="PUT", query="uploadId", times=1)
    proxy.inject("reset_after_body", method="POST", query="uploadId", times=1)  # CompleteMultipartUpload
    target = ObjectUri(faulty_oss.bucket, "up/large.bin")

    bounded(lambda: DorisOssHook().upload_file(path, target))

    assert read_back(faulty_oss, "up/large.bin") == data
    assert proxy.count(method="PUT", query="uploadId") == 2 + 2  # two parts, two of them retried
    assert dict(proxy.injected) == {
        "slow_down": 2,
        "reset_before_body": 1,
        "internal_error": 1,
        "reset_after_body": 1,
    }
    assert incomplete_uploads(faulty_oss) == []


@pytest.mark.parametrize("kind", ["internal_error", "reset_after_body"])
def test_failed_multipart_upload_is_aborted(faulty_oss, large_file, kind):
    path, _ = large_file
    faulty_oss.proxy.inject(kind, method="PUT", query="uploadId", path="/up/broken.bin", times=None)
    target = ObjectUri(faulty_oss.bucket, "up/broken.bin")

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().upload_file(path, target))

    assert_clear(info.value, faulty_oss, "upload", f"oss://{faulty_oss.bucket}/up/broken.bin")
    assert faulty_oss.proxy.count(method="DELETE", query="uploadId") >= 1  # AbortMultipartUpload
    assert incomplete_uploads(faulty_oss) == []
    assert faulty_oss.oss.client().list_objects_v2(Bucket=faulty_oss.bucket).get("KeyCount") == 0


def test_multipart_upload_whose_abort_fails_says_what_is_left(faulty_oss, large_file):
    path, _ = large_file
    faulty_oss.proxy.inject("internal_error", method="PUT", query="uploadId", times=None)  # UploadPart
    faulty_oss.proxy.inject(
        "slow_down", method="DELETE", query="uploadId", times=None
    )  # AbortMultipartUpload
    target = ObjectUri(faulty_oss.bucket, "up/stuck.bin")

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().upload_file(path, target))

    assert_clear(
        info.value, faulty_oss, f"oss://{faulty_oss.bucket}/up/stuck.bin", "AbortMultipartUpload also failed"
    )
    [left] = incomplete_uploads(faulty_oss)  # what the message warns about is really there
    assert left["Key"] == "up/stuck.bin"
    faulty_oss.oss.client().abort_multipart_upload(
        Bucket=faulty_oss.bucket, Key=left["Key"], UploadId=left["UploadId"]
    )


# -- DorisOssHook: listing, deletes, head ------------------------------------------------------


def put_objects(faulty: Any, keys: list[str]) -> None:
    client = faulty.oss.client()
    for key in keys:
        client.put_object(Bucket=faulty.bucket, Key=key, Body=key.encode())


def test_listing_survives_faults_on_every_page(faulty_oss):
    keys = [f"l/{i}.csv" for i in range(5)]
    put_objects(faulty_oss, keys)
    proxy = faulty_oss.proxy
    proxy.inject("slow_down", method="GET", query="list-type", times=1)  # the first page
    proxy.inject("reset_after_body", query="continuation-token", times=2)  # the later pages
    proxy.inject("internal_error", query="continuation-token", times=1)

    listed = bounded(
        lambda: [o["Key"] for o in DorisOssHook().iter_objects(faulty_oss.bucket, "l/", page_size=2)]
    )

    assert listed == keys
    assert proxy.count(query="list-type") == 3 + 4  # three pages, four of them retried
    assert proxy.count(query="list-type", faulted=False) == 3


@pytest.mark.parametrize("kind", ["slow_down", "stall"])
def test_listing_persistent_fault_is_a_clear_error(faulty_oss, kind):
    faulty_oss.set_read_timeout(STALL_READ_TIMEOUT_MS)
    faulty_oss.proxy.inject(kind, query="list-type", times=None)

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().list_keys(faulty_oss.bucket, "l/"))

    message = assert_clear(info.value, faulty_oss, "Listing", f"oss://{faulty_oss.bucket}/l/")
    assert ("SlowDown (HTTP 503)" if kind == "slow_down" else "timeout") in message
    assert faulty_oss.proxy.count(query="list-type") == ATTEMPTS


def test_deletes_survive_transient_faults(faulty_oss):
    keys = ["d/a", "d/b", "d/c"]
    put_objects(faulty_oss, [*keys, "d/keep"])
    faulty_oss.proxy.inject("reset_after_body", method="POST", query="delete", times=2)
    faulty_oss.proxy.inject("internal_error", method="POST", query="delete", times=2)

    assert bounded(lambda: DorisOssHook().delete_keys(faulty_oss.bucket, keys)) == 3

    left = faulty_oss.oss.client().list_objects_v2(Bucket=faulty_oss.bucket, Prefix="d/")
    assert [o["Key"] for o in left["Contents"]] == ["d/keep"]
    assert faulty_oss.proxy.count(method="POST", query="delete") == ATTEMPTS


def test_delete_persistent_fault_names_bucket_and_keys(faulty_oss):
    put_objects(faulty_oss, ["d/a", "d/b"])
    faulty_oss.proxy.inject("internal_error", method="POST", query="delete", times=None)

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().delete_keys(faulty_oss.bucket, ["d/a", "d/b"]))

    assert_clear(
        info.value, faulty_oss, "Deleting", faulty_oss.bucket, "d/a", "d/b", "InternalError (HTTP 500)"
    )
    assert faulty_oss.proxy.count(method="POST", query="delete") == ATTEMPTS


def test_head_survives_transient_faults(faulty_oss):
    put_objects(faulty_oss, ["h/k"])
    faulty_oss.proxy.inject("reset_before_body", method="HEAD", times=1)
    faulty_oss.proxy.inject("slow_down", method="HEAD", times=1)
    faulty_oss.proxy.inject("stall", method="HEAD", times=1)

    head = bounded(lambda: DorisOssHook().head(ObjectUri(faulty_oss.bucket, "h/k")))

    assert head is not None and head["ContentLength"] == len(b"h/k")
    assert faulty_oss.proxy.count(method="HEAD") == 4


@pytest.mark.parametrize("kind", ["internal_error", "stall"])
def test_head_persistent_fault_is_a_clear_error(faulty_oss, kind):
    faulty_oss.set_read_timeout(STALL_READ_TIMEOUT_MS)
    faulty_oss.proxy.inject(kind, method="HEAD", times=None)

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: DorisOssHook().head(ObjectUri(faulty_oss.bucket, "h/k")))

    message = assert_clear(info.value, faulty_oss, "HEAD", f"oss://{faulty_oss.bucket}/h/k")
    assert ("HTTP 500" if kind == "internal_error" else "timeout") in message
    assert faulty_oss.proxy.count(method="HEAD") == ATTEMPTS


# -- DorisOssAsyncHook -------------------------------------------------------------------------


def test_async_hook_survives_transient_faults(faulty_oss):
    put_objects(faulty_oss, ["a/1", "a/2", "a/3"])
    proxy = faulty_oss.proxy
    proxy.inject("reset_before_body", method="HEAD", times=2)
    proxy.inject("slow_down", query="continuation-token", times=2)
    proxy.inject("reset_after_body", method="PUT", times=2)
    proxy.inject("internal_error", method="GET", path="/a/new", times=2)
    proxy.inject("stall", method="GET", path="/a/1", times=1)

    async def scenario() -> tuple[Any, list[list[str]], bytes | None, bytes | None]:
        hook = DorisOssAsyncHook()
        head = await hook.head(ObjectUri(faulty_oss.bucket, "a/2"))
        pages = [
            [o["Key"] for o in page] async for page in hook.iter_pages(faulty_oss.bucket, "a/", page_size=2)
        ]
        await hook.put_bytes(ObjectUri(faulty_oss.bucket, "a/new"), b"payload")
        return (
            head,
            pages,
            await hook.get_bytes(ObjectUri(faulty_oss.bucket, "a/new")),
            await hook.get_bytes(ObjectUri(faulty_oss.bucket, "a/1")),
        )

    head, pages, new, first = run_async(scenario)

    assert head["ContentLength"] == 3
    assert pages == [["a/1", "a/2"], ["a/3"]]
    assert (new, first) == (b"payload", b"a/1")
    assert read_back(faulty_oss, "a/new") == b"payload"
    assert proxy.injected == {
        "reset_before_body": 2,
        "slow_down": 2,
        "reset_after_body": 2,
        "internal_error": 2,
        "stall": 1,
    }
    assert proxy.count(faulted=False) == 6  # HEAD, two pages, PUT, two GETs


@pytest.mark.parametrize(
    ("kind", "method", "operation", "expected"),
    [
        ("stall", "GET", "Listing", "timeout"),
        ("slow_down", "PUT", "PUT", "SlowDown (HTTP 503)"),
        ("reset_before_body", "HEAD", "HEAD", "Connection"),
    ],
)
def test_async_hook_persistent_fault_is_a_clear_error(faulty_oss, kind, method, operation, expected):
    faulty_oss.set_read_timeout(STALL_READ_TIMEOUT_MS)
    faulty_oss.proxy.inject(kind, method=method, times=None)
    target = ObjectUri(faulty_oss.bucket, "a/x")

    async def scenario() -> None:
        hook = DorisOssAsyncHook()
        if operation == "Listing":
            [page async for page in hook.iter_pages(faulty_oss.bucket, "a/x")]
        elif operation == "PUT":
            await hook.put_bytes(target, b"{}")
        else:
            await hook.head(target)

    with pytest.raises(OssOperationError) as info:
        run_async(scenario)

    message = assert_clear(info.value, faulty_oss, operation, f"oss://{faulty_oss.bucket}/a/x")
    assert expected.lower() in message.lower()
    # aiohttp itself sends an idempotent request once more after a reset (RFC 9112 9.3.1), so each
    # of botocore's attempts is two requests when the connection is reset.
    per_attempt = 2 if kind.startswith("reset") else 1
    assert faulty_oss.proxy.count(method=method) == per_attempt * ATTEMPTS


# -- OssKeySensor (poke) and OssKeyTrigger -----------------------------------------------------


def key_sensor(**kwargs: Any) -> Any:
    from airflow_provider_doris_oss.sensors.key import OssKeySensor

    return OssKeySensor(task_id="wait_for_key", poke_interval=0.1, **kwargs)


def test_key_sensor_poke_survives_transient_faults(faulty_oss):
    put_objects(faulty_oss, ["s/k.csv", "s/w/1.csv"])
    faulty_oss.proxy.inject("slow_down", method="HEAD", times=ATTEMPTS - 1)
    faulty_oss.proxy.inject("reset_before_body", query="list-type", times=1)
    faulty_oss.proxy.inject("stall", query="list-type", times=1)
    exact = key_sensor(bucket_key="s/k.csv")
    wildcard = key_sensor(bucket_key="s/w/*.csv", wildcard_match=True)

    results = [bounded(lambda: exact.poke({})), bounded(lambda: wildcard.poke({}))]

    assert [r.is_done for r in results] == [True, True]
    files = [f for r in results for f in r.xcom_value]
    assert [(f["Key"], f["Size"]) for f in files] == [("s/k.csv", 7), ("s/w/1.csv", 9)]
    assert faulty_oss.proxy.injected == {"slow_down": 4, "reset_before_body": 1, "stall": 1}


def test_key_sensor_poke_persistent_fault_fails_clearly(faulty_oss):
    faulty_oss.proxy.inject("internal_error", method="HEAD", times=None)
    sensor = key_sensor(bucket_key="s/missing.csv")

    with pytest.raises(OssOperationError) as info:
        bounded(lambda: sensor.poke({}))

    assert_clear(info.value, faulty_oss, "HEAD", f"oss://{faulty_oss.bucket}/s/missing.csv", "HTTP 500")
    assert faulty_oss.proxy.count(method="HEAD") == ATTEMPTS


async def first_event(trigger: Any) -> dict[str, Any]:
    events = trigger.run()
    try:
        return dict((await anext(events)).payload)
    finally:
        await events.aclose()


def test_key_trigger_survives_transient_faults(faulty_oss):
    from airflow_provider_doris_oss.triggers.key import OssKeyTrigger

    put_objects(faulty_oss, ["t/a.csv", "t/b.json"])
    faulty_oss.proxy.inject("internal_error", query="list-type", times=2)
    faulty_oss.proxy.inject("reset_after_body", method="HEAD", times=1)
    faulty_oss.proxy.inject("stall", method="HEAD", times=1)
    trigger = OssKeyTrigger(
        [f"oss://{faulty_oss.bucket}/t/*.csv", f"oss://{faulty_oss.bucket}/t/b.json"],
        mode="wildcard",
        poke_interval=0.1,
    )

    event = run_async(lambda: first_event(trigger))

    assert event["status"] == "success"
    assert [f["Key"] for f in event["files"]] == ["t/a.csv", "t/b.json"]
    trigger_exact = OssKeyTrigger([f"oss://{faulty_oss.bucket}/t/b.json"], poke_interval=0.1)
    event = run_async(lambda: first_event(trigger_exact))
    assert (event["status"], event["files"][0]["Size"]) == ("success", len(b"t/b.json"))
    assert faulty_oss.proxy.injected["stall"] == 1


@pytest.mark.parametrize(("kind", "expected"), [("internal_error", "HTTP 500"), ("stall", "timeout")])
def test_key_trigger_persistent_fault_is_an_error_event(faulty_oss, kind, expected):
    faulty_oss.set_read_timeout(STALL_READ_TIMEOUT_MS)
    from airflow_provider_doris_oss.triggers.key import OssKeyTrigger

    faulty_oss.proxy.inject(kind, method="HEAD", times=None)
    trigger = OssKeyTrigger([f"oss://{faulty_oss.bucket}/t/late.csv"], poke_interval=0.1)

    event = run_async(lambda: first_event(trigger))

    assert event["status"] == "error"
    message = assert_clear(
        Exception(event["message"]), faulty_oss, "HEAD", f"oss://{faulty_oss.bucket}/t/late.csv"
    )
    assert expected in message
    assert faulty_oss.proxy.count(method="HEAD") == ATTEMPTS


# -- OssObjectEventTrigger: the poll and the checkpoint ----------------------------------------


CHECKPOINTS = "/_airflow_doris_oss/"


async def wait_until(
    condition: Callable[[], bool], what: str, task: asyncio.Task[Any], seconds: float = 30.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if task.done():
            task.result()
            raise AssertionError(f"the trigger ended before {what}")
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


def checkpoint_maps(faulty: Any) -> list[dict[str, str]]:
    client = faulty.oss.client()
    listed = client.list_objects_v2(Bucket=faulty.bucket, Prefix=CHECKPOINTS[1:]).get("Contents", [])
    return [
        json.loads(client.get_object(Bucket=faulty.bucket, Key=o["Key"])["Body"].read())["objects"]
        for o in listed
        if o["Key"].endswith(".json")  # not the start marker
    ]


def test_object_event_trigger_rides_out_failed_polls_and_checkpoint_writes(faulty_oss):
    from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

    proxy = faulty_oss.proxy
    proxy.inject("slow_down", method="GET", path=CHECKPOINTS, times=2)  # the checkpoint load
    proxy.inject(
        "internal_error", query="list-type", times=ATTEMPTS + 2
    )  # a whole poll fails, then two tries
    trigger = OssObjectEventTrigger(prefix="in/", poll_interval=0.2)
    events: list[dict[str, Any]] = []

    async def scenario() -> None:
        async def consume() -> None:
            async for event in trigger.run():
                events.append(dict(event.payload))

        task = asyncio.create_task(consume())
        try:
            # Two good listings: the first snapshot (and any starting checkpoint) is fully handled.
            await wait_until(lambda: proxy.count(query="list-type", faulted=False) >= 2, "two listings", task)
            # Every attempt of the next checkpoint write fails: the write is lost, kept, and redone.
            proxy.inject("internal_error", method="PUT", path=CHECKPOINTS, times=ATTEMPTS)
            put_objects(faulty_oss, ["in/a.csv", "in/b.csv"])
            await wait_until(lambda: len(events) >= 2, "two events", task)
            await wait_until(
                lambda: (
                    proxy.count(method="PUT", path=CHECKPOINTS, faulted=False) >= 1
                    and sorted(checkpoint_maps(faulty_oss)[0]) == ["in/a.csv", "in/b.csv"]
                ),
                "the checkpoint",
                task,
            )
            polls = proxy.count(query="list-type")
            await wait_until(lambda: proxy.count(query="list-type") >= polls + 3, "three more polls", task)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    run_async(scenario)

    assert sorted(e["key"] for e in events) == ["in/a.csv", "in/b.csv"]  # each once, none lost
    [checkpoint] = checkpoint_maps(faulty_oss)
    assert checkpoint == {e["key"]: e["etag"] for e in events}
    assert proxy.injected == {"slow_down": 2, "internal_error": ATTEMPTS + 2 + ATTEMPTS}


def test_object_event_trigger_unreadable_checkpoint_ends_clearly(faulty_oss):
    from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

    faulty_oss.proxy.inject("slow_down", method="GET", path=CHECKPOINTS, times=None)
    trigger = OssObjectEventTrigger(prefix="in/", poll_interval=0.2)

    async def scenario() -> None:
        async for _ in trigger.run():
            raise AssertionError("no event can come before the checkpoint is read")

    with pytest.raises(OssOperationError) as info:
        run_async(scenario)

    assert_clear(info.value, faulty_oss, "GET", f"oss://{faulty_oss.bucket}{CHECKPOINTS}", "SlowDown")
    assert faulty_oss.proxy.count(method="GET", path=CHECKPOINTS) == ATTEMPTS
