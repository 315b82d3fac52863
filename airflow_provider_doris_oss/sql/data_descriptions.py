"""Data descriptions given as dicts or objects, and ``db.table`` names, checked as the operator takes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from airflow_provider_doris_oss.sql.broker_load import DataDescription
from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.quoting import quote_identifier, split_table_name


def split_table(name: str, *, field: str) -> tuple[str | None, str]:
    """``db.table`` as ``("db", "table")``, a bare ``table`` as ``(None, "table")``; backticked
    parts as Doris reads them (``split_table_name``, the parser every builder uses)."""
    if not isinstance(name, str) or not name.strip():
        raise DorisSqlError(f"{field}: give the target table as 'db.table' (or 'table' with database set).")
    return split_table_name(name, field=field)


def _check_keys(desc: DataDescription | Mapping[str, Any], *, field: str) -> None:
    if isinstance(desc, DataDescription):
        return
    if not isinstance(desc, Mapping):
        raise ValueError(f"{field}: give a DataDescription or a dict, not {type(desc).__name__}.")
    keys = tuple(f.name for f in fields(DataDescription))
    for key in desc:
        if key not in keys:
            raise ValueError(
                f"{field}: {key!r} is not a data-description key (Doris would ignore it). "
                f"Valid keys: {', '.join(keys)}."
            )


def description_of(
    desc: DataDescription | Mapping[str, Any], *, field: str
) -> tuple[str | None, DataDescription]:
    """A data description (object or dict) as ``(database or None, DataDescription)``; checked whole."""
    _check_keys(desc, field=field)
    if isinstance(desc, DataDescription):
        return None, desc
    values = dict(desc)
    if "table" not in values or "source_uris" not in values:
        raise DorisSqlError(f"{field}: give at least 'source_uris' and 'table'.")
    db, table = split_table(values["table"], field=f"{field}['table']")
    values["table"] = quote_identifier(table)
    try:
        return db, DataDescription(**values)
    except DorisSqlError as error:
        raise DorisSqlError(f"{field}: {error}") from None
