"""Local files to stage for a Broker Load: found by path or glob, named so Doris reads each as itself."""

from __future__ import annotations

import glob
import hashlib
import os
import re

from airflow_provider_doris_oss.uris import ObjectUri, has_wildcard

_UNSAFE_STAGED = re.compile(r"[^-_.A-Za-z0-9]")


def staged_name(file_name: str) -> str:
    """The object name a local file is staged under: only ``[-_.A-Za-z0-9]``, never a pattern.

    Broker Load reads every ``DATA INFILE`` URI as a glob (``*``, ``?``, ``[...]``, ``{...}``,
    ``\\``), so a staged name keeps only characters that mean themselves. A name that had to be
    changed gets a hash of the original before its suffixes (``r[1].csv`` ->
    ``r_1_-<hash>.csv``), so two different files never share a staged name; the suffixes stay,
    because Doris guesses format and compression from them.
    """
    clean = _UNSAFE_STAGED.sub("_", file_name)
    if clean == file_name:
        return file_name
    stem, dot, suffixes = clean.partition(".")
    digest = hashlib.sha256(file_name.encode()).hexdigest()[:8]
    return f"{stem or '_'}-{digest}{dot}{suffixes}"


def staging_plan(local_files: list[str], prefix: ObjectUri) -> list[tuple[str, ObjectUri]]:
    """``(local path, object)`` for every file ``local_files`` names, in staged-name order.

    A path that exists as written is that file, even if its name has glob characters. A pattern
    that matches no file, and two files that would share a staged name, are errors naming
    ``local_files``.
    """
    by_name: dict[str, str] = {}
    for pattern in local_files:
        path = os.path.expanduser(pattern)
        if os.path.isfile(path) or not has_wildcard(path):
            matches = [path]
        else:
            matches = sorted(glob.glob(path, recursive=True))
        matches = [m for m in matches if os.path.isfile(m)]
        if not matches:
            raise FileNotFoundError(f"local_files: {pattern!r} matches no file on this worker.")
        for match in matches:
            name = staged_name(os.path.basename(match))
            other = by_name.setdefault(name, match)
            if os.path.abspath(other) != os.path.abspath(match):
                raise ValueError(
                    f"local_files: {other!r} and {match!r} have the same file name; staged files are "
                    "named by file name, so rename one or load them with two operators."
                )
    return [(path, ObjectUri(prefix.bucket, prefix.key + name)) for name, path in sorted(by_name.items())]
