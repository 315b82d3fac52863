"""``OssKeyTrigger``: wait, fully async, until every key (exact, wildcard or regex) exists."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_doris_oss.arguments import KEY_TRIGGER, check_arguments
from airflow_provider_doris_oss.triggers.matching import (
    LIST_PAGE_SIZE,
    KeyPattern,
    Mode,
    head_metadata,
    key_rules,
    listed_metadata,
    needs_head,
)
from airflow_provider_doris_oss.uris import ObjectUri

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook
    from airflow_provider_doris_oss.triggers.key_poller import Found

# What a listing entry gives exactly as HEAD does (HEAD's LastModified drops the milliseconds).
LISTED_EXACTLY = ("Size", "ETag", "Key", "Bucket")


async def afind_matches(
    hook: DorisOssAsyncHook,
    pattern: KeyPattern,
    *,
    first_only: bool,
    metadata_keys: list[str],
    page_size: int = LIST_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """The metadata of the objects ``pattern`` matches; with ``first_only``, listing stops at one."""
    if pattern.mode == "exact":
        head = await hook.head(ObjectUri(pattern.bucket, pattern.pattern))
        if head is None:
            return []
        return [head_metadata(pattern.bucket, pattern.pattern, head, metadata_keys)]
    found: list[dict[str, Any]] = []
    async for page in hook.iter_pages(pattern.bucket, pattern.listing_prefix, page_size=page_size):
        found.extend(obj for obj in page if pattern.matches(obj["Key"]))
        if first_only and found:
            found = found[:1]
            break
    if not needs_head(metadata_keys):
        return [listed_metadata(pattern.bucket, obj, metadata_keys) for obj in found]
    metas = []
    for obj in found:
        head = await hook.head(ObjectUri(pattern.bucket, obj["Key"]))
        if head is not None:
            metas.append(head_metadata(pattern.bucket, obj["Key"], head, metadata_keys))
    return metas


async def _gather_or_cancel(*awaitables: Any) -> list[Any]:
    """``asyncio.gather``, but a failure (or cancellation) cancels the others and waits for them."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class OssKeyTrigger(BaseTrigger):
    """Fire when every pattern in ``bucket_keys`` (``oss://`` URIs) matches at least one object.

    Exact keys are checked by the loop's shared ``KeyPoller`` (one per connection, bucket and
    interval), which LISTs a folder once instead of HEADing each waiting key when that is cheaper.

    Without ``should_check_fn`` it fires ``{"status": "success", "files": [...]}`` and listing
    stops at the first match of each pattern. With it, it fires ``{"status": "running",
    "files": [...]}`` carrying every match, for the sensor's ``check_fn`` to judge on the worker.
    Any failure fires ``{"status": "error", "message": ...}``.
    """

    def __init__(
        self,
        bucket_keys: list[str],
        mode: Mode = "exact",
        oss_conn_id: str = "doris_oss_default",
        poke_interval: float = 5.0,
        should_check_fn: bool = False,
        metadata_keys: list[str] | None = None,
        wait_first: bool = False,
    ) -> None:
        check_arguments(type(self).__name__, KEY_TRIGGER, locals())
        check_arguments(type(self).__name__, key_rules("bucket_keys", mode, uris_only=True), locals())
        super().__init__()
        self.bucket_keys = list(bucket_keys)
        self.mode: Mode = mode
        self.oss_conn_id = oss_conn_id
        self.poke_interval = poke_interval
        self.should_check_fn = should_check_fn
        self.metadata_keys = list(metadata_keys) if metadata_keys else ["Size"]
        self.wait_first = wait_first

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the arguments that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "bucket_keys": self.bucket_keys,
                "mode": self.mode,
                "oss_conn_id": self.oss_conn_id,
                "poke_interval": self.poke_interval,
                "should_check_fn": self.should_check_fn,
                "metadata_keys": self.metadata_keys,
                "wait_first": self.wait_first,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Check every ``poke_interval`` seconds until all patterns match."""
        from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

        hook = DorisOssAsyncHook(self.oss_conn_id)
        try:
            patterns = [KeyPattern.from_uri(uri, self.mode) for uri in self.bucket_keys]
            async with hook.lease():
                if self.wait_first:
                    await asyncio.sleep(self.poke_interval)
                self.log.info("Waiting for %s; checking every %ss", self.bucket_keys, self.poke_interval)
                files: list[dict[str, Any]] | None
                if self.mode == "exact":
                    files = await self._wait_exact(hook, patterns)
                else:
                    files = await self._check(hook, patterns)
                    while files is None:
                        await asyncio.sleep(self.poke_interval)
                        files = await self._check(hook, patterns)
        except Exception as error:
            yield TriggerEvent({"status": "error", "message": f"{type(error).__name__}: {error}"})
            return
        status = "running" if self.should_check_fn else "success"
        yield TriggerEvent({"status": status, "files": files})

    async def _wait_exact(self, hook: DorisOssAsyncHook, patterns: list[KeyPattern]) -> list[dict[str, Any]]:
        """Wait on the shared poller until every key exists at once (as one check of all would find)."""
        from airflow_provider_doris_oss.triggers.key_poller import shared_poller

        needs_head = any(k not in LISTED_EXACTLY for k in self.metadata_keys)
        missing = patterns
        while True:
            waits = [
                (await shared_poller(hook, p.bucket, self.poke_interval)).wait(
                    p.pattern, needs_head=needs_head
                )
                for p in missing
            ]
            found = await _gather_or_cancel(*waits)
            if len(patterns) == 1:
                return [self._metadata(patterns[0], found[0])]
            files, missing = [], []
            for pattern in patterns:  # the keys were found at different ticks: check them together
                head = await hook.head(ObjectUri(pattern.bucket, pattern.pattern))
                if head is None:
                    missing.append(pattern)
                else:
                    files.append(head_metadata(pattern.bucket, pattern.pattern, head, self.metadata_keys))
            if not missing:
                return files

    def _metadata(self, pattern: KeyPattern, found: Found) -> dict[str, Any]:
        if found.source == "head":
            return head_metadata(pattern.bucket, pattern.pattern, found.response, self.metadata_keys)
        return listed_metadata(pattern.bucket, found.response, self.metadata_keys)

    async def _check(
        self, hook: DorisOssAsyncHook, patterns: list[KeyPattern]
    ) -> list[dict[str, Any]] | None:
        files: list[dict[str, Any]] = []
        for pattern in patterns:
            found = await afind_matches(
                hook, pattern, first_only=not self.should_check_fn, metadata_keys=self.metadata_keys
            )
            if not found:
                return None
            files.extend(found)
        return files
