"""Doris's lexer, in Python: where strings, names, comments and statements begin and end.

The rules follow ``DorisLexer.g4`` (the Nereids parser) and, for releases that fall back to it,
the legacy ``sql_scanner.flex``:

- whitespace is space, tab, CR and LF only; any other character Doris does not read
  (``#``, control characters) is an unrecognised token, so the query fails to parse;
- ``-- ...`` runs to CR or LF, and a backslash right before a LF continues it (Nereids);
  ``#`` starts no comment;
- ``/* ... */`` comments nest (Nereids); ``/*+ ... */`` is a hint, read as a comment by
  current releases and as tokens by 2.1-3.0;
- strings take ``'`` or ``"``, a backslash escapes the next character, a doubled quote
  stands for itself; ``R'...'`` is raw; a backticked name doubles an inner backtick.

``DIALECTS`` holds every reading the supported releases use; ``sql.text_checks`` refuses text
that is more than one statement, or less than whole tokens, under any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TokenKind = Literal[
    "word",  # unquoted identifier or keyword
    "number",
    "string",
    "identifier",  # backticked name
    "punct",  # an operator character, a hint's start ("/*+", "-- +") or end ("*/", a line end)
    "comment",
    "unclosed",  # a string, name or /* comment the text never closes
    "unrecognized",  # a character no token rule reads
]


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind, its text as written, and its offset in the source."""

    kind: TokenKind
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def upper(self) -> str:
        return self.text.upper()


@dataclass(frozen=True)
class Dialect:
    """One reading of Doris SQL text (the rules differ between releases and parsers).

    ``legacy`` is the pre-Nereids scanner that Doris 2.x falls back to: flat ``/* */``
    comments, no backslash-newline in ``--`` comments, no raw strings, form feed as
    whitespace, and ``/* +``/``-- +`` hints read as tokens. ``hint_is_comment`` reads a hint
    as one comment (Nereids 3.1+) rather than as tokens between ``/*+`` and ``*/``.
    """

    name: str
    legacy: bool
    hint_is_comment: bool

    @property
    def whitespace(self) -> str:
        return " \t\r\n\f" if self.legacy else " \t\r\n"


NEREIDS = Dialect("Nereids lexer (3.1+)", legacy=False, hint_is_comment=True)
NEREIDS_HINT_TOKENS = Dialect("Nereids lexer (2.1-3.0)", legacy=False, hint_is_comment=False)
LEGACY = Dialect("legacy scanner", legacy=True, hint_is_comment=False)
LEGACY_FLAT = Dialect("legacy scanner (multi-line hints as comments)", legacy=True, hint_is_comment=True)
DIALECTS = (NEREIDS, NEREIDS_HINT_TOKENS, LEGACY, LEGACY_FLAT)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "0": "\0", "Z": "\x1a"}


def _is_word_char(c: str) -> bool:
    return not c.isascii() or c.isalnum() or c in "_$"


def lex(text: str, dialect: Dialect = NEREIDS) -> list[Token]:
    """Every token of ``text`` (comments included, whitespace left out); never raises.

    Text Doris cannot read comes back as ``unclosed`` or ``unrecognized`` tokens.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    line_hint = False
    while i < n:
        c = text[i]
        if c in dialect.whitespace:
            if line_hint and c in "\r\n":
                tokens.append(Token("punct", c, i))  # the line end that ends a "-- +" hint
                line_hint = False
            i += 1
            continue
        start = i
        if text.startswith("--", i):
            j = i + 2
            while j < n and text[j] == " ":
                j += 1
            if dialect.legacy and not dialect.hint_is_comment and j < n and text[j] == "+":
                tokens.append(Token("punct", text[i : j + 1], i))  # "-- +": a hint to the line's end
                line_hint = True
                i = j + 1
                continue
            i = _line_comment_end(text, i, dialect)
            tokens.append(Token("comment", text[start:i], start))
        elif text.startswith("/*", i) and not _opens_hint(text, i, dialect):
            end = _bracketed_comment_end(text, i, dialect)
            if end < 0:
                tokens.append(Token("unclosed", text[start:], start))
                return tokens
            i = end
            tokens.append(Token("comment", text[start:i], start))
        elif text.startswith("/*", i):
            j = i + 2
            while j < n and text[j] == " ":
                j += 1
            tokens.append(Token("punct", text[i : j + 1], start))
            i = j + 1
        elif text.startswith("*/", i):
            tokens.append(Token("punct", "*/", start))
            i += 2
        elif c in "'\"" or (not dialect.legacy and c in "rR" and i + 1 < n and text[i + 1] in "'\""):
            end = _string_end(text, i)
            if end < 0:
                tokens.append(Token("unclosed", text[start:], start))
                return tokens
            tokens.append(Token("string", text[start:end], start))
            i = end
        elif c == "`":
            end = _backticked_end(text, i)
            if end < 0:
                tokens.append(Token("unclosed", text[start:], start))
                return tokens
            tokens.append(Token("identifier", text[start:end], start))
            i = end
        elif _is_word_char(c) or (c == "." and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit()):
            i = _word_end(text, i)
            kind: TokenKind = "number" if _is_number(text[start:i]) else "word"
            tokens.append(Token(kind, text[start:i], start))
        elif c.isascii() and (c.isprintable() and c not in "#\\"):
            tokens.append(Token("punct", c, start))
            i += 1
        else:
            tokens.append(Token("unrecognized", c, start))
            i += 1
    return tokens


def _opens_hint(text: str, i: int, dialect: Dialect) -> bool:
    """Whether the ``/*`` at ``i`` starts hint tokens (``/*+``; the legacy scanner allows spaces)."""
    if dialect.hint_is_comment:
        return False
    j = i + 2
    if dialect.legacy:  # "/*" " "* "+"
        while j < len(text) and text[j] == " ":
            j += 1
    return j < len(text) and text[j] == "+"


def _line_comment_end(text: str, i: int, dialect: Dialect) -> int:
    """The end of the ``--`` comment at ``i``: after its CR/LF, or the end of the text."""
    j, n = i + 2, len(text)
    while j < n:
        c = text[j]
        if c == "\\" and not dialect.legacy and text.startswith("\n", j + 1):
            j += 2
        elif c == "\r":
            return j + 2 if text.startswith("\n", j + 1) else j + 1
        elif c == "\n":
            return j + 1
        else:
            j += 1
    return n


def _bracketed_comment_end(text: str, i: int, dialect: Dialect) -> int:
    """The end of the ``/*`` comment at ``i`` (nested ones counted when the dialect nests), or -1."""
    depth, j, n = 1, i + 2, len(text)
    while j < n:
        if text.startswith("*/", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
        elif not dialect.legacy and text.startswith("/*", j) and not _opens_hint(text, j, dialect):
            depth += 1
            j += 2
        else:
            j += 1
    return -1


def _string_end(text: str, i: int) -> int:
    """The end of the string literal at ``i`` (raw when it starts with R), or -1 when unclosed."""
    raw = text[i] in "rR"
    quote_at = i + 1 if raw else i
    quote = text[quote_at]
    j, n = quote_at + 1, len(text)
    if raw:
        end = text.find(quote, j)
        return -1 if end < 0 else end + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            if text.startswith(quote, j + 1):
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return -1


def _backticked_end(text: str, i: int) -> int:
    j = i + 1
    while True:
        k = text.find("`", j)
        if k < 0:
            return -1
        if text.startswith("``", k):
            j = k + 2
            continue
        return k + 1


def _word_end(text: str, i: int) -> int:
    """The end of the identifier or number at ``i``; a decimal takes its ``.``, digits and exponent.

    As in ``isValidDecimal``, a decimal followed by a letter, digit or ``_`` is not one: ``2.x``
    is ``2``, ``.``, ``x``.
    """
    n = len(text)
    j = _run(text, i)
    if (_digits(text[i:j]) or j == i) and j < n and text[j] == ".":
        k = _digit_run(text, j + 1)
        if k < n and text[k] in "eE":
            sign = k + 1 < n and text[k + 1] in "+-"
            first = k + 2 if sign else k + 1
            if first < n and _digits(text[first]):
                k = _digit_run(text, first)
        if j == i or not (k < n and _is_word_char(text[k])):
            j = k
    signed = j + 1 < n and text[j] in "+-" and text[j - 1] in "eE" and _digits(text[j + 1])
    if signed and _digits(text[i : j - 1]):
        j = _digit_run(text, j + 1)
    return j


def _digit_run(text: str, j: int) -> int:
    while j < len(text) and text[j] in "0123456789":
        j += 1
    return j


def _run(text: str, j: int) -> int:
    while j < len(text) and _is_word_char(text[j]):
        j += 1
    return j


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _is_number(text: str) -> bool:
    body = text.upper()
    for suffix in ("BD", "L", "S", "Y"):
        if body.endswith(suffix) and body[: -len(suffix)].isdigit():
            return True
    if not body or not (body[0].isdigit() or body[0] == "."):
        return False
    try:
        float(body)
    except ValueError:
        return False
    return all(c.isascii() for c in body) and "_" not in body


# ------------------------------------------------------------------ decoding


def string_value(token_text: str) -> str:
    """The value of a string literal as Doris decodes it (escapes, doubled quotes, raw strings)."""
    if token_text[0] in "rR":
        return token_text[2:-1]
    quote = token_text[0]
    body = token_text[1:-1]
    out: list[str] = []
    j, n = 0, len(body)
    while j < n:
        c = body[j]
        if c == "\\" and j + 1 < n:
            nxt = body[j + 1]
            out.append("\\" + nxt if nxt in "%_" else _ESCAPES.get(nxt, nxt))
            j += 2
        elif c == quote and body.startswith(quote, j + 1):
            out.append(quote)
            j += 2
        else:
            out.append(c)
            j += 1
    return "".join(out)


def identifier_value(token_text: str) -> str:
    """The name a backticked identifier stands for (doubled backticks undone)."""
    return token_text[1:-1].replace("``", "`")
