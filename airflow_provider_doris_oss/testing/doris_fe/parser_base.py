"""The token cursor of the local FE's strict recursive-descent parser, with Doris-style syntax errors.

Written from Doris's Nereids grammar as the reference describes it: clause order, keywords,
quoting and property lists. Anything out of shape raises a Doris-style syntax error.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    OP,
    QIDENT,
    STRING,
    Token,
    syntax_error,
    tokenize,
)

# Doris keywords outside the Nereids grammar's nonReserved list: unquoted, they are not identifiers.
RESERVED = frozenset(
    [
        "ALL",
        "ALTER",
        "AND",
        "AS",
        "ASC",
        "BETWEEN",
        "BY",
        "CANCEL",
        "CASE",
        "CAST",
        "CREATE",
        "CROSS",
        "DELETE",
        "DESC",
        "DISTINCT",
        "DROP",
        "ELSE",
        "EXISTS",
        "EXPORT",
        "FALSE",
        "FOR",
        "FROM",
        "FULL",
        "GROUP",
        "HAVING",
        "IN",
        "INFILE",
        "INNER",
        "INSERT",
        "INTO",
        "IS",
        "JOIN",
        "KEY",
        "LEFT",
        "LIKE",
        "LIMIT",
        "LOAD",
        "NOT",
        "NULL",
        "ON",
        "OR",
        "ORDER",
        "OUTER",
        "OUTFILE",
        "PARTITION",
        "RIGHT",
        "SELECT",
        "SET",
        "SHOW",
        "TABLE",
        "THEN",
        "TO",
        "TRUE",
        "UNION",
        "UPDATE",
        "USE",
        "VALUES",
        "WHEN",
        "WHERE",
        "WITH",
    ]
)


class Parser:
    """A cursor over the tokens of one statement with Doris-style syntax errors."""

    def __init__(self, sql: str, tokens: list[Token] | None = None) -> None:
        self.sql = sql
        self.tokens = tokens if tokens is not None else tokenize(sql)
        self.pos = 0

    # -- cursor helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def error(self, expecting: str | None = None) -> Exception:
        return syntax_error(self.sql, self.tok, expecting)

    def accept_kw(self, *words: str) -> bool:
        if self.tok.is_kw(*words):
            self.advance()
            return True
        return False

    def expect_kw(self, *words: str) -> str:
        if not self.tok.is_kw(*words):
            raise self.error(" ".join(f"'{w}'" for w in words) if len(words) == 1 else _set(words))
        return self.advance().value.upper()

    def accept_op(self, op: str) -> bool:
        if self.tok.is_op(op):
            self.advance()
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"'{op}'")

    def string(self) -> str:
        if self.tok.kind != STRING:
            raise self.error("STRING_LITERAL")
        return self.advance().value

    def identifier(self) -> str:
        token = self.tok
        if token.kind == QIDENT or (token.kind == IDENT and token.value.upper() not in RESERVED):
            self.advance()
            return token.value
        raise self.error("{IDENTIFIER, BACKQUOTED_IDENTIFIER}")

    def multipart(self) -> list[str]:
        parts = [self.identifier()]
        while self.tok.is_op("."):
            self.advance()
            parts.append(self.identifier())
        return parts

    def identifier_list(self) -> list[str]:
        self.expect_op("(")
        names = [self.identifier()]
        while self.accept_op(","):
            names.append(self.identifier())
        self.expect_op(")")
        return names

    def property_list(self) -> dict[str, str]:
        """``( "k" = "v", ... )``: keys and values as string literals or identifiers."""
        self.expect_op("(")
        props: dict[str, str] = {}
        if self.tok.is_op(")"):
            self.advance()
            return props
        while True:
            key = self._property_atom()
            self.expect_op("=")
            props[key] = self._property_atom()
            if self.accept_op(")"):
                return props
            if not self.accept_op(","):
                raise self.error("{')', ','}")

    def _property_atom(self) -> str:
        token = self.tok
        if token.kind in (STRING, QIDENT, NUMBER) or (token.kind == IDENT):
            self.advance()
            return token.value
        raise self.error("STRING_LITERAL")

    def end(self) -> None:
        self.accept_op(";")
        if self.tok.kind != EOF:
            raise self.error("<EOF>")

    def capture_expr(self, stops: tuple[str, ...], stop_ops: tuple[str, ...] = ()) -> str:
        """The source text of an expression, up to a stop keyword or operator at depth 0."""
        start = self.tok.start
        depth = 0
        first = self.pos
        while True:
            token = self.tok
            if token.kind == EOF:
                break
            if depth == 0 and (token.is_kw(*stops) or (token.kind == OP and token.value in stop_ops)):
                break
            if token.is_op("("):
                depth += 1
            elif token.is_op(")"):
                if depth == 0:
                    break
                depth -= 1
            self.advance()
        if self.pos == first:
            raise self.error("expression")
        return self.sql[start : self.tokens[self.pos - 1].end]


def _set(words: tuple[str, ...]) -> str:
    return "{" + ", ".join(f"'{w}'" for w in words) + "}"
