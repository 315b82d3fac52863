"""``SHOW``/``CANCEL`` statements for load and export jobs, by label."""

from __future__ import annotations

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.quoting import quote_identifier, quote_string


def _label_literal(label: str) -> str:
    if not isinstance(label, str) or not label:
        raise DorisSqlError("label: give the job's label (a non-empty string).")
    return quote_string(label)


def show_load(db: str, label: str) -> str:
    """``SHOW LOAD FROM db WHERE LABEL = "label"`` (pick the row with the highest JobId)."""
    return f"SHOW LOAD FROM {quote_identifier(db)} WHERE LABEL = {_label_literal(label)}"


def cancel_load(db: str, label: str) -> str:
    """``CANCEL LOAD FROM db WHERE LABEL = "label"``."""
    return f"CANCEL LOAD FROM {quote_identifier(db)} WHERE LABEL = {_label_literal(label)}"


def show_export(db: str, label: str) -> str:
    """``SHOW EXPORT FROM db WHERE LABEL = "label"``."""
    return f"SHOW EXPORT FROM {quote_identifier(db)} WHERE LABEL = {_label_literal(label)}"


def cancel_export(db: str, label: str) -> str:
    """``CANCEL EXPORT FROM db WHERE LABEL = "label"``."""
    return f"CANCEL EXPORT FROM {quote_identifier(db)} WHERE LABEL = {_label_literal(label)}"


def show_load_warnings(url: str) -> str:
    """``SHOW LOAD WARNINGS ON "<url>"``: the rejected rows behind a load's error URL."""
    if not isinstance(url, str) or not url:
        raise DorisSqlError("url: give the load's error-rows URL (a non-empty string).")
    return f"SHOW LOAD WARNINGS ON {quote_string(url)}"
