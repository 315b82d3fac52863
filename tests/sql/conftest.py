"""An independent reading of Doris string literals and identifiers, used to check the builders."""

from __future__ import annotations

import pytest

_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "0": "\0", "Z": "\x1a"}


def lex(sql: str) -> list[tuple[str, str]]:
    """(kind, decoded value) for strings and backticked identifiers; other text as single chars/words."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(sql):
        c = sql[i]
        if c in "\"'":
            buf = []
            i += 1
            while True:
                ch = sql[i]
                if ch == "\\":
                    nxt = sql[i + 1]
                    buf.append(_UNESCAPE.get(nxt, nxt) if nxt not in "%_" else "\\" + nxt)
                    i += 2
                elif ch == c:
                    if i + 1 < len(sql) and sql[i + 1] == c:
                        buf.append(c)
                        i += 2
                    else:
                        i += 1
                        break
                elif ch == "\n":
                    raise AssertionError("raw newline inside a literal")
                else:
                    buf.append(ch)
                    i += 1
            out.append(("string", "".join(buf)))
        elif c == "`":
            buf = []
            i += 1
            while True:
                if sql[i] == "`":
                    if i + 1 < len(sql) and sql[i + 1] == "`":
                        buf.append("`")
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(sql[i])
                i += 1
            out.append(("ident", "".join(buf)))
        elif c.isspace():
            i += 1
        elif c.isalnum() or c == "_":
            j = i
            while j < len(sql) and (sql[j].isalnum() or sql[j] in "_."):
                j += 1
            out.append(("word", sql[i:j]))
            i = j
        else:
            out.append(("punct", c))
            i += 1
    return out


def strings(sql: str) -> list[str]:
    return [v for k, v in lex(sql) if k == "string"]


def idents(sql: str) -> list[str]:
    return [v for k, v in lex(sql) if k == "ident"]


def properties(sql: str) -> dict[str, str]:
    """Every "k" = "v" pair in the statement."""
    toks = lex(sql)
    pairs = {}
    for a, b, c in zip(toks, toks[1:], toks[2:], strict=False):
        if a[0] == "string" and b == ("punct", "=") and c[0] == "string":
            pairs[a[1]] = c[1]
    return pairs


class _Lexer:
    lex = staticmethod(lex)
    strings = staticmethod(strings)
    idents = staticmethod(idents)
    properties = staticmethod(properties)


@pytest.fixture
def doris() -> _Lexer:
    """The independent lexer, as a fixture (test modules are imported by path, not by package)."""
    return _Lexer()
