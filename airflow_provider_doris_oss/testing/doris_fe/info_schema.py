"""``information_schema.schemata``, ``.tables`` and ``.columns`` of the internal catalog, as Doris has them.

Built from the engine's table definitions each time a query reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe.model import TableInfo

if TYPE_CHECKING:
    import pyarrow as pa

TABLES = ("schemata", "tables", "columns")
_COLLATION = "utf8mb4_0900_bin"
_KEY_MARK = {"DUP_KEYS": "DUP", "UNIQUE_KEYS": "UNI", "AGG_KEYS": "AGG"}
_SCHEMATA_COLUMNS = [
    "CATALOG_NAME",
    "SCHEMA_NAME",
    "DEFAULT_CHARACTER_SET_NAME",
    "DEFAULT_COLLATION_NAME",
    "SQL_PATH",
    "DEFAULT_ENCRYPTION",
]
_TABLES_COLUMNS = [
    "TABLE_CATALOG",
    "TABLE_SCHEMA",
    "TABLE_NAME",
    "TABLE_TYPE",
    "ENGINE",
    "VERSION",
    "ROW_FORMAT",
    "TABLE_ROWS",
    "AVG_ROW_LENGTH",
    "DATA_LENGTH",
    "MAX_DATA_LENGTH",
    "INDEX_LENGTH",
    "DATA_FREE",
    "AUTO_INCREMENT",
    "CREATE_TIME",
    "UPDATE_TIME",
    "CHECK_TIME",
    "TABLE_COLLATION",
    "CHECKSUM",
    "CREATE_OPTIONS",
    "TABLE_COMMENT",
]
_COLUMNS_COLUMNS = [
    "TABLE_CATALOG",
    "TABLE_SCHEMA",
    "TABLE_NAME",
    "COLUMN_NAME",
    "ORDINAL_POSITION",
    "COLUMN_DEFAULT",
    "IS_NULLABLE",
    "DATA_TYPE",
    "CHARACTER_MAXIMUM_LENGTH",
    "CHARACTER_OCTET_LENGTH",
    "NUMERIC_PRECISION",
    "NUMERIC_SCALE",
    "DATETIME_PRECISION",
    "CHARACTER_SET_NAME",
    "COLLATION_NAME",
    "COLUMN_TYPE",
    "COLUMN_KEY",
    "EXTRA",
    "PRIVILEGES",
    "COLUMN_COMMENT",
    "COLUMN_SIZE",
    "DECIMAL_DIGITS",
    "GENERATION_EXPRESSION",
    "SRS_ID",
]
_PRECISION = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19, "largeint": 39, "float": 7, "double": 15}
_PARAMS = re.compile(r"^(?P<base>[A-Za-z]+\d*)(?:\((?P<a>\d+)(?:,(?P<b>\d+))?\))?")


def _table(columns: list[str], rows: list[tuple[Any, ...]], types: dict[str, str]) -> pa.Table:
    import pyarrow as pa

    arrays = {
        name: pa.array([row[i] for row in rows], type=pa.int64() if types.get(name) == "int" else pa.string())
        for i, name in enumerate(columns)
    }
    return pa.table(arrays)


def build(
    databases: Iterable[str],
    tables: Iterable[tuple[TableInfo, dict[str, Any]]],
    row_count: Callable[[TableInfo], int],
) -> dict[str, pa.Table]:
    """The three tables, from the databases and (table info, per-column extras) pairs.

    Each column's extras hold ``default``, ``comment``, ``aggregation``; ``row_count`` gives TABLE_ROWS.
    """
    schemata = [("internal", db, "utf8mb4", _COLLATION, None, "NO") for db in sorted(databases)]
    table_rows: list[tuple[Any, ...]] = []
    column_rows: list[tuple[Any, ...]] = []
    for info, extras in tables:
        table_rows.append(
            (
                "internal",
                info.database,
                info.name,
                "BASE TABLE",
                "Doris",
                None,
                None,
                row_count(info),
                0,
                0,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                _COLLATION,
                None,
                "",
                extras.get("comment", ""),
            )
        )
        keys = set(info.key_columns)
        for position, column in enumerate(info.columns, start=1):
            match = _PARAMS.match(column.doris_type)
            base = match.group("base").lower() if match else column.doris_type  # ipv4, map, struct
            a = int(match.group("a")) if match and match.group("a") else None
            b = int(match.group("b")) if match and match.group("b") else None
            is_string = base in ("char", "varchar", "text", "json")
            length = a if base in ("char", "varchar") else (2147483647 if is_string else None)
            precision = a if base == "decimal" else _PRECISION.get(base)
            scale = (b or 0) if base == "decimal" else (0 if base in _PRECISION and "int" in base else None)
            datetime_precision = (a or 0) if base == "datetime" else None
            column_extra = extras["columns"].get(column.name, {})
            column_rows.append(
                (
                    "internal",
                    info.database,
                    info.name,
                    column.name,
                    position,
                    column_extra.get("default"),
                    "YES" if column.nullable else "NO",
                    base,
                    length,
                    length * 4 if length is not None and length < 2147483647 else length,
                    precision,
                    scale,
                    datetime_precision,
                    "utf8mb4" if is_string else None,
                    _COLLATION if is_string else None,
                    column.doris_type,
                    _KEY_MARK.get(info.keys_type, "") if column.name in keys else "",
                    column_extra.get("aggregation") or "",
                    "SELECT",
                    column_extra.get("comment", ""),
                    a if a is not None else precision,
                    scale,
                    None,
                    None,
                )
            )
    int_columns = {
        "TABLE_ROWS",
        "AVG_ROW_LENGTH",
        "DATA_LENGTH",
        "MAX_DATA_LENGTH",
        "INDEX_LENGTH",
        "DATA_FREE",
        "AUTO_INCREMENT",
        "CHECKSUM",
        "ORDINAL_POSITION",
        "CHARACTER_MAXIMUM_LENGTH",
        "CHARACTER_OCTET_LENGTH",
        "NUMERIC_PRECISION",
        "NUMERIC_SCALE",
        "DATETIME_PRECISION",
        "COLUMN_SIZE",
        "DECIMAL_DIGITS",
        "SRS_ID",
    }
    types = dict.fromkeys(int_columns, "int")
    return {
        "schemata": _table(_SCHEMATA_COLUMNS, schemata, types),
        "tables": _table(_TABLES_COLUMNS, table_rows, types),
        "columns": _table(_COLUMNS_COLUMNS, column_rows, types),
    }
