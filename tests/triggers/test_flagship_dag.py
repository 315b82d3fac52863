"""The flagship DAG's choice of what to load, without a scheduler: one load per live object version."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from airflow_provider_doris_oss.sql.labels import object_label

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_oss_to_doris.py"


def load_example(monkeypatch: Any, bucket: str) -> Any:
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", bucket)
    spec = importlib.util.spec_from_file_location("example_oss_to_doris_under_test", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_live_version_once_and_overwritten_or_deleted_versions_skipped(local_oss, oss_conn, monkeypatch):
    bucket = oss_conn
    client = local_oss.client()
    example = load_example(monkeypatch, bucket)

    def event(key: str, etag: str) -> SimpleNamespace:
        payload = {"uri": f"oss://{bucket}/{key}", "bucket": bucket, "key": key, "etag": etag}
        return SimpleNamespace(extra={"from_trigger": True, "payload": payload})

    live = client.put_object(Bucket=bucket, Key="inbox/live.csv", Body=b"1,a,1.00,2026-01-01\n")["ETag"]
    old = client.put_object(Bucket=bucket, Key="inbox/rewritten.csv", Body=b"2,b,1.00,2026-01-01\n")["ETag"]
    new = client.put_object(Bucket=bucket, Key="inbox/rewritten.csv", Body=b"3,c,1.00,2026-01-01\n")["ETag"]
    gone = client.put_object(Bucket=bucket, Key="inbox/deleted.csv", Body=b"4,d,1.00,2026-01-01\n")["ETag"]
    client.delete_object(Bucket=bucket, Key="inbox/deleted.csv")
    assert old != new
    events = [
        event("inbox/live.csv", live),
        event("inbox/live.csv", live),  # reported twice (the crash window): one load
        event("inbox/rewritten.csv", old),
        event("inbox/rewritten.csv", new),
        event("inbox/deleted.csv", gone),
    ]

    loads = example.landed_objects.function(triggering_asset_events={example.inbox: events})

    assert loads == [
        {
            "source_uris": f"oss://{bucket}/inbox/live.csv",
            "label": object_label(bucket, "inbox/live.csv", live),
        },
        {
            "source_uris": f"oss://{bucket}/inbox/rewritten.csv",
            "label": object_label(bucket, "inbox/rewritten.csv", new),
        },
    ]
