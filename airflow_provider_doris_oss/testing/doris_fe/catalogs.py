"""External catalogs: recorded with their properties validated, listed by SHOW CATALOGS, never served.

Doris would connect to a metastore to serve an external catalog's tables; the local FE records
the catalog and refuses queries against it with a clear message.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field

from airflow_provider_doris_oss.testing.doris_fe.catalog_checks import check_catalog
from airflow_provider_doris_oss.testing.doris_fe.jobs import timestamp
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError, FEState, OkResult, ResultSet
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CreateCatalogStmt,
    DropCatalogStmt,
    RefreshCatalogStmt,
    ShowCatalogsStmt,
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


def create(fe: FEState, stmt: CreateCatalogStmt) -> OkResult:
    """CREATE CATALOG: checked as the FE's Doris release checks it (``catalog_checks``), then recorded."""
    if stmt.resource is not None:
        raise _err("The local Doris FE does not emulate resources: give the catalog's properties directly.")
    if _exists(fe, stmt):
        return OkResult()
    # Outside the lock: a connection test may wait seconds on an unreachable endpoint.
    kind, properties = check_catalog(stmt.properties, fe.release.release.line)
    with fe.lock:
        if _exists(fe, stmt):
            return OkResult()
        fe.catalogs[stmt.name] = CatalogRecord(fe.next_id(), stmt.name, kind, properties, stmt.comment or "")
    return OkResult()


def _exists(fe: FEState, stmt: CreateCatalogStmt) -> bool:
    """True if the catalog exists and IF NOT EXISTS was given; Doris's error if it exists without."""
    with fe.lock:
        if stmt.name.lower() == "internal" or stmt.name in fe.catalogs:
            if stmt.if_not_exists:
                return True
            raise _err(f"Can't create catalog '{stmt.name}'; catalog exists", 1105)
    return False


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
