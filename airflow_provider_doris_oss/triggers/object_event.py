"""``OssObjectEventTrigger``: one asset event per new or changed object, never twice.

Design (Airflow 3.3 shared streams in ack mode):

- Every watcher on the same connection, bucket, listing prefix and poll interval shares one
  poll loop (``shared_stream_key``). The producer lists the prefix once per interval and
  broadcasts the complete listing as one snapshot.
- Each watcher (subscriber) keeps its own durable checkpoint, an object in OSS: the
  ``key → ETag`` map of everything it has reported. It yields one ``TriggerEvent`` per
  matching object whose ETag differs from the checkpoint and from what it already yielded,
  and records the claim on the snapshot.
- The triggerer calls ``advance`` only after every subscriber moved past the snapshot and
  every event derived from it was persisted in the metadata DB. Only then are the claims
  written to the checkpoints. A snapshot that failed for any subscriber is not committed:
  its claims are released and re-reported on the next poll.

A new trigger instance (a triggerer restart, in a new event loop) loads its checkpoint and
reports nothing it reported before; a changed object (new ETag) is reported once more.

Where a watcher without a checkpoint starts (``start_from``): ``"now"`` (the default) records the
objects present at its first listing as seen, without events, so a new DAG on a full bucket does
not launch one run per old object; ``"beginning"`` reports them all.

Ordered keys (``ordered_keys=True``), for layouts where every new key sorts after the old ones
(dated paths, sequence numbers): each poll lists only the keys after the high-water mark
(``StartAfter``) and the checkpoint holds only that mark, so neither grows with the number of
old objects. A rewritten old key, or a new key sorting before the mark, is never reported.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_doris_oss.arguments import OBJECT_EVENT_TRIGGER, check_arguments
from airflow_provider_doris_oss.hooks.oss import OssOperationError
from airflow_provider_doris_oss.triggers.matching import json_safe, regex_literal_prefix
from airflow_provider_doris_oss.uris import ObjectUri, literal_prefix, parse_uri
from airflow_provider_doris_oss.version_compat import (
    AIRFLOW_V_3_3_PLUS,
    AdvanceItem,
    AdvanceOutcome,
    SharedStreamProducer,
)

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

WatchMode = Literal["prefix", "wildcard", "regex"]
StartFrom = Literal["now", "beginning"]
START_FROM: tuple[StartFrom, ...] = ("now", "beginning")
DEFAULT_CHECKPOINT_PREFIX = "_airflow_doris_oss/event-checkpoints/"
_CHECKPOINT_VERSION = 1


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


@dataclass
class Claim:
    """Objects one subscriber reported from one snapshot, to commit once they are persisted."""

    checkpoint: Checkpoint
    items: list[tuple[str, str]] = field(default_factory=list)
    boundary: str | None = None


@dataclass
class Checkpoint:
    """A watcher's reported objects (key → ETag), or with ordered keys only its high-water mark
    (``after``), stored as a JSON object in OSS."""

    location: ObjectUri
    watch: dict[str, Any] = field(default_factory=dict)
    committed: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    dirty: bool = False
    ordered: bool = False
    after: str | None = None

    def is_new(self, key: str, etag: str) -> bool:
        """Whether (key, ETag) was neither reported and committed nor reported and in flight."""
        if self.ordered:
            return (self.after is None or key > self.after) and key not in self.pending
        return self.committed.get(key) != etag and self.pending.get(key) != etag

    def advance_to(self, boundary: str | None) -> None:
        """Ordered keys: move the mark to ``boundary`` (never back)."""
        if boundary is not None and (self.after is None or boundary > self.after):
            self.after, self.dirty = boundary, True

    def commit(self, items: Sequence[tuple[str, str]], present: dict[str, Any]) -> None:
        """Make reported items durable-to-be; forget keys no longer present."""
        if self.ordered:
            self.release(items)
            return
        committed = dict(self.committed)
        for key, etag in items:
            committed[key] = etag
            if self.pending.get(key) == etag:
                del self.pending[key]
        committed = {k: v for k, v in committed.items() if k in present or k in self.pending}
        if committed != self.committed:
            self.committed, self.dirty = committed, True

    def release(self, items: Sequence[tuple[str, str]]) -> None:
        """Forget in-flight items so the next snapshot reports them again."""
        for key, etag in items:
            if self.pending.get(key) == etag:
                del self.pending[key]

    async def load(self, hook: DorisOssAsyncHook) -> bool:
        """Read the committed map; False when the checkpoint does not exist yet."""
        data = await hook.get_bytes(self.location)
        if data is None:
            return False
        try:
            document = json.loads(data)
            objects = document["objects"]
            if not isinstance(objects, dict):
                raise TypeError("objects is not a map")
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"Checkpoint {self.location} is not a checkpoint this provider wrote ({error}). "
                "Delete it to start over (every existing object is then reported once more)."
            ) from None
        self.committed = {str(k): str(v) for k, v in objects.items()}
        after = document.get("after")
        self.after = str(after) if after is not None else None
        return True

    async def save(self, hook: DorisOssAsyncHook) -> None:
        """Write the committed map (ordered keys: the mark)."""
        document: dict[str, Any] = {
            "version": _CHECKPOINT_VERSION,
            "watch": self.watch,
            "objects": self.committed,
        }
        if self.ordered:
            document["after"] = self.after
        await hook.put_bytes(self.location, json.dumps(document, sort_keys=True).encode())
        self.dirty = False


class OssObjectEventTrigger(BaseEventTrigger):
    """Watch a prefix (or a wildcard/regex) for ``AssetWatcher``: one event per new or changed object.

    :param prefix: a key prefix, a wildcard or a regex (per the flags); may be an ``oss://`` URI.
    :param bucket_name: the bucket for a plain prefix; else the connection's default bucket.
    :param wildcard_match: ``prefix`` is an ``fnmatch`` pattern.
    :param use_regex: ``prefix`` is a regular expression matched with ``re.match``.
    :param oss_conn_id: the ``doris_oss`` connection.
    :param poll_interval: seconds between listings.
    :param checkpoint_prefix: where the watcher's checkpoint objects live: a key prefix in the
        watched bucket or an ``oss://bucket/prefix`` URI. The connection needs write access.
    :param checkpoint_name: the checkpoint object's name under ``checkpoint_prefix``; by default
        a digest of the bucket, pattern and mode. Give two watchers of the same pattern
        (e.g. with different poll intervals) different names.
    :param ordered_keys: new keys always sort after old ones (dated paths, sequence numbers):
        list only after the high-water mark and keep only the mark. Rewritten old keys and new
        keys sorting before the mark are not reported. Watchers with ordered keys do not share
        a poll with other watchers.
    :param start_from: where a watcher without a checkpoint starts. ``"now"`` (default): the
        objects present at its first listing are recorded as seen and never reported, only later
        arrivals and changes are. ``"beginning"``: every object present is reported once. Once
        the checkpoint exists, it alone decides; this setting no longer matters.

    Each event's payload: ``{"uri", "bucket", "key", "etag", "size", "last_modified"}``.
    """

    def __init__(
        self,
        prefix: str,
        bucket_name: str | None = None,
        wildcard_match: bool = False,
        use_regex: bool = False,
        oss_conn_id: str = "doris_oss_default",
        poll_interval: float = 60.0,
        checkpoint_prefix: str = DEFAULT_CHECKPOINT_PREFIX,
        checkpoint_name: str | None = None,
        start_from: StartFrom = "now",
        ordered_keys: bool = False,
    ) -> None:
        check_arguments(type(self).__name__, OBJECT_EVENT_TRIGGER, locals())
        super().__init__()
        self.ordered_keys = ordered_keys
        if start_from not in START_FROM:
            raise ValueError(
                f"start_from must be 'now' (report only objects that arrive or change from now on) "
                f"or 'beginning' (also report every object already there), not {start_from!r}."
            )
        self.start_from: StartFrom = start_from
        if wildcard_match and use_regex:
            raise ValueError("wildcard_match and use_regex are exclusive: set at most one of them.")
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be a positive number of seconds, not {poll_interval}.")
        self.prefix = prefix
        self.bucket_name = bucket_name
        self.wildcard_match = wildcard_match
        self.use_regex = use_regex
        self.oss_conn_id = oss_conn_id
        self.poll_interval = poll_interval
        self.checkpoint_prefix = checkpoint_prefix
        if checkpoint_name is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", checkpoint_name):
            raise ValueError(
                f"checkpoint_name {checkpoint_name!r} must be 1-128 letters, digits, '.', '_' or '-'."
            )
        self.checkpoint_name = checkpoint_name
        if "://" in prefix:
            target = parse_uri(prefix, field="prefix")
            if bucket_name and bucket_name != target.bucket:
                raise ValueError(
                    f"prefix {prefix!r} names bucket {target.bucket!r} but bucket_name is {bucket_name!r}: "
                    "drop bucket_name or use a plain prefix."
                )
            self.bucket_name, self._pattern = target.bucket, target.key
        else:
            self._pattern = prefix
        if use_regex:
            self._regex = re.compile(self._pattern)

    @property
    def mode(self) -> WatchMode:
        """How ``prefix`` is interpreted."""
        return "regex" if self.use_regex else "wildcard" if self.wildcard_match else "prefix"

    @property
    def listing_prefix(self) -> str:
        """The only prefix listed."""
        if self.mode == "regex":
            return regex_literal_prefix(self._pattern)
        if self.mode == "wildcard":
            return literal_prefix(self._pattern)
        return self._pattern

    def matches(self, key: str) -> bool:
        """Whether an object under the listing prefix is watched by this trigger."""
        if self.mode == "regex":
            return self._regex.match(key) is not None
        if self.mode == "wildcard":
            import fnmatch

            return fnmatch.fnmatchcase(key, self._pattern)
        return key.startswith(self._pattern)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the arguments that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "prefix": self.prefix,
                "bucket_name": self.bucket_name,
                "wildcard_match": self.wildcard_match,
                "use_regex": self.use_regex,
                "oss_conn_id": self.oss_conn_id,
                "poll_interval": self.poll_interval,
                "checkpoint_prefix": self.checkpoint_prefix,
                "checkpoint_name": self.checkpoint_name,
                "start_from": self.start_from,
                "ordered_keys": self.ordered_keys,
            },
        )

    def shared_stream_key(self) -> Hashable:
        """Watchers that list the same prefix the same way share one poll.

        With ordered keys the listing starts at the watcher's own mark, so only watchers of the
        same checkpoint share it.
        """
        key: tuple[Any, ...] = (
            "doris_oss.object_event",
            self.oss_conn_id,
            self.bucket_name,
            self.listing_prefix,
            self.poll_interval,
            self.checkpoint_prefix,
        )
        if self.ordered_keys:
            key += ("ordered", self._pattern, self.mode, self.checkpoint_name, self.start_from)
        return key

    @classmethod
    def create_shared_stream_producer(cls, kwargs: dict[str, Any]) -> SharedStreamProducer:
        """The lister behind a group of watchers (ack mode: checkpoints commit after persistence)."""
        return ListingProducer(cls(**kwargs))

    def _hook(self) -> DorisOssAsyncHook:
        from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

        return DorisOssAsyncHook(self.oss_conn_id)

    async def checkpoint_location(self, hook: DorisOssAsyncHook) -> ObjectUri:
        """Where this watcher's checkpoint lives.

        ``checkpoint_name`` if given; else a digest of what is watched (bucket, pattern, mode),
        so changing the poll interval or the connection id keeps the checkpoint.
        """
        watched = await hook.resolve(self._pattern, self.bucket_name, field="prefix")
        name = self.checkpoint_name
        if not name:
            identity: dict[str, Any] = {"bucket": watched.bucket, "pattern": self._pattern, "mode": self.mode}
            if self.ordered_keys:
                identity["ordered_keys"] = True
            name = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
        base = await hook.resolve(self.checkpoint_prefix, watched.bucket, field="checkpoint_prefix")
        folder = base.key if not base.key or base.key.endswith("/") else base.key + "/"
        return ObjectUri(base.bucket, f"{folder}{name}.json")

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """Yield one event per matching object this watcher has not reported (key + ETag)."""
        hook = self._hook()
        async with hook.lease():
            checkpoint = self.new_checkpoint(await self.checkpoint_location(hook))
            starting = not await checkpoint.load(hook) and self.start_from == "now"
            baseline: Snapshot | None = None  # the first listing, kept until it is durable
            async for snapshot in shared_stream:
                if starting:
                    if baseline is None:
                        baseline = snapshot
                        self._adopt_baseline(checkpoint, snapshot)
                    if not await self._save_baseline(hook, checkpoint, len(baseline.objects)):
                        continue
                    starting = False
                    if snapshot is baseline:
                        continue
                claim = Claim(checkpoint, boundary=snapshot.boundary)
                snapshot.claims.append(claim)
                for key in sorted(snapshot.objects):
                    obj = snapshot.objects[key]
                    if not self.matches(key) or not checkpoint.is_new(key, obj["etag"]):
                        continue
                    checkpoint.pending[key] = obj["etag"]
                    claim.items.append((key, obj["etag"]))
                    yield TriggerEvent({"uri": str(ObjectUri(snapshot.bucket, key)), **obj})

    def _adopt_baseline(self, checkpoint: Checkpoint, snapshot: Snapshot) -> None:
        """``start_from="now"``: take what the first listing shows as already seen."""
        if checkpoint.ordered:
            checkpoint.after = snapshot.boundary
        else:
            checkpoint.committed = {
                key: obj["etag"] for key, obj in snapshot.objects.items() if self.matches(key)
            }

    async def _save_baseline(self, hook: DorisOssAsyncHook, checkpoint: Checkpoint, present: int) -> bool:
        """Write the starting checkpoint before any event; True once it is durable.

        Until the write succeeds the first listing stays the baseline (every later listing is
        compared with it once it is written), so an object that arrives meanwhile is reported.
        """
        try:
            await checkpoint.save(hook)
        except Exception as error:
            self.log.warning("Could not write the starting checkpoint %s: %s", checkpoint.location, error)
            return False
        self.log.info(
            "Watching from now: %d objects already present are not reported (checkpoint %s).",
            present,
            checkpoint.location,
        )
        return True

    def new_checkpoint(self, location: ObjectUri) -> Checkpoint:
        """An empty checkpoint of this watcher's kind at ``location``."""
        return Checkpoint(location, watch=self.serialize()[1], ordered=self.ordered_keys)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Standalone (outside a shared stream): commit each snapshot when the next one is pulled."""
        producer = ListingProducer(self)
        if not AIRFLOW_V_3_3_PLUS:  # no shared streams: commit only what Airflow stored (poll_loop)
            from airflow_provider_doris_oss.triggers.poll_loop import run_own_poll_loop

            async for event in run_own_poll_loop(self, producer):
                yield event
            return

        async def snapshots() -> AsyncIterator[Any]:
            async for raw_event, payload in producer.open_stream():
                yield raw_event
                await producer.advance([AdvanceItem(payload, AdvanceOutcome(acked=1, failed=0))])

        try:
            async for event in self.filter_shared_stream(snapshots()):
                yield event
        finally:
            await producer.aclose()


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
        skip = checkpoints.key if checkpoints.bucket == watched.bucket else None
        if trigger.ordered_keys:
            start = trigger.new_checkpoint(await trigger.checkpoint_location(hook))
            await start.load(hook)
            self.cursor = start.after
        while True:
            try:
                if trigger.ordered_keys:
                    epoch = self.epoch
                    objects, boundary = await self._list_after(hook, watched, skip)
                    snapshot = Snapshot(watched.bucket, objects, boundary=boundary, epoch=epoch)
                    self.cursor = boundary
                else:
                    snapshot = Snapshot(watched.bucket, await self._list(hook, watched, skip))
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
            if skip is None or not obj["Key"].startswith(skip):
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
                if skip is None or not obj["Key"].startswith(skip):
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
                    claim.checkpoint.commit(claim.items, snapshot.objects)
                    if claim.checkpoint.ordered:
                        claim.checkpoint.advance_to(claim.boundary)
                else:
                    claim.checkpoint.release(claim.items)
                if claim.checkpoint.dirty:
                    touched[id(claim.checkpoint)] = claim.checkpoint
        if self._hook is None:
            return
        for checkpoint in touched.values():
            try:
                await checkpoint.save(self._hook)
            except Exception as error:
                # Kept dirty and in memory: the next advance writes the whole map again.
                self.trigger.log.warning("Could not write checkpoint %s: %s", checkpoint.location, error)

    async def aclose(self) -> None:
        """Release the shared client (the last holder closes it)."""
        await self._lease.aclose()
