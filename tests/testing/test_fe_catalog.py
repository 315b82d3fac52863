"""CREATE / DROP / SHOW / REFRESH CATALOG: recorded and validated, never served."""

from __future__ import annotations

import re
from typing import Any

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
SHOW_CATALOGS_COLUMNS = [
    "CatalogId",
    "CatalogName",
    "Type",
    "IsCurrent",
    "CreateTime",
    "LastUpdateTime",
    "Comment",
]
ICEBERG = '"type" = "iceberg", "iceberg.catalog.type" = "hadoop", "warehouse" = "oss://wh/ice/"'


def test_show_catalogs_lists_internal_first(doris: DorisClient) -> None:
    assert doris.columns("SHOW CATALOGS") == SHOW_CATALOGS_COLUMNS
    rows = doris.run("SHOW CATALOGS")
    assert rows[0]["CatalogName"] == "internal" and rows[0]["Type"] == "internal"
    assert rows[0]["IsCurrent"] == "Yes"


def test_create_show_refresh_drop(doris: DorisClient) -> None:
    doris.run(f'CREATE CATALOG ice COMMENT "lake" PROPERTIES ({ICEBERG}, {doris.storage()})')
    rows = doris.run("SHOW CATALOGS")
    assert [r["CatalogName"] for r in rows] == ["internal", "ice"]
    ice = rows[1]
    assert (ice["Type"], ice["IsCurrent"], ice["Comment"]) == ("iceberg", "No", "lake")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", ice["CreateTime"])
    assert doris.run('SHOW CATALOGS LIKE "ic%"')[0]["CatalogName"] == "ice"
    doris.run("REFRESH CATALOG ice")
    _, message = doris.error(f"CREATE CATALOG ice PROPERTIES ({ICEBERG})")
    assert "catalog exists" in message
    doris.run(f"CREATE CATALOG IF NOT EXISTS ice PROPERTIES ({ICEBERG})")
    doris.run("DROP CATALOG ice")
    assert [r["CatalogName"] for r in doris.run("SHOW CATALOGS")] == ["internal"]
    _, message = doris.error("DROP CATALOG ice")
    assert "Unknown catalog 'ice'" in message
    doris.run("DROP CATALOG IF EXISTS ice")


def test_catalog_type_is_checked(doris: DorisClient) -> None:
    _, message = doris.error('CREATE CATALOG c PROPERTIES ("type" = "delta")')
    assert message.endswith("Unknown catalog type: delta")
    _, message = doris.error('CREATE CATALOG c PROPERTIES ("hive.metastore.uris" = "thrift://h:9083")')
    assert "Missing property 'type'" in message
    _, message = doris.error('CREATE CATALOG c PROPERTIES ("type" = "hms")')
    assert "hive.metastore.uris" in message


def test_catalog_storage_properties_are_validated(doris: DorisClient) -> None:
    _, message = doris.error(
        f'CREATE CATALOG c PROPERTIES ({ICEBERG}, "s3.endpoint" = "http://oss-cn-beijing.aliyuncs.com", '
        '"s3.access_key" = "only-one-key")'
    )
    assert "Both the access key and the secret key must be set." in message


def test_querying_an_external_catalog_says_it_is_not_emulated(doris: DorisClient) -> None:
    doris.run(f"CREATE CATALOG ice PROPERTIES ({ICEBERG})")
    _, message = doris.error("SELECT * FROM ice.db1.tbl")
    assert "does not emulate external catalogs" in message
    _, message = doris.error("SWITCH ice")
    assert "does not emulate external catalogs" in message
