"""The ``ui`` marker: browser tests against a real ``airflow api-server`` (tests/ui/test_connection_forms.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: drives Airflow's UI in Chromium against a real api-server")
