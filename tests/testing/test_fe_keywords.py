"""The keyword table comes from Doris's grammar files, through scripts/doris_keywords.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from airflow_provider_doris_oss.testing.doris_fe import keywords

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "doris_keywords.py"

LEXER = """lexer grammar DorisLexer;
SEMICOLON: ';';
//--DORIS-KEYWORD-LIST-START
ADD: 'ADD';
CHAR: 'CHAR' | 'CHARACTER';
CONVERT_LSC: 'CONVERT_LIGHT_SCHEMA_CHANGE_PROCESS';
E:'E';
LABEL: 'LABEL';
PLACEHOLDER: '?';
//--DORIS-KEYWORD-LIST-END
EQ  : '=' | '==';
"""
PARSER = """parser grammar DorisParser;
nonReserved
//--DEFAULT-NON-RESERVED-START
    : CHAR
    | E
    | LEFT_BRACE
    | LABEL
//--DEFAULT-NON-RESERVED-END
    ;
"""


def test_script_builds_the_table_from_grammar_files(tmp_path: Path) -> None:
    (tmp_path / "DorisLexer.g4").write_text(LEXER)
    (tmp_path / "DorisParser.g4").write_text(PARSER)
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--lexer", str(tmp_path / "DorisLexer.g4"),
         "--parser", str(tmp_path / "DorisParser.g4"), "--source", "test grammar"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = [line.split("\t") for line in out.splitlines() if not line.startswith("#")]
    assert rows[0] == ["keyword", "token", "reserved"]
    assert sorted(rows[1:]) == [
        ["ADD", "ADD", "yes"],
        ["CHAR", "CHAR", "no"],
        ["CHARACTER", "CHAR", "no"],
        ["CONVERT_LIGHT_SCHEMA_CHANGE_PROCESS", "CONVERT_LSC", "yes"],
        ["E", "E", "no"],
        ["LABEL", "LABEL", "no"],
    ]
    assert "test grammar" in out


def test_committed_table_names_its_source_and_has_doris_reserved_words() -> None:
    text = (Path(keywords.__file__).with_name("keywords.tsv")).read_text()
    assert "apache/doris" in text.splitlines()[2]
    # Words the issue lists as reserved, and words Doris's nonReserved rule lists.
    for word in ("ADD", "DATABASE", "INDEX", "INT", "DEFAULT", "USING", "SELECT", "PARTITION", "INSERT"):
        assert keywords.is_reserved(word), word
    for word in ("LABEL", "NEGATIVE", "END", "DATA", "FORMAT", "PROPERTIES", "S3", "COMMENT", "partitions"):
        assert not keywords.is_reserved(word), word
    assert not keywords.is_reserved("my_table")  # not a keyword at all
    assert len(keywords.RESERVED) > 150
