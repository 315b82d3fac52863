"""Batches of object versions for Broker Load: deterministic formation, content labels, manifests.

Pure standard library. A batch is a set of object versions (bucket, key, ETag) loaded by one
Broker Load job. Everything here is a function of the versions alone:

- ``form_batches`` sorts the versions by bucket, key and ETag and cuts the sorted list whenever
  the next one would exceed the file or byte limit, so the same versions always give the same
  batches;
- ``Batch.label`` hashes the sorted (bucket, key, ETag) set, so the same batch always gets the
  same Doris label (a FINISHED label is never loaded again);
- ``Batch.manifest`` is the batch's member list as JSON rows, the file a batched load writes into
  its ledger table in the same transaction as the data (``batch_ledger``);
- ``snapshot_key`` names the copy of one version a batch loads (Broker Load reads a path as it
  is when the job runs, so a batch loads copies that cannot change).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_doris_oss.sql.labels import MAX_LABEL_LENGTH, validate_label
from airflow_provider_doris_oss.sql.quoting import quote_string, quote_table
from airflow_provider_doris_oss.uris import MAX_KEY_BYTES

# Doris's guidance for Broker Load: one job per tens of GB at most (its 4 h default timeout at
# ~10 MB/s per BE), each scanner reading at least 64 MB (min_bytes_per_broker_scanner): 10 GiB
# keeps one job far inside the timeout; 1,000 paths keep the statement (~100 KB) and the FE's
# file listing (one LIST per path) small.
DEFAULT_MAX_FILES = 1000
DEFAULT_MAX_BYTES = 10 * 1024**3
LABEL_PREFIX = "oss_batch"
_HASH_LENGTH = 32
# Characters Broker Load reads as a pattern in a DATA INFILE path (Jinja's "{" among them).
_PATTERN = re.compile(r"[*?\[\]{}\\]")
# OSS keys are at most 1,023 bytes.
# The ledger table's columns, in order; manifests carry exactly these keys.
LEDGER_COLUMNS = ("version_id", "bucket", "object_key", "etag", "object_size", "batch_label")


@dataclass(frozen=True, order=True)
class ObjectVersion:
    """One version of one object: bucket, key and ETag (quotes dropped); ``size`` in bytes."""

    bucket: str
    key: str
    etag: str
    size: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        for name in ("bucket", "key", "etag"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip('"'):
                raise ValueError(f"{name}: {value!r} must be a non-empty string.")
        object.__setattr__(self, "etag", self.etag.strip('"'))
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError(f"size: {self.size!r} must be a byte count (an integer >= 0).")

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ObjectVersion:
        """The version an ``OssObjectEventTrigger`` payload names (bucket, key, etag, size)."""
        if not isinstance(payload, Mapping):
            raise ValueError(f"payload: {payload!r} is not an object event's payload (a mapping).")
        missing = [name for name in ("bucket", "key", "etag") if name not in payload]
        if missing:
            raise ValueError(f"payload: {', '.join(missing)} missing from {dict(payload)!r}.")
        size = payload.get("size") or 0
        return cls(payload["bucket"], payload["key"], payload["etag"], int(size))

    @property
    def version_id(self) -> str:
        """A hex digest of the exact (bucket, key, ETag): the ledger's key for this version."""
        identity = json.dumps([self.bucket, self.key, self.etag])
        return hashlib.sha256(identity.encode()).hexdigest()[:_HASH_LENGTH]

    @property
    def uri(self) -> str:
        """``oss://bucket/key``."""
        return f"oss://{self.bucket}/{self.key}"

    @property
    def is_folder(self) -> bool:
        """A key ending in ``/``: a folder marker, not a file to load."""
        return self.key.endswith("/")


@dataclass(frozen=True)
class Batch:
    """Object versions loaded by one Broker Load job, sorted; its label is derived from them."""

    members: tuple[ObjectVersion, ...]
    prefix: str = LABEL_PREFIX

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("members: a batch needs at least one object version.")
        ordered = tuple(sorted(set(self.members)))
        if len(ordered) != len(self.members):
            raise ValueError("members: an object version appears twice in one batch.")
        object.__setattr__(self, "members", ordered)
        validate_label(self.prefix)
        if len(self.prefix) > 64:
            raise ValueError(f"prefix: {self.prefix!r} is longer than 64 characters.")

    @property
    def label(self) -> str:
        """``<prefix>_<files>f_<hash>``: the hash covers the sorted (bucket, key, ETag) set exactly."""
        identity = json.dumps([[m.bucket, m.key, m.etag] for m in self.members])
        digest = hashlib.sha256(identity.encode()).hexdigest()[:_HASH_LENGTH]
        label = f"{self.prefix}_{len(self.members)}f_{digest}"
        assert len(label) <= MAX_LABEL_LENGTH - 12  # room for next_label_attempt's "_r<n>"
        return validate_label(label)

    @property
    def uris(self) -> list[str]:
        """The members' ``oss://`` URIs, in batch order."""
        return [m.uri for m in self.members]

    @property
    def size(self) -> int:
        """The members' total bytes."""
        return sum(m.size for m in self.members)

    def manifest(self) -> bytes:
        """The members as a JSON array of ledger rows (``LEDGER_COLUMNS``); the same batch, the same bytes."""
        label = self.label
        rows = [
            dict(zip(LEDGER_COLUMNS, (m.version_id, m.bucket, m.key, m.etag, m.size, label), strict=True))
            for m in self.members
        ]
        return json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_manifest(cls, body: bytes, *, prefix: str = LABEL_PREFIX) -> Batch:
        """The batch a manifest describes; refused if it is not one ``manifest()`` wrote."""
        try:
            rows = json.loads(body)
            members = tuple(
                ObjectVersion(r["bucket"], r["object_key"], r["etag"], int(r["object_size"])) for r in rows
            )
            labels = {r["batch_label"] for r in rows}
            batch = cls(members, prefix)
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"not a batch manifest: {error}") from None
        if labels != {batch.label}:
            raise ValueError(
                f"not a batch manifest: its rows name {sorted(labels)}, its members {batch.label}."
            )
        return batch


def ledger_table_sql(table: str, *, properties: Mapping[str, str] | None = None) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for a ledger table (``db.table``); DUPLICATE KEY, so a version
    loaded twice would show as two rows."""
    props = ", ".join(f"{quote_string(k)} = {quote_string(str(v))}" for k, v in (properties or {}).items())
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_table(table, field='table')} (\n"
        "    version_id VARCHAR(32) NOT NULL,\n"
        "    bucket VARCHAR(255),\n"
        "    object_key VARCHAR(1024),\n"
        "    etag VARCHAR(128),\n"
        "    object_size BIGINT,\n"
        "    batch_label VARCHAR(128)\n"
        ")\nDUPLICATE KEY (version_id)\nDISTRIBUTED BY HASH (version_id) BUCKETS 1"
        + (f"\nPROPERTIES ({props})" if props else "")
    )


def snapshot_key(prefix: str, version: ObjectVersion) -> str:
    """``<prefix><version_id>/<key>``: where the copy of ``version`` that a batch loads lives.

    The key keeps its folders and suffixes (``COLUMNS FROM PATH``, format and compression
    guessing); characters Broker Load would read as a pattern become ``_``, so the path names
    exactly one object. A key too long for that keeps only its file name.
    """
    safe = _PATTERN.sub("_", version.key)
    key = f"{prefix}{version.version_id}/{safe}"
    if len(key.encode()) > MAX_KEY_BYTES:
        name = safe.rsplit("/", 1)[-1].encode()[: MAX_KEY_BYTES - len(prefix.encode()) - 40]
        key = f"{prefix}{version.version_id}/{name.decode(errors='ignore') or 'object'}"
    return key


def check_limits(max_files: object, max_bytes: object) -> tuple[int, int]:
    """``(max_files, max_bytes)`` if both are positive integers; else an error naming the argument."""
    for name, value in (("max_files", max_files), ("max_bytes", max_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: {value!r} must be a positive integer.")
    return int(max_files), int(max_bytes)  # type: ignore[call-overload]


def form_batches(
    versions: Iterable[ObjectVersion],
    *,
    max_files: int = DEFAULT_MAX_FILES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    prefix: str = LABEL_PREFIX,
) -> list[Batch]:
    """Sort the distinct versions and cut them into batches of at most ``max_files`` files and
    ``max_bytes`` bytes (one object larger than ``max_bytes`` is a batch of its own)."""
    max_files, max_bytes = check_limits(max_files, max_bytes)
    batches: list[Batch] = []
    current: list[ObjectVersion] = []
    size = 0
    for version in sorted(set(versions)):
        if current and (len(current) >= max_files or size + version.size > max_bytes):
            batches.append(Batch(tuple(current), prefix))
            current, size = [], 0
        current.append(version)
        size += version.size
    if current:
        batches.append(Batch(tuple(current), prefix))
    return batches


def split_in_halves(batch: Batch, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Batch]:
    """A failed batch's members again, at most half as many files per batch (one file stays one).

    Repeated after each failure, a file Doris cannot load ends up alone after about
    log2(files) failures, and the others load.
    """
    return form_batches(
        batch.members,
        max_files=max(1, math.ceil(len(batch.members) / 2)),
        max_bytes=max_bytes,
        prefix=batch.prefix,
    )
