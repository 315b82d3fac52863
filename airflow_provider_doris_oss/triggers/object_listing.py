"""The event watcher's listing producer: one listing of the watched prefix per interval, broadcast
to every watcher of the group as a ``Snapshot``; on ``advance`` the claims the watchers made on a
snapshot are committed to their checkpoints (or released, if any event failed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.hooks.oss import OssOperationError
from airflow_provider_doris_oss.triggers.checkpoint import Checkpoint
from airflow_provider_doris_oss.triggers.checkpoint_area import checkpoint_folder
from airflow_provider_doris_oss.triggers.checkpoint_document import is_stored_document
from airflow_provider_doris_oss.triggers.matching import json_safe
from airflow_provider_doris_oss.uris import ObjectUri
from airflow_provider_doris_oss.version_compat import AdvanceItem, SharedStreamProducer

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook
    from airflow_provider_doris_oss.triggers.object_event import OssObjectEventTrigger


@dataclass
class Snapshot:
    """One listing of the watched prefix, and the claims subscribers made on it.

    With ordered keys it holds only the keys after the producer's mark; ``boundary`` is the last
    key it covers, and ``epoch`` says whether it was listed before a failed snapshot rewound the mark.
    """

    bucket: str
    objects: dict[str, dict[str, Any]]
    claims: list[Claim] = field(default_factory=list)
    boundary: str | None = None
    epoch: int = 0
    listed_at: float = field(default_factory=time.time)


@dataclass
class Claim:
    """Objects one subscriber reported from one snapshot, to commit once they are persisted."""

    checkpoint: Checkpoint
    items: list[tuple[str, str]] = field(default_factory=list)
    boundary: str | None = None


class ListingProducer(SharedStreamProducer):
    """Lists the watched prefix every interval; commits subscribers' claims on ``advance``."""

    def __init__(self, trigger: OssObjectEventTrigger) -> None:
        self.trigger = trigger
        self._hook: DorisOssAsyncHook | None = None
        self._lease = AsyncExitStack()
        # Ordered keys: list after this key; a failed snapshot rewinds it and starts a new epoch.
        self.cursor: str | None = None
        self.epoch = 0

    async def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
        """Yield ``(snapshot, snapshot)`` once per poll interval, forever."""
        trigger = self.trigger
        self._hook = hook = trigger._hook()
        await self._lease.enter_async_context(hook.lease())
        watched = await hook.resolve(trigger.listing_prefix, trigger.bucket_name, field="prefix")
        checkpoints = await hook.resolve(trigger.checkpoint_prefix, watched.bucket, field="checkpoint_prefix")
        # Only the checkpoints and markers themselves are skipped (when the watched prefix holds them).
        skip = checkpoint_folder(checkpoints.key) if checkpoints.bucket == watched.bucket else None
        if trigger.ordered_keys:
            start = await trigger.open_checkpoint(hook)
            await start.open(hook)
            self.cursor = start.after
        while True:
            listed_at = time.time()
            try:
                if trigger.ordered_keys:
                    epoch = self.epoch
                    objects, boundary = await self._list_after(hook, watched, skip)
                    snapshot = Snapshot(
                        watched.bucket, objects, boundary=boundary, epoch=epoch, listed_at=listed_at
                    )
                    self.cursor = boundary
                else:
                    objects = await self._list(hook, watched, skip)
                    snapshot = Snapshot(watched.bucket, objects, listed_at=listed_at)
            except OssOperationError as error:
                # A transient OSS failure must not end every watcher of the group: try again later.
                trigger.log.warning(
                    "Listing %s failed, retrying in %ss: %s", watched, trigger.poll_interval, error
                )
                await asyncio.sleep(trigger.poll_interval)
                continue
            yield snapshot, snapshot
            await asyncio.sleep(trigger.poll_interval)

    @staticmethod
    def _describe(bucket: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "bucket": bucket,
            "key": obj["Key"],
            "etag": str(obj.get("ETag", "")),
            "size": obj.get("Size"),
            "last_modified": json_safe(obj.get("LastModified")),
        }

    async def _list(
        self, hook: DorisOssAsyncHook, watched: ObjectUri, skip: str | None
    ) -> dict[str, dict[str, Any]]:
        objects: dict[str, dict[str, Any]] = {}
        async for obj in hook.iter_objects(watched.bucket, watched.key):
            if skip is None or not is_stored_document(obj["Key"], skip):
                objects[obj["Key"]] = self._describe(watched.bucket, obj)
        return objects

    async def _list_after(
        self, hook: DorisOssAsyncHook, watched: ObjectUri, skip: str | None
    ) -> tuple[dict[str, dict[str, Any]], str | None]:
        """The objects after the cursor (``StartAfter``), and the last key listed (or the cursor)."""
        objects: dict[str, dict[str, Any]] = {}
        boundary = self.cursor
        async for page in hook.iter_pages(watched.bucket, watched.key, start_after=self.cursor or ""):
            for obj in page:
                boundary = obj["Key"]
                if skip is None or not is_stored_document(obj["Key"], skip):
                    objects[obj["Key"]] = self._describe(watched.bucket, obj)
        return objects, boundary

    async def advance(self, batch: Sequence[AdvanceItem]) -> None:
        """Commit the claims of snapshots every subscriber accepted; release the others."""
        touched: dict[int, Checkpoint] = {}
        for item in batch:
            snapshot: Snapshot = item.broker_payload
            # An ordered snapshot listed after a failed one starts past keys not yet reported.
            ok = item.outcome.failed == 0 and snapshot.epoch == self.epoch
            if not ok and self.trigger.ordered_keys and snapshot.epoch == self.epoch:
                self.epoch += 1
                marks = [c.checkpoint.after for c in snapshot.claims]
                self.cursor = None if not marks or None in marks else min(m for m in marks if m)
            for claim in snapshot.claims:
                if ok:
                    claim.checkpoint.commit(claim.items, snapshot.objects, snapshot.listed_at)
                    if claim.checkpoint.ordered:
                        claim.checkpoint.advance_to(claim.boundary)
                else:
                    claim.checkpoint.release(claim.items)
                touched[id(claim.checkpoint)] = claim.checkpoint
        if self._hook is None:
            return
        for checkpoint in touched.values():
            # Writes what changed and refreshes what is due; a failed write is kept and redone.
            await checkpoint.persist(self._hook)

    async def aclose(self) -> None:
        """Release the shared client (the last holder closes it)."""
        await self._lease.aclose()
