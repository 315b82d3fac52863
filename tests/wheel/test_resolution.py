"""An unconstrained ``pip install`` of the built wheel resolves its dependencies without backtracking.

Run by ``make wheel-smoke`` in the dev venv, after ``make dist``. pip resolves the wheel with the
``testing``, ``fs`` and ``seaweedfs`` extras from scratch: nothing installed counts
(``--ignore-installed``), no constraints and no pip configuration file (``PIP_CONFIG_FILE`` is the
null device), against the package index. pip logs each candidate version whose metadata it
fetches and says "pip is looking at multiple versions of X" when it rejects one; the test fails
when that happens to a package our dependencies bring in. Airflow's own dependency tree (whatever
is reached only through an ``apache-airflow*`` package) is reported, not judged: its bounds are
Airflow's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = ("testing", "fs", "seaweedfs")
# pip settings that choose where packages come from or which versions are allowed are dropped;
# those that only say how to reach the index are kept.
KEPT_PIP_SETTINGS = {
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_DEFAULT_TIMEOUT",
}
CANDIDATE = re.compile(
    r"^\s*(?:Downloading|Using cached|Processing) (?:\S*/)?([A-Za-z0-9][A-Za-z0-9._]*?)-(\d[^-\s]*?)"
    r"(?:-[^\s]+\.whl|\.tar\.gz|\.zip)\b",
    re.MULTILINE,
)
LOOKING = re.compile(r"pip is (?:still )?looking at multiple versions of ([A-Za-z0-9._-]+)")


def _wheel() -> Path:
    dist = Path(os.environ.get("DORIS_OSS_DIST", ROOT / "dist"))
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one wheel in {dist}/, found {wheels}: run `make dist` first")
    return wheels[0]


def _reached_through_our_dependencies(report: dict) -> set[str]:
    """Packages the wheel's dependencies bring in without going through an ``apache-airflow*`` one."""
    chosen = {canonicalize_name(item["metadata"]["name"]): item["metadata"] for item in report["install"]}
    seen: set[str] = set()
    queue = [("airflow-provider-doris-oss", set(EXTRAS))]
    while queue:
        name, extras = queue.pop()
        for line in chosen[name].get("requires_dist", []):
            requirement = Requirement(line)
            if requirement.marker and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in extras | {""}
            ):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency.startswith("apache-airflow") or dependency in seen:
                continue
            seen.add(dependency)
            queue.append((dependency, set(requirement.extras)))
    return seen


def test_pip_resolves_the_wheels_dependencies_without_backtracking(tmp_path: Path) -> None:
    wheel = _wheel()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in KEPT_PIP_SETTINGS}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    report_path = tmp_path / "report.json"
    requirement = f"airflow-provider-doris-oss[{','.join(EXTRAS)}] @ {wheel.as_uri()}"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--progress-bar"]
    command += ["off", "--report", str(report_path), requirement]
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    seconds = time.monotonic() - started
    log = result.stdout + result.stderr
    (ROOT / ".test-artifacts").mkdir(exist_ok=True)
    (ROOT / ".test-artifacts" / "resolution.log").write_text(log)
    assert result.returncode == 0, f"pip could not resolve {requirement}:\n{log[-3000:]}"

    tried: dict[str, set[str]] = defaultdict(set)
    for name, version in CANDIDATE.findall(log):
        tried[canonicalize_name(name)].add(version)
    backtracked = {name for name, versions in tried.items() if len(versions) > 1}
    backtracked |= {canonicalize_name(name) for name in LOOKING.findall(log)}
    ours = _reached_through_our_dependencies(json.loads(report_path.read_text()))
    assert {"boto3", "botocore", "aiobotocore", "s3transfer", "moto", "s3fs"} <= ours
    summary = (
        f"pip resolved {len(ours)} packages of ours in {seconds:.0f} s; candidates tried: "
        + ", ".join(f"{n} {len(tried[n])}" for n in ("boto3", "botocore", "aiobotocore", "s3fs"))
        + f"; Airflow's own tree backtracked on {sorted(backtracked - ours) or 'nothing'}"
    )
    print(summary)
    assert not backtracked & ours, (
        "pip backtracked on our dependencies: "
        + "; ".join(f"{n}: {sorted(tried[n]) or 'see the log'}" for n in sorted(backtracked & ours))
        + f". {summary}. Full log: .test-artifacts/resolution.log"
    )
