"""DAG files import operators and sensors constantly, and the triggerer imports triggers to
deserialise them: those imports must stay light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import importlib, json, pkgutil, sys
names = []
for package in %(packages)r:
    module = importlib.import_module(package)
    names += [m.name for m in pkgutil.walk_packages(module.__path__, package + ".")]
for name in names + %(modules)r:
    importlib.import_module(name)
print(json.dumps({"modules": names, "heavy": sorted(h for h in %(heavy)r if h in sys.modules)}))
"""

DAG_FILE_HEAVY = (
    "boto3",
    "botocore",
    "aiobotocore",
    "aiohttp",
    "pymysql",
    "duckdb",
    "pyarrow",
    "mysql_mimic",
    "moto",
)
TRIGGERER_HEAVY = ("boto3", "botocore", "aiobotocore", "aiohttp", "moto", "duckdb", "pyarrow")


@pytest.mark.parametrize(
    ("packages", "modules", "heavy"),
    [
        pytest.param(
            ["airflow_provider_doris_oss.operators", "airflow_provider_doris_oss.sensors"],
            [],
            DAG_FILE_HEAVY,
            id="operators-and-sensors",
        ),
        pytest.param(
            ["airflow_provider_doris_oss.triggers"],
            ["airflow_provider_doris_oss.hooks.oss_async"],
            TRIGGERER_HEAVY,
            id="triggers-and-async-hook",
        ),
    ],
)
def test_modules_import_nothing_heavy(
    packages: list[str], modules: list[str], heavy: tuple[str, ...]
) -> None:
    code = PROBE % {"packages": packages, "modules": modules, "heavy": heavy}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(result["modules"]) >= 3, result["modules"]
    assert result["heavy"] == []


# What a DAG file that only builds the object (AssetWatcher trigger, sensor, operator) must not pay
# for: the modules that do the work in the triggerer or on the worker, imported where they run.
RUNTIME_ONLY = {
    "airflow_provider_doris_oss.triggers.object_event": (
        "airflow_provider_doris_oss.triggers.baseline",
        "airflow_provider_doris_oss.triggers.checkpoint",
        "airflow_provider_doris_oss.triggers.checkpoint_document",
        "airflow_provider_doris_oss.triggers.object_listing",
        "airflow_provider_doris_oss.triggers.matching",
        "airflow_provider_doris_oss.hooks.oss",
        "airflow_provider_doris_oss.lineage",
        "airflow.triggers.shared_stream",
    ),
    "airflow_provider_doris_oss.sensors.keys_unchanged": (
        "airflow_provider_doris_oss.triggers.keys_unchanged",
        "airflow.triggers.base",
    ),
    "airflow_provider_doris_oss.sensors.key": ("airflow.triggers.base",),
    "airflow_provider_doris_oss.operators.broker_load": (
        "airflow_provider_doris_oss.sql.results",
        "airflow_provider_doris_oss.sql.broker_load",
        "airflow.triggers.base",
    ),
}

RUNTIME_PROBE = """
import json, sys, airflow.sdk
import %(module)s
print(json.dumps(sorted(m for m in %(forbidden)r if m in sys.modules)))
"""


@pytest.mark.parametrize("module", sorted(RUNTIME_ONLY))
def test_dag_facing_modules_leave_runtime_modules_unimported(module: str) -> None:
    code = RUNTIME_PROBE % {"module": module, "forbidden": RUNTIME_ONLY[module]}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
