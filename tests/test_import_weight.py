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
