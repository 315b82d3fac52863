"""A stand-in for the triggerer's loop around a shared-stream event trigger, and OSS helpers,
shared by the event-trigger tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger

WAIT = 60.0
CHECKPOINTS = "_airflow_doris_oss/event-checkpoints/"


class MiniTriggerer:
    """The part of the triggerer's run_trigger() that drives a shared-stream event trigger."""

    def __init__(self) -> None:
        from airflow.triggers.shared_stream import SharedStreamManager

        self.manager = SharedStreamManager(ack_timeout=30.0)
        self.persisted: list[tuple[int, dict[str, Any]]] = []
        self.bound: list[int | None] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, trigger_id: int, trigger: OssObjectEventTrigger) -> None:
        self.tasks.append(asyncio.create_task(self._drive(trigger_id, trigger)))

    async def _drive(self, trigger_id: int, trigger: OssObjectEventTrigger) -> None:
        key = trigger.shared_stream_key()
        stream = self.manager.subscribe(trigger_id=trigger_id, trigger=trigger, key=key)
        try:
            async for event in trigger.filter_shared_stream(stream):
                seq = self.manager.bind_pending_event(trigger_id=trigger_id, key=key)
                self.bound.append(seq)
                self.persisted.append((trigger_id, event.payload))
                if seq is not None:
                    self.manager.confirm_persisted([seq])
        finally:
            await self.manager.unsubscribe(trigger_id, key)

    async def wait_for(self, condition: Callable[[], Any], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            for task in self.tasks:
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; persisted: {self.persisted}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.manager.stop_all()
        await close_shared_clients()

    def keys(self, trigger_id: int | None = None) -> list[tuple[str, str]]:
        return [(p["key"], p["etag"]) for t, p in self.persisted if trigger_id is None or t == trigger_id]


def listings(local_oss, bucket: str, prefix: str) -> int:
    return sum(
        1
        for r in local_oss.requests
        if r.host.startswith(bucket + ".")
        and "list-type=2" in r.query
        and parse_qs(r.query, keep_blank_values=True).get("prefix", [""])[0] == prefix
    )


def checkpoint_objects(local_oss, bucket: str) -> dict[str, dict[str, str]]:
    client = local_oss.client()
    found = {}
    for obj in client.list_objects_v2(Bucket=bucket, Prefix="_airflow_doris_oss/").get("Contents", []):
        if not obj["Key"].endswith(".json"):
            continue  # the start marker
        body = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        found[obj["Key"]] = json.loads(body)["objects"]
    return found


async def settle(runner: MiniTriggerer, local_oss, bucket: str, prefix: str, polls: int = 4) -> None:
    """Let the producer list the prefix a few more times."""
    start = listings(local_oss, bucket, prefix)
    await runner.wait_for(lambda: listings(local_oss, bucket, prefix) >= start + polls, f"{polls} more polls")


def checkpoint_documents(local_oss, bucket: str) -> dict[str, dict[str, Any]]:
    client = local_oss.client()
    found = {}
    for obj in client.list_objects_v2(Bucket=bucket, Prefix="_airflow_doris_oss/").get("Contents", []):
        if not obj["Key"].endswith(".json"):
            continue  # the start marker
        found[obj["Key"]] = json.loads(client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
    return found
