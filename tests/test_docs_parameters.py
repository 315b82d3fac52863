"""Every parameter the docs document for an operator or sensor is a parameter of it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"
README = (DOCS / "operators.md").read_text() + (DOCS / "sensors-and-triggers.md").read_text()

OPERATORS = {
    "DorisBrokerLoadOperator": "airflow_provider_doris_oss.operators.broker_load",
    "DorisExportOperator": "airflow_provider_doris_oss.operators.export",
    "DorisOutfileOperator": "airflow_provider_doris_oss.operators.outfile",
    "DorisOssInsertOperator": "airflow_provider_doris_oss.operators.insert",
    "DorisCreateCatalogOperator": "airflow_provider_doris_oss.operators.catalog",
    "OssKeySensor": "airflow_provider_doris_oss.sensors.key",
    "OssKeysUnchangedSensor": "airflow_provider_doris_oss.sensors.keys_unchanged",
}


def documented_parameters(name: str) -> list[str]:
    section = README.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0].split("\n# ", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names += re.findall(r"`([a-z_]+)`", first_cell)
    return names


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_documented_parameters_exist(name: str) -> None:
    cls = getattr(importlib.import_module(OPERATORS[name]), name)
    accepted = {p for klass in cls.__mro__ for p in inspect.signature(klass.__init__).parameters}
    documented = documented_parameters(name)
    assert documented, f"docs document no parameters for {name}"
    assert sorted(set(documented) - accepted) == []
