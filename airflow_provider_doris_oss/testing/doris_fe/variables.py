"""Doris session variables as a fresh Doris 3.0 FE reports them, and the server's identity strings."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

VERSION_COMMENT = "Doris version doris-3.0.3-rc03-43f06a5e26"
MYSQL_VERSION = "5.7.99"

# name -> default value (ints are answered as numbers, strings as text)
DEFAULTS: dict[str, Any] = {
    "auto_increment_increment": 1,
    "autocommit": 1,
    "character_set_client": "utf8mb4",
    "character_set_connection": "utf8mb4",
    "character_set_results": "utf8mb4",
    "character_set_server": "utf8mb4",
    "collation_connection": "utf8mb4_0900_bin",
    "collation_database": "utf8mb4_0900_bin",
    "collation_server": "utf8mb4_0900_bin",
    "default_storage_engine": "olap",
    "div_precision_increment": 4,
    "enable_auto_create_when_overwrite": "false",
    "enable_insert_strict": "true",
    "enable_profile": "false",
    "exec_mem_limit": 2147483648,
    "group_concat_max_len": 2147483646,
    "init_connect": "",
    "insert_timeout": 14400,
    "interactive_timeout": 3600,
    "language": "/palo/share/english/",
    "license": "Apache License, Version 2.0",
    "lower_case_table_names": 0,
    "max_allowed_packet": 16777216,
    "max_execution_time": -1,
    "net_buffer_length": 16384,
    "net_read_timeout": 600,
    "net_write_timeout": 600,
    "parallel_pipeline_task_num": 0,
    "performance_schema": 0,
    "query_cache_size": 1048576,
    "query_cache_type": 0,
    "query_timeout": 900,
    "sql_dialect": "doris",
    "sql_mode": "ONLY_FULL_GROUP_BY",
    "sql_quote_show_create": "true",
    "sql_safe_updates": 0,
    "sql_select_limit": 9223372036854775807,
    "system_time_zone": "Etc/UTC",
    "time_zone": "Etc/UTC",
    "transaction_isolation": "REPEATABLE-READ",
    "transaction_read_only": 0,
    "tx_isolation": "REPEATABLE-READ",
    "tx_read_only": 0,
    "version": MYSQL_VERSION,
    "version_comment": VERSION_COMMENT,
    "wait_timeout": 28800,
}
READ_ONLY = frozenset(
    {"version", "version_comment", "license", "language", "system_time_zone", "lower_case_table_names"}
)
_BOOLEAN_WORDS = {"ON": 1, "OFF": 0, "TRUE": 1, "FALSE": 0}


class SessionVariables:
    """One connection's variables: Doris's defaults, changed by ``SET``."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = dict(DEFAULTS)

    def get(self, name: str) -> Any:
        key = name.lower()
        if key not in self.values:
            raise DorisError(f"errCode = 2, detailMessage = Unknown system variable '{name}'", 1193)
        return self.values[key]

    def set(self, name: str, value: Any) -> None:
        key = name.lower()
        if key not in self.values:
            raise DorisError(f"errCode = 2, detailMessage = Unknown system variable '{name}'", 1193)
        if key in READ_ONLY:
            raise DorisError(f"errCode = 2, detailMessage = Variable '{name}' is a read only variable", 1238)
        default = DEFAULTS[key]
        if isinstance(value, str) and value.upper() in _BOOLEAN_WORDS and isinstance(default, int):
            value = _BOOLEAN_WORDS[value.upper()]
        elif isinstance(default, int) and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        elif isinstance(default, str) and not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        self.values[key] = value

    def show(
        self, pattern: re.Pattern[str] | None, names: Collection[str] | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of ``SHOW VARIABLES``: Variable_name, Value, Default_Value, Changed."""
        rows = []
        for name in sorted(self.values):
            if pattern is not None and not pattern.match(name):
                continue
            if names is not None and name not in names:
                continue
            value, default = self.values[name], DEFAULTS[name]
            rows.append((name, str(value), str(default), "0" if value == default else "1"))
        return rows
