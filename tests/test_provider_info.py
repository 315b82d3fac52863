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
from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS


def test_provider_info_validates_against_airflow_schema() -> None:
    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_every_form_field_comes_from_a_property_spec() -> None:
    doris_oss = next(
        c for c in get_provider_info()["connection-types"] if c["connection-type"] == "dorisoss"
    )
    expected = {s.field for s in PROPERTY_SPECS if not s.connection_attr}
    assert set(doris_oss["conn-fields"]) == expected
    assert doris_oss["conn-fields"]["connection_maximum"]["schema"]["default"] == 50
    assert doris_oss["conn-fields"]["connection_maximum"]["schema"]["minimum"] == 1
    assert doris_oss["ui-field-behaviour"]["hidden-fields"] == ["schema"]


def test_form_says_what_airflow_3_3_form_cannot_enforce() -> None:
    """Required standard fields and whole numbers are stated in labels and descriptions."""
    types = {c["connection-type"]: c for c in get_provider_info()["connection-types"]}
    doris_oss, doris = types["dorisoss"], types["doris"]
    relabel = doris_oss["ui-field-behaviour"]["relabeling"]
    assert relabel == {
        "host": "Endpoint (required)",
        "login": "Access key (required)",
        "password": "Secret key (required)",
        "port": "Port (required; 0 = default)",
    }
    for field in ("connection_maximum", "connection_request_timeout", "connection_timeout"):
        assert doris_oss["conn-fields"][field]["schema"]["type"] == ["integer", "null"]
        assert "; a whole number" in doris_oss["conn-fields"][field]["description"]
    assert "whole number" not in doris_oss["conn-fields"]["region"]["description"]
    # Airflow 3.3.2's list Test button compares Port: the labels ask for a value and say 0 works,
    # and the placeholders say what 0 means.
    assert doris["ui-field-behaviour"]["relabeling"]["host"] == "FE host (required)"
    assert doris["ui-field-behaviour"]["relabeling"]["port"] == "Query port (required; 0 = 9030)"
    assert doris_oss["ui-field-behaviour"]["placeholders"]["port"] == "0 = 443 for https, 80 for http"
    assert doris["ui-field-behaviour"]["placeholders"]["port"] == "0 = 9030"
    assert doris_oss["ui-field-behaviour"]["placeholders"]["password"] == "AccessKey secret"


def test_required_labels_match_what_the_parser_requires() -> None:
    from airflow.sdk import Connection

    from airflow_provider_doris_oss.properties import OssProperties
    from airflow_provider_doris_oss.property_specs import OssPropertiesError

    full = {"host": "oss-cn-beijing.aliyuncs.com", "login": "LTAI5tX", "password": "secret"}
    labelled = {
        attr
        for attr, label in _doris_oss()["ui-field-behaviour"]["relabeling"].items()
        if "(required)" in label
    }
    assert labelled == set(full)
    for attr in full:
        conn = Connection(conn_id="c", conn_type="dorisoss", **{k: v for k, v in full.items() if k != attr})
        with pytest.raises(OssPropertiesError, match="is missing"):
            OssProperties.from_connection(conn)


def _doris_oss() -> dict:
    return next(c for c in get_provider_info()["connection-types"] if c["connection-type"] == "dorisoss")


def _pyproject_urls() -> dict[str, str]:
    import tomllib

    return tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["urls"]


def test_project_urls_point_into_the_repository() -> None:
    repo = "https://github.com/airflow-provider-doris-oss/airflow-provider-doris-oss"
    urls = _pyproject_urls()
    assert urls == {
        "Documentation": f"{repo}/blob/main/docs/index.md",
        "Source": repo,
        "Issues": f"{repo}/issues",
        "Changelog": f"{repo}/blob/main/CHANGELOG.md",
    }
    root = Path(__file__).parents[1]
    assert "## 0.1.0" in (root / "CHANGELOG.md").read_text()


def test_providers_page_links_the_documentation() -> None:
    """The Providers page links ``documentation_url``; it must be the repository's docs, not a made-up URL."""
    from airflow.api_fastapi.core_api.services.public.providers import _provider_mapper
    from airflow.providers_manager import ProvidersManager

    documentation = _pyproject_urls()["Documentation"]
    assert get_provider_info()["documentation-url"] == documentation, (
        "the installed metadata is older than pyproject.toml: reinstall the package (make venv)"
    )
    assert get_provider_info()["integrations"][0]["external-doc-url"] == documentation
    provider = ProvidersManager().providers["airflow-provider-doris-oss"]
    assert _provider_mapper(provider).documentation_url == documentation


def test_providers_manager_sees_both_types_and_fields() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManager()
    assert "airflow-provider-doris-oss" in manager.providers
    hooks = ProvidersManagerTaskRuntime().hooks
    assert hooks["dorisoss"].hook_class_name.endswith(".DorisOssHook")
    assert hooks["doris"].hook_class_name.endswith("DorisHook")
    assert hooks["dorisoss"].connection_testable
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
    behaviour = manager.field_behaviours["dorisoss"]
    assert behaviour["relabeling"]["host"] == "Endpoint (required)"
    assert behaviour["placeholders"]["host"] == "oss-cn-beijing.aliyuncs.com"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["providers", "list"], "airflow-provider-doris-oss"),
        (["providers", "hooks"], "dorisoss"),
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
    assert create_asset(bucket="bkt", key="dir/part_").uri == "oss://bkt/dir/part_"
    with pytest.raises(ValueError, match="must name a bucket"):
        sanitize_uri(urlsplit("oss:///no-bucket"))
