"""A lexer for the Doris statements the emulator parses itself: strings, identifiers, operators.

String literals follow Doris (MySQL) rules: single or double quotes, backslash escapes, a doubled
quote, and ``R'...'`` raw strings. Backticked identifiers double an inner backtick.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

IDENT = "IDENT"
QIDENT = "QIDENT"
STRING = "STRING"
NUMBER = "NUMBER"
OP = "OP"
EOF = "EOF"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "0": "\0", "Z": "\x1a"}
_OPS = ("<=>", "<=", ">=", "!=", "<>", "||", "&&", "->", ":=")
_SINGLE_OPS = "(),.;=<>+-*/%!~^&|[]{}:?@"


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


def syntax_error(sql: str, token: Token, expecting: str | None = None) -> DorisError:
    """A syntax error in the form the Nereids parser reports it."""
    if expecting:
        detail = f"mismatched input '{_raw(sql, token)}' expecting {expecting}"
    else:
        detail = f"no viable alternative at input '{_raw(sql, token)}'"
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
    """Split ``sql`` into tokens, ending with an EOF token; raise a Doris syntax error when unreadable."""
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
            continue
        if sql.startswith("--", i) or ch == "#":
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise _lex_error(sql, i, "extraneous input '/*' expecting <EOF>")
            i = end + 2
            continue
        start = i
        line, column = _position(sql, start)
        if ch in "rR" and i + 1 < n and sql[i + 1] in "'\"":
            quote = sql[i + 1]
            end = sql.find(quote, i + 2)
            if end < 0:
                raise _lex_error(sql, start, "token recognition error at: '" + sql[start:] + "'")
            tokens.append(Token(STRING, sql[i + 2 : end], start, end + 1, line, column))
            i = end + 1
            continue
        if ch in "'\"":
            value, i = _read_string(sql, i)
            tokens.append(Token(STRING, value, start, i, line, column))
            continue
        if ch == "`":
            value, i = _read_backticked(sql, i)
            tokens.append(Token(QIDENT, value, start, i, line, column))
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and sql[i + 1].isdigit()):
            j = i
            while j < n and (sql[j].isalnum() or sql[j] == "."):
                j += 1
            text = sql[i:j]
            if any(c.isalpha() and c not in "eE" for c in text) and not text.replace("_", "").isalnum():
                raise _lex_error(sql, i, f"token recognition error at: '{text}'")
            kind = NUMBER if _is_number(text) else IDENT
            tokens.append(Token(kind, text, start, j, line, column))
            i = j
            continue
        if ch.isalpha() or ch in "_$" or ord(ch) > 127:
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_$" or ord(sql[j]) > 127):
                j += 1
            tokens.append(Token(IDENT, sql[i:j], start, j, line, column))
            i = j
            continue
        op = next((o for o in _OPS if sql.startswith(o, i)), None)
        if op is None and ch in _SINGLE_OPS:
            op = ch
        if op is None:
            raise _lex_error(sql, i, f"token recognition error at: '{ch}'")
        tokens.append(Token(OP, op, start, i + len(op), line, column))
        i += len(op)
    line, column = _position(sql, n)
    tokens.append(Token(EOF, "", n, n, line, column))
    return tokens


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_string(sql: str, i: int) -> tuple[str, int]:
    quote = sql[i]
    out: list[str] = []
    j, n = i + 1, len(sql)
    while j < n:
        c = sql[j]
        if c == "\\" and j + 1 < n:
            nxt = sql[j + 1]
            if nxt in "%_":
                out.append("\\" + nxt)
            else:
                out.append(_ESCAPES.get(nxt, nxt))
            j += 2
            continue
        if c == quote:
            if j + 1 < n and sql[j + 1] == quote:
                out.append(quote)
                j += 2
                continue
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise _lex_error(sql, i, "token recognition error at: '" + sql[i:] + "'")


def _read_backticked(sql: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    j, n = i + 1, len(sql)
    while j < n:
        if sql[j] == "`":
            if j + 1 < n and sql[j + 1] == "`":
                out.append("`")
                j += 2
                continue
            return "".join(out), j + 1
        out.append(sql[j])
        j += 1
    raise _lex_error(sql, i, "token recognition error at: '" + sql[i:] + "'")


def quote_identifier(name: str) -> str:
    """A backticked identifier, inner backticks doubled."""
    return "`" + name.replace("`", "``") + "`"
