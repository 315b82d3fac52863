"""The connection forms and the Test button in Airflow's own UI, driven by a real browser.

One ``airflow api-server`` (sqlite, simple auth with everyone admin, ``[core] test_connection =
Enabled``) serves every test in this file; Playwright drives Debian's Chromium. Connections are
added through the form, tested with the row's Test button, and the toast a user reads is checked.
Screenshots go to ``.test-artifacts/ui/``. Without Chromium or Playwright the tests fail, saying
that they did not run and why.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.ui

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / ".test-artifacts" / "ui"
AIRFLOW = Path(sys.executable).with_name("airflow")
STARTUP_S = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        }
    )
    return env


class ApiServer:
    """A running ``airflow api-server``: its URL, and the environment that reaches its database."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``airflow <args>`` against the server's database."""
        return subprocess.run(
            [str(AIRFLOW), *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One api-server for every UI test (it takes ~25 s to answer)."""
    home = tmp_path_factory.mktemp("ui-airflow-home")
    (home / "dags").mkdir()
    env = _server_env(home)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    migrate = subprocess.run(
        [str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (ARTIFACTS / "api-server.log").open("w")
    process = subprocess.Popen(
        [str(AIRFLOW), "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"airflow api-server exited with {process.returncode}; see {ARTIFACTS}/api-server.log"
                )
            try:
                with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"airflow api-server did not answer within {STARTUP_S} s; see api-server.log")
            time.sleep(1)
        yield ApiServer(url, env)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="module")  # Playwright's sync API marks a loop running until it stops
def browser() -> Iterator[Any]:
    """Chromium through Playwright; fails (never skips) when either is missing."""
    if not CHROMIUM.exists():
        found = shutil.which("chromium")
        pytest.fail(
            f"UI tests did not run: {CHROMIUM} is missing ({'found ' + found if found else 'no chromium on PATH'}). "
            "Install Debian's chromium (apt-get install -y chromium; `make test` does this as root)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.fail(f"UI tests did not run: Playwright for Python is not importable ({error}).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, api_server: ApiServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open_list(page: Any, api_server: ApiServer) -> None:
    page.goto(f"{api_server.url}/connections")
    page.get_by_role("button", name="Add Connection").wait_for()


def _add(page: Any, api_server: ApiServer, conn_id: str, type_name: str) -> Any:
    """Open the Add form, fill Connection ID and Type; return the dialog."""
    _open_list(page, api_server)
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=connection_id]").fill(conn_id)
    dialog.get_by_role("combobox").fill(type_name)
    page.get_by_role("option", name=type_name).click()
    dialog.locator("input[name=host]").wait_for()
    return dialog


def _extra_fields(dialog: Any) -> None:
    trigger = dialog.get_by_role("button", name="Extra Fields", exact=True)
    if trigger.get_attribute("aria-expanded") != "true":
        trigger.click()


def _save(page: Any, dialog: Any, conn_id: str) -> None:
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.get_by_role("row").filter(has_text=conn_id).wait_for()


def _edit(page: Any, api_server: ApiServer, conn_id: str) -> Any:
    _open_list(page, api_server)
    page.get_by_role("row").filter(has_text=conn_id).get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=host]").wait_for()
    return dialog


def _press_test(page: Any, api_server: ApiServer, conn_id: str, shot: str) -> str:
    """Press the row's Test button; screenshot and return the toast a user reads (it fades after ~5 s)."""
    _open_list(page, api_server)
    button = page.get_by_role("row").filter(has_text=conn_id).get_by_role("button", name="Test Connection")
    with page.expect_response(lambda r: r.url.endswith("/api/v2/connections/test")):
        button.click()
    toast = page.locator("[data-scope=toast][data-part=root]").last
    toast.wait_for()
    text = str(toast.inner_text())
    page.wait_for_timeout(700)  # let the toast finish sliding in before the screenshot
    _shot(page, shot)
    return text


def test_doris_oss_form_test_button_success_and_wrong_secret(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    bucket = local_oss.create_bucket(f"ui-{uuid.uuid4().hex[:12]}")
    conn_id = f"ui_oss_{uuid.uuid4().hex[:6]}"
    dialog = _add(page, api_server, conn_id, "Aliyun OSS (Doris)")
    for label in ("Endpoint (required)", "Access key (required)", "Secret key (required)", "Port"):
        assert dialog.get_by_text(label, exact=True).count() == 1, label
    port = dialog.locator("input[name=port]")
    assert "fill in for the Test button" in (port.get_attribute("placeholder") or "")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    port.fill("80")
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    _shot(page, "oss-0-standard-fields")
    _extra_fields(dialog)
    assert dialog.get_by_text("; a whole number", exact=False).count() == 3
    dialog.locator("input[name=element_region]").fill(local_oss.region)
    dialog.locator("input[name=element_bucket]").fill(bucket)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    _shot(page, "oss-1-add-form")
    _save(page, dialog, conn_id)

    text = _press_test(page, api_server, conn_id, "oss-2-test-success")
    assert (
        f"Connected to OSS at {local_oss.endpoint}: bucket '{bucket}' is reachable with these keys." in text
    )

    dialog = _edit(page, api_server, conn_id)
    wrong = "Wrong-Secret-" + uuid.uuid4().hex
    dialog.locator("input[name=password]").fill(wrong)
    _save(page, dialog, conn_id)
    text = _press_test(page, api_server, conn_id, "oss-3-test-wrong-secret")
    assert "SignatureDoesNotMatch (HTTP 403)" in text and "Check the Secret key (Password) field." in text
    body = page.locator("body").inner_text()
    assert wrong not in body and local_oss.secret_key not in body


def test_doris_oss_half_number_is_refused_at_test_time(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """Airflow 3.3.2's number box takes 2.5 (the description says whole number); the test names the field."""
    conn_id = f"ui_oss_half_{uuid.uuid4().hex[:6]}"
    dialog = _add(page, api_server, conn_id, "Aliyun OSS (Doris)")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    dialog.locator("input[name=port]").fill("80")
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    _extra_fields(dialog)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    dialog.locator("input[name=element_connection_maximum]").fill("2.5")
    _save(page, dialog, conn_id)
    text = _press_test(page, api_server, conn_id, "oss-4-half-number")
    assert "connection_maximum in extra 'connection_maximum' must be a whole number" in text, text
    assert "2.5" in text


def test_empty_port_meets_airflow_3_3_2_and_the_cli_still_tests(
    page: Any, api_server: ApiServer, local_oss: Any
) -> None:
    """Airflow 3.3.2's list Test button sends Port 0 when Port is empty; the API answers 400."""
    conn_id = f"ui_oss_noport_{uuid.uuid4().hex[:6]}"
    dialog = _add(page, api_server, conn_id, "Aliyun OSS (Doris)")
    dialog.locator("input[name=host]").fill(local_oss.endpoint)
    dialog.locator("input[name=login]").fill(local_oss.access_key)
    dialog.locator("input[name=password]").fill(local_oss.secret_key)
    _extra_fields(dialog)
    dialog.locator("input[name=element_proxy]").fill(local_oss.proxy_url)
    _save(page, dialog, conn_id)
    text = _press_test(page, api_server, conn_id, "oss-5-empty-port-airflow-bug")
    assert "Bad Request" in text
    # The workaround the docs give: the CLI tests the stored connection (it prints the message only
    # on failure, so a wrong secret shows the cause there).
    cli = api_server.cli("connections", "test", conn_id)
    assert "Connection success!" in cli.stdout, cli.stdout + cli.stderr
    dialog = _edit(page, api_server, conn_id)
    dialog.locator("input[name=password]").fill("Wrong-Secret-For-The-CLI")
    _save(page, dialog, conn_id)
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
    dialog = _edit(page, api_server, conn_id)
    _extra_fields(dialog)
    assert dialog.get_by_text("s3.connection.timeout", exact=True).count() == 1
    _shot(page, "oss-6-doris-names-edit-form")
    page.keyboard.press("Escape")
    text = _press_test(page, api_server, conn_id, "oss-7-doris-names-test")
    assert "the keys are valid" in text, text
    assert (
        "Read from the extra under Doris's names: 'oss.endpoint' as endpoint, 'oss.access_key' as access_key, "
        "'oss.secret_key' as secret_key, 's3.connection.timeout' as connection_timeout." in text
    )


@pytest.fixture
def doris_fe(local_oss: Any) -> Iterator[Any]:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss, password="ui-fe-password-1") as fe:
        yield fe


def test_doris_form_test_button_success_and_wrong_password(
    page: Any, api_server: ApiServer, doris_fe: Any
) -> None:
    conn_id = f"ui_doris_{uuid.uuid4().hex[:6]}"
    dialog = _add(page, api_server, conn_id, "Apache Doris")
    port = dialog.locator("input[name=port]")
    assert "fill in for the Test button" in (port.get_attribute("placeholder") or "")
    dialog.locator("input[name=host]").fill(doris_fe.host)
    port.fill(str(doris_fe.port))
    dialog.locator("input[name=login]").fill("root")
    dialog.locator("input[name=password]").fill("ui-fe-password-1")
    _shot(page, "doris-1-add-form")
    _save(page, dialog, conn_id)
    address = f"{doris_fe.host}:{doris_fe.port}"
    text = _press_test(page, api_server, conn_id, "doris-2-test-success")
    assert f"Connected to the Doris FE at {address} as 'root': Doris version" in text

    dialog = _edit(page, api_server, conn_id)
    dialog.locator("input[name=password]").fill("ui-wrong-password-2")
    _save(page, dialog, conn_id)
    text = _press_test(page, api_server, conn_id, "doris-3-test-wrong-password")
    assert f"the FE at {address} refused user 'root' (1045: Access denied)" in text
    body = page.locator("body").inner_text()
    assert "ui-wrong-password-2" not in body and "ui-fe-password-1" not in body


def test_providers_page_links_the_repository_docs(page: Any, api_server: ApiServer) -> None:
    page.goto(f"{api_server.url}/providers")
    link = page.get_by_role("link", name="airflow-provider-doris-oss")
    link.wait_for()
    _shot(page, "providers")
    assert link.get_attribute("href") == (
        "https://github.com/airflow-provider-doris-oss/airflow-provider-doris-oss/blob/main/docs/index.md"
    )
