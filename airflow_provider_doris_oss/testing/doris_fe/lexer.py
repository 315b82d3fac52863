"""Tokens for the Doris statements the emulator parses itself: strings, identifiers, operators.

The lexing is the package's (``airflow_provider_doris_oss.sql.tokenizer``), which follows
Doris's ``DorisLexer.g4``: nested ``/* */`` comments, ``--`` comments ended by CR or LF (and
continued by a backslash-newline), no ``#`` comments, strings with backslash escapes and doubled
quotes, ``R'...'`` raw strings, backticked names with doubled backticks.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_doris_oss.sql.tokenizer import NEREIDS, identifier_value, lex, string_value
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

IDENT = "IDENT"
QIDENT = "QIDENT"
STRING = "STRING"
NUMBER = "NUMBER"
OP = "OP"
EOF = "EOF"

_OPS = ("<=>", "<=", ">=", "!=", "<>", "||", "&&", "->", ":=")


@dataclass(frozen=True)
class Token:
    """One token: its kind, its value (decoded for strings and quoted names), its place."""

    kind: str
    value: str
    start: int
    end: int
    line: int
    column: int

    def is_kw(self, *words: str) -> bool:
        """Whether this is an unquoted word equal (case-insensitively) to one of ``words``."""
        return self.kind == IDENT and self.value.upper() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == OP and self.value in ops

    def display(self) -> str:
        return "<EOF>" if self.kind == EOF else self.value


def syntax_error(
    sql: str, token: Token, expecting: str | None = None, start: Token | None = None
) -> DorisError:
    """A syntax error in the form the Nereids parser reports it, at ``token``.

    With ``expecting``, ANTLR's "mismatched input"; without, its "no viable alternative", whose
    text runs from ``start`` (the token where the alternatives began) to ``token``.
    """
    if expecting:
        detail = f"mismatched input '{_raw(sql, token)}' expecting {expecting}"
    else:
        shown = (
            _raw(sql, token) if start is None or start.start >= token.start else sql[start.start : token.end]
        )
        detail = f"no viable alternative at input '{shown}'"
    return DorisError(
        f"errCode = 2, detailMessage = \n{detail}(line {token.line}, pos {token.column})", 1105, "42000"
    )


def _raw(sql: str, token: Token) -> str:
    return "<EOF>" if token.kind == EOF else sql[token.start : token.end]


def _position(sql: str, offset: int) -> tuple[int, int]:
    line = sql.count("\n", 0, offset) + 1
    column = offset - (sql.rfind("\n", 0, offset) + 1)
    return line, column


def _lex_error(sql: str, offset: int, text: str) -> DorisError:
    line, column = _position(sql, offset)
    return DorisError(f"errCode = 2, detailMessage = \n{text}(line {line}, pos {column})", 1105, "42000")


def tokenize(sql: str) -> list[Token]:
    """Split ``sql`` into tokens, ending with an EOF token; raise a Doris syntax error when unreadable.

    The package's lexer (``sql.tokenizer``, Doris's Nereids rules) finds where every token,
    string, name and comment begins and ends; here strings and names are decoded and
    operators of two or three characters joined.
    """
    tokens: list[Token] = []
    raw = [t for t in lex(sql, NEREIDS) if t.kind != "comment"]
    k = 0
    while k < len(raw):
        token = raw[k]
        k += 1
        line, column = _position(sql, token.start)
        if token.kind in ("unclosed", "unrecognized"):
            if token.text.startswith("/*"):
                raise _lex_error(sql, token.start, "extraneous input '/*' expecting <EOF>")
            shown = token.text if token.kind == "unclosed" else token.text[0]
            raise _lex_error(sql, token.start, f"token recognition error at: '{shown}'")
        if token.kind == "string":
            value = string_value(token.text)
            tokens.append(Token(STRING, value, token.start, token.end, line, column))
        elif token.kind == "identifier":
            tokens.append(Token(QIDENT, identifier_value(token.text), token.start, token.end, line, column))
        elif token.kind == "number":
            tokens.append(Token(NUMBER, token.text, token.start, token.end, line, column))
        elif token.kind == "word":
            tokens.append(Token(IDENT, token.text, token.start, token.end, line, column))
        else:
            op = next((o for o in _OPS if sql.startswith(o, token.start)), token.text)
            end = token.start + len(op)
            while k < len(raw) and raw[k].start < end:
                k += 1
            tokens.append(Token(OP, op, token.start, end, line, column))
    line, column = _position(sql, len(sql))
    tokens.append(Token(EOF, "", len(sql), len(sql), line, column))
    return tokens


def quote_identifier(name: str) -> str:
    """A backticked identifier, inner backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def expecting_set(words: tuple[str, ...]) -> str:
    """Doris's ``expecting {'A', 'B'}`` list for a syntax error."""
    return "{" + ", ".join(f"'{w}'" for w in words) + "}"


class TokenCursor:
    """A position in one statement's tokens, the moves both of the local FE's parsers share.

    ``error`` is Doris's syntax error at the current token; the expression parser's also takes
    where the expression began.
    """

    def __init__(self, sql: str, tokens: list[Token], pos: int = 0) -> None:
        self.sql = sql
        self.tokens = tokens
        self.pos = pos

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

    def accept_op(self, *ops: str) -> bool:
        if self.tok.is_op(*ops):
            self.advance()
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"'{op}'")
