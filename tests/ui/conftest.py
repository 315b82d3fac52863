"""The browser tests' fixtures: one ``airflow api-server``, Chromium through Playwright, a page.

The steps a user takes in the UI are in ``tests/ui/kit.py``. The ``ui`` marker names these tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.kit import AIRFLOW, ARTIFACTS, CHROMIUM, STARTUP_S, ApiServer, free_port, log_in, server_env


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: drives Airflow's UI in Chromium against a real api-server")


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One api-server for every UI test (it takes ~25 s to answer)."""
    home = tmp_path_factory.mktemp("ui-airflow-home")
    (home / "dags").mkdir()
    env = server_env(home)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    migrate = subprocess.run(
        [str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # One log per venv and xdist worker: lanes run side by side, each with its own server.
    log_path = (
        ARTIFACTS / f"api-server{AIRFLOW.parents[1].name}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    )
    log = log_path.open("w")
    # One worker: Airflow 3.0.6's default four die at start (uvicorn's spawned children), and the
    # tests need no more.
    process = subprocess.Popen(
        [str(AIRFLOW), "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"airflow api-server exited with {process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"airflow api-server did not answer within {STARTUP_S} s; see {log_path}")
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
    log_in(page, api_server)
    yield page
    context.close()


@pytest.fixture
def doris_fe(local_oss: Any) -> Iterator[Any]:
    """A local Doris FE whose root password is ``ui-fe-password-1``."""
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss, password="ui-fe-password-1") as fe:
        yield fe
