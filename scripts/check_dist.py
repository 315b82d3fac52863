"""Check the built sdist and wheel (``make dist``): the files each must hold, and what the index shows.

Prints the wheel's file list, then fails (exit 1, one line per problem) when:

- the wheel lacks a file of the package or of ``example_dags/`` in the tree (shipped as
  ``airflow_provider_doris_oss/example_dags``), ``py.typed``, the licence files, or one of the
  entry points Airflow, pytest and universal_pathlib read; or holds compiled or test files;
- the long description has a relative link (it breaks on the package index);
- the sdist lacks the licence files, the changelog, the docs or the example DAGs.

Usage: ``python scripts/check_dist.py dist``.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "airflow_provider_doris_oss"
ENTRY_POINTS = {
    "apache_airflow_provider": f"provider_info = {PACKAGE}.get_provider_info:get_provider_info",
    "universal_pathlib.implementations": f"oss = {PACKAGE}.fs.path:OssPath",
    "pytest11": f"doris_oss = {PACKAGE}.testing.pytest_plugin",
}
SDIST_FILES = ("LICENSE", "NOTICE", "README.md", "CHANGELOG.md", "pyproject.toml", "docs/index.md")
SDIST_DIRS = ("airflow_provider_doris_oss/", "example_dags/", "docs/", "tests/")
# A markdown link or image target that is not absolute: [text](target) with no scheme and no #anchor.
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def tree_files(directory: Path, prefix: str) -> set[str]:
    """Files under ``directory`` as they should appear in the wheel, under ``prefix``."""
    return {
        f"{prefix}/{path.relative_to(directory).as_posix()}"
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def check_wheel(wheel: Path) -> list[str]:
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        metadata = Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    print(f"{wheel.name}: {len(names)} files")
    for name in sorted(names):
        print(f"  {sizes[name]:>9}  {name}")
    expected = tree_files(ROOT / PACKAGE, PACKAGE) | tree_files(
        ROOT / "example_dags", f"{PACKAGE}/example_dags"
    )
    expected |= {f"{PACKAGE}/py.typed", f"{dist_info}/licenses/LICENSE", f"{dist_info}/licenses/NOTICE"}
    problems += [f"wheel: missing {name}" for name in sorted(expected - names)]
    problems += [
        f"wheel: should not hold {name}"
        for name in sorted(names)
        if name.endswith((".pyc", ".pyo")) or "__pycache__" in name or name.startswith("tests/")
    ]
    for group, line in ENTRY_POINTS.items():
        section = re.search(rf"^\[{re.escape(group)}\]\n((?:.+\n?)*)", entry_points, re.MULTILINE)
        if section is None or line not in section.group(1).splitlines():
            problems.append(f"wheel: entry point [{group}] {line} is missing from entry_points.txt")
    for field in ("License-Expression", "Requires-Python", "Author", "Keywords"):
        if not metadata.get(field):
            problems.append(f"wheel: METADATA has no {field}")
    if "dev" in (metadata.get_all("Provides-Extra") or []):
        problems.append(
            "wheel: METADATA publishes a 'dev' extra (development tools belong in a dependency group)"
        )
    description = metadata.get_payload()
    assert isinstance(description, str)
    problems += [
        f"wheel: the long description links to {target!r}, which breaks on the package index"
        for target in RELATIVE_LINK.findall(description)
    ]
    return problems


def check_sdist(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    top = members[0].split("/")[0]
    names = {m.removeprefix(top + "/") for m in members}
    print(f"{sdist.name}: {len(names)} entries")
    problems = [f"sdist: missing {name}" for name in SDIST_FILES if name not in names]
    problems += [f"sdist: missing {d}" for d in SDIST_DIRS if not any(n.startswith(d) for n in names)]
    return problems


def main(argv: list[str]) -> int:
    dist = Path(argv[1] if len(argv) > 1 else "dist")
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(
            f"check_dist: expected one wheel and one sdist in {dist}/, found {wheels + sdists}",
            file=sys.stderr,
        )
        return 1
    problems = check_wheel(wheels[0]) + check_sdist(sdists[0])
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print("check_dist: the wheel and the sdist hold every expected file")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
