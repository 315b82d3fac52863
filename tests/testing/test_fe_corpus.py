"""Statements from Doris's documentation examples get Doris's parse verdict from the local FE.

``data/doris_docs_corpus.sql`` holds, per statement kind the local FE parses itself (Broker Load,
EXPORT, OUTFILE, the S3 table function, INSERT OVERWRITE, CREATE CATALOG, SHOW LOAD/EXPORT,
CANCEL), Doris's examples and malformed variants, each with the verdict of Doris's grammar on the
newest release line: accepted, or a syntax error at a line and position naming the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_doris_oss.testing.doris_fe import parser
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

CORPUS = Path(__file__).with_name("data") / "doris_docs_corpus.sql"
_HEADER = re.compile(r"^-- case: (\w+) \| (ok|error (\d+):(\d+) (.+))$")


@dataclass(frozen=True)
class Case:
    kind: str
    source: str
    sql: str
    error: tuple[int, int, str] | None  # line, position, offending token


def load_corpus() -> list[Case]:
    cases: list[Case] = []
    blocks = CORPUS.read_text(encoding="utf-8").split("\n-- case: ")[1:]
    for block in blocks:
        header, source, *body = ("-- case: " + block).split("\n")
        match = _HEADER.match(header)
        assert match and source.startswith("-- source: "), header
        error = (int(match[3]), int(match[4]), match[5]) if match[3] else None
        cases.append(Case(match[1], source[len("-- source: ") :], "\n".join(body).strip(), error))
    return cases


CASES = load_corpus()


def test_corpus_covers_every_statement_kind_with_both_verdicts() -> None:
    kinds = {case.kind for case in CASES}
    assert kinds == {"broker_load", "export", "outfile", "s3_tvf", "insert_overwrite", "create_catalog",
                     "show_load", "show_export", "cancel"}  # fmt: skip
    for kind in kinds - {"show_export", "cancel"}:
        verdicts = {case.error is None for case in CASES if case.kind == kind}
        assert verdicts == {True, False}, kind


@pytest.mark.parametrize("case", [c for c in CASES if c.error is None], ids=lambda c: f"{c.kind}:{c.source}")
def test_statements_doris_accepts_parse(case: Case) -> None:
    assert parser.parse(case.sql) is not None


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.error is not None], ids=lambda c: f"{c.kind}:{c.source}"
)
def test_statements_doris_refuses_fail_at_dorises_position(case: Case) -> None:
    assert case.error is not None
    line, pos, token = case.error
    with pytest.raises(DorisError) as info:
        parser.parse(case.sql)
    message = info.value.message
    assert info.value.code == 1105
    assert message.startswith("errCode = 2, detailMessage = \n")
    assert message.endswith(f"(line {line}, pos {pos})"), message
    assert f"{token}' expecting" in message or f"{token}'(line" in message, message
