"""DAG files import operators and sensors constantly: those imports must stay light."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("boto3", "botocore", "aiobotocore", "pymysql", "duckdb", "pyarrow", "mysql_mimic", "moto", "sqlglot")

PROBE = """
import importlib, json, pkgutil, sys
import airflow_provider_doris_oss.operators as operators
import airflow_provider_doris_oss.sensors as sensors
names = [m.name for pkg in (operators, sensors) for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "heavy": sorted(h for h in %r if h in sys.modules)}))
"""


def test_operator_and_sensor_modules_import_nothing_heavy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert any(".operators." in m for m in result["modules"])
    assert any(".sensors." in m for m in result["modules"])
    assert result["heavy"] == []
