"""``LiteralNames``: fsspec's bulk operations on names as they are, never as glob patterns.

OSS object names may contain ``[``, ``]``, ``*`` and ``?``. fsspec's ``rm``, ``copy``, ``mv``,
``cat``, ``get``, ``put`` and ``expand_path`` read such a name as a pattern, so
``rm("bucket/g/[ab].txt")`` deletes ``g/a.txt`` and ``g/b.txt`` and keeps ``g/[ab].txt``. Here a
path names one object, or with ``recursive=True`` the objects under it; ``glob`` and ``find``
still match patterns (glob first, then pass the list to delete what a pattern matches).
"""

from __future__ import annotations

import os
from typing import Any

from fsspec.asyn import AsyncFileSystem
from fsspec.implementations.local import LocalFileSystem, make_path_posix, trailing_sep
from fsspec.utils import stringify_path


def destinations(root: str, sources: list[str], destination: str, into: bool) -> list[str]:
    """Where each of ``sources`` (``root`` itself, or files under it) goes.

    ``destination`` takes the place of ``root``; when ``into``, ``destination`` is a directory and
    ``root`` keeps its own name inside it (``cp -r src dst/``).
    """
    base = destination.rstrip("/")
    if into:
        base = f"{base}/{root.rstrip('/').rsplit('/', 1)[-1]}"
    return [base if source == root else f"{base}/{source[len(root) :].lstrip('/')}" for source in sources]


def _inside(directory: str, paths: list[str]) -> None:
    """Refuse a download that would land outside ``directory`` (an object name holding ``..``)."""
    top = os.path.abspath(directory)
    for path in paths:
        if os.path.commonpath([top, os.path.abspath(path)]) != top:
            raise ValueError(
                f"Downloading to {path!r} would write outside {directory!r}: an object name holds '..'. "
                "Download that object by its name to a local path you choose."
            )


class LiteralNames(AsyncFileSystem):
    """Bulk operations that take each path as the name of one object or directory."""

    async def _expand_path(
        self, path: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> list[str]:
        """``path`` (one or a list) as named; with ``recursive``, also everything under each."""
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        names = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        found: set[str] = set()
        for name in (self._strip_protocol(stringify_path(n)) for n in names):
            if recursive:
                found.update(await self._find(name, maxdepth=maxdepth, withdirs=True, **kwargs))
                if name not in found and await self._exists(name):
                    found.add(name)
            else:
                found.add(name)
        if not found:
            raise FileNotFoundError(path)
        return sorted(found)

    async def _sources(self, path: str, recursive: bool, maxdepth: int | None) -> list[str]:
        """The objects a copy of ``path`` reads: the files under it, or ``path`` if it is no directory."""
        root = self._strip_protocol(path)
        if recursive:
            files: list[str] = await self._find(root, maxdepth=maxdepth)
            if not files:
                raise FileNotFoundError(path)
            return files
        return [] if await self._isdir(root) else [root]

    async def _copy(
        self, path1: Any, path2: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> Any:
        if isinstance(path1, str) and isinstance(path2, str):
            sources = await self._sources(path1, recursive, maxdepth)
            if not sources:
                return None
            into = not trailing_sep(path1) and (trailing_sep(path2) or await self._isdir(path2))
            path1, path2 = sources, destinations(self._strip_protocol(path1), sources, path2, into)
        return await super()._copy(path1, path2, recursive=recursive, maxdepth=maxdepth, **kwargs)

    async def _get(
        self, rpath: Any, lpath: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> Any:
        if isinstance(rpath, str) and isinstance(lpath, str):
            sources = await self._sources(rpath, recursive, maxdepth)
            if not sources:
                return None
            local = make_path_posix(lpath)
            into = not trailing_sep(rpath) and (trailing_sep(lpath) or LocalFileSystem().isdir(local))
            targets = destinations(self._strip_protocol(rpath), sources, local, into)
            _inside(local, targets)
            rpath, lpath = sources, targets
        return await super()._get(rpath, lpath, recursive=recursive, maxdepth=maxdepth, **kwargs)

    async def _put(
        self, lpath: Any, rpath: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> Any:
        if isinstance(lpath, str) and isinstance(rpath, str):
            local, root = LocalFileSystem(), LocalFileSystem._strip_protocol(make_path_posix(lpath))
            if recursive:
                sources: list[str] = local.find(root, maxdepth=maxdepth)
                if not sources:
                    raise FileNotFoundError(lpath)
            else:
                sources = [] if local.isdir(root) else [root]
            if not sources:
                return None
            into = not trailing_sep(lpath) and (trailing_sep(rpath) or await self._isdir(rpath))
            lpath, rpath = sources, destinations(root, sources, self._strip_protocol(rpath), into)
        return await super()._put(lpath, rpath, recursive=recursive, maxdepth=maxdepth, **kwargs)
