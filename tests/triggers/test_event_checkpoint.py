"""The event watcher's checkpoint: where it may live (issue 15 item 6), what a stored one must hold to
be trusted (item 7), and how a watcher tells a vanished checkpoint from a first start (item 5)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
from airflow_provider_doris_oss.triggers import checkpoint as checkpoint_module
from airflow_provider_doris_oss.triggers.checkpoint_document import (
    CheckpointError,
    WatchIdentity,
    parse_checkpoint,
)
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger
from airflow_provider_doris_oss.uris import ObjectUri
from tests.triggers.conftest import CHECKPOINTS, MiniTriggerer, settle

# -- item 6: a checkpoint prefix must not hold the watched prefix --------------------------------


@pytest.mark.parametrize(
    "checkpoint_prefix", ["", "inbox", "inbox/", "oss://land-bkt/inbox/", "oss://land-bkt/"]
)
@pytest.mark.parametrize("prefix", ["oss://land-bkt/inbox/", "oss://land-bkt/inbox/*.csv"])
def test_a_checkpoint_prefix_holding_the_watched_prefix_is_refused(
    prefix: str, checkpoint_prefix: str
) -> None:
    with pytest.raises(ValueError, match=r"^checkpoint_prefix") as raised:
        OssObjectEventTrigger(
            prefix=prefix, wildcard_match="*" in prefix, checkpoint_prefix=checkpoint_prefix
        )
    assert "outside what is watched" in str(raised.value)


@pytest.mark.parametrize(
    "checkpoint_prefix", ["in", "inbox-checkpoints/", "_airflow_doris_oss/x/", "oss://other-bkt/inbox/"]
)
def test_a_checkpoint_prefix_beside_the_watched_prefix_is_accepted(checkpoint_prefix: str) -> None:
    trigger = OssObjectEventTrigger(prefix="oss://land-bkt/inbox/", checkpoint_prefix=checkpoint_prefix)
    assert trigger.checkpoint_prefix == checkpoint_prefix


def test_an_overlap_known_only_at_start_fails_the_watcher_loudly(local_oss: Any, oss_conn: str) -> None:
    """The watched bucket is the connection's default: the overlap is found when the watcher starts."""
    trigger = OssObjectEventTrigger(
        prefix="inbox/", poll_interval=0.2, checkpoint_prefix=f"oss://{oss_conn}/inbox"
    )
    events, error = asyncio.run(outcome(trigger))
    assert events == [] and isinstance(error, ValueError)
    assert str(error).startswith("checkpoint_prefix")


def test_inside_the_watched_prefix_only_the_checkpoint_objects_are_skipped(
    local_oss: Any, oss_conn: str
) -> None:
    """Watching data/ with checkpoints in data/_cp/: other objects under data/_cp/ are still reported."""
    client = local_oss.client()
    for key in ("data/a.csv", "data/_cp/notes.txt", "data/_cp/sub/x.json"):
        client.put_object(Bucket=oss_conn, Key=key, Body=b"1")
    trigger = OssObjectEventTrigger(
        prefix="data/", poll_interval=0.2, checkpoint_prefix="data/_cp/", start_from="beginning"
    )

    async def scenario() -> list[str]:
        runner = MiniTriggerer()
        runner.start(1, trigger)
        try:
            await runner.wait_for(lambda: len(runner.persisted) >= 3, "three events")
            await runner.wait_for(lambda: stored_keys(local_oss, oss_conn, "data/_cp/"), "the checkpoint")
            await settle(runner, local_oss, oss_conn, "data/")
        finally:
            await runner.stop()
        return sorted(k for k, _ in runner.keys(1))

    assert asyncio.run(scenario()) == ["data/_cp/notes.txt", "data/_cp/sub/x.json", "data/a.csv"]
    stored = stored_keys(local_oss, oss_conn, "data/_cp/")
    assert {k.rsplit(".", 1)[1] for k in stored} == {"json", "started"}, stored


# -- item 7: a stored checkpoint is validated before it is trusted -------------------------------


def identity(bucket: str, pattern: str = "in/", ordered: bool = False) -> dict[str, Any]:
    return {"bucket": bucket, "pattern": pattern, "mode": "prefix", "ordered_keys": ordered}


def bad_documents(bucket: str) -> dict[str, tuple[bytes, str, bool]]:
    """name -> (stored bytes, what the error must say, ordered watcher)."""

    def doc(ordered: bool = False, **fields: Any) -> bytes:
        base: dict[str, Any] = {"version": 2, "identity": identity(bucket, ordered=ordered), "objects": {}}
        return json.dumps(base | fields).encode()

    good = doc(objects={"in/a.csv": '"e"'})
    return {
        "null ETag": (doc(objects={"in/a.csv": None}), "has ETag None", False),
        "numeric after": (doc(ordered=True, after=5), "'after' is 5", True),
        "version 99": (doc(version=99), "version 99", False),
        "version true": (doc(version=True), "'version' is True", False),
        "another watcher's": (doc(identity=identity(bucket, "other/")), "belongs to another watcher", False),
        "another watcher's (version 1)": (
            json.dumps({"version": 1, "watch": {"prefix": "other/"}, "objects": {}}).encode(),
            "belongs to another watcher",
            False,
        ),
        "deeply nested": (b"[" * 200_000 + b"]" * 200_000, "nested too deeply", False),
        "truncated": (good[:-7], "not valid JSON", False),
        "a list": (b"[]", "not an object", False),
        "objects a list": (doc(objects=[]), "'objects' is list", False),
        "time NaN": (doc()[:-1] + b', "written_at": NaN}', "'written_at' is nan", False),
        "writer a number": (doc(writer=7), "'writer' is 7", False),
    }


@pytest.mark.parametrize(
    "case",
    [
        "null ETag",
        "numeric after",
        "version 99",
        "version true",
        "another watcher's",
        "another watcher's (version 1)",
        "deeply nested",
        "truncated",
        "a list",
        "objects a list",
        "time NaN",
        "writer a number",
    ],
)
def test_a_checkpoint_that_cannot_be_trusted_is_refused_by_name(case: str) -> None:
    data, problem, ordered = bad_documents("land-bkt")[case]
    location = ObjectUri("land-bkt", f"{CHECKPOINTS}cp.json")
    with pytest.raises(CheckpointError) as raised:
        parse_checkpoint(data, location, WatchIdentity("land-bkt", "in/", "prefix", ordered), "FIX.")
    message = str(raised.value)
    assert str(location) in message and problem in message, message
    assert message.endswith(("FIX.", "to start over.")), message


@pytest.mark.parametrize(
    "case", ["null ETag", "numeric after", "version 99", "another watcher's", "deeply nested"]
)
def test_the_watcher_fails_loudly_on_such_a_checkpoint_and_reports_nothing(
    local_oss: Any, oss_conn: str, case: str
) -> None:
    """Before: the first four replayed in/a.csv silently, the nested one raised a bare RecursionError."""
    data, problem, ordered = bad_documents(oss_conn)[case]
    client = local_oss.client()
    client.put_object(Bucket=oss_conn, Key="in/a.csv", Body=b"1")
    client.put_object(Bucket=oss_conn, Key=f"{CHECKPOINTS}cp.json", Body=data)
    trigger = OssObjectEventTrigger(
        prefix="in/", poll_interval=0.2, checkpoint_name="cp", ordered_keys=ordered, start_from="beginning"
    )
    events, error = asyncio.run(outcome(trigger))
    assert events == []
    assert isinstance(error, ValueError), error
    assert f"oss://{oss_conn}/{CHECKPOINTS}cp.json" in str(error) and problem in str(error)
    assert client.get_object(Bucket=oss_conn, Key=f"{CHECKPOINTS}cp.json")["Body"].read() == data, (
        "left as found"
    )


def test_a_version_1_checkpoint_of_this_watcher_is_resumed_and_upgraded(
    local_oss: Any, oss_conn: str
) -> None:
    client = local_oss.client()
    etag = client.put_object(Bucket=oss_conn, Key="in/a.csv", Body=b"1")["ETag"]
    kwargs = {"prefix": "in/", "poll_interval": 0.2, "checkpoint_name": "cp"}
    legacy = {
        "version": 1,
        "watch": OssObjectEventTrigger(**kwargs).serialize()[1],
        "objects": {"in/a.csv": etag},
    }
    client.put_object(Bucket=oss_conn, Key=f"{CHECKPOINTS}cp.json", Body=json.dumps(legacy).encode())

    async def scenario() -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(
                lambda: document(local_oss, oss_conn, "cp.json")["version"] == 2, "the upgrade"
            )
            await settle(runner, local_oss, oss_conn, "in/")
        finally:
            await runner.stop()
        return runner.keys()

    assert asyncio.run(scenario()) == []
    upgraded = document(local_oss, oss_conn, "cp.json")
    assert (upgraded["identity"], upgraded["objects"]) == (identity(oss_conn), {"in/a.csv": etag})


# -- item 5: refreshed, and a vanished checkpoint is not a first start ---------------------------


def test_the_checkpoint_and_its_marker_are_rewritten_while_nothing_changes(
    local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a lifecycle rule that expires objects by age never takes them while the watcher runs."""
    monkeypatch.setattr(checkpoint_module, "REFRESH_SECONDS", 0.3)
    local_oss.client().put_object(Bucket=oss_conn, Key="quiet/old.csv", Body=b"1")

    async def scenario() -> None:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(prefix="quiet/", poll_interval=0.2, checkpoint_name="q"))
        try:
            await runner.wait_for(
                lambda: puts(local_oss, "q.json") >= 4 and puts(local_oss, "q.started") >= 4, "refreshes"
            )
        finally:
            await runner.stop()
        assert runner.persisted == []

    asyncio.run(scenario())
    checkpoint, marker = document(local_oss, oss_conn, "q.json"), document(local_oss, oss_conn, "q.started")
    assert checkpoint["objects"] == {
        "quiet/old.csv": local_oss.client().head_object(Bucket=oss_conn, Key="quiet/old.csv")["ETag"]
    }
    assert marker["started_at"] < marker["written_at"] and marker["checkpoint"].endswith("q.json")


@pytest.mark.parametrize("ordered", [False, True])
def test_a_vanished_checkpoint_reports_what_landed_meanwhile_exactly_once_and_warns(
    local_oss: Any,
    oss_conn: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ordered: bool,
) -> None:
    """Before: with start_from="now" the restarted watcher took van/4 as old and never reported it,
    logging the same INFO line as a first start."""
    monkeypatch.setattr(checkpoint_module, "REFRESH_SECONDS", 0.3)
    monkeypatch.setattr(checkpoint_module, "RECOVERY_MARGIN_SECONDS", 0.0)
    client = local_oss.client()
    for n in range(3):
        client.put_object(Bucket=oss_conn, Key=f"van/{n}-old.csv", Body=b"1")
    kwargs = {"prefix": "van/", "poll_interval": 0.2, "checkpoint_name": "van", "ordered_keys": ordered}

    async def life(arrive: str | None, expect: int) -> list[tuple[str, str]]:
        runner = MiniTriggerer()
        runner.start(1, OssObjectEventTrigger(**kwargs))
        try:
            await runner.wait_for(lambda: stored_keys(local_oss, oss_conn, CHECKPOINTS), "the checkpoint")
            if arrive:
                await asyncio.to_thread(client.put_object, Bucket=oss_conn, Key=arrive, Body=b"1")
            landed = time.time()
            await runner.wait_for(lambda: len(runner.persisted) >= expect, f"{expect} events")
            # The marker has recorded a listing after the arrival: its object is known reported.
            await runner.wait_for(
                lambda: (document(local_oss, oss_conn, "van.started").get("covered_at") or 0) > landed + 0.3,
                "a marker refresh",
            )
            await settle(runner, local_oss, oss_conn, "van/")
        finally:
            await runner.stop()
        return runner.keys()

    first = asyncio.run(life("van/3-new.csv", 1))
    assert [k for k, _ in first] == ["van/3-new.csv"]
    log = capsys.readouterr().out
    assert "First start of this watcher" in log and "is gone" not in log

    client.delete_object(Bucket=oss_conn, Key=f"{CHECKPOINTS}van.json")  # a lifecycle rule, say
    time.sleep(1.1)  # OSS's LastModified has whole seconds
    client.put_object(Bucket=oss_conn, Key="van/4-while-down.csv", Body=b"1")
    second = asyncio.run(life(None, 1))
    assert [k for k, _ in second] == ["van/4-while-down.csv"]
    log = capsys.readouterr().out
    warnings = [line for line in log.splitlines() if "is gone" in line]
    assert len(warnings) == 1 and "warning" in warnings[0], log
    assert f"oss://{oss_conn}/{CHECKPOINTS}van.json" in warnings[0] and "may have been missed" in warnings[0]
    assert "First start" not in log


# -- helpers -------------------------------------------------------------------------------------


async def outcome(
    trigger: OssObjectEventTrigger, quiet: float = 3.0
) -> tuple[list[dict[str, Any]], BaseException | None]:
    """The events a standalone run yields until ``quiet`` seconds pass without one, and how it ended."""
    events: list[dict[str, Any]] = []
    stream = trigger.run()
    error: BaseException | None = None
    try:
        while True:
            events.append(dict((await asyncio.wait_for(anext(stream), quiet)).payload))
    except TimeoutError:
        pass
    except Exception as raised:
        error = raised
    finally:
        await stream.aclose()
        await close_shared_clients()
    return events, error


def stored_keys(local_oss: Any, bucket: str, prefix: str) -> list[str]:
    listed = local_oss.client().list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return [o["Key"] for o in listed if o["Key"].endswith((".json", ".started")) and "/sub/" not in o["Key"]]


def document(local_oss: Any, bucket: str, name: str) -> dict[str, Any]:
    body = local_oss.client().get_object(Bucket=bucket, Key=f"{CHECKPOINTS}{name}")["Body"].read()
    return dict(json.loads(body))


def puts(local_oss: Any, name: str) -> int:
    return sum(
        1 for r in local_oss.requests if r.method == "PUT" and r.path.endswith(f"/{CHECKPOINTS}{name}")
    )
