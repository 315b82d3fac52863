"""Issue 19 items 7, 8 and 9 as a new user meets them in Airflow's UI: what the form and Test now say.

Each test saves a connection through the Add form as a new user would fill it in, presses the
row's Test button and asserts the visible text. One screenshot per case goes to
``.test-artifacts/screenshots/`` (``first-hour-*.png``), the evidence for the issue.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.kit import ARTIFACTS, ApiServer, add_connection, open_extra_fields, press_test, save

pytestmark = pytest.mark.ui

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".test-artifacts" / "screenshots"
OSS_TYPE = "Aliyun OSS (Doris)"


@pytest.fixture
def page(browser: Any, api_server: ApiServer) -> Iterator[Any]:
    """A fresh page; Airflow 3.3.2's simple auth (everyone admin) lets it open any page directly."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


def _keep(name: str) -> None:
    """Copy the screenshot ``press_test`` took to the evidence folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTIFACTS / f"{name}.png", SCREENSHOTS / f"{name}.png")


def _form_shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fill_oss(dialog: Any, local_oss: Any, *, host: str, port: str | None, password: str | None) -> None:
    dialog.locator("input[name=host]").fill(host)
    if port is not None:
        dialog.locator("input[name=port]").fill(port)
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    if password is not None:
        dialog.locator("input[name=password]").fill(password)


def _visible_label(dialog: Any, text: str) -> None:
    assert dialog.get_by_text(text, exact=True).count() == 1, text
    assert dialog.get_by_text(text, exact=True).is_visible(), text


def test_item_7_the_port_label_leads_to_0_and_0_tests(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """The label asks for Port and says 0 works; a user who types 0 gets the Test result, not Bad Request."""
    bucket = local_oss.create_bucket(f"ui-fh-{uuid.uuid4().hex[:10]}")
    conn_id = f"ui_fh_port0_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, OSS_TYPE)
    _visible_label(dialog, "Port (required; 0 = default)")
    assert dialog.locator("input[name=port]").get_attribute("placeholder") == "0 = 443 for https, 80 for http"
    _fill_oss(dialog, local_oss, host=local_oss.endpoint, port=None, password=local_oss.secret_key)
    _form_shot(page, "first-hour-7-port-label")  # Port still empty: its placeholder shows
    dialog.locator("input[name=port]").fill("0")
    open_extra_fields(dialog)
    dialog.locator("input[name=element_bucket]").fill(bucket)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "first-hour-7-port-0-test")
    _keep("first-hour-7-port-0-test")
    assert "Bad Request" not in text
    assert (
        f"Connected to OSS at {local_oss.endpoint}: bucket '{bucket}' is reachable with these keys." in text
    )


def test_item_8_fields_are_named_as_the_form_labels_them(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """A Secret key left empty: the message names "Secret key" as the form does, with Password beside it."""
    conn_id = f"ui_fh_nosecret_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, OSS_TYPE)
    for label in ("Endpoint (required)", "Access key (required)", "Secret key (required)"):
        _visible_label(dialog, label)
    assert dialog.locator("input[name=password]").get_attribute("placeholder") == "AccessKey secret"
    _fill_oss(dialog, local_oss, host=local_oss.endpoint, port="0", password=None)
    _form_shot(page, "first-hour-8-oss-form")
    save(page, dialog, conn_id)
    text = press_test(page, api_server, conn_id, "first-hour-8-secret-missing-test")
    _keep("first-hour-8-secret-missing-test")
    assert (
        "Secret key is missing. Fill in Secret key (Password, --conn-password), or set 's3.secret_key' in "
        "the extra." in text
    ), text
    assert "Password field" not in text and "the connection's" not in text

    doris_id = f"ui_fh_doris_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, doris_id, "Apache Doris")
    _visible_label(dialog, "FE host (required)")
    _visible_label(dialog, "Query port (required; 0 = 9030)")
    _form_shot(page, "first-hour-8-doris-form")


def _oss_case(
    page: Any,
    api_server: ApiServer,
    local_oss: Any,
    name: str,
    *,
    host: str,
    port: str,
    extra: dict[str, str],
) -> str:
    conn_id = f"ui_fh_{name.replace('-', '_')}_{uuid.uuid4().hex[:6]}"
    dialog = add_connection(page, api_server, conn_id, OSS_TYPE)
    _fill_oss(dialog, local_oss, host=host, port=port, password=local_oss.secret_key)
    open_extra_fields(dialog)
    for field, value in extra.items():
        dialog.locator(f"input[name=element_{field}]").fill(value)
    save(page, dialog, conn_id)
    shot = f"first-hour-9-{name}"
    text = press_test(page, api_server, conn_id, shot)
    _keep(shot)
    assert local_oss.secret_key not in page.locator("body").inner_text()
    return text


def test_item_9_bucket_domain_region_and_scheme_port(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    bucket = local_oss.create_bucket(f"ui-fh-{uuid.uuid4().hex[:10]}")
    proxy = {"proxy": local_oss.proxy_url}
    text = _oss_case(
        page,
        api_server,
        local_oss,
        "bucket-domain",
        host=f"http://{bucket}.oss-cn-beijing.aliyuncs.com",
        port="0",
        extra={"region": "cn-beijing", **proxy},
    )
    assert f"is the domain of bucket '{bucket}', as the OSS console shows it" in text
    assert "Set the endpoint to 'http://oss-cn-beijing.aliyuncs.com' and Default bucket" in text
    assert "No such bucket" not in text

    text = _oss_case(
        page,
        api_server,
        local_oss,
        "region-contradicts-endpoint",
        host=local_oss.endpoint,
        port="0",
        extra={"region": "cn-hangzhou", "bucket": bucket, **proxy},
    )
    assert "is reachable with these keys." in text
    assert "Note: Region (extra 'region') is 'cn-hangzhou' but the endpoint" in text
    assert "is in 'cn-beijing'" in text

    text = _oss_case(
        page,
        api_server,
        local_oss,
        "http-on-443",
        host=local_oss.endpoint,
        port="443",
        extra={"bucket": bucket, **proxy},
    )
    assert "sends plain HTTP to port 443, where OSS speaks only HTTPS" in text
    assert "set Port (--conn-port) to 0" in text
