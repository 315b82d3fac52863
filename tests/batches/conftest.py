"""A batched pipeline on the local OSS and the local Doris FE, driven step by step without a scheduler.

``Pipeline.plan`` is the flagship's plan task (``BatchLedger.plan``), ``Pipeline.load`` one mapped
``DorisBrokerLoadOperator`` task instance; tests call them in the orders crashes, retries and
replays produce. ``Pipeline.check`` states the guarantee: every expected version's rows are in
the table once, the ledger holds each loaded version once, and each ledger batch has exactly one
FINISHED job.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.batch_ledger import BatchLedger
from airflow_provider_doris_oss.batches import ledger_table_sql
from airflow_provider_doris_oss.sql.labels import next_label_attempt


def orders(*ids: int) -> bytes:
    return "".join(f"{n},customer-{n}\n" for n in ids).encode()


class Pipeline:
    """The flagship's steps on one database and one bucket."""

    def __init__(self, fe: Any, oss: Any, bucket: str) -> None:
        import pymysql

        self.fe, self.oss, self.bucket = fe, oss, bucket
        self.client = oss.client()
        self.db = f"batched_{uuid.uuid4().hex[:8]}"
        self.conn = pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)
        self.sql(f"CREATE DATABASE {self.db}")
        self.sql(
            f"CREATE TABLE {self.db}.orders (order_id BIGINT, customer VARCHAR(64)) DUPLICATE KEY (order_id) "
            'DISTRIBUTED BY HASH (order_id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
        self.sql(ledger_table_sql(f"{self.db}.ledger", properties={"replication_num": "1"}))
        self.ledger = BatchLedger(
            table=f"{self.db}.ledger", state_uri=f"oss://{bucket}/_state/pipeline/", poll_interval=0.2
        )
        self.bodies: dict[tuple[str, str], bytes] = {}
        self.runs = 0

    def sql(self, statement: str) -> list[dict[str, Any]]:
        with self.conn.cursor() as cursor:
            cursor.execute(statement)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def put(self, key: str, body: bytes) -> dict[str, Any]:
        """Write an object; returns the payload the watcher would report for this version."""
        etag = self.client.put_object(Bucket=self.bucket, Key=key, Body=body)["ETag"]
        self.bodies[(key, etag.strip('"'))] = body
        return {
            "uri": f"oss://{self.bucket}/{key}",
            "bucket": self.bucket,
            "key": key,
            "etag": etag,
            "size": len(body),
        }

    def plan(self, payloads: list[dict[str, Any]], **limits: Any) -> list[dict[str, Any]]:
        """One plan task: the load task's keyword arguments for each batch."""
        self.runs += 1
        batches = self.ledger.plan(payloads, swept_until=datetime.now(timezone.utc), **limits)
        data = {
            "table": f"{self.db}.orders",
            "format": "csv",
            "column_separator": ",",
            "columns": ["order_id", "customer"],
        }
        return [self.ledger.load_kwargs(batch, data) for batch in batches]

    def load(self, kwargs: dict[str, Any], index: int = 0, **options: Any) -> Any:
        """One mapped load task instance (one try) of the current run."""
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        op = DorisBrokerLoadOperator(
            task_id="load_batch", poll_interval=0.2, properties={"max_filter_ratio": 0}, **options, **kwargs
        )
        ti = SimpleNamespace(
            dag_id="batched", task_id="load_batch", run_id=f"run_{self.runs}", map_index=index, try_number=1
        )
        return op.execute({"ti": ti})

    def run(self, payloads: list[dict[str, Any]], **limits: Any) -> list[dict[str, Any]]:
        """A run where nothing goes wrong: plan, then every load."""
        planned = self.plan(payloads, **limits)
        for index, kwargs in enumerate(planned):
            self.load(kwargs, index)
        return planned

    def open_labels(self) -> set[str]:
        found = self.client.list_objects_v2(Bucket=self.bucket, Prefix="_state/pipeline/open/")
        return {o["Key"].rsplit("/", 1)[-1].removesuffix(".json") for o in found.get("Contents", [])}

    def check(self, loaded: list[tuple[str, str]]) -> None:
        """The guarantee, for the versions (key, ETag) that must be loaded and no others."""
        expected = Counter(line for version in loaded for line in self.bodies[version].decode().splitlines())
        rows = self.sql(f"SELECT order_id, customer FROM {self.db}.orders")
        assert Counter(f"{r['order_id']},{r['customer']}" for r in rows) == expected
        ledger = self.sql(f"SELECT object_key, etag, batch_label FROM {self.db}.ledger")
        assert sorted((r["object_key"], r["etag"]) for r in ledger) == sorted(loaded)
        jobs = self.sql(f"SHOW LOAD FROM {self.db}")
        finished = Counter(j["Label"] for j in jobs if j["State"] == "FINISHED")
        for label in {r["batch_label"] for r in ledger}:
            attempts = {label} | {next_label_attempt(label, n) for n in range(1, 10)}
            assert sum(finished[a] for a in attempts) == 1, f"batch {label}: {finished}"
        members = Counter(r["batch_label"] for r in ledger)
        assert sum(members.values()) == len(loaded)


@pytest.fixture
def pipeline(local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE(oss=local_oss) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        built = Pipeline(fe, local_oss, oss_conn)
        yield built
        built.conn.close()
