"""The local FE and local OSS as the operator tests see them: a database, an ``orders`` table, a bucket."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


class Doris:
    """A local FE with a database of its own and an ``orders`` table, and the test's OSS bucket.

    ``hostile_column`` and ``hostile_dir`` hold quotes, backslashes, backticks, non-ASCII and
    (for the directory) a newline, to prove values reach Doris and OSS intact.
    """

    hostile_column = 'wéird `col` "q" \\ \'s'
    hostile_dir = 'dír/it\'s "q" \\ `b` 東京\nline '

    def __init__(self, fe: Any, oss: Any, bucket: str, log: Path) -> None:
        import pymysql

        self.fe, self.oss, self.bucket, self.log = fe, oss, bucket, log
        self.db = f"db_{uuid.uuid4().hex[:8]}"
        self.conn = pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)
        self.run(f"CREATE DATABASE {self.db}")
        self.run(f"USE {self.db}")
        self.run(
            f"CREATE TABLE orders (id INT, name VARCHAR(40), `{self.hostile_column.replace('`', '``')}` INT) "
            'DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )

    def run(self, sql: str) -> list[dict[str, Any]]:
        """Rows of ``sql``, keyed by column name."""
        with self.conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def put(self, key: str, body: str) -> None:
        """Write an object into the test's bucket."""
        self.oss.client().put_object(Bucket=self.bucket, Key=key, Body=body.encode())

    def objects(self, prefix: str = "") -> dict[str, bytes]:
        """Every object under ``prefix`` in the test's bucket, with its content."""
        client = self.oss.client()
        found = client.list_objects_v2(Bucket=self.bucket, Prefix=prefix).get("Contents", [])
        return {o["Key"]: client.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read() for o in found}

    def statements(self) -> list[str]:
        """The SQL the FE received, as its statement log recorded it (secrets masked)."""
        return [json.loads(line)["sql"] for line in self.log.read_text().splitlines()]


@pytest.fixture
def doris(
    local_oss: Any, oss_conn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doris_version: str | None
) -> Iterator[Doris]:
    """A fresh local FE logging its statements, ``doris_default`` pointing at it; it answers as the
    Doris release ``doris_version`` names (the plugin's fixture: the newest line unless parametrized)."""
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    log = tmp_path / "statements.jsonl"
    with LocalDorisFE(oss=local_oss, statement_log=log, doris_version=doris_version) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        client = Doris(fe, local_oss, oss_conn, log)
        yield client
        client.conn.close()
