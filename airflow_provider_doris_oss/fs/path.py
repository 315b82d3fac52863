"""``OssPath``: universal_pathlib's class for ``oss://`` (registered as an entry point).

ObjectStoragePath builds a universal_pathlib path before Airflow asks the provider for a
filesystem; without this class universal_pathlib looks ``oss`` up in fsspec and stops at
"Install ossfs". Loading it claims ``oss`` for ``OssFileSystem`` (see ``filesystem``).
"""

from __future__ import annotations

from typing import Any

from upath._flavour import WrappedFileSystemFlavour
from upath.implementations.cloud import CloudPath

import airflow_provider_doris_oss.fs.filesystem  # noqa: F401  (claims the oss protocol in fsspec)

# universal_pathlib keeps per-protocol parsing rules in one table; give oss:// the ones of s3://
# (the bucket is the anchor, ``a//b`` keeps its empty part) before any oss:// path is parsed.
for _rule in ("netloc_is_anchor", "supports_empty_parts"):
    WrappedFileSystemFlavour.protocol_config[_rule].add("oss")
WrappedFileSystemFlavour.from_protocol.cache_clear()


class OssPath(CloudPath):
    """A bucket-and-key path on OSS: ``oss://bucket/key``."""

    __slots__ = ()

    def __init__(self, *args: Any, protocol: str | None = None, **storage_options: Any) -> None:
        super().__init__(*args, protocol=protocol, **storage_options)
        if not self.drive and len(self.parts) > 1:
            raise ValueError(f"{self!s} names no bucket: write oss://bucket/key.")
