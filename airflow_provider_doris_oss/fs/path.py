"""``OssPath``: universal_pathlib's class for ``oss://`` (registered as an entry point).

ObjectStoragePath builds a universal_pathlib path before Airflow asks the provider for a
filesystem; without this class universal_pathlib looks ``oss`` up in fsspec and stops at
"Install ossfs". Loading it claims ``oss`` for ``OssFileSystem`` (see ``filesystem``).
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from upath._flavour import WrappedFileSystemFlavour
from upath.implementations.cloud import CloudPath

import airflow_provider_doris_oss.fs.filesystem  # noqa: F401  (claims the oss protocol in fsspec)

if TYPE_CHECKING:
    from typing_extensions import Self

# universal_pathlib keeps per-protocol parsing rules in one table; give oss:// the ones of s3://
# (the bucket is the anchor, ``a//b`` keeps its empty part) before any oss:// path is parsed.
for _rule in ("netloc_is_anchor", "supports_empty_parts"):
    WrappedFileSystemFlavour.protocol_config[_rule].add("oss")
WrappedFileSystemFlavour.from_protocol.cache_clear()


class OssPath(CloudPath):
    """A bucket-and-key path on OSS: ``oss://bucket/key``.

    ``glob`` and ``rglob`` match the pattern below this path; this path's own name is a name
    even when it holds ``[``, ``*`` or ``?`` (universal_pathlib would read it as a pattern too).
    """

    __slots__ = ()

    def __init__(self, *args: Any, protocol: str | None = None, **storage_options: Any) -> None:
        super().__init__(*args, protocol=protocol, **storage_options)
        if not self.drive and len(self.parts) > 1:
            raise ValueError(f"{self!s} names no bucket: write oss://bucket/key.")

    def glob(self, pattern: str, **kwargs: Any) -> Iterator[Self]:
        if not glob.has_magic(self.path):
            return super().glob(pattern, **kwargs)
        return self._below(pattern)

    def rglob(self, pattern: str, **kwargs: Any) -> Iterator[Self]:
        if not glob.has_magic(self.path):
            return super().rglob(pattern, **kwargs)
        return self._below(f"**/{pattern}")

    def _below(self, pattern: str) -> Iterator[Self]:
        base = self.path.rstrip("/")
        for name in self.fs.glob(f"{glob.escape(base)}/{pattern}"):
            yield self.joinpath(name.removeprefix(base).lstrip("/"))
