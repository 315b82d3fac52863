"""CREATE TABLE as the engine runs it itself: the OLAP form, ``LIKE`` and ``AS SELECT``.

Written from Doris's grammar; what it cannot read is a Doris-style syntax error.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe import doris_types
from airflow_provider_doris_oss.testing.doris_fe.ddl_cursor import DdlCursor
from airflow_provider_doris_oss.testing.doris_fe.ddl_nodes import (
    AGG_TYPES,
    KEYS_TYPES,
    ColumnDef,
    CreateTable,
    PartitionDef,
)
from airflow_provider_doris_oss.testing.doris_fe.doris_types import DorisType
from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, IDENT, NUMBER, QIDENT, STRING, Token

_OTHER_AGG_TYPES = ("HLL_UNION", "BITMAP_UNION", "QUANTILE_UNION", "GENERIC")


class _CreateTableParser(DdlCursor):
    """CREATE TABLE's clauses, column definitions and data types."""

    # ----------------------------------------------------------------- types

    def data_type(self) -> DorisType:
        if self.tok.kind != IDENT:
            raise self.error("a data type")
        name = self.advance().value
        if name.upper() == "ARRAY":
            self.expect_op("<")
            element = self.data_type()
            self.expect_op(">")
            return doris_types.array_of(element)
        if name.upper() == "MAP":
            self.expect_op("<")
            key = self.data_type()
            self.expect_op(",")
            value = self.data_type()
            self.expect_op(">")
            return doris_types.map_of(key, value)
        if name.upper() == "STRUCT":
            self.expect_op("<")
            fields = [self._struct_field()]
            while self.accept_op(","):
                fields.append(self._struct_field())
            self.expect_op(">")
            return doris_types.struct_of(fields)
        params: list[int] = []
        if self.accept_op("("):
            params.append(self.number())
            while self.accept_op(","):
                params.append(self.number())
            self.expect_op(")")
        return doris_types.scalar(name, params)

    def _struct_field(self) -> tuple[str, DorisType, str]:
        name = self.identifier()
        self.expect_op(":")
        kind = self.data_type()
        comment = self.string() if self.accept_kw("COMMENT") else ""
        return name, kind, comment

    # ---------------------------------------------------------- CREATE TABLE

    def column_def(self) -> ColumnDef:
        column = ColumnDef(self.identifier(), self.data_type())
        self.accept_kw("KEY")
        if self.tok.is_kw(*AGG_TYPES, *_OTHER_AGG_TYPES):
            aggregation = self.advance().value.upper()
            if aggregation in _OTHER_AGG_TYPES:
                raise doris_error(f"The local Doris FE does not emulate the {aggregation} aggregation")
            column.aggregation = aggregation
        if self.accept_kw("NOT"):
            self.expect_kw("NULL")
            column.nullable = False
        else:
            self.accept_kw("NULL")
        if self.accept_kw("AUTO_INCREMENT"):
            column.auto_increment = True
            if self.accept_op("("):
                self.number()
                self.expect_op(")")
        if self.accept_kw("DEFAULT"):
            column.default, column.default_is_null = self._default_value()
        if self.accept_kw("ON"):
            self.expect_kw("UPDATE")
            self.expect_kw("CURRENT_TIMESTAMP")
            if self.accept_op("("):
                self.number()
                self.expect_op(")")
        if self.accept_kw("COMMENT"):
            column.comment = self.string()
        return column

    def _default_value(self) -> tuple[str | None, bool]:
        if self.accept_kw("NULL"):
            return None, True
        if self.tok.kind == STRING:
            return self.advance().value, False
        negative = self.accept_op("-")
        if self.tok.kind == NUMBER:
            return ("-" if negative else "") + self.advance().value, False
        if not negative and self.tok.is_kw("CURRENT_TIMESTAMP", "CURRENT_DATE", "PI", "E", "NOW"):
            word = self.advance().value.upper()
            if self.accept_op("("):
                if not self.tok.is_op(")"):
                    self.number()
                self.expect_op(")")
            return word, False
        raise self.error("{NULL, INTEGER_VALUE, DECIMAL_VALUE, STRING_LITERAL, CURRENT_TIMESTAMP}")

    def create_table(self) -> CreateTable:
        self.expect_kw("CREATE")
        if self.tok.is_kw("EXTERNAL", "TEMPORARY"):
            raise doris_error(f"The local Doris FE does not emulate {self.tok.value.upper()} tables")
        self.expect_kw("TABLE")
        if_not_exists = False
        if self.accept_kw("IF"):
            self.expect_kw("NOT")
            self.expect_kw("EXISTS")
            if_not_exists = True
        database, name = self.qualified()
        if self.accept_kw("LIKE"):  # CREATE TABLE t LIKE src [WITH ROLLUP [(r1, ...)]]
            like = self.qualified()
            if self.accept_kw("WITH"):
                self.expect_kw("ROLLUP")
                raise doris_error("The local Doris FE does not emulate rollups")
            self.end()
            return CreateTable(database, name, if_not_exists, [], like=like)
        columns: list[ColumnDef] = []
        if self.tok.is_op("("):
            self.advance()
            while True:
                if columns and self.tok.is_kw("INDEX"):  # index definitions follow the columns
                    self._skip_index()
                else:
                    columns.append(self.column_def())
                if not self.accept_op(","):
                    break
            self.expect_op(")")
        stmt = CreateTable(database, name, if_not_exists, columns)
        self._table_clauses(stmt)
        if self.accept_kw("AS"):
            stmt.as_select = self.sql[self.tok.start :].strip().rstrip(";")
            if not self.tok.is_kw("SELECT", "WITH") and not self.tok.is_op("("):
                raise self.error("'SELECT'")
        else:
            self.end()
            if not columns:
                raise self.error("'('")
        return stmt

    def _skip_index(self) -> None:
        self.expect_kw("INDEX")
        self.accept_kw("IF") and self.accept_kw("NOT") and self.accept_kw("EXISTS")
        self.identifier()
        self.identifier_list()
        if self.accept_kw("USING"):
            self.identifier()
        if self.tok.is_kw("PROPERTIES"):
            self.advance()
            self.skip_parens()
        if self.accept_kw("COMMENT"):
            self.string()

    def _table_clauses(self, stmt: CreateTable) -> None:
        if self.accept_kw("ENGINE"):
            self.expect_op("=")
            engine = self.identifier()
            if engine.lower() != "olap":
                raise doris_error(f"The local Doris FE does not emulate ENGINE={engine} tables")
        if self.tok.is_kw(*KEYS_TYPES):
            stmt.keys_type = KEYS_TYPES[self.advance().value.upper()]
            self.expect_kw("KEY")
            stmt.key_columns = self.identifier_list()
            stmt.explicit_keys = True
            if stmt.keys_type == "DUP_KEYS" and self.tok.is_kw("CLUSTER"):
                raise self.error("'COMMENT'")
            if self.accept_kw("CLUSTER"):
                self.expect_kw("BY")
                self.identifier_list()
        if self.accept_kw("COMMENT"):
            stmt.comment = self.string()
        auto = self.accept_kw("AUTO")
        if auto or self.tok.is_kw("PARTITION"):
            self.expect_kw("PARTITION")
            self.expect_kw("BY")
            if not self.tok.is_kw("RANGE", "LIST"):
                raise self.error("{'RANGE', 'LIST'}")
            stmt.partition_type = self.advance().value.upper()
            stmt.auto_partition = auto
            start = self.pos
            self.skip_parens()
            inner = self.tokens[start + 1 : self.pos - 1]
            if len(inner) > 2 and inner[0].kind == IDENT and inner[1].is_op("("):  # date_trunc(col, 'day')
                stmt.auto_unit = next((t.value.lower() for t in inner if t.kind == STRING), None)
                inner = inner[2:]
            stmt.partition_columns = [t.value for t in inner if t.kind in (IDENT, QIDENT)]
            if len(stmt.partition_columns) != 1:
                stmt.routable = False
            if self.tok.is_op("("):
                stmt.partitions = self._partition_names(stmt)
            elif not auto:
                raise self.error("'('")
        if self.accept_kw("DISTRIBUTED"):
            self.expect_kw("BY")
            if self.accept_kw("HASH"):
                stmt.distribution = "HASH"
                stmt.distribution_columns = self.identifier_list()
            elif self.accept_kw("RANDOM"):
                stmt.distribution = "RANDOM"
            else:
                raise self.error("{'HASH', 'RANDOM'}")
            if self.accept_kw("BUCKETS"):
                if self.accept_kw("AUTO"):
                    stmt.buckets = "AUTO"
                else:
                    stmt.buckets = str(self.number())
            else:
                stmt.buckets = "AUTO"
        if self.accept_kw("ROLLUP"):
            self.skip_parens()
        if self.accept_kw("PROPERTIES"):
            stmt.properties = self.properties()

    def _partition_names(self, stmt: CreateTable) -> list[str]:
        """Names of ``PARTITION name VALUES ...`` items (their bounds go to ``stmt.partition_defs``).

        Batch ``FROM ... TO ...`` items have no names; a table with them is not routable.
        """
        self.expect_op("(")
        names: list[str] = []
        if self.accept_op(")"):
            return names
        while True:
            name = None
            if self.accept_kw("PARTITION"):
                if self.accept_kw("IF"):
                    self.expect_kw("NOT")
                    self.expect_kw("EXISTS")
                name = self.identifier()
                names.append(name)
                self.expect_kw("VALUES")
            elif not self.tok.is_kw("FROM"):
                raise self.error("{'PARTITION', 'FROM'}")
            start = self.pos
            depth = 0
            while depth or not (self.tok.is_op(",") or self.tok.is_op(")")):
                token = self.advance()
                if token.kind == EOF:
                    raise self.error("')'")
                if token.is_op("(") or token.is_op("["):
                    depth += 1
                elif token.is_op(")") or token.is_op("]"):
                    depth -= 1
            definition = _partition_def(name, self.tokens[start : self.pos]) if name else None
            if definition is None:
                stmt.routable = False
            else:
                stmt.partition_defs.append(definition)
            if self.accept_op(")"):
                return names
            self.expect_op(",")


def _literal(token: Token) -> str | None:
    return token.value if token.kind in (STRING, NUMBER) else None


def _partition_def(name: str, tokens: list[Token]) -> PartitionDef | None:
    """A partition's bounds from its value tokens: ``LESS THAN (v)|MAXVALUE``, ``[(lo), (hi))``, ``IN (...)``.

    None for forms the emulation does not route (several columns per bound).
    """
    if not tokens:
        return None
    literals = [t for t in tokens if t.kind in (STRING, NUMBER) or t.is_kw("MAXVALUE", "NULL")]
    if tokens[0].is_kw("LESS"):
        if len(literals) != 1:
            return None
        return PartitionDef(name, upper=_literal(literals[0]))
    if tokens[0].is_op("["):
        if len(literals) != 2:
            return None
        return PartitionDef(name, lower=_literal(literals[0]), upper=_literal(literals[1]))
    if tokens[0].is_kw("IN"):
        tuples = sum(1 for t in tokens[2:] if t.is_op("("))
        if tuples and tuples != len(literals):
            return None  # multi-column LIST values
        return PartitionDef(name, values=tuple(_literal(t) for t in literals))
    return None


def like_definition(source: CreateTable, target: CreateTable) -> CreateTable:
    """``CREATE TABLE target LIKE source``: the source's definition (columns, keys, partitions,
    distribution, properties) under the target's name, no rows."""
    import copy

    copied = copy.deepcopy(source)
    copied.database, copied.name, copied.if_not_exists = target.database, target.name, target.if_not_exists
    copied.like, copied.as_select = None, None
    return copied


def parse_create_table(sql: str) -> CreateTable:
    """Parse a CREATE TABLE (OLAP form, or ``AS SELECT``)."""
    return _CreateTableParser(sql).create_table()
