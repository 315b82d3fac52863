"""OSS keys may hold ``[ ] * ? { }``: every operation on ``oss://`` acts on the named object only.

fsspec reads such a path as a glob in ``rm``, ``copy``, ``mv``, ``cat``, ``get``, ``put`` and
``expand_path``; before the fix ``ObjectStoragePath("oss://b/g/[ab].txt").unlink()`` deleted
``g/a.txt`` and ``g/b.txt`` and kept ``g/[ab].txt``. Each case lays out the named object next to
the objects its name would match as a pattern, runs one operation, and checks the whole bucket.
``glob`` itself still matches patterns, below the path it is called on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

MAGIC = ["[ab]", "*", "?", "{a,b}"]
# What each name would match as a glob (or, for braces, as a shell would expand them).
SIBLINGS = {"a": "sibling a", "b": "sibling b"}


def _files(magic: str) -> dict[str, str]:
    return {f"g/{magic}.txt": "named", **{f"g/{s}.txt": body for s, body in SIBLINGS.items()}}


def _dirs(magic: str) -> dict[str, str]:
    return {f"d/{magic}/x.txt": "named", **{f"d/{s}/x.txt": body for s, body in SIBLINGS.items()}}


def _siblings_of_files() -> dict[str, str]:
    return {f"g/{s}.txt": body for s, body in SIBLINGS.items()}


def _siblings_of_dirs() -> dict[str, str]:
    return {f"d/{s}/x.txt": body for s, body in SIBLINGS.items()}


# (operation on the file g/<magic>.txt, the bucket afterwards besides the untouched siblings)
FILE_OPERATIONS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[str], dict[str, str]]]] = {
    "unlink": (lambda b, p: p.unlink(), lambda m: {}),
    "fs.rm": (lambda b, p: p.fs.rm(p.path), lambda m: {}),
    "fs.rm recursive": (lambda b, p: p.fs.rm(p.path, recursive=True), lambda m: {}),
    "fs.rm list": (lambda b, p: p.fs.rm([p.path]), lambda m: {}),
    "fs.delete": (lambda b, p: p.fs.delete(p.path), lambda m: {}),
    "rename": (lambda b, p: p.rename(b.path("out/x.txt")), lambda m: {"out/x.txt": "named"}),
    "replace": (lambda b, p: p.replace(b.path("out/x.txt")), lambda m: {"out/x.txt": "named"}),
    "move": (lambda b, p: p.move(b.path("out/x.txt")), lambda m: {"out/x.txt": "named"}),
    "fs.mv": (lambda b, p: p.fs.mv(p.path, b.path("out/x.txt").path), lambda m: {"out/x.txt": "named"}),
    "copy": (
        lambda b, p: p.copy(b.path("out/x.txt")),
        lambda m: {f"g/{m}.txt": "named", "out/x.txt": "named"},
    ),
    "fs.copy": (
        lambda b, p: p.fs.copy(p.path, b.path("out/x.txt").path),
        lambda m: {f"g/{m}.txt": "named", "out/x.txt": "named"},
    ),
    "copy_into": (
        lambda b, p: (b.put({"out/keep.txt": "keep"}), p.copy_into(b.path("out/"))),
        lambda m: {f"g/{m}.txt": "named", "out/keep.txt": "keep", f"out/{m}.txt": "named"},
    ),
    "move_into": (
        lambda b, p: (b.put({"out/keep.txt": "keep"}), p.move_into(b.path("out/"))),
        lambda m: {"out/keep.txt": "keep", f"out/{m}.txt": "named"},
    ),
}


@pytest.mark.parametrize("magic", MAGIC)
@pytest.mark.parametrize("operation", sorted(FILE_OPERATIONS))
def test_file_operations_touch_only_the_named_object(bucket: Any, operation: str, magic: str) -> None:
    run, expected = FILE_OPERATIONS[operation]
    bucket.put(_files(magic))
    run(bucket, bucket.path(f"g/{magic}.txt"))
    assert bucket.contents() == {**_siblings_of_files(), **expected(magic)}


# (operation on the directory d/<magic>/, the bucket afterwards besides the untouched siblings)
DIR_OPERATIONS: dict[str, tuple[Callable[[Any, Any], Any], dict[str, str]]] = {
    "rmdir": (lambda b, p: p.rmdir(), {}),
    "fs.rm recursive": (lambda b, p: p.fs.rm(p.path, recursive=True), {}),
    "move recursive": (lambda b, p: p.move(b.path("moved"), recursive=True), {"moved/x.txt": "named"}),
    "fs.mv recursive": (
        lambda b, p: p.fs.mv(p.path, b.path("moved").path, recursive=True),
        {"moved/x.txt": "named"},
    ),
    "copy recursive": (
        lambda b, p: p.copy(b.path("copied"), recursive=True),
        {"copied/x.txt": "named", "d/{magic}/x.txt": "named"},
    ),
}


@pytest.mark.parametrize("magic", MAGIC)
@pytest.mark.parametrize("operation", sorted(DIR_OPERATIONS))
def test_directory_operations_touch_only_the_named_directory(bucket: Any, operation: str, magic: str) -> None:
    run, expected = DIR_OPERATIONS[operation]
    bucket.put(_dirs(magic))
    run(bucket, bucket.path("d") / magic)  # joined: in a URL string a trailing "?" is a query mark
    after = {key.replace("{magic}", magic): body for key, body in expected.items()}
    assert bucket.contents() == {**_siblings_of_dirs(), **after}


@pytest.mark.parametrize("magic", MAGIC)
def test_reads_and_listings_name_one_object(bucket: Any, magic: str) -> None:
    bucket.put(_files(magic))
    path = bucket.path(f"g/{magic}.txt")
    assert path.fs.cat(path.path) == b"named"
    assert path.fs.expand_path(path.path) == [path.path]
    assert path.fs.expand_path(path.path, recursive=True) == [path.path]
    assert path.read_text() == "named" and path.exists() and path.stat()["size"] == len("named")
    assert bucket.contents() == _files(magic)


@pytest.mark.parametrize("magic", MAGIC)
def test_download_takes_the_named_object(bucket: Any, magic: str, tmp_path: Path) -> None:
    from airflow.sdk import ObjectStoragePath

    bucket.put(_files(magic))
    target = tmp_path / "file"
    bucket.path(f"g/{magic}.txt").copy(ObjectStoragePath(f"file://{target}"))
    assert target.read_text() == "named"
    into = tmp_path / "dir"
    into.mkdir()
    source = bucket.path(f"g/{magic}.txt")
    source.fs.get(source.path, f"{into}/")
    assert {p.name: p.read_text() for p in into.iterdir()} == {f"{magic}.txt": "named"}


@pytest.mark.parametrize("magic", MAGIC)
def test_download_of_a_directory_takes_the_named_directory(bucket: Any, magic: str, tmp_path: Path) -> None:
    bucket.put(_dirs(magic))
    source = bucket.path("d") / magic
    source.fs.get(source.path, str(tmp_path / "out"), recursive=True)
    assert {str(p.relative_to(tmp_path)): p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == {
        "out/x.txt": "named"
    }


@pytest.mark.parametrize("magic", MAGIC)
def test_upload_sends_the_named_local_file(bucket: Any, magic: str, tmp_path: Path) -> None:
    from airflow.sdk import ObjectStoragePath

    for name, body in {f"{magic}.txt": "named local", "a.txt": "local a", "b.txt": "local b"}.items():
        (tmp_path / name).write_text(body)
    bucket.put({"up/keep.txt": "keep"})
    ObjectStoragePath(f"file://{tmp_path}/{magic}.txt").copy(bucket.path("up/x.txt"))
    assert bucket.contents() == {"up/keep.txt": "keep", "up/x.txt": "named local"}
    bucket.path("up").fs.put(f"{tmp_path}/{magic}.txt", bucket.path("up").path + "/")
    assert bucket.contents() == {
        "up/keep.txt": "keep",
        "up/x.txt": "named local",
        f"up/{magic}.txt": "named local",
    }


def test_glob_still_matches_patterns(bucket: Any) -> None:
    bucket.put({**_files("[ab]"), **_files("*")})
    base = bucket.path("g")
    assert sorted(p.key for p in base.glob("[ab].txt")) == ["g/a.txt", "g/b.txt"]
    assert sorted(p.key for p in base.glob("?.txt")) == ["g/*.txt", "g/a.txt", "g/b.txt"]
    assert sorted(p.key for p in base.glob("*.txt")) == ["g/*.txt", "g/[ab].txt", "g/a.txt", "g/b.txt"]
    assert sorted(base.fs.glob(base.path + "/[ab].txt")) == [f"{base.path}/a.txt", f"{base.path}/b.txt"]


@pytest.mark.parametrize("magic", MAGIC)
def test_glob_below_a_directory_named_like_a_pattern(bucket: Any, magic: str) -> None:
    """The pattern is matched below the path; the path's own name is a name."""
    bucket.put({**_dirs(magic), f"d/{magic}/sub/y.txt": "deeper", "d/a/sub/y.txt": "sibling deeper"})
    base = bucket.path("d") / magic
    inside = f"{bucket.name}/d/{magic}"  # .path, not .key: Airflow's .key stops at a "?"
    assert [p.path for p in base.glob("*.txt")] == [f"{inside}/x.txt"]
    assert sorted(p.path for p in base.rglob("*.txt")) == [f"{inside}/sub/y.txt", f"{inside}/x.txt"]
    assert all(p.conn_id == base.conn_id and p.exists() for p in base.rglob("*.txt"))
    assert [(dirs, files) for _, dirs, files in base.walk()] == [(["sub"], ["x.txt"]), ([], ["y.txt"])]
    assert base.fs.find(base.path) == [f"{inside}/sub/y.txt", f"{inside}/x.txt"]


def test_a_pattern_is_deleted_by_globbing_first(bucket: Any) -> None:
    """The documented way to delete what a pattern matches: glob, then remove the list."""
    bucket.put(_files("[ab]"))
    base = bucket.path("g")
    base.fs.rm(base.fs.glob(base.path + "/[ab].txt"))
    assert bucket.contents() == {"g/[ab].txt": "named"}


@pytest.mark.parametrize("magic", MAGIC)
def test_copy_and_move_to_another_store_take_the_named_object(
    bucket: Any, magic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection id is another store for Airflow: it streams the object through ``open``."""
    import os

    from airflow.sdk import ObjectStoragePath

    from tests.fs.conftest import CONN_ID

    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_OTHER", os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"])
    bucket.put(_files(magic))
    source = bucket.path(f"g/{magic}.txt")
    other = ObjectStoragePath(f"oss://{bucket.name}/", conn_id="doris_oss_other")
    assert not source.samestore(other)
    source.copy(other / "copied.txt")
    source.move(other / "moved.txt")
    assert bucket.contents() == {**_siblings_of_files(), "copied.txt": "named", "moved.txt": "named"}
