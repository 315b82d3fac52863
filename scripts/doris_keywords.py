"""Regenerate the local FE's keyword table from Doris's Nereids grammar files.

Usage::

    python scripts/doris_keywords.py --lexer DorisLexer.g4 --parser DorisParser.g4 \\
        --source "apache/doris master (lexer 00247e5c, parser 00034496)" \\
        > airflow_provider_doris_oss/testing/doris_fe/keywords.tsv

The lexer's keyword list lies between ``//--DORIS-KEYWORD-LIST-START`` and ``-END``; each entry
is ``TOKEN: 'TEXT' ('|' 'TEXT')*;`` (``CHAR: 'CHAR' | 'CHARACTER'``). A keyword is reserved when
its token is not an alternative of the parser's ``nonReserved`` rule: unquoted, it is not an
identifier. The table lists every spelling with its token and whether it is reserved.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_ENTRY = re.compile(r"^\s*([A-Z][A-Z0-9_]*)\s*:\s*((?:'[^']*'\s*\|?\s*)+);", re.MULTILINE)
_TEXT = re.compile(r"'([^']*)'")


def lexer_keywords(text: str) -> dict[str, str]:
    """Spelling -> token name, for every entry of the lexer's keyword list."""
    start = text.index("//--DORIS-KEYWORD-LIST-START")
    end = text.index("//--DORIS-KEYWORD-LIST-END", start)
    keywords: dict[str, str] = {}
    for match in _ENTRY.finditer(text[start:end]):
        token = match.group(1)
        for spelling in _TEXT.findall(match.group(2)):
            if re.fullmatch(r"[A-Z_][A-Z0-9_]*", spelling):
                keywords[spelling] = token
    if not keywords:
        raise SystemExit("no keyword entries between the DORIS-KEYWORD-LIST markers")
    return keywords


def non_reserved_tokens(text: str) -> set[str]:
    """The token names the parser's ``nonReserved`` rule accepts as identifiers."""
    rule = re.search(r"^nonReserved\s*\n(.*?)^\s*;", text, re.MULTILINE | re.DOTALL)
    if rule is None:
        raise SystemExit("no nonReserved rule in the parser grammar")
    body = re.sub(r"//[^\n]*", "", rule.group(1))
    return {alt.strip() for alt in body.replace(":", "|").split("|") if alt.strip()}


def table(keywords: dict[str, str], non_reserved: set[str], source: str) -> str:
    lines = [
        "# Doris's keywords (Nereids lexer DorisLexer.g4) and whether the parser reserves them",
        "# (reserved: not in DorisParser.g4's nonReserved rule, so unquoted it is no identifier).",
        f"# Source: {source}. Regenerate with scripts/doris_keywords.py.",
        "keyword\ttoken\treserved",
    ]
    for spelling in sorted(keywords):
        token = keywords[spelling]
        lines.append(f"{spelling}\t{token}\t{'no' if token in non_reserved else 'yes'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--lexer", type=Path, required=True, help="DorisLexer.g4 (or its keyword list)")
    args.add_argument("--parser", type=Path, required=True, help="DorisParser.g4 (or its nonReserved rule)")
    args.add_argument("--source", required=True, help="the release or commit the grammar files come from")
    opts = args.parse_args(argv)
    keywords = lexer_keywords(opts.lexer.read_text(encoding="utf-8"))
    non_reserved = non_reserved_tokens(opts.parser.read_text(encoding="utf-8"))
    sys.stdout.write(table(keywords, non_reserved, opts.source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
