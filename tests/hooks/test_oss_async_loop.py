"""The triggerer's event loop keeps running while the first shared aiobotocore client is made.

Importing aiobotocore and reading botocore's S3 model take a second or more on a busy machine;
done on the loop, they stall every trigger of the triggerer (10,000 waiting key triggers started
over a minute on a loaded machine). ``shared_client`` does that work in a worker thread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import asyncio, importlib.abc, json, sys, threading

seen = {}

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("aiobotocore.session", "botocore.loaders") and name not in seen:
            seen[name] = threading.current_thread() is threading.main_thread()
        return None

sys.meta_path.insert(0, Spy())

from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook, close_shared_clients

async def main():
    loaded = []
    import botocore.loaders
    original = botocore.loaders.JSONFileLoader.load_file  # a read from disk (the loader caches)

    def spy(self, path, *args, **kwargs):
        loaded.append((str(path), threading.current_thread() is threading.main_thread()))
        return original(self, path, *args, **kwargs)

    botocore.loaders.JSONFileLoader.load_file = spy
    try:
        await DorisOssAsyncHook("oss_probe").client()
    finally:
        await close_shared_clients()
    return loaded

loaded = asyncio.run(main())
print(json.dumps({"imported_on_loop": seen.get("aiobotocore.session"), "loaded": loaded}))
"""


def test_the_first_client_is_prepared_off_the_event_loop(local_oss):
    env = {**os.environ, "AIRFLOW_CONN_OSS_PROBE": local_oss.connection("oss_probe").as_json()}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["imported_on_loop"] is False  # aiobotocore was imported in a worker thread
    assert any("s3" in path and "service-2" in path for path, _ in result["loaded"])
    on_loop = [path for path, on_loop in result["loaded"] if on_loop]
    assert on_loop == [], on_loop  # no model read on the loop
