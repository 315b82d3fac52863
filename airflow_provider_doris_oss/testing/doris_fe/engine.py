"""``DuckDbEngine``: Doris databases, OLAP tables and plain SQL over an in-memory DuckDB.

Databases are DuckDB schemas; each table keeps its Doris definition (key model, partitions,
distribution, properties) beside its rows. UNIQUE KEY tables upsert, AGGREGATE KEY tables
aggregate on every write, DUPLICATE KEY tables append. Queries are translated with sqlglot.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.engine_ddl import DdlMixin
from airflow_provider_doris_oss.testing.doris_fe.engine_show import ShowMixin
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import Result, StatementContext
from airflow_provider_doris_oss.testing.doris_fe.statement_split import words

# First words of Doris statements the emulator does not run (anything else is a syntax error).
_DORIS_STATEMENTS = frozenset(
    [
        "ALTER",
        "GRANT",
        "REVOKE",
        "KILL",
        "ANALYZE",
        "EXPLAIN",
        "REFRESH",
        "RECOVER",
        "BACKUP",
        "RESTORE",
        "CLEAN",
        "ADMIN",
        "SYNC",
        "STOP",
        "RESUME",
        "PAUSE",
        "INSTALL",
        "UNINSTALL",
        "LOCK",
        "UNLOCK",
        "HELP",
        "CALL",
        "CREATE",
        "DROP",
        "SHOW",
        "CANCEL",
        "EXPORT",
        "LOAD",
        "REPLACE",
        "MERGE",
        "BEGIN",
    ]
)


class DuckDbEngine(ShowMixin, DdlMixin):
    """The ``Engine`` of model.py: an in-memory DuckDB behind one lock.

    Its layers: ``engine_base`` (store, queries), ``engine_ddl``, ``engine_dml``, ``engine_show``;
    ``execute`` dispatches a statement to them by its first words.
    """

    def execute(self, sql: str, ctx: StatementContext) -> Result:
        head = words(sql, 4)
        if not head:
            if sql.lstrip().startswith("("):
                return self._select(sql, ctx)
            raise doris_error(f"The local Doris FE does not emulate the statement: {sql[:60]}")
        first = head[0]
        second = head[1] if len(head) > 1 else ""
        if first in ("SELECT", "WITH"):
            return self._select(sql, ctx)
        if first == "CREATE" and second in ("DATABASE", "SCHEMA"):
            return self._create_database(sql)
        if first == "CREATE" and second == "TABLE":
            return self._create_table(sql, ctx)
        if first == "DROP" and second in ("DATABASE", "SCHEMA"):
            return self._drop_database(sql)
        if first == "DROP" and second == "TABLE":
            return self._drop_table(sql, ctx)
        if first == "USE":
            return self._use(sql, ctx)
        if first == "INSERT":
            return self._insert_statement(sql, ctx)
        if first in ("DESC", "DESCRIBE"):
            return self._describe(sql, ctx)
        if first == "SHOW":
            return self._show(sql, head, ctx)
        if first == "TRUNCATE":
            return self._truncate(sql, ctx)
        if first == "DELETE":
            return self._delete(sql, ctx)
        if first == "UPDATE":
            return self._update(sql, ctx)
        if first in _DORIS_STATEMENTS:
            raise doris_error(f"The local Doris FE does not emulate {' '.join(head[:2])} statements")
        from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error

        raise syntax_error(sql, tokenize(sql)[0])
