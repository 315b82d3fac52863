"""The OSS and Doris connection forms as a user sees them, on every Airflow the lanes run in a browser.

Airflow 3.2 and newer draw the form from the provider info's ``conn-fields`` and
``ui-field-behaviour``; 3.0 and 3.1 from the hooks' ``get_connection_form_widgets()`` and
``get_ui_field_behaviour()``, which the provider generates from the same entries. This module
checks, in Airflow's own UI, that either way shows those entries: labels, descriptions, defaults,
placeholders, the "(required)" marks and the hidden fields; then it saves a connection through the
form and presses the row's Test button. Every expected label is read from
``connection_types.py``, so the test follows the package. The main suite runs it on the newest
Airflow; the lanes listed in the Makefile's ``LANE_UI`` run it on theirs.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from packaging.version import Version

from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type
from airflow_provider_doris_oss.version_compat import AIRFLOW_VERSION
from tests.ui.kit import ApiServer, add_connection, open_extra_fields, open_list, press_test, save, shot

pytestmark = pytest.mark.ui

AIRFLOW = ".".join(str(part) for part in AIRFLOW_VERSION.release[:2])


def _assert_form_shows(dialog: Any, declared: dict[str, Any]) -> None:
    """The standard and extra fields of ``declared`` (a connection type entry) as the dialog shows them."""
    behaviour = declared["ui-field-behaviour"]
    for attr, label in behaviour["relabeling"].items():
        assert dialog.get_by_text(label, exact=True).count() == 1, (attr, label, AIRFLOW)
    for attr, placeholder in behaviour["placeholders"].items():
        if attr != "extra":  # the JSON editor is not an input
            assert dialog.locator(f"input[name={attr}]").get_attribute("placeholder") == placeholder, attr
    for attr in ("schema", "port"):
        hidden = attr in behaviour["hidden-fields"]
        assert dialog.locator(f"input[name={attr}]").count() == (0 if hidden else 1), (attr, AIRFLOW)
    open_extra_fields(dialog)
    for name, field in declared["conn-fields"].items():
        box = dialog.locator(f"input[name=element_{name}]")
        assert box.count() == 1, (name, AIRFLOW)
        assert dialog.get_by_text(field["label"], exact=True).count() == 1, (name, field["label"])
        assert dialog.get_by_text(field["description"], exact=True).count() == 1, (name, field["description"])
        default = field["schema"].get("default")
        if "boolean" in field["schema"]["type"]:
            assert box.is_checked() is bool(default), name
        else:
            assert box.input_value() == ("" if default is None else str(default)), name


def _stored(page: Any, api_server: ApiServer, conn_id: str) -> dict[str, Any]:
    """The saved connection as Airflow's REST API returns it (the page's login cookie authorises it)."""
    answer = page.request.get(f"{api_server.url}/api/v2/connections/{conn_id}")
    assert answer.status == 200, answer.text()
    stored = dict(answer.json())
    stored["extra"] = json.loads(stored["extra"] or "{}")
    return stored


def _press_test(page: Any, api_server: ApiServer, connection: dict[str, Any], name: str) -> str:
    """What Test tells a user about the saved ``connection`` (the fields as typed, unmasked).

    From Airflow 3.1 on, the row's Test button. Airflow 3.0's connection list has no Test button
    (only Edit and Delete): its users test through the REST API, as the later button does.
    """
    conn_id = connection["connection_id"]
    if Version("3.1") <= AIRFLOW_VERSION:
        return press_test(page, api_server, conn_id, name)
    open_list(page, api_server)
    row = page.get_by_role("row").filter(has_text=conn_id)
    row.get_by_role("button", name="Edit Connection").wait_for()
    assert row.get_by_role("button", name="Test Connection").count() == 0
    answer = page.request.post(f"{api_server.url}/api/v2/connections/test", data=connection)
    assert answer.status == 200, answer.text()
    return str(answer.json()["message"])


def test_oss_form_shows_the_provider_fields_saves_and_tests(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    declared = doris_oss_connection_type()
    bucket = local_oss.create_bucket(f"lane-{uuid.uuid4().hex[:12]}")
    conn_id = f"lane_oss_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, declared["hook-name"])
    shot(page, f"lane-{AIRFLOW}-oss-0-standard-fields")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    dialog.locator("input[name=port]").fill("80")
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    _assert_form_shows(dialog, declared)
    dialog.locator("input[name=element_region]").fill(local_oss.region)
    dialog.locator("input[name=element_bucket]").fill(bucket)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    dialog.locator("input[name=element_connection_timeout]").fill("2000")
    shot(page, f"lane-{AIRFLOW}-oss-1-extra-fields")
    save(page, dialog, conn_id)

    stored = _stored(page, api_server, conn_id)
    assert stored["conn_type"] == declared["connection-type"] and stored["host"] == local_oss.endpoint
    extra = stored["extra"]
    assert (extra["region"], extra["bucket"]) == (local_oss.region, bucket)  # the API masks the proxy
    assert extra["connection_timeout"] == 2000, extra

    typed = {
        "host": local_oss.endpoint,
        "port": 80,
        "login": local_oss.access_key,
        "password": local_oss.secret_key,
    }
    extra = {**extra, "proxy": local_oss.proxy_url}
    connection = {
        "connection_id": conn_id,
        "conn_type": stored["conn_type"],
        **typed,
        "extra": json.dumps(extra),
    }
    text = _press_test(page, api_server, connection, f"lane-{AIRFLOW}-oss-2-test")
    assert (
        f"Connected to OSS at {local_oss.endpoint}: bucket '{bucket}' is reachable with these keys." in text
    ), text
    assert local_oss.secret_key not in page.locator("body").inner_text()


def test_doris_form_shows_the_provider_fields_saves_and_tests(
    page: Any, api_server: ApiServer, doris_fe: Any
) -> None:
    declared = doris_connection_type()
    conn_id = f"lane_doris_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, declared["hook-name"])
    dialog.locator("input[name=host]").fill(doris_fe.host)
    dialog.locator("input[name=port]").fill(str(doris_fe.port))
    dialog.locator("input[name=login]").fill("root")
    dialog.locator("input[name=password]").fill("ui-fe-password-1")
    _assert_form_shows(dialog, declared)
    shot(page, f"lane-{AIRFLOW}-doris-1-form")
    save(page, dialog, conn_id)

    stored = _stored(page, api_server, conn_id)
    assert stored["conn_type"] == "doris" and stored["host"] == doris_fe.host
    defaults = {name: field["schema"].get("default") for name, field in declared["conn-fields"].items()}
    assert stored["extra"] == {k: v for k, v in defaults.items() if v is not None}, stored["extra"]

    typed = {"host": doris_fe.host, "port": doris_fe.port, "login": "root", "password": "ui-fe-password-1"}
    connection = {
        "connection_id": conn_id,
        "conn_type": "doris",
        **typed,
        "extra": json.dumps(stored["extra"]),
    }
    text = _press_test(page, api_server, connection, f"lane-{AIRFLOW}-doris-2-test")
    assert f"Connected to the Doris FE at {doris_fe.host}:{doris_fe.port} as 'root': Doris version" in text, (
        text
    )
    assert "ui-fe-password-1" not in page.locator("body").inner_text()
