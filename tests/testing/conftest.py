"""Fixtures for the local Doris FE conformance tests: a pymysql client on a fresh database.

Everything goes through the MySQL protocol, as any client of a real Doris would: the tests
never call the emulator's Python API except to reach test controls.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
    from airflow_provider_doris_oss.testing.local_oss import LocalOss


@dataclass
class DorisClient:
    """One pymysql connection to the local FE, with a database of its own selected."""

    conn: Any
    db: str
    oss: LocalOss

    def run(self, sql: str) -> list[dict[str, Any]]:
        """Rows of ``sql`` as dicts keyed by column name."""
        import pymysql.cursors

        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def columns(self, sql: str) -> list[str]:
        """The column names ``sql`` answers with, in order."""
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description]

    def execute(self, sql: str) -> tuple[int, str]:
        """Run a statement; return the affected rows and the OK packet's info string."""
        with self.conn.cursor() as cur:
            affected = cur.execute(sql)
            message = self.conn._result.message if self.conn._result is not None else b""
        text = message.decode() if isinstance(message, bytes) else (message or "")
        return affected, text

    def error(self, sql: str) -> tuple[int, str]:
        """The (code, message) of the error ``sql`` must fail with."""
        import pymysql

        with pytest.raises(pymysql.MySQLError) as info:
            self.run(sql)
        code, message = info.value.args[0], info.value.args[1]
        return code, message

    def wait(self, kind: str, label: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll SHOW LOAD/EXPORT until the job with ``label`` is FINISHED or CANCELLED."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.run(f'SHOW {kind} WHERE LABEL = "{label}"')
            if rows and rows[-1]["State"] in ("FINISHED", "CANCELLED"):
                return rows[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"{kind} {label} did not end: {rows}")
            time.sleep(0.05)

    def states(self, kind: str, label: str, until: str, timeout: float = 60.0) -> list[str]:
        """The distinct states the job passes through, polled until it reaches ``until`` (or ends)."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.run(f'SHOW {kind} WHERE LABEL = "{label}"')
            state = rows[-1]["State"] if rows else None
            if state is not None and (not seen or seen[-1] != state):
                seen.append(state)
            if state == until or state in ("FINISHED", "CANCELLED"):
                return seen
            time.sleep(0.02)
        raise AssertionError(f"{kind} {label} stayed in {seen}")

    def storage(self, **override: str | None) -> str:
        """The storage properties of the local OSS as a property list body."""
        props: dict[str, str | None] = {
            "s3.endpoint": self.oss.endpoint,
            "s3.access_key": self.oss.access_key,
            "s3.secret_key": self.oss.secret_key,
            "s3.region": self.oss.region,
        }
        props.update(override)
        return ", ".join(f'"{k}" = "{v}"' for k, v in props.items() if v is not None)

    def put(self, bucket: str, key: str, data: bytes) -> None:
        self.oss.client().put_object(Bucket=bucket, Key=key, Body=data)

    def get(self, bucket: str, key: str) -> bytes:
        return bytes(self.oss.client().get_object(Bucket=bucket, Key=key)["Body"].read())

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listing = self.oss.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def doris(local_doris_fe: LocalDorisFE, local_oss: LocalOss) -> Iterator[DorisClient]:
    """A pymysql connection to a fresh local FE, in a new database of its own."""
    import pymysql

    conn = pymysql.connect(
        host=local_doris_fe.host,
        port=local_doris_fe.port,
        user=local_doris_fe.user,
        password=local_doris_fe.password,
        autocommit=True,
    )
    db = f"db_{uuid.uuid4().hex[:10]}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}`")
        cur.execute(f"USE `{db}`")
    try:
        yield DorisClient(conn, db, local_oss)
    finally:
        conn.close()
