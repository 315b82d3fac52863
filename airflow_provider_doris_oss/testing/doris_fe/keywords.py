"""Doris's keywords and the ones its Nereids parser reserves, from ``keywords.tsv``.

The table is generated from Doris's grammar files by ``scripts/doris_keywords.py``: every
keyword of ``DorisLexer.g4`` and whether ``DorisParser.g4``'s ``nonReserved`` rule lets it
stand unquoted as an identifier.
"""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).with_name("keywords.tsv")


def _load() -> tuple[frozenset[str], frozenset[str]]:
    keywords: set[str] = set()
    reserved: set[str] = set()
    lines = [line for line in _DATA.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    for line in lines[1:]:
        word, _token, is_reserved = line.split("\t")
        keywords.add(word)
        if is_reserved == "yes":
            reserved.add(word)
    return frozenset(keywords), frozenset(reserved)


KEYWORDS, RESERVED = _load()


def is_reserved(word: str) -> bool:
    """Whether the unquoted ``word`` is a keyword Doris does not take as an identifier."""
    return word.upper() in RESERVED
