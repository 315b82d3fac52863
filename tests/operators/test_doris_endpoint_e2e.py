"""Two endpoints end to end: Airflow reaches OSS by the public endpoint, the FE by the internal one.

The local OSS serves the internal endpoint through a second proxy only, and the FE is given only
that proxy (a Doris cluster in a VPC); the provider's clients get only the first (workers on the
internet). A load or an OUTFILE succeeds only when each side is given its own endpoint.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.job import DorisJobError
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator

PUBLIC = "oss-cn-beijing.aliyuncs.com"
INTERNAL = "oss-cn-beijing-internal.aliyuncs.com"


class Site:
    """A LocalOss with its internal endpoint, a bucket, and a local FE inside the 'VPC'."""

    def __init__(self, oss: Any, fe: Any, bucket: str, log: Path) -> None:
        import pymysql

        self.oss, self.fe, self.bucket, self.log = oss, fe, bucket, log
        self.db = f"db_{uuid.uuid4().hex[:8]}"
        self.conn = pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)
        self.run(f"CREATE DATABASE {self.db}")
        self.run(
            f"CREATE TABLE {self.db}.orders (id INT, name VARCHAR(40)) DUPLICATE KEY(id) "
            'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )

    def run(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def use_connection(self, monkeypatch: pytest.MonkeyPatch, *, doris_endpoint: str | None) -> None:
        """``doris_oss_default``: the public endpoint for Airflow, ``doris_endpoint`` for Doris."""
        conn = self.oss.connection("doris_oss_default", bucket=self.bucket)
        extra = json.loads(conn.extra) | ({"doris_endpoint": doris_endpoint} if doris_endpoint else {})
        conn.extra = json.dumps(extra)
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", conn.as_json())

    def statements(self, keyword: str) -> list[str]:
        sqls = [json.loads(line)["sql"] for line in self.log.read_text().splitlines()]
        return [s for s in sqls if keyword in s.upper()]

    def hosts(self) -> set[str]:
        """The Host headers the local OSS has served since the last ``clear_requests``."""
        return {r.host.split(":")[0] for r in self.oss.requests if r.status < 300}


@pytest.fixture(scope="module")
def vpc_oss() -> Iterator[Any]:
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    with LocalOss(internal=True) as oss:
        yield oss


@pytest.fixture
def site(vpc_oss: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    bucket = vpc_oss.create_bucket(f"vpc-{uuid.uuid4().hex[:12]}")
    log = tmp_path / "statements.jsonl"
    with LocalDorisFE(oss_proxy=vpc_oss.internal_proxy_url, statement_log=log) as fe:
        monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
        vpc_oss.clear_requests()
        result = Site(vpc_oss, fe, bucket, log)
        yield result
        result.conn.close()


def context() -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="vpc", task_id="load", run_id="manual__1", map_index=-1, try_number=1)

    class Events(dict):  # type: ignore[type-arg]
        def __missing__(self, key: Any) -> Any:
            self[key] = SimpleNamespace(extra={})
            return self[key]

    return {"ti": ti, "outlet_events": Events()}


def load(site: Site, data: Path) -> DorisBrokerLoadOperator:
    return DorisBrokerLoadOperator(
        task_id="load",
        table=f"{site.db}.orders",
        local_files=str(data / "*.csv"),
        staging_uri=f"oss://{site.bucket}/staging/",
        format="csv",
        column_separator=",",
        poll_interval=0.1,
        deferrable=False,
    )


def test_broker_load_stages_through_the_public_endpoint_and_doris_reads_the_internal_one(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.use_connection(monkeypatch, doris_endpoint=f"http://{INTERNAL}")
    data = tmp_path / "data"
    data.mkdir()
    (data / "orders.csv").write_text("1,ann\n2,bob\n")
    summary = load(site, data).execute(context())  # type: ignore[arg-type]
    assert summary["state"] == "FINISHED"
    assert site.run(f"SELECT id, name FROM {site.db}.orders ORDER BY id") == [(1, "ann"), (2, "bob")]
    (statement,) = site.statements("LOAD LABEL")
    assert f'"s3.endpoint" = "http://{INTERNAL}"' in statement
    assert PUBLIC not in statement.replace(INTERNAL, "")
    assert site.oss.secret_key not in statement
    # The hook uploaded (and cleaned up) through the public host; the FE read through the internal one.
    assert site.hosts() == {f"{site.bucket}.{PUBLIC}", f"{site.bucket}.{INTERNAL}"}


def test_without_the_doris_endpoint_the_fe_cannot_reach_oss(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.use_connection(monkeypatch, doris_endpoint=None)
    data = tmp_path / "data"
    data.mkdir()
    (data / "orders.csv").write_text("1,ann\n")
    with pytest.raises(DorisJobError) as raised:
        load(site, data).execute(context())  # type: ignore[arg-type]
    assert PUBLIC in str(raised.value) and "cannot be reached" in str(raised.value)
    assert site.run(f"SELECT COUNT(*) FROM {site.db}.orders") == [(0,)]


def test_outfile_writes_through_the_internal_endpoint_and_airflow_lists_through_the_public_one(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.use_connection(monkeypatch, doris_endpoint=f"http://{INTERNAL}")
    site.run(f"INSERT INTO {site.db}.orders VALUES (1, 'ann'), (2, 'bob')")
    op = DorisOutfileOperator(
        task_id="out",
        sql=f"SELECT id, name FROM {site.db}.orders ORDER BY id",
        target_uri=f"oss://{site.bucket}/out/orders_",
        column_separator=",",
        download_to=None,
    )
    result = op.execute(context())  # type: ignore[arg-type]
    (written,) = result["files"]
    key = written["uri"].removeprefix(f"oss://{site.bucket}/")
    body = site.oss.client().get_object(Bucket=site.bucket, Key=key)["Body"].read()
    assert body.decode().splitlines() == ["1,ann", "2,bob"]
    (statement,) = site.statements("INTO OUTFILE")
    assert f'"s3.endpoint" = "http://{INTERNAL}"' in statement
    writes = {r.host.split(":")[0] for r in site.oss.requests if r.method == "PUT" and r.status < 300}
    assert writes == {f"{site.bucket}.{INTERNAL}"}
