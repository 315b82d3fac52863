"""The event watcher's two stored documents, and their validation.

- The **checkpoint** (``<name>.json``): what the watcher has reported (key -> ETag), or with
  ordered keys only its high-water mark (``after``), stamped with the watcher's identity, the
  instance that wrote it and when.
- The **start marker** (``<name>.started``): written once the watcher's first checkpoint exists
  and refreshed with it, so a watcher whose checkpoint has vanished can tell that from a first
  start, and knows since when the lost checkpoint had recorded everything.

Both are JSON. Reading one bounds its size before it is read and its nesting while it is parsed,
and checks every field: a document this watcher cannot trust is refused with its name and the fix,
never taken as "nothing reported yet".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from airflow_provider_doris_oss.triggers.checkpoint_area import (
    CHECKPOINT_NAME_PATTERN,
    CHECKPOINT_SUFFIX,
    MARKER_SUFFIX,
)
from airflow_provider_doris_oss.uris import ObjectUri, parse_uri

CHECKPOINT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MARKER_KIND = "doris_oss.event_watcher.start"
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024  # a whole-prefix checkpoint of 1,000,000 objects is ~62 MB
_STORED_NAME = re.compile(rf"{CHECKPOINT_NAME_PATTERN}(?:\.json|\.started)")
MODES = ("prefix", "wildcard", "regex")


class CheckpointError(ValueError):
    """A checkpoint or start marker this watcher cannot use; the message names it and the fix."""


class ForeignCheckpointError(CheckpointError):
    """A checkpoint or start marker that another watcher wrote (they share a name)."""


@dataclass(frozen=True)
class WatchIdentity:
    """What a watcher watches: the checkpoint belongs to exactly one of these."""

    bucket: str
    pattern: str
    mode: str
    ordered_keys: bool

    def as_dict(self) -> dict[str, Any]:
        """The identity as stored in both documents."""
        return {
            "bucket": self.bucket,
            "pattern": self.pattern,
            "mode": self.mode,
            "ordered_keys": self.ordered_keys,
        }

    def default_name(self) -> str:
        """The checkpoint name used without ``checkpoint_name`` (unchanged since the first release)."""
        identity: dict[str, Any] = {"bucket": self.bucket, "pattern": self.pattern, "mode": self.mode}
        if self.ordered_keys:
            identity["ordered_keys"] = True
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]

    def describe(self) -> str:
        ordered = ", ordered keys" if self.ordered_keys else ""
        return f"{self.mode} {self.pattern!r} in bucket {self.bucket!r}{ordered}"


def is_stored_document(key: str, folder: str) -> bool:
    """Whether ``key`` is a checkpoint or start marker directly in ``folder`` (what a listing skips)."""
    return key.startswith(folder) and _STORED_NAME.fullmatch(key[len(folder) :]) is not None


def marker_location(checkpoint: ObjectUri) -> ObjectUri:
    """Where the start marker of the checkpoint at ``checkpoint`` lives."""
    return ObjectUri(checkpoint.bucket, checkpoint.key[: -len(CHECKPOINT_SUFFIX)] + MARKER_SUFFIX)


@dataclass
class CheckpointDocument:
    """A validated checkpoint."""

    version: int
    objects: dict[str, str]
    after: str | None
    started_at: float | None
    covered_at: float | None
    written_at: float | None
    writer: str | None


@dataclass
class MarkerDocument:
    """A validated start marker."""

    started_at: float
    covered_at: float | None
    written_at: float
    writer: str


def encode(document: dict[str, Any]) -> bytes:
    """A document as stored."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _parse(data: bytes, location: ObjectUri, what: str, fix: str) -> dict[str, Any]:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CheckpointError(
            f"{what} {location} holds {len(data)} bytes, more than {MAX_DOCUMENT_BYTES}. {fix}"
        )
    try:
        document = json.loads(data)
    except RecursionError:
        raise CheckpointError(
            f"{what} {location} is nested too deeply to be one this provider wrote. {fix}"
        ) from None
    except ValueError as error:
        raise CheckpointError(f"{what} {location} is not valid JSON ({error}); truncated? {fix}") from None
    if not isinstance(document, dict):
        raise CheckpointError(f"{what} {location} is a JSON {type(document).__name__}, not an object. {fix}")
    return document


def _field(document: dict[str, Any], name: str, kind: str, location: ObjectUri, what: str, fix: str) -> Any:
    """``document[name]`` checked: ``str`` (non-empty), ``time`` (finite non-negative number), ``str?``,
    ``time?`` (may be null or missing)."""
    value = document.get(name)
    if kind.endswith("?") and value is None:
        return None
    if kind.startswith("str") and isinstance(value, str) and value:
        return value
    if (
        kind.startswith("time")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    ):
        return float(value)
    expected = "a non-empty string" if kind.startswith("str") else "a time in seconds since 1970"
    raise CheckpointError(f"{what} {location}: {name!r} is {value!r}, not {expected}. {fix}")


def _check_version(document: dict[str, Any], location: ObjectUri, what: str, fix: str) -> int:
    version = document.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{what} {location} has version {version}: a newer release of the provider wrote it (this one "
            f"reads versions {READABLE_VERSIONS}). Upgrade the provider on every triggerer. {fix}"
        )
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise CheckpointError(
            f"{what} {location}: 'version' is {version!r}, not one of {READABLE_VERSIONS}. {fix}"
        )
    return int(version)


def _check_identity(stored: Any, identity: WatchIdentity, location: ObjectUri, what: str) -> None:
    if stored != identity.as_dict():
        raise ForeignCheckpointError(
            f"{what} {location} belongs to another watcher ({_describe_stored(stored)}), not to this one "
            f"({identity.describe()}): its records would make this watcher skip or replay objects. Give "
            "each watcher its own checkpoint_name (or checkpoint_prefix), or delete both stored documents "
            "to start over."
        )


def _describe_stored(stored: Any) -> str:
    if isinstance(stored, dict):
        try:
            return WatchIdentity(**stored).describe()
        except TypeError:
            pass
    return f"identity {str(stored)[:200]!r}"


def _legacy_identity(watch: Any, identity: WatchIdentity) -> dict[str, Any] | None:
    """A version-1 checkpoint's identity, from the trigger arguments it stored (``watch``)."""
    if not isinstance(watch, dict) or not isinstance(watch.get("prefix"), str):
        return None
    prefix, bucket = watch["prefix"], watch.get("bucket_name")
    if "://" in prefix:
        try:
            target = parse_uri(prefix)
        except ValueError:
            return None
        bucket, prefix = target.bucket, target.key
    mode = "regex" if watch.get("use_regex") else "wildcard" if watch.get("wildcard_match") else "prefix"
    return {
        "bucket": bucket
        if isinstance(bucket, str) and bucket
        else identity.bucket,  # None: the default bucket
        "pattern": prefix,
        "mode": mode,
        "ordered_keys": bool(watch.get("ordered_keys")),
    }


def parse_checkpoint(
    data: bytes, location: ObjectUri, identity: WatchIdentity, fix: str
) -> CheckpointDocument:
    """Validate a stored checkpoint of the watcher ``identity``; ``fix`` ends every error message."""
    what = "Checkpoint"
    document = _parse(data, location, what, fix)
    version = _check_version(document, location, what, fix)
    stored = document.get("identity") if version >= 2 else _legacy_identity(document.get("watch"), identity)
    _check_identity(stored, identity, location, what)
    objects = document.get("objects")
    if not isinstance(objects, dict):
        raise CheckpointError(
            f"{what} {location}: 'objects' is {type(objects).__name__}, not a map of key to ETag. {fix}"
        )
    for key, etag in objects.items():
        if not key or not isinstance(etag, str) or not etag:
            raise CheckpointError(
                f"{what} {location}: object {key!r} has ETag {etag!r}, not a non-empty string. {fix}"
            )
    after = _field(document, "after", "str?", location, what, fix)
    if after is not None and not identity.ordered_keys:
        raise CheckpointError(
            f"{what} {location} has a high-water mark ('after') but this watcher lists whole prefixes. {fix}"
        )
    if identity.ordered_keys and objects:
        raise CheckpointError(
            f"{what} {location} records objects but this watcher keeps only a mark (ordered_keys). {fix}"
        )
    return CheckpointDocument(
        version=version,
        objects=dict(objects),
        after=after,
        started_at=_field(document, "started_at", "time?", location, what, fix),
        covered_at=_field(document, "covered_at", "time?", location, what, fix),
        written_at=_field(document, "written_at", "time?", location, what, fix),
        writer=_field(document, "writer", "str?", location, what, fix),
    )


def parse_marker(data: bytes, location: ObjectUri, identity: WatchIdentity, fix: str) -> MarkerDocument:
    """Validate a stored start marker of the watcher ``identity``."""
    what = "Start marker"
    document = _parse(data, location, what, fix)
    _check_version(document, location, what, fix)
    if document.get("kind") != MARKER_KIND:
        raise CheckpointError(
            f"{what} {location}: 'kind' is {document.get('kind')!r}, not {MARKER_KIND!r}. {fix}"
        )
    _check_identity(document.get("identity"), identity, location, what)
    return MarkerDocument(
        started_at=_field(document, "started_at", "time", location, what, fix),
        covered_at=_field(document, "covered_at", "time?", location, what, fix),
        written_at=_field(document, "written_at", "time", location, what, fix),
        writer=_field(document, "writer", "str", location, what, fix),
    )
