"""A syntax check of Doris expressions over the local FE's tokens, after DorisParser.g4.

Broker Load and EXPORT keep their expressions (``SET``, ``WHERE``, ``PRECEDING FILTER``,
``DELETE ON``) as text for the engine, but Doris parses them with its ``expression`` rules
first; so does the local FE here: ``booleanExpression`` (NOT, EXISTS, AND/OR/XOR/``&&``/``||``,
predicates BETWEEN/LIKE/REGEXP/RLIKE/IN/IS/MATCH), ``valueExpression`` (unary and binary
operators, comparisons) and ``primaryExpression`` (constants, CASE, CAST, INTERVAL, function
calls with DISTINCT/ORDER BY/OVER, subqueries, variables, column references, ``[]`` and ``.``
access, lambdas). It answers where an expression ends, or raises Doris's syntax error at the
first token that cannot continue it. Queries in subqueries are checked by ``query_check``.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.keywords import RESERVED
from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    OP,
    QIDENT,
    STRING,
    Token,
    TokenCursor,
    expecting_set,
    syntax_error,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

_COMPARISON = ("=", "==", "<=>", "<>", "!=", "<", "<=", ">", ">=", "!>", "!<")
# Binary value operators by binding strength (DorisParser.g4's valueExpression alternatives).
_BINARY_OPS = ("*", "/", "%", "+", "-", "&", "|", "^", *_COMPARISON)
_BINARY_WORDS = ("DIV",)
_LOGICAL_WORDS = ("AND", "OR", "XOR")
_LOGICAL_OPS = ("&&", "||")
_PREDICATE_WORDS = ("BETWEEN", "LIKE", "REGEXP", "RLIKE", "IN", "MATCH", "MATCH_ANY", "MATCH_ALL",
                    "MATCH_PHRASE", "MATCH_PHRASE_PREFIX", "MATCH_REGEXP", "MATCH_PHRASE_EDGE")  # fmt: skip
# Reserved words functionNameIdentifier still takes as a function's name.
_FUNCTION_KEYWORDS = frozenset(["ADD", "DATABASE", "IF", "LEFT", "LIKE", "REGEXP", "RIGHT", "SCHEMA", "TRIM"])
_UNITS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND")
_NO_ARG_WORDS = ("CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
                 "CURRENT_USER", "SESSION_USER")  # fmt: skip
_EXPR_EXPECTING = (
    "{'(', '[', '{', '+', '-', '~', '!', '*', '@', '@@', 'CASE', 'CAST', 'EXISTS', 'INTERVAL', "
    "'NOT', 'NULL', 'TRUE', 'FALSE', STRING_LITERAL, INTEGER_VALUE, IDENTIFIER, BACKQUOTED_IDENTIFIER}"
)


class ExpressionParser(TokenCursor):
    """A cursor over one statement's tokens that checks expressions in Doris's grammar."""

    def error(self, expecting: str | None = None, start: int | None = None) -> DorisError:
        return syntax_error(self.sql, self.tok, expecting, None if start is None else self.tokens[start])

    def expect_kw(self, word: str) -> None:
        if not self.accept_kw(word):
            raise self.error(f"'{word}'")

    def is_identifier(self, token: Token | None = None) -> bool:
        token = token or self.tok
        return token.kind == QIDENT or (token.kind == IDENT and token.value.upper() not in RESERVED)

    def identifier(self) -> None:
        if not self.is_identifier():
            raise self.error("{IDENTIFIER, BACKQUOTED_IDENTIFIER}")
        self.advance()

    # -- expression ---------------------------------------------------------------------------
    def expression(self) -> None:
        """``expression: lambdaExpression | booleanExpression``."""
        if self.is_identifier() and self.peek().is_op("->"):
            self.advance()
            self.advance()
            self.boolean()
            return
        if self.tok.is_op("(") and self._lambda_args():
            return
        self.boolean()

    def _lambda_args(self) -> bool:
        """``(a, b, ...) -> body`` when the parenthesis holds names and an arrow follows."""
        k = self.pos + 1
        while self.is_identifier(self.tokens[k]) and self.tokens[k + 1].is_op(","):
            k += 2
        if not (k > self.pos + 1 and self.is_identifier(self.tokens[k]) and self.tokens[k + 1].is_op(")")):
            return False
        if not self.tokens[k + 2].is_op("->"):
            return False
        self.pos = k + 3
        self.boolean()
        return True

    def boolean(self) -> None:
        self._boolean_operand()
        while self.tok.is_kw(*_LOGICAL_WORDS) or self.tok.is_op(*_LOGICAL_OPS):
            self.advance()
            self._boolean_operand()

    def _boolean_operand(self) -> None:
        if self.tok.is_kw("NOT") or self.tok.is_op("!"):
            self.advance()
            self._boolean_operand()
            return
        if self.tok.is_kw("EXISTS") and self.peek().is_op("("):
            self.advance()
            self._subquery()
            return
        self.value()
        self._predicate()

    def _predicate(self) -> None:
        negated = self.accept_kw("NOT")
        token = self.tok
        if token.is_kw("BETWEEN"):
            self.advance()
            self.value()
            self.expect_kw("AND")
            self.value()
        elif token.is_kw("LIKE", "REGEXP", "RLIKE") or token.is_kw(*_PREDICATE_WORDS[5:]):
            self.advance()
            self.value()
            if token.is_kw("LIKE") and self.accept_kw("ESCAPE"):
                self.value()
        elif token.is_kw("IN"):
            self.advance()
            if not self.tok.is_op("("):
                raise self.error("'('")
            if self._starts_query(self.pos + 1):
                self._subquery()
            else:
                self.advance()
                self.expression_list()
                self.expect_op(")")
        elif token.is_kw("IS") and not negated:
            self.advance()
            self.accept_kw("NOT")
            if not self.accept_kw("NULL", "TRUE", "FALSE"):
                raise self.error("{'FALSE', 'NULL', 'TRUE'}")
        elif negated:
            raise self.error("{'BETWEEN', 'IN', 'LIKE', 'MATCH', 'REGEXP', 'RLIKE'}")

    def value(self) -> None:
        """``valueExpression``: operands joined by arithmetic, bit and comparison operators."""
        self._unary()
        while (self.tok.kind == OP and self.tok.value in _BINARY_OPS) or self.tok.is_kw(*_BINARY_WORDS):
            self.advance()
            self._unary()

    def _unary(self) -> None:
        while self.tok.is_op("-", "+", "~"):
            self.advance()
        self.primary()

    # -- primaryExpression -------------------------------------------------------------------
    def primary(self) -> None:
        start = self.pos
        token = self.tok
        if token.kind in (STRING, NUMBER) or token.is_kw("NULL", "TRUE", "FALSE") or token.is_op("?"):
            self.advance()
        elif (token.is_kw("BINARY") and self.peek().kind == STRING) or (
            token.is_kw("DATE", "DATEV1", "DATEV2", "TIMESTAMP") and self.peek().kind == STRING
        ):
            self.advance()
            self.advance()
        elif token.is_kw("CASE"):
            self._case()
        elif token.is_kw("CAST") and self.peek().is_op("("):
            self.advance()
            self.advance()
            self.expression()
            self.expect_kw("AS")
            self.data_type()
            self.expect_op(")")
        elif token.is_kw("INTERVAL"):
            self.advance()
            self.expression()
            if not self.accept_kw(*_UNITS):
                raise self.error(expecting_set(_UNITS))
        elif token.is_kw("EXTRACT") and self.peek().is_op("("):
            self.advance()
            self.advance()
            self.identifier()
            self.expect_kw("FROM")
            self.accept_kw("DATE", "TIMESTAMP")
            self.value()
            self.expect_op(")")
        elif token.is_kw("KEY"):
            self.advance()
            self.identifier()
            if self.accept_op("."):
                self.identifier()
        elif token.is_op("*"):
            self.advance()
            self._except_or_replace()
        elif token.is_kw("CONVERT") and self.peek().is_op("("):
            self.advance()
            self.advance()
            self.expression()
            if self.accept_kw("USING"):
                self.advance()
            else:
                self.expect_op(",")
                self.data_type()
            self.expect_op(")")
        elif token.is_op("["):
            self._collection("]")
        elif token.is_op("{"):
            self._collection("}")
        elif token.is_op("("):
            if self._starts_query(self.pos + 1):
                self._subquery()
            else:
                self.advance()
                self.expression()
                self.expect_op(")")
        elif token.is_op("@"):
            self._variable()
        elif token.kind == IDENT and token.value.upper() in _FUNCTION_KEYWORDS and self.peek().is_op("("):
            self.advance()
            self._call_arguments()
        elif self.is_identifier():
            self._reference()
        else:
            raise self.error(_EXPR_EXPECTING if start == self.pos else None)
        self._postfix()

    def _reference(self) -> None:
        """A column (``db.t.c``, ``t.*``), a function call, or a no-argument keyword."""
        self.advance()
        if self.tok.is_op("("):
            self._call_arguments()
            return
        while self.tok.is_op(".") and (self.is_identifier(self.peek()) or self.peek().is_op("*")):
            self.advance()
            if self.accept_op("*"):
                self._except_or_replace()
                return
            self.advance()
            if self.tok.is_op("("):
                self._call_arguments()
                return

    def _except_or_replace(self) -> None:
        """``* EXCEPT (a, b)`` / ``* REPLACE (expr AS a)`` after a star."""
        while self.tok.is_kw("EXCEPT", "REPLACE") and self.peek().is_op("("):
            self.advance()
            self.advance()
            while True:
                self.expression()
                if self.accept_kw("AS"):
                    self.identifier()
                if not self.accept_op(","):
                    break
            self.expect_op(")")

    def _call_arguments(self) -> None:
        """``( [DISTINCT|ALL] expr, ... [ORDER BY sortItem, ...] ) [OVER windowSpec]``."""
        self.expect_op("(")
        if not self.tok.is_op(")"):
            self.accept_kw("DISTINCT", "ALL")
            self.expression_list()
            if self.accept_kw("ORDER"):
                self.expect_kw("BY")
                self.sort_items()
            if self.accept_kw("USING"):  # CHAR(... USING charset) / CONVERT(x USING charset)
                self.advance()
        self.expect_op(")")
        if self.accept_kw("OVER"):
            self._window()

    def _window(self) -> None:
        self.expect_op("(")
        if self.accept_kw("PARTITION"):
            self.expect_kw("BY")
            self.expression_list()
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            self.sort_items()
        if self.accept_kw("ROWS", "RANGE"):
            if self.accept_kw("BETWEEN"):
                self._frame_bound()
                self.expect_kw("AND")
            self._frame_bound()
        self.expect_op(")")

    def _frame_bound(self) -> None:
        if self.accept_kw("UNBOUNDED"):
            if not self.accept_kw("PRECEDING", "FOLLOWING"):
                raise self.error("{'FOLLOWING', 'PRECEDING'}")
        elif self.accept_kw("CURRENT"):
            self.expect_kw("ROW")
        else:
            self.expression()
            if not self.accept_kw("PRECEDING", "FOLLOWING"):
                raise self.error("{'FOLLOWING', 'PRECEDING'}")

    def expression_list(self) -> None:
        """``expression (, expression)*``."""
        self.expression()
        while self.accept_op(","):
            self.expression()

    def sort_items(self) -> None:
        """``sortItem (, sortItem)*``: ``expression [ASC|DESC] [NULLS FIRST|LAST]``."""
        while True:
            self.expression()
            self.accept_kw("ASC", "DESC")
            if self.accept_kw("NULLS") and not self.accept_kw("FIRST", "LAST"):
                raise self.error("{'FIRST', 'LAST'}")
            if not self.accept_op(","):
                return

    def _case(self) -> None:
        self.advance()
        if not self.tok.is_kw("WHEN"):
            self.expression()
        if not self.tok.is_kw("WHEN"):
            raise self.error("'WHEN'")
        while self.accept_kw("WHEN"):
            self.expression()
            self.expect_kw("THEN")
            self.expression()
        if self.accept_kw("ELSE"):
            self.expression()
        self.expect_kw("END")

    def _collection(self, close: str) -> None:
        self.advance()
        if self.accept_op(close):
            return
        while True:
            self.expression()
            if close == "}" and self.accept_op(":"):
                self.expression()
            if self.accept_op(close):
                return
            if not self.accept_op(","):
                raise self.error(f"{{'{close}', ','}}")

    def _variable(self) -> None:
        self.advance()
        if self.tok.is_op("@") and self.tok.start == self.tokens[self.pos - 1].end:
            self.advance()
            if self.tok.is_kw("GLOBAL", "SESSION") and self.peek().is_op("."):
                self.advance()
                self.advance()
            self.identifier()
            return
        if self.tok.kind == STRING:
            self.advance()
            return
        self.identifier()

    def _postfix(self) -> None:
        while True:
            if self.tok.is_op("["):
                self.advance()
                self.value()
                if self.accept_op(":") and not self.tok.is_op("]"):
                    self.value()
                self.expect_op("]")
            elif (self.tok.is_op(".") and self.is_identifier(self.peek())) or self.tok.is_kw("COLLATE"):
                self.advance()
                self.advance()
            else:
                return

    def data_type(self) -> None:
        """A cast's type: a type name with ``(n, m)`` or ``<...>`` arguments, or SIGNED/UNSIGNED."""
        if self.tok.kind != IDENT:
            raise self.error("{'ARRAY', 'MAP', 'STRUCT', 'INT', 'BIGINT', 'VARCHAR', 'DECIMAL', 'DATE', ...}")
        name = self.advance().value.upper()
        if name in ("SIGNED", "UNSIGNED"):
            self.accept_kw("INT", "INTEGER")
            return
        if self.tok.is_op("<"):
            self.advance()
            depth = 1
            while depth:
                if self.tok.kind == EOF:
                    raise self.error("'>'")
                if self.tok.is_op("<"):
                    depth += 1
                elif self.tok.is_op(">"):
                    depth -= 1
                elif self.tok.is_op(">="):  # no such token inside a type
                    raise self.error("'>'")
                self.advance()
        elif self.tok.is_op("("):
            self.advance()
            if not (self.tok.kind == NUMBER or self.tok.is_op("*")):
                raise self.error("INTEGER_VALUE")
            self.advance()
            while self.accept_op(","):
                if self.tok.kind != NUMBER:
                    raise self.error("INTEGER_VALUE")
                self.advance()
            self.expect_op(")")

    # -- subqueries --------------------------------------------------------------------------
    def _starts_query(self, k: int) -> bool:
        while self.tokens[k].is_op("("):
            k += 1
        return self.tokens[k].is_kw("SELECT", "WITH", "VALUES")

    def _subquery(self) -> None:
        from airflow_provider_doris_oss.testing.doris_fe.query_check import QueryChecker

        self.expect_op("(")
        checker = QueryChecker(self.sql, self.tokens, self.pos)
        checker.query()
        self.pos = checker.pos
        self.expect_op(")")



def parse_expression(sql: str, tokens: list[Token], pos: int, boolean: bool = False) -> int:
    """Check the expression that starts at token ``pos``; return the index of the token after it.

    ``boolean`` parses a ``booleanExpression`` (a WHERE clause) instead of an ``expression``.
    """
    parser = ExpressionParser(sql, tokens, pos)
    if boolean:
        parser.boolean()
    else:
        parser.expression()
    return parser.pos
