"""What the Doris-specific statement handlers share: the database a statement works in, boolean properties."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.model import StatementContext


def database_of(ctx: StatementContext, explicit: str | None) -> str:
    db = explicit or ctx.database
    if not db:
        raise doris_error("No database selected", 1046, "3D000")
    if not ctx.fe.engine.database_exists(db):
        raise doris_error(f"Unknown database '{db}'", 1049, "42000")
    return db


def bool_property(props: dict[str, str], key: str, default: bool = False) -> bool:
    value = props.get(key)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise doris_error(f"{key} is not a boolean")
    return value.lower() == "true"
