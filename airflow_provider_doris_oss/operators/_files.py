"""The files an OUTFILE or EXPORT wrote: found in OSS under the URL prefixes Doris reports."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.uris import ObjectUri, parse_uri

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook


class MissingOutputError(RuntimeError):
    """Doris reported more files than OSS holds under the reported prefix."""


def url_prefix(url: str, *, field: str) -> ObjectUri:
    """A Doris file URL prefix (``s3://b/dir/prefix_<query id>_``, maybe ending ``*``) as a location."""
    return parse_uri(url.strip().rstrip("*"), field=field)


def collect_files(oss: DorisOssHook, expected: Iterable[tuple[ObjectUri, int]]) -> list[dict[str, Any]]:
    """List each prefix in OSS and check it holds at least the number of files Doris reported.

    Returns ``[{"uri": "oss://bucket/key", "size": bytes}, ...]`` in key order.
    """
    files: dict[str, dict[str, Any]] = {}
    for prefix, count in expected:
        found = [obj for obj in oss.iter_objects(prefix.bucket, prefix.key) if not obj["Key"].endswith("/")]
        if len(found) < count:
            raise MissingOutputError(
                f"Doris reported {count} files under {prefix}, but OSS lists {len(found)} there. The files "
                "were removed or overwritten since (check delete_existing_files and other writers)."
            )
        for obj in found:
            uri = str(ObjectUri(prefix.bucket, obj["Key"]))
            files[uri] = {"uri": uri, "size": int(obj.get("Size", 0))}
    return [files[k] for k in sorted(files)]


def download_files(oss: DorisOssHook, files: Iterable[dict[str, Any]], directory: str) -> list[str]:
    """Download each file into ``directory`` (created if missing), keeping its file name."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    client = oss.get_conn()
    paths: list[str] = []
    for item in files:
        location = parse_uri(item["uri"])
        name = location.key.rsplit("/", 1)[-1]
        path = target / name
        client.download_file(location.bucket, location.key, os.fspath(path))
        paths.append(os.fspath(path))
    return paths
