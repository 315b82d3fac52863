"""What the browser tests share: a running ``airflow api-server`` and the steps a user takes in its UI.

The fixtures that start the server and the browser are in ``tests/ui/conftest.py``; the test
modules (the full UI test on the newest Airflow, the form test every lane runs) import the steps
from here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / ".test-artifacts" / "ui"
AIRFLOW = Path(sys.executable).with_name("airflow")
STARTUP_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(home: Path) -> dict[str, str]:
    """sqlite, simple auth with everyone admin, the Test button enabled; no inherited connections."""
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


def log_in(page: Any, api_server: ApiServer, timeout_s: float = 60) -> None:
    """Open the connection list once, so that every later page opens directly.

    With simple auth and everyone admin, Airflow 3.0 and 3.3 show the page at once; Airflow 3.1
    sends a first visitor through its login, sets the ``_token`` cookie and lands on the home page.
    """
    page.goto(f"{api_server.url}/connections", wait_until="commit")  # 3.1 navigates on before "load"
    listed = page.get_by_role("button", name="Add Connection")
    deadline = time.monotonic() + timeout_s
    while not listed.is_visible() and not any(c["name"] == "_token" for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError(f"the UI at {api_server.url} neither listed connections nor logged in")
        page.wait_for_timeout(200)
    if not listed.is_visible():  # logged in: let the redirect to the home page finish
        page.wait_for_url(f"{api_server.url}/", wait_until="load", timeout=timeout_s * 1000)


def shot(page: Any, name: str) -> None:
    """A full-page screenshot in ``.test-artifacts/ui/``."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_list(page: Any, api_server: ApiServer) -> None:
    page.goto(f"{api_server.url}/connections")
    page.get_by_role("button", name="Add Connection").wait_for()


def add_connection(page: Any, api_server: ApiServer, conn_id: str, type_name: str) -> Any:
    """Open the Add form, fill Connection ID and Type; return the dialog."""
    open_list(page, api_server)
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=connection_id]").fill(conn_id)
    dialog.get_by_role("combobox").fill(type_name)
    page.get_by_role("option", name=type_name, exact=True).click()
    dialog.locator("input[name=host]").wait_for()
    return dialog


def open_extra_fields(dialog: Any) -> None:
    """Unfold the form's "Extra Fields" section (the connection type's own fields)."""
    trigger = dialog.get_by_role("button", name="Extra Fields", exact=True)
    if trigger.get_attribute("aria-expanded") != "true":
        trigger.click()


def save(page: Any, dialog: Any, conn_id: str) -> None:
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.get_by_role("row").filter(has_text=conn_id).wait_for()


def edit(page: Any, api_server: ApiServer, conn_id: str) -> Any:
    """Open the row's Edit form; return the dialog."""
    open_list(page, api_server)
    page.get_by_role("row").filter(has_text=conn_id).get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=host]").wait_for()
    return dialog


def press_test(page: Any, api_server: ApiServer, conn_id: str, name: str) -> str:
    """Press the row's Test button; screenshot and return the toast a user reads (it fades after ~5 s)."""
    open_list(page, api_server)
    button = page.get_by_role("row").filter(has_text=conn_id).get_by_role("button", name="Test Connection")
    with page.expect_response(lambda r: r.url.endswith("/api/v2/connections/test")):
        button.click()
    toast = page.locator("[data-scope=toast][data-part=root]").last
    toast.wait_for()
    text = str(toast.inner_text())
    page.wait_for_timeout(700)  # let the toast finish sliding in before the screenshot
    shot(page, name)
    return text
