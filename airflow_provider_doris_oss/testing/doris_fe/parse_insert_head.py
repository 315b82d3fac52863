"""The head of an INSERT as the engine runs it itself: ``INSERT {INTO | OVERWRITE TABLE} [db.]t
[PARTITION (...)] [WITH LABEL l] [(cols)]`` and where its VALUES or query starts."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.ddl_cursor import DdlCursor
from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import InsertHead
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF


def named_partitions(names: list[str], table: str) -> list[str]:
    """A ``PARTITION (...)`` list as written. Only ``PARTITION (*)`` means "where the rows fall":
    a backticked `*` is a name, and no partition can have it (Doris's partition names take letters,
    digits, '-' and '_'), so Doris finds no such partition."""
    if "*" in names:
        raise doris_error(f"Unknown partition '*' in table '{table}'")
    return names


class _InsertHeadParser(DdlCursor):
    """INSERT up to its VALUES or query."""

    def insert_head(self) -> InsertHead:
        self.expect_kw("INSERT")
        overwrite = False
        if self.accept_kw("OVERWRITE"):
            self.expect_kw("TABLE")
            overwrite = True
        else:
            self.expect_kw("INTO")
        database, table = self.qualified()
        partitions: list[str] = []
        if self.accept_kw("TEMPORARY"):
            raise doris_error("The local Doris FE does not emulate temporary partitions")
        if self.tok.is_kw("PARTITION", "PARTITIONS"):
            self.advance()
            if self.accept_op("("):
                if self.accept_op("*"):
                    partitions = ["*"]
                else:
                    partitions.append(self.identifier())
                    while self.accept_op(","):
                        partitions.append(self.identifier())
                    named_partitions(partitions, table)
                self.expect_op(")")
            else:
                partitions = named_partitions([self.identifier()], table)
        label = None
        if self.accept_kw("WITH"):
            self.expect_kw("LABEL")
            label = self.identifier()
        columns = None
        if self.tok.is_op("(") and not self.tokens[self.pos + 1].is_kw("SELECT", "WITH"):
            columns = self.identifier_list()
        if self.tok.is_op("["):
            while not self.accept_op("]"):
                if self.advance().kind == EOF:
                    raise self.error("']'")
        if not (self.tok.is_kw("VALUES", "SELECT", "WITH") or self.tok.is_op("(")):
            raise self.error("{'(', 'SELECT', 'VALUES', 'WITH'}")
        source = self.sql[self.tok.start :].strip()
        return InsertHead(database, table, overwrite, partitions, label, columns, source)


def parse_insert_head(sql: str) -> InsertHead:
    """Parse an INSERT up to its source (VALUES or a query)."""
    return _InsertHeadParser(sql).insert_head()
