"""The triggerer imports trigger modules to deserialise triggers: they must not load the AWS stack."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import airflow_provider_doris_oss.triggers.key
import airflow_provider_doris_oss.triggers.keys_unchanged
import airflow_provider_doris_oss.triggers.object_event
import airflow_provider_doris_oss.hooks.oss_async
import airflow_provider_doris_oss.sensors
import airflow_provider_doris_oss.sensors.key
import airflow_provider_doris_oss.sensors.keys_unchanged
print(json.dumps(sorted(m for m in ("boto3", "botocore", "aiobotocore", "aiohttp", "moto") if m in sys.modules)))
"""


def test_trigger_sensor_and_async_hook_modules_import_no_aws_stack():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
