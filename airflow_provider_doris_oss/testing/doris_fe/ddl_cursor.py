"""The token cursor shared by the parsers of CREATE TABLE and of INSERT's head."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    QIDENT,
    STRING,
    Token,
    syntax_error,
    tokenize,
)
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError


class DdlCursor:
    """The token cursor of the CREATE TABLE and INSERT-head parsers."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def error(self, expecting: str | None = None) -> DorisError:
        return syntax_error(self.sql, self.tok, expecting)

    def accept_kw(self, *words: str) -> bool:
        if self.tok.is_kw(*words):
            self.pos += 1
            return True
        return False

    def expect_kw(self, word: str) -> None:
        if not self.accept_kw(word):
            raise self.error(f"'{word}'")

    def accept_op(self, op: str) -> bool:
        if self.tok.is_op(op):
            self.pos += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"'{op}'")

    def ident(self) -> str:
        if self.tok.kind in (IDENT, QIDENT):
            return self.advance().value
        raise self.error("{IDENTIFIER, BACKQUOTED_IDENTIFIER}")

    def string(self) -> str:
        if self.tok.kind != STRING:
            raise self.error("STRING_LITERAL")
        return self.advance().value

    def qualified(self) -> tuple[str | None, str]:
        first = self.ident()
        if self.accept_op("."):
            return first, self.ident()
        return None, first

    def ident_list(self) -> list[str]:
        self.expect_op("(")
        names = [self.ident()]
        while self.accept_op(","):
            names.append(self.ident())
        self.expect_op(")")
        return names

    def skip_parens(self) -> None:
        """Skip one balanced ``( ... )`` group."""
        self.expect_op("(")
        depth = 1
        while depth:
            token = self.advance()
            if token.kind == EOF:
                raise self.error("')'")
            if token.is_op("("):
                depth += 1
            elif token.is_op(")"):
                depth -= 1

    def end(self) -> None:
        self.accept_op(";")
        if self.tok.kind != EOF:
            raise self.error("<EOF>")

    def number(self) -> int:
        if self.tok.kind != NUMBER or not self.tok.value.isdigit():
            raise self.error("INTEGER_VALUE")
        return int(self.advance().value)

    def properties(self) -> dict[str, str]:
        self.expect_op("(")
        props: dict[str, str] = {}
        while True:
            key = self.string()
            self.expect_op("=")
            props[key] = self.string()
            if not self.accept_op(","):
                break
        self.expect_op(")")
        return props
