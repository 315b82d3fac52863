"""DorisCreateCatalogOperator end to end: CREATE CATALOG in the local FE, storage from the connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.operators.catalog import DorisCreateCatalogOperator

EXAMPLE = Path(__file__).parents[2] / "example_dags" / "example_catalog.py"
HOSTILE = 'it\'s "q" \\ `b`\n東京\t'


def test_the_example_dag_creates_an_iceberg_catalog_on_oss(
    doris: Any, run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DORIS_OSS_DEMO_BUCKET", doris.bucket)
    monkeypatch.setenv("DORIS_OSS_DEMO_CATALOG", "lake")
    source = EXAMPLE.read_text().replace('"example_doris_catalog"', '"{dag_id}"')
    result = run_dag(source)
    assert result.state == "success", result.task_states
    assert result.xcom("create_iceberg_catalog") == {"catalog": "lake", "type": "iceberg"}
    (row,) = doris.run('SHOW CATALOGS LIKE "lake"')
    assert (row["Type"], row["Comment"]) == ("iceberg", "Iceberg tables in OSS")
    props = doris.fe.state.catalogs["lake"].properties
    assert props["warehouse"] == f"oss://{doris.bucket}/warehouse/"
    assert props["s3.access_key"] == doris.oss.access_key and props["s3.secret_key"] == doris.oss.secret_key
    assert props["s3.endpoint"] == doris.oss.endpoint
    created = [s for s in doris.statements() if s.upper().startswith("CREATE CATALOG")]
    assert len(created) == 1 and doris.oss.secret_key not in created[0]


def test_hostile_name_comment_and_property_values_reach_doris_intact(doris: Any) -> None:
    name = "lake `x` é"
    DorisCreateCatalogOperator(
        task_id="c",
        catalog_name=name,
        catalog_properties={
            "type": "paimon",
            "warehouse": f"oss://{doris.bucket}/{HOSTILE}",
            "x.note": HOSTILE,
        },
        comment=HOSTILE,
    ).execute({})  # type: ignore[arg-type]
    record = doris.fe.state.catalogs[name]
    assert (record.type, record.comment) == ("paimon", HOSTILE)
    assert record.properties["warehouse"] == f"oss://{doris.bucket}/{HOSTILE}"
    assert record.properties["x.note"] == HOSTILE


def test_a_rerun_succeeds_with_if_not_exists_and_fails_without(doris: Any) -> None:
    def op(**kwargs: Any) -> DorisCreateCatalogOperator:
        return DorisCreateCatalogOperator(
            task_id="c",
            catalog_name="hive1",
            catalog_properties={"type": "hms", "hive.metastore.uris": "thrift://127.0.0.1:9083"},
            **kwargs,
        )

    op().execute({})  # type: ignore[arg-type]
    op().execute({})  # type: ignore[arg-type]
    with pytest.raises(Exception, match="exists"):
        op(if_not_exists=False).execute({})  # type: ignore[arg-type]
    assert [r["CatalogName"] for r in doris.run("SHOW CATALOGS")] == ["internal", "hive1"]


@pytest.mark.parametrize(
    "key", ["s3.endpoint", "OSS.Secret_Key", "AWS_ACCESS_KEY", "fs.oss.accessKeyId", "region"]
)
def test_a_catalog_property_that_collides_with_the_connection_is_refused(doris: Any, key: str) -> None:
    with pytest.raises(ValueError, match="comes from the OSS connection"):  # at DAG parse
        DorisCreateCatalogOperator(
            task_id="c", catalog_name="bad", catalog_properties={"type": "hms", key: "value"}
        )
    op = DorisCreateCatalogOperator(
        task_id="c", catalog_name="bad", catalog_properties={"type": "{{ params.t }}"}
    )
    op.catalog_properties = {"type": "hms", key: "value"}  # as rendered
    with pytest.raises(ValueError, match="comes from the OSS connection"):
        op.execute({})  # type: ignore[arg-type]
    assert not [s for s in doris.statements() if "CATALOG" in s.upper()]
