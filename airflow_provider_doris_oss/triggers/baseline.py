"""How an event watcher starts: what its first listing counts as already seen, and when it is durable.

A first start with ``start_from="now"`` takes every object present as seen; a start after the
checkpoint vanished takes only objects modified before the start marker's last known coverage.
Nothing is reported until that starting checkpoint is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook
    from airflow_provider_doris_oss.triggers.checkpoint import Checkpoint, Opening
    from airflow_provider_doris_oss.triggers.object_listing import Snapshot


class Log(Protocol):
    """The trigger's logger: stdlib on Airflow 3.0-3.2, structlog-backed on 3.3."""

    def info(self, msg: str, /, *args: Any) -> Any: ...

    def warning(self, msg: str, /, *args: Any) -> Any: ...


def log_opening(log: Log, checkpoint: Checkpoint, opening: Opening, start_from: str) -> None:
    """Say how the watcher starts: resumed, first start, or a vanished checkpoint (a warning)."""
    if opening.kind == "resumed":
        log.info("Resuming from checkpoint %s.", checkpoint.location)
    elif opening.kind == "first":
        log.info(
            "First start of this watcher: no checkpoint %s and no start marker %s (start_from=%r).",
            checkpoint.location,
            checkpoint.marker,
            start_from,
        )
    else:
        marker = opening.marker
        known = marker.covered_at if marker and marker.covered_at is not None else None
        log.warning(
            "Checkpoint %s is gone, but start marker %s shows this watcher ran before (first started "
            "%s). Objects that landed between %s (up to when the lost checkpoint recorded everything) "
            "and now may have been missed: every matching object modified since %s is reported, one "
            "already reported once more with the same ETag. Is a lifecycle rule or a clean-up job "
            "deleting objects under the checkpoint prefix?",
            checkpoint.location,
            checkpoint.marker,
            _utc(marker.started_at if marker else None),
            _utc(known),
            _utc(opening.since),
        )


def adopt_baseline(
    checkpoint: Checkpoint, snapshot: Snapshot, since: float | None, matches: Callable[[str], bool]
) -> None:
    """Take what the first listing shows as already seen: all of it on a first start
    (``start_from="now"``), only objects modified before ``since`` after a vanished checkpoint."""
    checkpoint.covered_at = snapshot.listed_at
    old = {
        key: obj
        for key, obj in snapshot.objects.items()
        if matches(key) and (since is None or _modified_before(obj, since))
    }
    if not checkpoint.ordered:
        checkpoint.committed = {key: obj["etag"] for key, obj in old.items()}
        return
    # Ordered keys: the mark stops before the first object that must be reported.
    recent = sorted(key for key in snapshot.objects if matches(key) and key not in old)
    if not recent:
        checkpoint.after = snapshot.boundary
    else:
        before = [key for key in snapshot.objects if key < recent[0]]
        checkpoint.after = max(before) if before else None


async def save_baseline(
    log: Log, hook: DorisOssAsyncHook, checkpoint: Checkpoint, baseline: Snapshot, opening: Opening
) -> bool:
    """Write the starting checkpoint (then the start marker) before any event; True once durable.

    Until the write succeeds the first listing stays the baseline (every later listing is
    compared with it once it is written), so an object that arrives meanwhile is reported.
    """
    try:
        await checkpoint.save(hook)
    except Exception as error:
        log.warning("Could not write the starting checkpoint %s: %s", checkpoint.location, error)
        return False
    if opening.kind == "first":
        log.info(
            "Watching from now: %d objects already present are not reported (checkpoint %s).",
            len(baseline.objects),
            checkpoint.location,
        )
    await checkpoint.persist(hook)  # the start marker
    return True


def _modified_before(obj: dict[str, Any], since: float) -> bool:
    """Whether a listed object's LastModified is before ``since`` (unknown: no, so it is reported)."""
    try:
        modified = datetime.fromisoformat(str(obj.get("last_modified")))
    except ValueError:
        return False
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=timezone.utc)
    return modified.timestamp() < since


def _utc(seconds: float | None) -> str:
    return "an unknown time" if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).isoformat()
