"""Where a watcher's checkpoint may live, judged when a DAG file builds the trigger.

Standard library only and no class or pattern work at import: ``object_event`` imports it at DAG
parse, the checkpoint documents themselves (``checkpoint_document``) only when the watcher runs.
"""

from __future__ import annotations

CHECKPOINT_SUFFIX = ".json"
MARKER_SUFFIX = ".started"
DEFAULT_CHECKPOINT_PREFIX = "_airflow_doris_oss/event-checkpoints/"
CHECKPOINT_NAME_PATTERN = r"[A-Za-z0-9._-]{1,128}"


def checkpoint_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a checkpoint object's name (1-128 letters, digits, '.', '_', '-'), or None."""
    import re

    if isinstance(name, str) and re.fullmatch(CHECKPOINT_NAME_PATTERN, name):
        return None
    return f"checkpoint_name {name!r} must be 1-128 letters, digits, '.', '_' or '-'."


def checkpoint_folder(key: str) -> str:
    """A checkpoint prefix as the folder its objects go in (``inbox`` -> ``inbox/``; ``""`` stays)."""
    return key if not key or key.endswith("/") else key + "/"


def check_checkpoint_area(listing_prefix: str, checkpoint_key: str, given: str) -> None:
    """Refuse a checkpoint folder (in the watched bucket) that is empty or holds the watched prefix."""
    folder = checkpoint_folder(checkpoint_key)
    if not folder:
        problem = "is empty: checkpoints would be written at the top of the watched bucket"
    elif listing_prefix.startswith(folder):
        problem = (
            f"holds the watched prefix {listing_prefix!r}: checkpoints would be written among the watched "
            "objects, and every write would look like a new object"
        )
    else:
        return
    raise ValueError(
        f"checkpoint_prefix {given!r} {problem}. Keep checkpoints outside what is watched: leave the default "
        f"{DEFAULT_CHECKPOINT_PREFIX!r}, name another folder, or another bucket (oss://bucket/prefix/)."
    )
