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

The checkpoint itself (validation, refresh, the start marker that tells a vanished checkpoint
from a first start, concurrent writers) lives in ``triggers.checkpoint``, how a watcher starts in
``triggers.baseline``, the listing producer in ``triggers.object_listing``, apart from the
shared-stream plumbing here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING, Any, Literal

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_doris_oss.arguments import OBJECT_EVENT_TRIGGER, check_arguments
from airflow_provider_doris_oss.triggers.checkpoint_area import (
    CHECKPOINT_SUFFIX,
    DEFAULT_CHECKPOINT_PREFIX,
    check_checkpoint_area,
    checkpoint_folder,
    checkpoint_name_problem,
)
from airflow_provider_doris_oss.uris import ObjectUri, literal_prefix, parse_uri

# A DAG file imports this module to build the trigger: only what ``__init__`` needs is imported
# here. The checkpoint, the listing producer and the shared-stream names are imported where the
# watcher runs (in the triggerer), and ``Claim``, ``ListingProducer`` and ``Snapshot`` on first use.
__all__ = ["Claim", "ListingProducer", "OssObjectEventTrigger", "Snapshot"]

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook
    from airflow_provider_doris_oss.triggers.checkpoint import Checkpoint
    from airflow_provider_doris_oss.triggers.checkpoint_document import WatchIdentity
    from airflow_provider_doris_oss.triggers.object_listing import Claim, ListingProducer, Snapshot
    from airflow_provider_doris_oss.version_compat import SharedStreamProducer


_RUNTIME_NAMES = {
    "Claim": "object_listing",
    "ListingProducer": "object_listing",
    "Snapshot": "object_listing",
    "Checkpoint": "checkpoint",
    "Opening": "checkpoint",
}


def __getattr__(name: str) -> Any:
    """The watcher's runtime classes (``object_listing``, ``checkpoint``), imported on first use."""
    if name not in _RUNTIME_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__package__}.{_RUNTIME_NAMES[name]}"), name)


WatchMode = Literal["prefix", "wildcard", "regex"]
StartFrom = Literal["now", "beginning"]
START_FROM: tuple[StartFrom, ...] = ("now", "beginning")


class OssObjectEventTrigger(BaseEventTrigger):
    """Watch a prefix (or a wildcard/regex) for ``AssetWatcher``: one event per new or changed object.

    :param prefix: a key prefix, a wildcard or a regex (per the flags); may be an ``oss://`` URI.
    :param bucket_name: the bucket for a plain prefix; else the connection's default bucket.
    :param wildcard_match: ``prefix`` is an ``fnmatch`` pattern.
    :param use_regex: ``prefix`` is a regular expression matched with ``re.match``.
    :param oss_conn_id: the ``dorisoss`` connection.
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
        if checkpoint_name is not None and (problem := checkpoint_name_problem(checkpoint_name)):
            raise ValueError(problem)
        self.checkpoint_name = checkpoint_name
        if "://" in prefix:
            target = parse_uri(prefix, field="prefix", regex=use_regex)
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
        self._check_checkpoint_prefix()

    @property
    def mode(self) -> WatchMode:
        """How ``prefix`` is interpreted."""
        return "regex" if self.use_regex else "wildcard" if self.wildcard_match else "prefix"

    @property
    def listing_prefix(self) -> str:
        """The only prefix listed."""
        if self.mode == "regex":
            from airflow_provider_doris_oss.triggers.matching import regex_literal_prefix

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

    def _check_checkpoint_prefix(self) -> None:
        """Refuse a checkpoint prefix whose folder holds the watched prefix, where it can be told now."""
        if "://" in self.checkpoint_prefix:
            target = parse_uri(self.checkpoint_prefix, field="checkpoint_prefix")
            if self.bucket_name is None or target.bucket != self.bucket_name:
                return  # another bucket, or the watched bucket is the connection's: checked when it starts
            folder = target.key
        else:
            folder = self.checkpoint_prefix
        check_checkpoint_area(self.listing_prefix, folder, self.checkpoint_prefix)

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
        from airflow_provider_doris_oss.triggers.object_listing import ListingProducer

        return ListingProducer(cls(**kwargs))

    def _hook(self) -> DorisOssAsyncHook:
        from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

        return DorisOssAsyncHook(self.oss_conn_id)

    async def identity(self, hook: DorisOssAsyncHook) -> WatchIdentity:
        """What this watcher watches, with its bucket resolved (the checkpoint belongs to it)."""
        from airflow_provider_doris_oss.triggers.checkpoint_document import WatchIdentity

        watched = await hook.resolve(self._pattern, self.bucket_name, field="prefix")
        return WatchIdentity(watched.bucket, self._pattern, self.mode, self.ordered_keys)

    async def checkpoint_location(self, hook: DorisOssAsyncHook) -> ObjectUri:
        """Where this watcher's checkpoint lives.

        ``checkpoint_name`` if given; else a digest of what is watched (bucket, pattern, mode),
        so changing the poll interval or the connection id keeps the checkpoint. A checkpoint
        folder that holds the watched prefix is refused here for watchers whose bucket is only
        known now (the connection's default bucket).
        """
        identity = await self.identity(hook)
        base = await hook.resolve(self.checkpoint_prefix, identity.bucket, field="checkpoint_prefix")
        if base.bucket == identity.bucket:
            check_checkpoint_area(self.listing_prefix, base.key, self.checkpoint_prefix)
        name = self.checkpoint_name or identity.default_name()
        return ObjectUri(base.bucket, f"{checkpoint_folder(base.key)}{name}{CHECKPOINT_SUFFIX}")

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """Yield one event per matching object this watcher has not reported (key + ETag)."""
        from airflow_provider_doris_oss.triggers.baseline import adopt_baseline, log_opening, save_baseline
        from airflow_provider_doris_oss.triggers.object_listing import Claim

        hook = self._hook()
        async with hook.lease():
            checkpoint = await self.open_checkpoint(hook)
            opening = await checkpoint.open(hook)
            log_opening(self.log, checkpoint, opening, self.start_from)
            starting = opening.kind == "vanished" or (opening.kind == "first" and self.start_from == "now")
            baseline: Snapshot | None = None  # the first listing, kept until it is durable
            async for snapshot in shared_stream:
                if checkpoint.failure is not None:
                    raise checkpoint.failure
                objects = snapshot.objects
                if starting:
                    if baseline is None:
                        baseline = snapshot
                        adopt_baseline(checkpoint, snapshot, opening.since, self.matches)
                    if not await save_baseline(self.log, hook, checkpoint, baseline, opening):
                        continue
                    starting = False
                    if snapshot is baseline and opening.kind == "first":
                        continue
                    if checkpoint.ordered and snapshot is not baseline:
                        # Ordered listings hold only keys after the last one: keep the baseline's.
                        objects = {**baseline.objects, **snapshot.objects}
                claim = Claim(checkpoint, boundary=snapshot.boundary)
                snapshot.claims.append(claim)
                for key in sorted(objects):
                    obj = objects[key]
                    if not self.matches(key) or not checkpoint.is_new(key, obj["etag"]):
                        continue
                    checkpoint.pending[key] = obj["etag"]
                    claim.items.append((key, obj["etag"]))
                    yield TriggerEvent({"uri": str(ObjectUri(snapshot.bucket, key)), **obj})

    async def open_checkpoint(self, hook: DorisOssAsyncHook) -> Checkpoint:
        """This watcher's checkpoint, not yet read."""
        return self.new_checkpoint(await self.checkpoint_location(hook), await self.identity(hook))

    def new_checkpoint(self, location: ObjectUri, identity: WatchIdentity) -> Checkpoint:
        """An empty checkpoint of this watcher's kind at ``location``."""
        from airflow_provider_doris_oss.triggers.checkpoint import Checkpoint

        return Checkpoint(
            location, identity, watch=self.serialize()[1], ordered=self.ordered_keys, log=self.log
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Standalone (outside a shared stream): commit each snapshot when the next one is pulled."""
        from airflow_provider_doris_oss.triggers.object_listing import ListingProducer
        from airflow_provider_doris_oss.version_compat import AIRFLOW_V_3_3_PLUS, AdvanceItem, AdvanceOutcome

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

