"""The token cursor of the local FE's strict recursive-descent parser, with Doris-style syntax errors.

Written from Doris's Nereids grammar as the reference describes it: clause order, keywords,
quoting and property lists. Anything out of shape raises a Doris-style syntax error.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.expressions import parse_expression
from airflow_provider_doris_oss.testing.doris_fe.keywords import RESERVED
from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    NUMBER,
    QIDENT,
    STRING,
    Token,
    TokenCursor,
    expecting_set,
    tokenize,
)
from airflow_provider_doris_oss.testing.doris_fe.releases import NEREIDS_GRAMMAR, Grammar


class Parser(TokenCursor):
    """A cursor over the tokens of one statement with Doris-style syntax errors."""

    def __init__(
        self, sql: str, tokens: list[Token] | None = None, grammar: Grammar = NEREIDS_GRAMMAR
    ) -> None:
        super().__init__(sql, tokens if tokens is not None else tokenize(sql))
        self.grammar = grammar  # the release's grammar switches (releases.Grammar)

    def expect_kw(self, *words: str) -> str:
        if not self.tok.is_kw(*words):
            raise self.error(" ".join(f"'{w}'" for w in words) if len(words) == 1 else expecting_set(words))
        return self.advance().value.upper()

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

    def partition_spec(self) -> tuple[bool, list[str]]:
        """``partitionSpec``: ``[TEMPORARY] {PARTITION | PARTITIONS} (p1, ...)``, ``[TEMPORARY]
        PARTITION p1``, or ``{PARTITION | PARTITIONS} (*)``; whether temporary, and the names
        (``["*"]`` for the partitions the rows fall in).
        """
        temporary = self.accept_kw("TEMPORARY")
        word = self.expect_kw("PARTITION", "PARTITIONS")
        if self.tok.is_op("(") and self.peek().is_op("*") and not temporary:
            self.advance()
            self.advance()
            self.expect_op(")")
            return False, ["*"]
        if word == "PARTITION" and not self.tok.is_op("("):
            return temporary, [self.identifier()]
        return temporary, self.identifier_list()

    def property_list(self, allow_empty: bool = False) -> dict[str, str]:
        """``( "k" = "v", ... )``: keys and values as constants or identifiers (``propertyItemList``).

        The list holds at least one item, except where Doris's grammar makes it optional inside
        its parentheses (``allow_empty``: a table function's ``s3()``).
        """
        self.expect_op("(")
        props: dict[str, str] = {}
        if self.tok.is_op(")"):
            if not allow_empty:
                raise self.error("{STRING_LITERAL, IDENTIFIER, BACKQUOTED_IDENTIFIER}")
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
        """``propertyKey``/``propertyValue``: an identifier (not a reserved word) or a constant."""
        token = self.tok
        if token.kind in (STRING, QIDENT, NUMBER) or (
            token.kind == IDENT
            and (token.value.upper() not in RESERVED or token.is_kw("TRUE", "FALSE", "NULL"))
        ):
            self.advance()
            return token.value
        raise self.error("{STRING_LITERAL, IDENTIFIER, BACKQUOTED_IDENTIFIER}")

    def end(self) -> None:
        self.accept_op(";")
        if self.tok.kind != EOF:
            raise self.error("<EOF>")

    def expression_text(self, boolean: bool = False) -> str:
        """Check the expression at the cursor by Doris's ``expression`` rules; its source text.

        ``boolean`` reads a ``booleanExpression`` (WHERE) instead. A token that cannot continue
        the expression ends it: the caller then meets it where a clause belongs.
        """
        first = self.pos
        self.pos = parse_expression(self.sql, self.tokens, self.pos, boolean)
        return self.sql[self.tokens[first].start : self.tokens[self.pos - 1].end]

