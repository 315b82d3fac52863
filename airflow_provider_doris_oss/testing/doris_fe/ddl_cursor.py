"""The token cursor shared by the parsers of CREATE TABLE and of INSERT's head."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import EOF, NUMBER
from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser


class DdlCursor(Parser):
    """The token cursor of the CREATE TABLE and INSERT-head parsers: ``parser_base.Parser`` (names
    are identifiers by Doris's keyword table: a reserved word must be backticked) and DDL's extras."""

    def qualified(self) -> tuple[str | None, str]:
        first = self.identifier()
        if self.accept_op("."):
            return first, self.identifier()
        return None, first

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
