"""The connection forms and the Test button in Airflow's own UI, driven by a real browser.

One ``airflow api-server`` (sqlite, simple auth with everyone admin, ``[core] test_connection =
Enabled``) serves every test in this file; Playwright drives Debian's Chromium. Connections are
added through the form, tested with the row's Test button, and the toast a user reads is checked.
Screenshots go to ``.test-artifacts/ui/``. Without Chromium or Playwright the tests fail, saying
that they did not run and why.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.ui.kit import ApiServer, add_connection, edit, open_extra_fields, press_test, save, shot

pytestmark = pytest.mark.ui


def test_doris_oss_form_test_button_success_and_wrong_secret(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    bucket = local_oss.create_bucket(f"ui-{uuid.uuid4().hex[:12]}")
    conn_id = f"ui_oss_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, "Aliyun OSS (Doris)")
    for label in (
        "Endpoint (required)",
        "Access key (required)",
        "Secret key (required)",
        "Port (required; 0 = default)",
    ):
        assert dialog.get_by_text(label, exact=True).count() == 1, label
    port = dialog.locator("input[name=port]")
    assert port.get_attribute("placeholder") == "0 = 443 for https, 80 for http"
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    port.fill("80")
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    shot(page, "oss-0-standard-fields")
    open_extra_fields(dialog)
    assert dialog.get_by_text("; a whole number", exact=False).count() == 3
    dialog.locator("input[name=element_region]").fill(local_oss.region)
    dialog.locator("input[name=element_bucket]").fill(bucket)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    shot(page, "oss-1-add-form")
    save(page, dialog, conn_id)

    text = press_test(page, api_server, conn_id, "oss-2-test-success")
    assert (
        f"Connected to OSS at {local_oss.endpoint}: bucket '{bucket}' is reachable with these keys." in text
    )

    dialog = edit(page, api_server, conn_id)
    wrong = "Wrong-Secret-" + uuid.uuid4().hex
    dialog.locator("input[name=password]").fill(wrong)
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "oss-3-test-wrong-secret")
    assert (
        "SignatureDoesNotMatch (HTTP 403)" in text and "Check Secret key (Password, --conn-password)." in text
    )
    body = page.locator("body").inner_text()
    assert wrong not in body and local_oss.secret_key not in body


def test_doris_oss_half_number_is_refused_at_test_time(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """Airflow 3.3.2's number box takes 2.5 (the description says whole number); the test names the field."""
    conn_id = f"ui_oss_half_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, "Aliyun OSS (Doris)")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    dialog.locator("input[name=port]").fill("80")
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    open_extra_fields(dialog)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    dialog.locator("input[name=element_connection_maximum]").fill("2.5")
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "oss-4-half-number")
    assert "Maximum connections (extra 'connection_maximum') must be a whole number" in text, text
    assert "2.5" in text


def test_empty_port_meets_airflow_3_3_2_and_the_cli_still_tests(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """Airflow 3.3.2's list Test button sends Port 0 when Port is empty; the API answers 400."""
    conn_id = f"ui_oss_noport_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, "Aliyun OSS (Doris)")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    open_extra_fields(dialog)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "oss-5-empty-port-airflow-bug")
    assert "Bad Request" in text
    # The workaround the docs give: the CLI tests the stored connection (it prints the message only
    # on failure, so a wrong secret shows the cause there).
    cli = api_server.cli("connections", "test", conn_id)
    assert "Connection success!" in cli.stdout, cli.stdout + cli.stderr
    dialog = edit(page, api_server, conn_id)
    dialog.locator("input[name=password]").fill("Wrong-Secret-For-The-CLI")
    save(page, dialog, conn_id)
    cli = api_server.cli("connections", "test", conn_id)
    assert "Connection failed!" in cli.stdout and "Wrong secret key: " in cli.stdout, cli.stdout
    assert local_oss.secret_key not in cli.stdout + cli.stderr
    assert "Wrong-Secret-For-The-CLI" not in cli.stdout + cli.stderr


def test_doris_names_are_reported_by_the_test_button(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """A connection written with Doris's names: the Edit form shows raw keys, the Test names them."""
    import json

    conn_id = f"ui_doris_names_{uuid.uuid4().hex[:6]}"
    extra = {
        "oss.endpoint": local_oss.endpoint,
        "oss.access_key": local_oss.access_key,
        "oss.secret_key": local_oss.secret_key,
        "s3.connection.timeout": 2000,
        "region": local_oss.region,
        "proxy": local_oss.proxy_url,
    }
    added = api_server.cli(
        "connections",
        "add",
        conn_id,
        "--conn-json",
        json.dumps({"conn_type": "doris_oss", "port": 80, "extra": extra}),
    )
    assert added.returncode == 0, added.stdout + added.stderr
    dialog = edit(page, api_server, conn_id)
    open_extra_fields(dialog)
    assert dialog.get_by_text("s3.connection.timeout", exact=True).count() == 1
    shot(page, "oss-6-doris-names-edit-form")
    page.keyboard.press("Escape")
    text = press_test(page, api_server, conn_id, "oss-7-doris-names-test")
    assert "the keys are valid" in text, text
    assert (
        "Read from the extra under Doris's names: 'oss.endpoint' as endpoint, 'oss.access_key' as access_key, "
        "'oss.secret_key' as secret_key, 's3.connection.timeout' as connection_timeout." in text
    )


def test_doris_form_test_button_success_and_wrong_password(
    page: Any, api_server: ApiServer, doris_fe: Any
) -> None:
    conn_id = f"ui_doris_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, "Apache Doris")
    port = dialog.locator("input[name=port]")
    assert port.get_attribute("placeholder") == "0 = 9030"
    dialog.locator("input[name=host]").fill(doris_fe.host)
    port.fill(str(doris_fe.port))
    dialog.locator("input[name=login]").fill("root")
    dialog.locator("input[name=password]").fill("ui-fe-password-1")
    shot(page, "doris-1-add-form")
    save(page, dialog, conn_id)
    address = f"{doris_fe.host}:{doris_fe.port}"
    text = press_test(page, api_server, conn_id, "doris-2-test-success")
    assert f"Connected to the Doris FE at {address} as 'root': Doris version" in text

    dialog = edit(page, api_server, conn_id)
    dialog.locator("input[name=password]").fill("ui-wrong-password-2")
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "doris-3-test-wrong-password")
    assert f"the FE at {address} refused user 'root' (1045: Access denied)" in text
    body = page.locator("body").inner_text()
    assert "ui-wrong-password-2" not in body and "ui-fe-password-1" not in body


def test_providers_page_links_the_repository_docs(page: Any, api_server: ApiServer) -> None:
    page.goto(f"{api_server.url}/providers")
    link = page.get_by_role("link", name="airflow-provider-doris-oss")
    link.wait_for()
    shot(page, "providers")
    assert link.get_attribute("href") == (
        "https://github.com/airflow-provider-doris-oss/airflow-provider-doris-oss/blob/main/docs/index.md"
    )
