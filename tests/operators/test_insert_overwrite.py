"""Backfill-safe loads: the example DAG run twice for one day replaces that day's partition.

Two DAG runs for the same logical date (a manual re-run: another run id, so another label) must
leave the day's rows as the files hold them now, not doubled, and the other days untouched.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pendulum
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_backfill_overwrite.py"
DAY = pendulum.datetime(2026, 1, 2, tz="UTC")


class Events:
    """The example's table on the local FE, and the day folders in the local OSS."""

    def __init__(self, fe: Any, oss: Any, bucket: str, database: str) -> None:
        self.fe, self.oss, self.bucket, self.database = fe, oss, bucket, database

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        import pymysql

        conn = pymysql.connect(host=self.fe.host, port=self.fe.port, user="root", autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        finally:
            conn.close()

    def rows(self) -> list[tuple[Any, ...]]:
        return self.run(f"SELECT event_date, event_id, kind FROM `{self.database}`.events ORDER BY 1, 2")

    def put_day(self, day: str, body: str, name: str = "part-0.csv") -> None:
        self.oss.client().put_object(Bucket=self.bucket, Key=f"events/dt={day}/{name}", Body=body.encode())


@pytest.fixture
def events(local_doris_fe: Any, local_oss: Any, oss_conn: str, monkeypatch: pytest.MonkeyPatch) -> Events:
    database = f"bf_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", oss_conn)
    monkeypatch.setenv("DORIS_OSS_DEMO_DATABASE", database)
    return Events(local_doris_fe, local_oss, oss_conn, database)


def _source() -> str:
    return EXAMPLE.read_text().replace('"example_doris_backfill_overwrite"', '"{dag_id}"')


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_rerunning_a_day_replaces_its_partition_and_keeps_the_others(events: Events, run_dag: Any) -> None:
    events.put_day("2026-01-02", "2026-01-02,1,click\n2026-01-02,2,view\n")
    first = run_dag(_source(), logical_date=DAY, run_after=DAY.add(hours=1))
    assert first.task_states == {"create_table": "success", "load_day": "success"}
    events.run(
        f"INSERT INTO `{events.database}`.events VALUES ('2026-01-01', 100, 'old'), ('2026-01-03', 300, 'next')"
    )
    # Corrected files for the day, then a manual re-run of the same logical date (a new run id).
    events.put_day("2026-01-02", "2026-01-02,1,click\n2026-01-02,3,buy\n2026-01-02,4,view\n")
    second = run_dag(_source(), logical_date=DAY, run_after=DAY.add(hours=5))
    assert second.task_states == {"create_table": "success", "load_day": "success"}
    assert first.run_id != second.run_id
    assert events.rows() == [
        (_date("2026-01-01"), 100, "old"),
        (_date("2026-01-02"), 1, "click"),
        (_date("2026-01-02"), 3, "buy"),
        (_date("2026-01-02"), 4, "view"),
        (_date("2026-01-03"), 300, "next"),
    ]
    one, two = first.xcom("load_day"), second.xcom("load_day")
    assert one["rows"] == 2 and two["rows"] == 3 and not two["already_loaded"]
    assert one["label"] != two["label"]
    loads = events.run(f'SHOW LOAD FROM `{events.database}` WHERE LABEL = "{two["label"]}"')
    assert len(loads) == 1 and "INSERT" in loads[0] and "FINISHED" in loads[0]


def test_a_row_of_another_day_fails_the_overwrite_and_changes_nothing(events: Events, run_dag: Any) -> None:
    events.put_day("2026-01-02", "2026-01-02,1,click\n")
    assert (
        run_dag(_source(), logical_date=DAY, run_after=DAY.add(hours=1)).task_states["load_day"] == "success"
    )
    before = events.rows()
    events.put_day("2026-01-02", "2026-01-02,7,late\n2026-01-05,8,wrong-day\n", name="part-1.csv")
    again = run_dag(_source(), logical_date=DAY, run_after=DAY.add(hours=2))
    assert again.task_states["load_day"] == "failed"
    assert events.rows() == before == [(_date("2026-01-02"), 1, "click")]
