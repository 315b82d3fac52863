"""OSS object URLs (the console's ``https://bucket.oss-<region>.aliyuncs.com/key``) as operator locations.

Against the local FE and the local OSS (region cn-beijing): a URL works wherever an ``oss://``
URI does, Doris always receives ``s3://bucket/key``, and a URL in another region than the
connection's is refused before any statement is sent.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator


def context(task_id: str = "t") -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="urls", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti, "outlet_events": defaultdict(lambda: SimpleNamespace(extra={}))}


def url(doris: Any, key: str, region: str = "cn-beijing") -> str:
    return f"https://{doris.bucket}.oss-{region}.aliyuncs.com/{key}"


def rows(doris: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r.values()) for r in doris.run(f"SELECT * FROM {doris.db}.orders"))


def sent(doris: Any, marker: str) -> list[str]:
    return [s for s in doris.statements() if marker in s]


def test_insert_from_a_console_url_reads_the_objects_as_s3_uris(doris: Any) -> None:
    doris.put("in/a b.csv", "1\tann\t10\n")
    doris.put("in/c.csv", "2\tbob\t20\n")
    source = url(doris, "in/*.csv")
    op = DorisOssInsertOperator(task_id="t", table=f"{doris.db}.orders", source_uri=source, format="csv")
    assert [a.uri for a in op.inlets] == [f"oss://{doris.bucket}/in"]  # Airflow drops the trailing '/'
    op.execute(context())  # type: ignore[arg-type]
    assert rows(doris) == [(1, "ann", 10), (2, "bob", 20)]
    (insert,) = sent(doris, "INSERT INTO")
    assert f"'s3://{doris.bucket}/in/*.csv'" in insert or f'"s3://{doris.bucket}/in/*.csv"' in insert
    assert "aliyuncs.com/in" not in insert


def test_broker_load_from_an_internal_endpoint_url_with_percent_escapes(doris: Any) -> None:
    doris.put("bl/a b.csv", "3,chloé,30\n")
    op = DorisBrokerLoadOperator(
        task_id="t",
        table=f"{doris.db}.orders",
        source_uris=[f"https://{doris.bucket}.oss-cn-beijing-internal.aliyuncs.com/bl/a%20b.csv"],
        format="csv",
        column_separator=",",
        poll_interval=0.2,
    )
    summary = op.execute(context())  # type: ignore[arg-type]
    assert summary["state"] == "FINISHED" and rows(doris) == [(3, "chloé", 30)]
    (load,) = sent(doris, "LOAD LABEL")
    assert f"s3://{doris.bucket}/bl/a b.csv" in load and "aliyuncs.com/bl" not in load


def test_outfile_to_a_console_url_writes_under_its_prefix(doris: Any) -> None:
    doris.run("INSERT INTO orders VALUES (1, 'ann', 10)")
    result = DorisOutfileOperator(
        task_id="t",
        sql=f"SELECT id, name FROM {doris.db}.orders",
        target_uri=url(doris, "out/orders_"),
        format="csv",
    ).execute(context())  # type: ignore[arg-type]
    assert result["file_number"] == 1
    assert [k.startswith("out/orders_") for k in doris.objects("out/")] == [True]
    (outfile,) = sent(doris, "INTO OUTFILE")
    assert f"s3://{doris.bucket}/out/orders_" in outfile


@pytest.mark.parametrize("kind", ["insert", "broker_load", "outfile"])
def test_a_url_in_another_region_is_refused_before_any_statement(doris: Any, kind: str) -> None:
    other = url(doris, "in/a.csv", region="cn-hangzhou")
    before = len(doris.statements())
    op: Any
    if kind == "insert":
        op = DorisOssInsertOperator(task_id="t", table=f"{doris.db}.orders", source_uri=other, format="csv")
        field = "source_uri"
    elif kind == "broker_load":
        op = DorisBrokerLoadOperator(task_id="t", table=f"{doris.db}.orders", source_uris=[other])
        field = "source_uris[0]"
    else:
        op = DorisOutfileOperator(
            task_id="t", sql="SELECT 1", target_uri=url(doris, "o/x_", region="cn-hangzhou")
        )
        field = "target_uri"
    with pytest.raises(ValueError) as info:
        op.execute(context())
    text = str(info.value)
    assert text.startswith(f"{field}: ") and "region 'cn-hangzhou'" in text and "region 'cn-beijing'" in text
    assert len(doris.statements()) == before
