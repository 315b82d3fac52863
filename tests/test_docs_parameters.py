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
    "OssObjectEventTrigger": "airflow_provider_doris_oss.triggers.object_event",
}


def documented_parameters(name: str) -> list[str]:
    heading = re.search(rf"^## .*`{name}`.*$", README, re.MULTILINE)
    assert heading, f"no '## ... `{name}`' heading in the docs"
    section = README[heading.end() :].split("\n## ", 1)[0].split("\n# ", 1)[0]
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


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_parameter_is_documented(name: str) -> None:
    """The provider's own parameters (not Airflow's base-class ones) all have a row in the docs."""
    cls = getattr(importlib.import_module(OPERATORS[name]), name)
    own = {
        p
        for klass in cls.__mro__
        if klass.__module__.startswith("airflow_provider_doris_oss")
        for p in inspect.signature(klass.__init__).parameters
    } - {"self", "args", "kwargs"}
    airflow_bases = [k for k in cls.__mro__ if k.__module__.startswith("airflow.") and "__init__" in vars(k)]
    inherited = {p for klass in airflow_bases for p in inspect.signature(klass.__init__).parameters}
    assert sorted(own - inherited - set(documented_parameters(name))) == []


def test_doris_connection_fields_are_documented() -> None:
    """docs/connections.md's table of the `doris` extra lists exactly the form's fields, with their defaults."""
    from airflow_provider_doris_oss.connection_types import doris_connection_type

    text = (DOCS / "connections.md").read_text()
    section = text.split("## `doris` — Apache Doris", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0].strip("` "): cells[1].strip("` ")
        for cells in (line.strip("|").split("|") for line in section.splitlines() if line.startswith("| `"))
    }
    fields = doris_connection_type()["conn-fields"]
    assert rows == {name: str(field["schema"]["default"]) for name, field in fields.items()}
