"""``serve``'s form values, and the test kit without its extras: an error that names the extra."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type
from airflow_provider_doris_oss.testing.__main__ import _form_section

TESTING_EXTRA = "pip install 'airflow-provider-doris-oss[testing]'"


def _blocks(lines: list[str]) -> list[dict[str, str]]:
    """The form section's blocks as {label: value}, notes removed."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Or type these into Airflow's UI"))
    blocks: list[dict[str, str]] = [{}]
    for line in lines[start + 1 :]:
        if not line.strip():
            blocks.append({})
            continue
        label, _, value = line.strip().partition(":")
        blocks[-1][label] = value.strip().split("   (")[0]
    return [b for b in blocks if b]


def _typed_in(block: dict[str, str], declared: dict[str, Any]) -> dict[str, Any]:
    """What a person who types ``block`` into the form stores: the connection's fields and extra."""
    behaviour = declared["ui-field-behaviour"]
    by_label = {
        behaviour["relabeling"].get(a, a.capitalize()): a
        for a in ("host", "port", "login", "password", "schema")
    }
    by_label |= {field["label"]: name for name, field in declared["conn-fields"].items()}
    stored: dict[str, Any] = {"extra": {}}
    for label, value in block.items():
        if label in ("Connection ID", "Connection Type"):
            stored[label] = value
        elif by_label[label] in declared["conn-fields"]:
            stored["extra"][by_label[label]] = value
        else:
            stored[by_label[label]] = value
    return stored


def test_the_form_values_store_the_connection_serve_exports(local_oss: Any, local_doris_fe: Any) -> None:
    oss_conn = local_oss.connection("doris_oss_default", bucket="lake")
    doris_conn = local_doris_fe.connection("doris_default")
    lines = [
        "Local Doris FE and local OSS are running.",
        "",
        *_form_section(oss_conn, doris_conn, https=False),
    ]
    oss_block, doris_block = _blocks(lines)

    oss_typed = _typed_in(oss_block, doris_oss_connection_type())
    assert oss_typed["Connection ID"] == "doris_oss_default"
    assert oss_typed["Connection Type"] == doris_oss_connection_type()["hook-name"]
    exported = json.loads(oss_conn.as_json())
    assert {k: oss_typed[k] for k in ("host", "login", "password")} == {
        k: exported[k] for k in ("host", "login", "password")
    }
    assert oss_typed["extra"] == exported["extra"]
    assert oss_typed["port"] == "80"  # http:// endpoint: its own port, so the Test button can run

    doris_typed = _typed_in(doris_block, doris_connection_type())
    assert doris_typed["Connection ID"] == "doris_default"
    assert (doris_typed["host"], int(doris_typed["port"]), doris_typed["login"]) == (
        local_doris_fe.host,
        local_doris_fe.port,
        local_doris_fe.user,
    )
    [secret_line] = [line for line in lines if local_oss.secret_key in line]
    assert "copy it" in secret_line and "throw-away" in secret_line
    https_block = _blocks(_form_section(oss_conn, doris_conn, https=True))[0]
    assert _typed_in(https_block, doris_oss_connection_type())["port"] == "443"


def _run_blocked(code: str, blocked: tuple[str, ...], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``blocked`` modules cannot be imported."""
    prelude = f"import sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def test_serve_without_the_testing_extra_says_which_extra_to_install(tmp_path: Path) -> None:
    result = _run_blocked(
        "from airflow_provider_doris_oss.testing.__main__ import main\nsys.exit(main(['serve']))",
        ("moto", "mysql_mimic", "duckdb", "sqlglot", "pyarrow"),
        tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "needs the provider's 'testing' extra" in result.stderr
    assert TESTING_EXTRA in result.stderr
    assert result.stdout == ""


def test_local_doris_fe_without_its_modules_names_the_extra_and_the_missing_module(tmp_path: Path) -> None:
    result = _run_blocked(
        "from airflow_provider_doris_oss.testing import LocalDorisFE", ("mysql_mimic",), tmp_path
    )
    assert result.returncode == 1
    assert "MissingExtraError: LocalDorisFE needs the provider's 'testing' extra" in result.stderr
    assert "(missing: mysql_mimic)" in result.stderr and TESTING_EXTRA in result.stderr


def test_local_oss_without_moto_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_doris_oss.testing import LocalOss
    from airflow_provider_doris_oss.testing.extras import MissingExtraError

    monkeypatch.setitem(sys.modules, "moto", None)
    with pytest.raises(
        MissingExtraError, match=r"LocalOss needs the provider's 'testing' extra.*missing: moto"
    ):
        LocalOss()


def test_local_seaweedfs_without_weed_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS, SeaweedFSError

    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SeaweedFSError) as raised:
        LocalSeaweedFS().start()
    assert "LocalSeaweedFS needs the provider's 'seaweedfs' extra" in str(raised.value)
    assert "pip install 'airflow-provider-doris-oss[seaweedfs]'" in str(raised.value)
