"""Provider discovery: the schema, ProvidersManager, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import airflow
import jsonschema
import pytest

from airflow_provider_doris_oss.get_provider_info import get_provider_info
from airflow_provider_doris_oss.properties import PROPERTY_SPECS


def test_provider_info_validates_against_airflow_schema() -> None:
    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_every_form_field_comes_from_a_property_spec() -> None:
    doris_oss = next(
        c for c in get_provider_info()["connection-types"] if c["connection-type"] == "doris_oss"
    )
    expected = {s.field for s in PROPERTY_SPECS if not s.connection_attr}
    assert set(doris_oss["conn-fields"]) == expected
    assert doris_oss["conn-fields"]["connection_maximum"]["schema"]["default"] == 50
    assert doris_oss["conn-fields"]["connection_maximum"]["schema"]["minimum"] == 1
    assert doris_oss["ui-field-behaviour"]["hidden-fields"] == ["port", "schema"]


def test_providers_manager_sees_both_types_and_fields() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManager()
    assert "airflow-provider-doris-oss" in manager.providers
    hooks = ProvidersManagerTaskRuntime().hooks
    assert hooks["doris_oss"].hook_class_name.endswith("DorisOssHook")
    assert hooks["doris"].hook_class_name.endswith("DorisHook")
    assert hooks["doris_oss"].connection_testable
    widgets = manager.connection_form_widgets
    for field in (
        "region",
        "connection_maximum",
        "connection_request_timeout",
        "connection_timeout",
        "use_path_style",
        "bucket",
        "proxy",
    ):
        assert f"extra__doris_oss__{field}" in widgets, field
    assert "extra__doris__http_port" in widgets
    behaviour = manager.field_behaviours["doris_oss"]
    assert behaviour["relabeling"]["host"] == "Endpoint"
    assert behaviour["placeholders"]["host"] == "oss-cn-beijing.aliyuncs.com"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["providers", "list"], "airflow-provider-doris-oss"),
        (["providers", "hooks"], "doris_oss"),
    ],
)
def test_cli_lists_the_provider(command: list[str], expected: str) -> None:
    airflow_cli = Path(sys.executable).with_name("airflow")
    out = subprocess.run(
        [str(airflow_cli), *command, "--output", "plain"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=True,
    ).stdout
    assert expected in out
    if command[1] == "hooks":
        assert "DorisHook" in out


def test_oss_asset_scheme_is_registered_and_validated() -> None:
    from urllib.parse import urlsplit

    from airflow.providers_manager import ProvidersManager

    from airflow_provider_doris_oss.assets import create_asset, sanitize_uri

    assert "oss" in ProvidersManager().asset_uri_handlers
    assert create_asset(bucket="b", key="dir/part_").uri == "oss://b/dir/part_"
    with pytest.raises(ValueError, match="must name a bucket"):
        sanitize_uri(urlsplit("oss:///no-bucket"))
