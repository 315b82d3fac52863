"""A small Doris/MySQL lexer: enough to find keywords outside strings, identifiers and comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from airflow_provider_doris_oss.sql.errors import DorisSqlError

TokenKind = Literal["word", "string", "identifier", "number", "punct"]


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind, its text as written, and its offset in the source."""

    kind: TokenKind
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(text: str, *, field: str = "sql") -> list[Token]:
    """Tokens of ``text`` without whitespace and comments; unterminated strings or comments raise."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise DorisSqlError(f"{field}: a /* comment starting at offset {i} is never closed.")
            i = end + 2
        elif c in "'\"":
            end = _string_end(text, i, c, raw=False, field=field)
            tokens.append(Token("string", text[i:end], i))
            i = end
        elif c in "rR" and i + 1 < n and text[i + 1] in "'\"":
            end = _string_end(text, i + 1, text[i + 1], raw=True, field=field)
            tokens.append(Token("string", text[i:end], i))
            i = end
        elif c == "`":
            j = i + 1
            while True:
                k = text.find("`", j)
                if k < 0:
                    raise DorisSqlError(f"{field}: a backticked name at offset {i} is never closed.")
                if text.startswith("``", k):
                    j = k + 2
                    continue
                break
            tokens.append(Token("identifier", text[i : k + 1], i))
            i = k + 1
        elif c.isdigit():
            j = i
            while j < n and (text[j].isalnum() or text[j] in "._"):
                j += 1
            tokens.append(Token("number", text[i:j], i))
            i = j
        elif c.isalpha() or c in "_$" or ord(c) > 127:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_$" or ord(text[j]) > 127):
                j += 1
            tokens.append(Token("word", text[i:j], i))
            i = j
        else:
            tokens.append(Token("punct", c, i))
            i += 1
    return tokens


def check_expression(text: str, *, field: str) -> str:
    """Pass a user-written SQL expression through, refusing text that could end the statement early."""
    if not isinstance(text, str) or not text.strip():
        raise DorisSqlError(
            f"{field}: the expression is empty; give SQL text such as k1 > 0, or leave it out."
        )
    depth = 0
    for token in tokenize(text, field=field):
        if token.text == ";":
            raise DorisSqlError(f"{field}: {text!r} contains ';'. Give one expression, not statements.")
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth < 0:
                raise DorisSqlError(f"{field}: {text!r} closes a parenthesis it never opened.")
    if depth:
        raise DorisSqlError(f"{field}: {text!r} leaves a parenthesis open.")
    return text.strip()


def _string_end(text: str, start: int, quote: str, *, raw: bool, field: str) -> int:
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and not raw:
            i += 2
            continue
        if c == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise DorisSqlError(f"{field}: a string literal starting at offset {start} is never closed.")
