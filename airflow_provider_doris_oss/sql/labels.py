"""Job labels: validation, derivation from an Airflow task instance, and fresh attempt suffixes."""

from __future__ import annotations

import hashlib
import json
import re

from airflow_provider_doris_oss.sql.errors import DorisSqlError

MAX_LABEL_LENGTH = 128
_LABEL = re.compile(r"[-_A-Za-z0-9]{1,128}")
_UNSAFE = re.compile(r"[^-_A-Za-z0-9]+")
_HASH_LENGTH = 12
# derive_label leaves this much room for next_label_attempt's suffix.
_ATTEMPT_ROOM = 12


def validate_label(label: str) -> str:
    """Return ``label`` if it is portable across Doris releases (``[-_A-Za-z0-9]``, 1 to 128 chars)."""
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise DorisSqlError(
            f"label {label!r} is not a valid Doris label: use only letters A-Z a-z, digits, '-' and '_', "
            f"1 to {MAX_LABEL_LENGTH} characters (no '.', ':', '/', spaces or other characters)."
        )
    return label


def derive_label(
    dag_id: str,
    task_id: str,
    run_id: str,
    *,
    map_index: int | None = None,
    prefix: str = "airflow",
) -> str:
    """A deterministic label for one task instance: the same on every retry, unique across instances.

    The trailing hash is taken over the exact ``(dag_id, task_id, run_id, map_index)`` tuple, so
    two task instances never share a label: a mapped task ``load`` at index 3 and a task named
    ``load-3`` differ, as do runs whose ids sanitise alike. A negative or missing ``map_index``
    means "not mapped". The readable part (sanitised, shortened) is for people only.
    """
    if prefix:
        validate_label(prefix)
    if map_index is not None and (isinstance(map_index, bool) or not isinstance(map_index, int)):
        raise DorisSqlError(f"map_index: {map_index!r} must be an integer or None.")
    index = map_index if map_index is not None and map_index >= 0 else None
    # Unmapped: three elements (the labels of earlier releases); mapped: four, never equal to three.
    identity = [dag_id, task_id, run_id] if index is None else [dag_id, task_id, run_id, index]
    digest = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:_HASH_LENGTH]
    task = task_id if index is None else f"{task_id}-{index}"
    parts = [_UNSAFE.sub("_", p).strip("_") or "x" for p in (dag_id, task, run_id)]
    fixed = (len(prefix) + 1 if prefix else 0) + 3 + _HASH_LENGTH
    budget = MAX_LABEL_LENGTH - _ATTEMPT_ROOM - fixed
    if budget < 3:
        raise DorisSqlError(f"prefix {prefix!r} is too long for a label; keep it under 80 characters.")
    while sum(len(p) for p in parts) > budget:
        longest = max(range(3), key=lambda k: len(parts[k]))
        parts[longest] = parts[longest][:-1]
    readable = "_".join(parts)
    label = f"{prefix}_{readable}_{digest}" if prefix else f"{readable}_{digest}"
    return validate_label(label)


def owned_label(label: str, owner: str) -> str:
    """``label`` with ``_<owner>`` appended (hashing the middle away if it would exceed 128).

    For jobs whose SHOW row carries nothing of the task (INSERT): the label itself names what the
    job does, so a label reused for different work gives a different Doris label.
    """
    validate_label(label)
    if not isinstance(owner, str) or not re.fullmatch(r"[0-9a-f]{4,32}", owner):
        raise DorisSqlError(f"owner {owner!r} must be 4 to 32 lower-case hex digits.")
    return _with_suffix(label, f"_{owner}")


def next_label_attempt(label: str, n: int) -> str:
    """The label for attempt ``n`` (>= 1) after a CANCELLED job under ``label`` (pass the base label)."""
    validate_label(label)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DorisSqlError(f"attempt number {n!r} must be an integer >= 1.")
    return _with_suffix(label, f"_r{n}")


def _with_suffix(label: str, suffix: str) -> str:
    """``label + suffix``; past 128 characters the label's tail gives way to a hash of the whole label."""
    if len(label) + len(suffix) <= MAX_LABEL_LENGTH:
        return label + suffix
    digest = hashlib.sha256(label.encode()).hexdigest()[:8]
    keep = MAX_LABEL_LENGTH - len(suffix) - len(digest) - 1
    return validate_label(f"{label[:keep]}_{digest}{suffix}")


def object_label(bucket: str, key: str, etag: str, *, prefix: str = "oss") -> str:
    """A label for loading one version of one object: the same (bucket, key, ETag) always gives it.

    So however often that version is reported, retried or re-run, Doris loads it at most once
    (a FINISHED label is never loaded again); a rewritten object (new ETag) gets a new label.
    The readable part is the key's file name; the hash covers the exact bucket, key and ETag
    (the quotes S3 puts around an ETag ignored; a key is taken exactly as written, quotes and all).

    ``prefix`` tells apart loads of one object version into different tables of one database:
    Doris labels are unique per database, so give each target its own prefix.
    """
    etag_value = etag.strip('"') if isinstance(etag, str) else etag
    for field, value in (("bucket", bucket), ("key", key), ("etag", etag_value)):
        if not isinstance(value, str) or not value:
            raise DorisSqlError(f"{field}: a non-empty string is needed to derive an object's label.")
    if prefix:
        validate_label(prefix)
    digest = hashlib.sha256(json.dumps([bucket, key, etag_value]).encode()).hexdigest()[:24]
    name = _UNSAFE.sub("_", key.rstrip("/").rsplit("/", 1)[-1]).strip("_") or "x"
    budget = MAX_LABEL_LENGTH - _ATTEMPT_ROOM - len(digest) - 1 - (len(prefix) + 1 if prefix else 0)
    if budget < 1:
        raise DorisSqlError(f"prefix {prefix!r} is too long for a label; keep it under 80 characters.")
    parts = [prefix, name[:budget], digest] if prefix else [name[:budget], digest]
    return validate_label("_".join(parts))
