"""Checks on SQL text a user gives (an expression, a query) before a builder places it in a statement.

Doris runs every statement of a query, so text that is more than one statement, or less than whole
tokens, under any reading in ``tokenizer.DIALECTS`` is refused with the field named.
"""

from __future__ import annotations

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.tokenizer import DIALECTS, NEREIDS, Dialect, Token, lex


def tokenize(text: str, *, field: str = "sql") -> list[Token]:
    """Tokens of ``text`` under the current Nereids rules, comments left out; unreadable text raises."""
    tokens = lex(text, NEREIDS)
    _refuse_unreadable(text, tokens, field, NEREIDS)
    return [t for t in tokens if t.kind != "comment"]


def _refuse_unreadable(text: str, tokens: list[Token], field: str, dialect: Dialect) -> None:
    for token in tokens:
        if token.kind == "unclosed":
            what = {"'": "string literal", '"': "string literal", "`": "backticked name"}.get(
                token.text[0], "string literal" if token.text[0] in "rR" else "/* comment"
            )
            raise DorisSqlError(
                f"{field}: a {what} starting at offset {token.start} is never closed"
                + ("" if dialect is NEREIDS else f" as Doris's {dialect.name} reads it")
                + "."
            )
        if token.kind == "unrecognized":
            hint = " ('#' starts no comment in Doris; use -- or /* */)" if token.text == "#" else ""
            raise DorisSqlError(
                f"{field}: Doris cannot read the character {token.text!r} at offset {token.start}{hint}."
            )


def check_one_statement(text: str, *, field: str) -> None:
    """Refuse ``text`` unless every Doris reading sees whole tokens, no ``;`` and no open comment.

    The text is placed inside a larger statement, so it must not end inside a ``--`` comment or
    a ``-- +`` hint either: those would swallow what the builder writes after it.
    """
    for dialect in DIALECTS:
        tokens = lex(text, dialect)
        _refuse_unreadable(text, tokens, field, dialect)
        open_line_hint = False
        for token in tokens:
            if token.kind == "punct" and token.text == ";":
                raise DorisSqlError(
                    f"{field}: {text!r} contains ';' outside strings and comments (as Doris's "
                    f"{dialect.name} reads it), so Doris would run a second statement. Give one "
                    "expression or query, without ';'."
                )
            if token.kind == "punct" and token.text.startswith("--"):
                open_line_hint = True
            elif token.kind == "punct" and token.text in ("\r", "\n"):
                open_line_hint = False
        last = tokens[-1] if tokens else None
        if open_line_hint or (
            last is not None and last.kind == "comment" and not _line_comment_closed(last.text, dialect)
        ):
            raise DorisSqlError(
                f"{field}: {text!r} ends inside a -- comment, which would swallow the rest of the "
                "statement. End the comment with a newline, or use /* */."
            )


def _line_comment_closed(comment: str, dialect: Dialect) -> bool:
    """Whether a comment token leaves what follows it alone (``/* */``, or ``--`` ended by CR/LF)."""
    if not comment.startswith("--"):
        return True
    if comment.endswith("\r"):
        return True
    return comment.endswith("\n") and (dialect.legacy or not comment.endswith("\\\n"))


def check_expression(text: str, *, field: str) -> str:
    """A user-written SQL expression, stripped, refused when it could end the statement early.

    A trailing ``--`` comment gets its newline back, so it cannot swallow what follows.
    """
    if not isinstance(text, str) or not text.strip():
        raise DorisSqlError(
            f"{field}: the expression is empty; give SQL text such as k1 > 0, or leave it out."
        )
    result = text.strip()
    if any(_ends_in_line_comment(result, dialect) for dialect in DIALECTS):
        result += "\n"
    check_one_statement(result, field=field)
    depth = 0
    for token in tokenize(result, field=field):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth < 0:
                raise DorisSqlError(f"{field}: {text!r} closes a parenthesis it never opened.")
    if depth:
        raise DorisSqlError(f"{field}: {text!r} leaves a parenthesis open.")
    return result


def _ends_in_line_comment(text: str, dialect: Dialect) -> bool:
    tokens = lex(text, dialect)
    return bool(tokens) and tokens[-1].kind == "comment" and tokens[-1].text.startswith("--")
