"""What the table statements the engine runs itself parse into: CREATE TABLE and the head of INSERT."""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_provider_doris_oss.testing.doris_fe.doris_types import DorisType

AGG_TYPES = ("SUM", "MAX", "MIN", "REPLACE", "REPLACE_IF_NOT_NULL")
KEYS_TYPES = {"DUPLICATE": "DUP_KEYS", "UNIQUE": "UNIQUE_KEYS", "AGGREGATE": "AGG_KEYS"}


@dataclass
class ColumnDef:
    """One column of a CREATE TABLE."""

    name: str
    type: DorisType
    nullable: bool = True
    aggregation: str | None = None
    default: str | None = None  # the default's text; None: no default
    default_is_null: bool = False
    auto_increment: bool = False
    comment: str = ""


@dataclass(frozen=True)
class PartitionDef:
    """One named partition: a RANGE's bounds (None: unbounded) or a LIST's values, as literal text."""

    name: str
    lower: str | None = None
    upper: str | None = None
    values: tuple[str | None, ...] | None = None


@dataclass
class CreateTable:
    """A parsed CREATE TABLE."""

    database: str | None
    name: str
    if_not_exists: bool
    columns: list[ColumnDef]
    keys_type: str = "DUP_KEYS"
    key_columns: list[str] = field(default_factory=list)
    explicit_keys: bool = False
    comment: str = ""
    partition_type: str | None = None  # RANGE, LIST
    partition_columns: list[str] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)
    partition_defs: list[PartitionDef] = field(default_factory=list)
    auto_partition: bool = False
    auto_unit: str | None = None  # AUTO PARTITION BY RANGE (date_trunc(col, unit))
    # False when a partition's bounds are beyond the emulation (batch FROM..TO, several columns).
    routable: bool = True
    distribution: str = "RANDOM"  # HASH or RANDOM
    distribution_columns: list[str] = field(default_factory=list)
    buckets: str = "AUTO"
    properties: dict[str, str] = field(default_factory=dict)
    as_select: str | None = None
    like: tuple[str | None, str] | None = None  # CREATE TABLE t LIKE [db.]src


@dataclass
class InsertHead:
    """``INSERT INTO [db.]t [PARTITION (...)] [WITH LABEL l] [(cols)]`` and where its source starts."""

    database: str | None
    table: str
    overwrite: bool
    partitions: list[str]
    label: str | None
    columns: list[str] | None
    source: str  # the VALUES or query text
