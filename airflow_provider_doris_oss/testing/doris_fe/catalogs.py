"""External catalogs: recorded with their properties validated, listed by SHOW CATALOGS, never served.

Doris would connect to a metastore to serve an external catalog's tables; the local FE records
the catalog and refuses queries against it with a clear message.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field

from airflow_provider_doris_oss.testing.doris_fe.jobs import timestamp
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState, OkResult, ResultSet
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CreateCatalogStmt,
    DropCatalogStmt,
    RefreshCatalogStmt,
    ShowCatalogsStmt,
)
from airflow_provider_doris_oss.testing.doris_fe.storage import parse_storage

CATALOG_TYPES = (
    "hms",
    "iceberg",
    "paimon",
    "jdbc",
    "es",
    "trino-connector",
    "max_compute",
    "lakesoul",
    "doris",
)
SHOW_CATALOGS_COLUMNS = [
    "CatalogId",
    "CatalogName",
    "Type",
    "IsCurrent",
    "CreateTime",
    "LastUpdateTime",
    "Comment",
]
_STORAGE_PREFIXES = ("s3.", "oss.", "aws_", "fs.oss.", "fs.s3a.")
_REQUIRED = {
    "hms": ("hive.metastore.uris",),
    "jdbc": ("jdbc_url", "driver_url", "driver_class"),
    "es": ("hosts",),
}
_ICEBERG_TYPES = ("hms", "hadoop", "rest", "dlf", "glue", "s3tables")
_PAIMON_TYPES = ("filesystem", "hms", "dlf", "rest")


def _err(text: str, code: int = 1105) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}", code)


@dataclass
class CatalogRecord:
    """One external catalog as recorded."""

    catalog_id: int
    name: str
    type: str
    properties: dict[str, str]
    comment: str
    create_time: float = field(default_factory=time.time)
    last_update: float = field(default_factory=time.time)


def _validate(props: dict[str, str]) -> str:
    lowered = {k.lower(): v for k, v in props.items()}
    kind = lowered.get("type", "").lower()
    if not kind:
        raise _err("Missing property 'type' in properties")
    if kind not in CATALOG_TYPES:
        raise _err(f"Unknown catalog type: {kind}")
    for key in _REQUIRED.get(kind, ()):
        if not lowered.get(key):
            raise _err(f"Missing {key} property")
    if kind == "iceberg":
        sub = lowered.get("iceberg.catalog.type", "").lower()
        if not sub:
            raise _err("Missing iceberg.catalog.type property")
        if sub not in _ICEBERG_TYPES:
            raise _err(f"Unknown iceberg catalog type: {sub}")
        if sub == "hms" and not lowered.get("hive.metastore.uris"):
            raise _err("Missing hive.metastore.uris property")
        if sub == "hadoop" and not lowered.get("warehouse"):
            raise _err("Missing warehouse property")
        if sub == "rest" and not (lowered.get("iceberg.rest.uri") or lowered.get("uri")):
            raise _err("Missing iceberg.rest.uri property")
    if kind == "paimon":
        sub = lowered.get("paimon.catalog.type", "filesystem").lower()
        if sub not in _PAIMON_TYPES:
            raise _err(f"Unknown paimon catalog type: {sub}")
        if sub == "filesystem" and not lowered.get("warehouse"):
            raise _err("Missing warehouse property")
    if any(k.startswith(_STORAGE_PREFIXES) for k in lowered):
        parse_storage(lowered)
    return kind


def create(fe: FEState, stmt: CreateCatalogStmt) -> OkResult:
    """CREATE CATALOG: validate, then record."""
    if stmt.resource is not None:
        raise _err("The local Doris FE does not emulate resources: give the catalog's properties directly.")
    with fe.lock:
        if stmt.name.lower() == "internal" or stmt.name in fe.catalogs:
            if stmt.if_not_exists:
                return OkResult()
            raise _err(f"Can't create catalog '{stmt.name}'; catalog exists", 1105)
        kind = _validate(stmt.properties)
        fe.catalogs[stmt.name] = CatalogRecord(
            fe.next_id(), stmt.name, kind, dict(stmt.properties), stmt.comment or ""
        )
    return OkResult()


def drop(fe: FEState, stmt: DropCatalogStmt) -> OkResult:
    """DROP CATALOG."""
    with fe.lock:
        if stmt.name.lower() == "internal":
            raise _err("Internal catalog can't be drop.")
        if stmt.name not in fe.catalogs:
            if stmt.if_exists:
                return OkResult()
            raise _err(f"Unknown catalog '{stmt.name}'", 1105)
        del fe.catalogs[stmt.name]
    return OkResult()


def refresh(fe: FEState, stmt: RefreshCatalogStmt) -> OkResult:
    """REFRESH CATALOG: only updates LastUpdateTime here."""
    with fe.lock:
        record = fe.catalogs.get(stmt.name)
        if record is None:
            raise _err(f"Unknown catalog '{stmt.name}'")
        record.last_update = time.time()
    return OkResult()


def show(fe: FEState, stmt: ShowCatalogsStmt) -> ResultSet:
    """SHOW CATALOGS: ``internal`` first, then the external ones by id."""
    rows: list[tuple[object, ...]] = [
        (0, "internal", "internal", "Yes", "UNRECORDED", None, "Doris internal catalog")
    ]
    with fe.lock:
        records = sorted(fe.catalogs.values(), key=lambda r: r.catalog_id)
    for record in records:
        rows.append(
            (
                record.catalog_id,
                record.name,
                record.type,
                "No",
                timestamp(record.create_time),
                timestamp(record.last_update),
                record.comment,
            )
        )
    if stmt.like is not None:
        pattern = stmt.like.replace("%", "*").replace("_", "?")
        rows = [r for r in rows if fnmatch.fnmatchcase(str(r[1]).lower(), pattern.lower())]
    return ResultSet(SHOW_CATALOGS_COLUMNS, rows)


def not_emulated(name: str) -> DorisError:
    """The error for a query that reaches into an external catalog."""
    return _err(
        f"Catalog '{name}' is recorded, but the local Doris FE does not emulate external catalogs: "
        "its tables cannot be queried here."
    )
