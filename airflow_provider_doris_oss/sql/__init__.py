"""Doris statement text for the five OSS places, and parsers for Doris's answers.

Pure standard library: operators import this at DAG-parse time.
"""

from __future__ import annotations

from airflow_provider_doris_oss.sql.broker_load import DataDescription, build_broker_load
from airflow_provider_doris_oss.sql.catalog import build_create_catalog, build_drop_catalog
from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.export import build_export
from airflow_provider_doris_oss.sql.labels import derive_label, next_label_attempt, validate_label
from airflow_provider_doris_oss.sql.masking import mask_secrets
from airflow_provider_doris_oss.sql.outfile import build_outfile
from airflow_provider_doris_oss.sql.quoting import quote_identifier, quote_string, quote_table
from airflow_provider_doris_oss.sql.results import (
    ExportJobStatus,
    InsertInfo,
    LoadJobStatus,
    OutfileFiles,
    OutfileResult,
    error_message,
    is_label_already_used,
    is_nothing_to_cancel,
    label_already_used,
    parse_insert_info,
    pick_latest,
    rows_by_name,
)
from airflow_provider_doris_oss.sql.show import (
    cancel_export,
    cancel_load,
    show_export,
    show_load,
    show_load_warnings,
)
from airflow_provider_doris_oss.sql.tvf import build_insert_from_s3, build_s3_tvf

__all__ = [
    "DataDescription",
    "DorisSqlError",
    "ExportJobStatus",
    "InsertInfo",
    "LoadJobStatus",
    "OutfileFiles",
    "OutfileResult",
    "build_broker_load",
    "build_create_catalog",
    "build_drop_catalog",
    "build_export",
    "build_insert_from_s3",
    "build_outfile",
    "build_s3_tvf",
    "cancel_export",
    "cancel_load",
    "derive_label",
    "error_message",
    "is_label_already_used",
    "is_nothing_to_cancel",
    "label_already_used",
    "mask_secrets",
    "next_label_attempt",
    "parse_insert_info",
    "pick_latest",
    "quote_identifier",
    "quote_string",
    "quote_table",
    "rows_by_name",
    "show_export",
    "show_load",
    "show_load_warnings",
    "validate_label",
]
