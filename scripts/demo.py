"""`make demo`: stage a local file into the local OSS through the hook, and list it."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

from airflow_provider_doris_oss.testing.local_oss import LocalOss


def main() -> int:
    with LocalOss() as oss, tempfile.TemporaryDirectory() as tmp:
        bucket = oss.create_bucket("demo-bucket")
        os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = oss.connection(bucket=bucket).as_json()
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        source = Path(tmp) / "orders.csv"
        with source.open("w", newline="") as f:
            csv.writer(f).writerows([(i, f"customer-{i % 7}", i * 10) for i in range(1, 101)])
        hook = DorisOssHook()
        target = hook.resolve("staging/orders.csv")
        hook.upload_file(source, target)
        for obj in hook.iter_objects(bucket, "staging/"):
            print(f"oss://{bucket}/{obj['Key']}  {obj['Size']} bytes")
        hosts = {r.host for r in oss.requests if r.method == "PUT"}
        print(f"requests addressed to: {', '.join(sorted(hosts))}")
    print("DEMO OK: a local file was staged in the local OSS and listed through DorisOssHook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
