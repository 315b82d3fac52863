"""Doris statement text for the five OSS places, and parsers for Doris's answers.

Pure standard library. Names are loaded from their submodules on first use (PEP 562), so an
operator module imported at DAG-parse time pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_doris_oss.sql.broker_load import DataDescription, build_broker_load
    from airflow_provider_doris_oss.sql.catalog import build_create_catalog, build_drop_catalog
    from airflow_provider_doris_oss.sql.errors import DorisSqlError
    from airflow_provider_doris_oss.sql.export import build_export
    from airflow_provider_doris_oss.sql.labels import (
        derive_label,
        next_label_attempt,
        owned_label,
        validate_label,
    )
    from airflow_provider_doris_oss.sql.masking import mask_secrets
    from airflow_provider_doris_oss.sql.outfile import build_outfile, prepare_query
    from airflow_provider_doris_oss.sql.quoting import (
        quote_identifier,
        quote_string,
        quote_table,
        split_table_name,
    )
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
    from airflow_provider_doris_oss.sql.values import to_s3_uri

_SUBMODULE: dict[str, str] = {
    "DataDescription": "broker_load",
    "build_broker_load": "broker_load",
    "build_create_catalog": "catalog",
    "build_drop_catalog": "catalog",
    "DorisSqlError": "errors",
    "build_export": "export",
    "derive_label": "labels",
    "next_label_attempt": "labels",
    "validate_label": "labels",
    "mask_secrets": "masking",
    "build_outfile": "outfile",
    "quote_identifier": "quoting",
    "quote_string": "quoting",
    "quote_table": "quoting",
    "ExportJobStatus": "results",
    "InsertInfo": "results",
    "LoadJobStatus": "results",
    "OutfileFiles": "results",
    "OutfileResult": "results",
    "error_message": "results",
    "is_label_already_used": "results",
    "is_nothing_to_cancel": "results",
    "label_already_used": "results",
    "parse_insert_info": "results",
    "pick_latest": "results",
    "rows_by_name": "results",
    "cancel_export": "show",
    "cancel_load": "show",
    "show_export": "show",
    "show_load": "show",
    "show_load_warnings": "show",
    "build_insert_from_s3": "tvf",
    "build_s3_tvf": "tvf",
    "split_table_name": "quoting",
    "owned_label": "labels",
    "prepare_query": "outfile",
    "to_s3_uri": "values",
}


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "owned_label",
    "parse_insert_info",
    "pick_latest",
    "prepare_query",
    "quote_identifier",
    "quote_string",
    "quote_table",
    "rows_by_name",
    "show_export",
    "show_load",
    "show_load_warnings",
    "split_table_name",
    "to_s3_uri",
    "validate_label",
]
