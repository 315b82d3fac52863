"""A syntax check of Doris queries (DorisParser.g4's ``query`` rules) before sqlglot reads them.

sqlglot is lenient: it takes ``FROM FROM t``, ``SELECT a, , NULL`` or ``ORDER BY  DESC``. The
local FE checks a query's shape here first, as Doris's parser would: a WITH list, SELECT terms
joined by UNION/EXCEPT/MINUS/INTERSECT, the SELECT list (``expression [AS] alias``), FROM
relations (tables with partitions, aliases, table functions, subqueries, joins), WHERE, GROUP BY,
HAVING, QUALIFY, ORDER BY and LIMIT. Expressions are checked by ``expressions``.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.expressions import ExpressionParser
from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, NUMBER, STRING, Token, tokenize

_SET_OPERATORS = ("UNION", "EXCEPT", "MINUS", "INTERSECT")
_JOIN_STARTS = ("JOIN", "INNER", "CROSS", "LEFT", "RIGHT", "FULL")


class QueryChecker(ExpressionParser):
    """Checks one query (``cte? queryTerm queryOrganization``) from the cursor on."""

    def query(self) -> None:
        if self.accept_kw("WITH"):
            self._alias_query()
            while self.accept_op(","):
                self._alias_query()
        self._query_primary()
        while self.tok.is_kw(*_SET_OPERATORS):
            self.advance()
            self.accept_kw("DISTINCT", "ALL")
            self._query_primary()
        self._organization()

    def _alias_query(self) -> None:
        self.identifier()
        if self.tok.is_op("("):
            self._identifier_list()
        self.expect_kw("AS")
        self.expect_op("(")
        self.query()
        self.expect_op(")")

    def _query_primary(self) -> None:
        if self.tok.is_op("("):
            self.advance()
            self.query()
            self.expect_op(")")
        elif self.accept_kw("VALUES"):
            self._row()
            while self.accept_op(","):
                self._row()
        elif self.tok.is_kw("SELECT"):
            self._specification()
        else:
            raise self.error("{'(', 'SELECT', 'VALUES', 'WITH'}")

    def _row(self) -> None:
        """``rowConstructor``: ``( [item, ...] )``, an item a named expression or DEFAULT."""
        self.expect_op("(")
        if self.accept_op(")"):
            return
        while True:
            if not self.accept_kw("DEFAULT"):
                self._named_expression()
            if not self.accept_op(","):
                break
        self.expect_op(")")

    def _specification(self) -> None:
        self.expect_kw("SELECT")
        self.accept_kw("DISTINCT", "ALL")
        self._named_expression()
        while self.accept_op(","):
            self._named_expression()
        if self.accept_kw("FROM"):
            self._relation()
            while self.accept_op(","):
                self._relation()
        if self.accept_kw("WHERE"):
            self.boolean()
        if self.accept_kw("GROUP"):
            self.expect_kw("BY")
            self._grouping()
        if self.accept_kw("HAVING"):
            self.boolean()
        if self.accept_kw("QUALIFY"):
            self.boolean()
        self._organization()

    def _named_expression(self) -> None:
        self.expression()
        if self.accept_kw("AS"):
            if self.tok.kind == STRING:
                self.advance()
            else:
                self.identifier()
        elif self.tok.kind == STRING or self.is_identifier():
            self.advance()

    def _grouping(self) -> None:
        if self.tok.is_kw("ROLLUP", "CUBE") and self.peek().is_op("("):
            self.advance()
            self._expression_list()
        elif self.tok.is_kw("GROUPING") and self.peek().is_kw("SETS"):
            self.advance()
            self.advance()
            self.expect_op("(")
            self._expression_list()
            while self.accept_op(","):
                self._expression_list()
            self.expect_op(")")
        else:
            self.expression()
            while self.accept_op(","):
                self.expression()

    def _expression_list(self) -> None:
        self.expect_op("(")
        if self.accept_op(")"):
            return
        self.expression()
        while self.accept_op(","):
            self.expression()
        self.expect_op(")")

    def _organization(self) -> None:
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            self.sort_items()
        if self.accept_kw("LIMIT"):
            self._integer()
            if self.accept_op(",") or self.accept_kw("OFFSET"):
                self._integer()

    def _integer(self) -> None:
        if self.tok.kind != NUMBER or not self.tok.value.isdigit():
            raise self.error("INTEGER_VALUE")
        self.advance()

    # -- relations ---------------------------------------------------------------------------
    def _relation(self) -> None:
        self._relation_primary()
        while self.tok.is_kw(*_JOIN_STARTS):
            if self.tok.is_kw("LEFT", "RIGHT", "FULL"):
                self.advance()
                self.accept_kw("OUTER", "SEMI", "ANTI")
            elif self.tok.is_kw("INNER", "CROSS"):
                self.advance()
            self.expect_kw("JOIN")
            self._relation_primary()
            if self.accept_kw("ON"):
                self.boolean()
            elif self.accept_kw("USING"):
                self._identifier_list()

    def _relation_primary(self) -> None:
        if self.tok.is_op("("):
            if self._starts_query(self.pos + 1):
                self.advance()
                self.query()
                self.expect_op(")")
                self._alias()
                self._lateral_views()
                return
            self.advance()
            self._relation()
            while self.accept_op(","):
                self._relation()
            self.expect_op(")")
            return
        self.identifier()
        if self.tok.is_op("("):  # a table-valued function: name(key = value, ...)
            self._function_properties()
            self._alias()
            return
        while self.accept_op("."):
            self.identifier()
        if self.tok.is_kw("TEMPORARY") and self.peek().is_kw("PARTITION", "PARTITIONS"):
            self.advance()
        if self.accept_kw("PARTITION"):
            if self.tok.is_op("("):
                self._identifier_list()
            else:
                self.identifier()
        elif self.accept_kw("PARTITIONS"):
            self._identifier_list()
        if self.tok.is_kw("TABLET") and self.peek().is_op("("):
            self.advance()
            self._expression_list()
        self._alias()
        if self.tok.is_kw("TABLESAMPLE") and self.peek().is_op("("):
            self.advance()
            self._expression_list()
        self._lateral_views()

    def _lateral_views(self) -> None:
        """``LATERAL VIEW fn(args) name AS col, ...`` after a table."""
        while self.accept_kw("LATERAL"):
            self.expect_kw("VIEW")
            self.identifier()
            self._expression_list()
            self.identifier()
            self.expect_kw("AS")
            self.identifier()
            while self.accept_op(","):
                self.identifier()

    def _alias(self) -> None:
        if self.accept_kw("AS"):
            self.identifier()
        elif self.is_identifier():
            self.advance()
        else:
            return
        if self.tok.is_op("(") and not self._starts_query(self.pos + 1):
            self._identifier_list()

    def _identifier_list(self) -> None:
        self.expect_op("(")
        self.identifier()
        while self.accept_op(","):
            self.identifier()
        self.expect_op(")")

    def _function_properties(self) -> None:
        self.expect_op("(")
        if self.accept_op(")"):
            return
        while True:
            self._property_part()
            self.expect_op("=")
            self._property_part()
            if self.accept_op(")"):
                return
            if not self.accept_op(","):
                raise self.error("{')', ','}")

    def _property_part(self) -> None:
        if self.tok.kind in (STRING, NUMBER) or self.is_identifier():
            self.advance()
        else:
            raise self.error("STRING_LITERAL")


def check_query(sql: str, tokens: list[Token] | None = None, pos: int = 0) -> int:
    """Check the query starting at token ``pos`` of ``sql``; return the index of the token after it."""
    checker = QueryChecker(sql, tokens if tokens is not None else tokenize(sql), pos)
    checker.query()
    return checker.pos


def check_whole_query(sql: str, tokens: list[Token]) -> None:
    """Check that ``tokens`` (ending with EOF) are one query, optionally ended by ``;``."""
    checker = QueryChecker(sql, tokens, 0)
    checker.query()
    checker.accept_op(";")
    if checker.tok.kind != EOF:
        raise checker.error("<EOF>")


def check_if_query(sql: str) -> None:
    """Check ``sql`` by Doris's query rules when it is a query (SELECT, WITH, VALUES or ``(``)."""
    tokens = tokenize(sql)
    if tokens[0].is_kw("SELECT", "WITH", "VALUES") or tokens[0].is_op("("):
        check_whole_query(sql, tokens)
