"""A watcher's durable memory in OSS: its checkpoint and start marker (no Airflow stream plumbing).

- **Opening.** The checkpoint is read and validated (see ``checkpoint_document``). Without one,
  the start marker says whether this is the watcher's first start or its checkpoint vanished
  (deleted by hand, or by a lifecycle rule); a vanished checkpoint is recovered from, loudly.
- **Refreshing.** The checkpoint is rewritten at least every ``REFRESH_SECONDS``, changed or not,
  and the marker with it, so a lifecycle rule that expires objects by age never expires either
  while the watcher runs. The marker records up to when the checkpoint had recorded everything.
- **Sharing.** OSS has no conditional overwrite (``If-Match``) for PutObject, so two instances of
  one watcher (two triggerers during a handover) cannot lock the checkpoint. Before each write the
  checkpoint is HEADed: an ETag other than the one last read or written means another instance
  wrote it; its records are merged in (and this logged) before writing. Each instance records only
  what it reported and persisted, so a lost update can only make an object be reported again,
  never skipped.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_doris_oss.hooks.client import OssOperationError
from airflow_provider_doris_oss.triggers.checkpoint_document import (
    CHECKPOINT_VERSION,
    MARKER_KIND,
    MAX_DOCUMENT_BYTES,
    CheckpointDocument,
    CheckpointError,
    ForeignCheckpointError,
    MarkerDocument,
    WatchIdentity,
    encode,
    marker_location,
    parse_checkpoint,
    parse_marker,
)
from airflow_provider_doris_oss.uris import ObjectUri

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

REFRESH_SECONDS = 3600.0  # the longest a checkpoint and its marker go unwritten while the watcher runs
RECOVERY_MARGIN_SECONDS = 3600.0  # a vanished checkpoint: also report objects this much older

_log = logging.getLogger(__name__)


@dataclass
class Opening:
    """What a watcher found when it started: its checkpoint, nothing at all, or only its marker."""

    kind: Literal["resumed", "first", "vanished"]
    since: float | None = None  # vanished: objects modified at or after this may have been missed
    marker: MarkerDocument | None = None


def _same_etag(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip('"').lower() == b.strip('"').lower()


@dataclass
class Checkpoint:
    """A watcher's reported objects (key -> ETag), or with ordered keys only its high-water mark
    (``after``), kept in memory and stored as a JSON object in OSS."""

    location: ObjectUri
    identity: WatchIdentity
    watch: dict[str, Any] = field(default_factory=dict)
    ordered: bool = False
    committed: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)
    dirty: bool = False
    after: str | None = None
    started_at: float | None = None
    covered_at: float | None = None  # start of the latest listing whose objects are all recorded
    written_at: float | None = None  # when the stored checkpoint was last written
    etag: str | None = None  # the stored checkpoint's ETag as this instance last read or wrote it
    marker_written_at: float | None = None
    writer: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    failure: CheckpointError | None = None  # set while running: the watcher must stop, loudly
    log: Any = _log
    _warned: set[str] = field(default_factory=set)

    @property
    def marker(self) -> ObjectUri:
        """Where the start marker lives."""
        return marker_location(self.location)

    @property
    def fix(self) -> str:
        """How to get past a checkpoint that cannot be used (the end of every such error)."""
        return (
            f"Restore it from a copy, or delete it: with the start marker {self.marker} still there the "
            "watcher then reports every object modified since the marker's last refresh; delete both to "
            "start afresh as start_from says."
        )

    # -- what was reported ---------------------------------------------------------------------

    def is_new(self, key: str, etag: str) -> bool:
        """Whether (key, ETag) was neither reported and committed nor reported and in flight."""
        if self.ordered:
            return (self.after is None or key > self.after) and key not in self.pending
        return self.committed.get(key) != etag and self.pending.get(key) != etag

    def advance_to(self, boundary: str | None) -> None:
        """Ordered keys: move the mark to ``boundary`` (never back)."""
        if boundary is not None and (self.after is None or boundary > self.after):
            self.after, self.dirty = boundary, True

    def commit(
        self, items: Sequence[tuple[str, str]], present: dict[str, Any], listed_at: float | None = None
    ) -> None:
        """Make reported items durable-to-be; forget keys no longer present."""
        if listed_at is not None and (self.covered_at is None or listed_at > self.covered_at):
            self.covered_at = listed_at
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

    def merge(self, other: CheckpointDocument) -> None:
        """Take in what another instance of this watcher recorded as reported."""
        if self.ordered:
            if other.after is not None and (self.after is None or other.after > self.after):
                self.after = other.after
            return
        for key, etag in other.objects.items():
            if key not in self.committed and key not in self.pending:
                self.committed[key] = etag
        if other.started_at is not None and (self.started_at is None or other.started_at < self.started_at):
            self.started_at = other.started_at

    # -- the stored documents ------------------------------------------------------------------

    def document(self, written_at: float) -> dict[str, Any]:
        """The checkpoint as stored."""
        document: dict[str, Any] = {
            "version": CHECKPOINT_VERSION,
            "identity": self.identity.as_dict(),
            "watch": self.watch,
            "objects": self.committed,
            "started_at": self.started_at,
            "covered_at": self.covered_at,
            "written_at": written_at,
            "writer": self.writer,
        }
        if self.ordered:
            document["after"] = self.after
        return document

    def marker_document(self, written_at: float) -> dict[str, Any]:
        """The start marker as stored."""
        return {
            "version": CHECKPOINT_VERSION,
            "kind": MARKER_KIND,
            "identity": self.identity.as_dict(),
            "checkpoint": str(self.location),
            "started_at": self.started_at if self.started_at is not None else written_at,
            "covered_at": self.covered_at,
            "written_at": written_at,
            "writer": self.writer,
        }

    async def _read(self, hook: DorisOssAsyncHook, target: ObjectUri) -> tuple[bytes, str] | None:
        try:
            return await hook.get_versioned(target, max_bytes=MAX_DOCUMENT_BYTES)
        except OssOperationError as error:
            folder = target.key.rsplit("/", 1)[0] + "/" if "/" in target.key else ""
            raise OssOperationError(
                f"{error} The watcher cannot start without reading {target}: the connection needs read and "
                f"write access to oss://{target.bucket}/{folder}. Nothing was reported."
            ) from None

    async def open(self, hook: DorisOssAsyncHook) -> Opening:
        """Read the checkpoint, or without it the start marker; raise when either cannot be trusted."""
        found = await self._read(hook, self.location)
        if found is not None:
            document = parse_checkpoint(found[0], self.location, self.identity, self.fix)
            self.committed, self.after = document.objects, document.after
            self.started_at, self.covered_at = document.started_at, document.covered_at
            self.written_at, self.etag = document.written_at, found[1]
            if document.version < CHECKPOINT_VERSION:
                self.dirty = True  # rewritten in the current version, with its identity, at the first listing
            return Opening("resumed")
        found = await self._read(hook, self.marker)
        if found is None:
            self.started_at = time.time()
            return Opening("first")
        fix = f"Delete it (and restore the checkpoint {self.location} if you have a copy)."
        marker = parse_marker(found[0], self.marker, self.identity, fix)
        self.started_at = marker.started_at
        known = marker.covered_at if marker.covered_at is not None else marker.started_at
        return Opening("vanished", since=known - RECOVERY_MARGIN_SECONDS, marker=marker)

    async def save(self, hook: DorisOssAsyncHook) -> None:
        """Write the checkpoint, first merging in what another instance wrote since our last write."""
        head = await hook.head(self.location)
        if head is None and self.etag is not None:
            self.log.warning(
                "Checkpoint %s disappeared while the watcher was running (deleted by hand, or by a lifecycle "
                "rule?). Writing it again from memory: nothing is lost.",
                self.location,
            )
        elif head is not None and not _same_etag(head.get("ETag"), self.etag):
            await self._reconcile(hook)
        stamp = time.time()
        etag = await hook.put_bytes(self.location, encode(self.document(stamp)))
        self.etag, self.written_at, self.dirty = etag or None, stamp, False

    async def _reconcile(self, hook: DorisOssAsyncHook) -> None:
        found = await hook.get_versioned(self.location, max_bytes=MAX_DOCUMENT_BYTES)
        if found is None:
            return
        try:
            other = parse_checkpoint(found[0], self.location, self.identity, self.fix)
        except ForeignCheckpointError:
            raise
        except CheckpointError as error:
            self.log.warning("%s Writing it again from this watcher's memory: nothing is lost.", error)
            return
        if other.writer == self.writer:
            return
        self.merge(other)
        writer = other.writer or "unknown"
        if writer not in self._warned:
            self._warned.add(writer)
            self.log.warning(
                "Checkpoint %s was written by another instance of this watcher (writer %s) since this one "
                "last wrote it: the watcher is running in two places at once (two triggerers, or a handover "
                "between them). Its records are merged in before each write; an object may be reported "
                "twice, none is lost.",
                self.location,
                writer,
            )

    async def save_marker(self, hook: DorisOssAsyncHook) -> None:
        """Write the start marker (refreshed with the checkpoint: it must outlive a vanished checkpoint)."""
        stamp = time.time()
        await hook.put_bytes(self.marker, encode(self.marker_document(stamp)))
        self.marker_written_at = stamp

    async def persist(self, hook: DorisOssAsyncHook) -> None:
        """After a listing: write what changed, refresh what is due. Never raises: a failed write is
        kept in memory and retried after the next listing; an unusable checkpoint sets ``failure``."""
        if self.failure is not None:
            return
        now = time.time()
        try:
            if self.dirty or self.written_at is None or now - self.written_at >= REFRESH_SECONDS:
                await self.save(hook)
            stored = self.etag is not None or self.written_at is not None
            if stored and (self.marker_written_at is None or now - self.marker_written_at >= REFRESH_SECONDS):
                await self.save_marker(hook)
        except CheckpointError as error:
            self.failure = error
            self.log.error("%s", error)
        except Exception as error:
            self.log.warning(
                "Could not write checkpoint %s (kept, retried after the next listing): %s",
                self.location,
                error,
            )
