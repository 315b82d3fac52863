"""The statement nodes the local FE's own parser produces (Doris's FE calls them logical plans / commands).

Expressions (SET, WHERE, filters) are kept as source text for the engine to evaluate.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DataDesc:
    """One data description of a Broker Load."""

    merge_type: str = "APPEND"
    uris: list[str] = field(default_factory=list)
    negative: bool = False  # NEGATIVE (the legacy LOAD grammar, 2.1): SUM columns load negated
    table: str = ""
    partitions: list[str] = field(default_factory=list)
    temporary_partition: bool = False
    column_separator: str | None = None
    line_delimiter: str | None = None
    format: str | None = None
    compress_type: str | None = None
    columns: list[str] | None = None
    columns_from_path: list[str] = field(default_factory=list)
    set_exprs: list[tuple[str, str]] = field(default_factory=list)
    preceding_filter: str | None = None
    where: str | None = None
    delete_on: str | None = None
    order_by: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadStmt:
    """LOAD LABEL ... WITH S3 (...) PROPERTIES (...)."""

    db: str | None
    label: str
    descs: list[DataDesc]
    storage_kind: str
    storage_name: str | None
    storage_props: dict[str, str]
    properties: dict[str, str]
    comment: str | None


@dataclass
class Condition:
    """One ``key = value`` / ``key LIKE value`` condition of SHOW or CANCEL."""

    key: str
    op: str
    value: str


@dataclass
class ShowJobsStmt:
    """SHOW LOAD / SHOW EXPORT."""

    kind: str
    db: str | None
    conditions: list[Condition]
    order_by: list[tuple[str, bool]]
    limit: int | None
    offset: int


@dataclass
class ShowLoadWarningsStmt:
    """SHOW LOAD WARNINGS ON "url", or SHOW LOAD WARNINGS [FROM db] [WHERE ...] [LIMIT n] (url "")."""

    url: str
    db: str | None = None
    conditions: list[Condition] = field(default_factory=list)
    limit: int | None = None


@dataclass
class CancelStmt:
    """CANCEL LOAD / CANCEL EXPORT."""

    kind: str
    db: str | None
    conditions: list[Condition]
    connector: str


@dataclass
class ExportStmt:
    """EXPORT TABLE ... TO ... PROPERTIES (...) WITH S3 (...)."""

    db: str | None
    table: str
    partitions: list[str]
    where: str | None
    path: str
    properties: dict[str, str]
    storage_kind: str
    storage_name: str | None
    storage_props: dict[str, str]


@dataclass
class OutfileStmt:
    """<query> INTO OUTFILE "path" [FORMAT AS fmt] [PROPERTIES (...)]."""

    query: str
    path: str
    format: str
    properties: dict[str, str]
    tvfs: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class TvfQueryStmt:
    """A SELECT (or INSERT INTO ... SELECT) reading from the S3 table function."""

    query: str
    tvfs: dict[str, dict[str, str]]
    insert_db: str | None = None
    insert_table: str | None = None
    partitions: list[str] = field(default_factory=list)
    label: str | None = None
    columns: list[str] | None = None
    overwrite: bool = False  # INSERT OVERWRITE TABLE


@dataclass
class DescFunctionStmt:
    """DESC FUNCTION s3(...): the schema the table function infers."""

    params: dict[str, str]


@dataclass
class CreateCatalogStmt:
    name: str
    if_not_exists: bool
    resource: str | None
    comment: str | None
    properties: dict[str, str]


@dataclass
class DropCatalogStmt:
    name: str
    if_exists: bool


@dataclass
class ShowCatalogsStmt:
    like: str | None


@dataclass
class RefreshCatalogStmt:
    name: str
    properties: dict[str, str]


Statement = (
    LoadStmt
    | ShowJobsStmt
    | ShowLoadWarningsStmt
    | CancelStmt
    | ExportStmt
    | OutfileStmt
    | TvfQueryStmt
    | DescFunctionStmt
    | CreateCatalogStmt
    | DropCatalogStmt
    | ShowCatalogsStmt
    | RefreshCatalogStmt
)

TVF_PLACEHOLDER = "__doris_s3_tvf_{}"
