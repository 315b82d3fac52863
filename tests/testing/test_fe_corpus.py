"""Statements from Doris's documentation examples get Doris's parse verdict from the local FE.

``data/doris_docs_corpus.sql`` holds, per statement kind the local FE parses itself (Broker Load,
EXPORT, OUTFILE, the S3 table function, INSERT OVERWRITE, CREATE CATALOG, SHOW LOAD/EXPORT,
CANCEL), Doris's examples and malformed variants, each with the verdict of Doris's grammar on the
newest release line: accepted, or a syntax error at a line and position naming the token; and
where an older release's verdict differs (a grammar gap, the 2.1 legacy parser), that release's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_doris_oss.testing.doris_fe import parser, releases
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

CORPUS = Path(__file__).with_name("data") / "doris_docs_corpus.sql"
_HEADER = re.compile(r"^-- case: (\w+) \| (ok|error (\d+):(\d+) (.+))$")
_ON = re.compile(r"^-- on (\S+): (ok|error (\d+):(\d+) (.+))$")
Verdict = tuple[int, int, str] | None  # a syntax error's line, position and token; None: accepted


@dataclass(frozen=True)
class Case:
    kind: str
    source: str
    sql: str
    error: Verdict
    releases: tuple[tuple[str, Verdict], ...] = ()  # older releases whose verdict differs


def _verdict(match: re.Match[str]) -> Verdict:
    return (int(match[3]), int(match[4]), match[5]) if match[3] else None


def load_corpus() -> list[Case]:
    cases: list[Case] = []
    for block in CORPUS.read_text(encoding="utf-8").split("\n-- case: ")[1:]:
        header, *lines = ("-- case: " + block).split("\n")
        match = _HEADER.match(header)
        assert match, header
        on: list[tuple[str, Verdict]] = []
        while (release := _ON.match(lines[0])) is not None:
            on.append((release[1], _verdict(release)))
            lines.pop(0)
        source, *body = lines
        assert source.startswith("-- source: "), header
        sql = "\n".join(body).strip()
        cases.append(Case(match[1], source[len("-- source: ") :], sql, _verdict(match), tuple(on)))
    return cases


CASES = load_corpus()


def verdict_of(sql: str, doris_version: str | None = None) -> None:
    """Parse ``sql`` as the local FE does for a release: its release gaps first, then its grammar."""
    release = releases.profile(doris_version)
    refusal = release.refusal(sql)
    if refusal is not None:
        raise refusal
    assert parser.parse(sql, release.grammar) is not None


def assert_refused(sql: str, verdict: Verdict, doris_version: str | None = None) -> None:
    assert verdict is not None
    line, pos, token = verdict
    with pytest.raises(DorisError) as info:
        verdict_of(sql, doris_version)
    message = info.value.message
    assert info.value.code == 1105
    assert message.startswith("errCode = 2, detailMessage = \n")
    assert message.endswith(f"(line {line}, pos {pos})"), message
    assert f"{token}' expecting" in message or f"{token}'(line" in message, message


def test_corpus_covers_every_statement_kind_with_both_verdicts() -> None:
    kinds = {case.kind for case in CASES}
    assert kinds == {"broker_load", "export", "outfile", "s3_tvf", "insert_overwrite", "create_catalog",
                     "show_load", "show_export", "cancel"}  # fmt: skip
    for kind in kinds - {"show_export", "cancel"}:
        verdicts = {case.error is None for case in CASES if case.kind == kind}
        assert verdicts == {True, False}, kind


@pytest.mark.parametrize("case", [c for c in CASES if c.error is None], ids=lambda c: f"{c.kind}:{c.source}")
def test_statements_doris_accepts_parse(case: Case) -> None:
    verdict_of(case.sql)


@pytest.mark.parametrize("case", [c for c in CASES if c.error], ids=lambda c: f"{c.kind}:{c.source}")
def test_statements_doris_refuses_fail_at_dorises_position(case: Case) -> None:
    assert_refused(case.sql, case.error)


# Verdicts that differ on an older release: its grammar gaps, and 2.1's legacy LOAD grammar (NEGATIVE).
RELEASE_CASES = [
    pytest.param(case, release, verdict, id=f"{release}:{case.source}")
    for case in CASES
    for release, verdict in case.releases
]


@pytest.mark.parametrize(("case", "release", "verdict"), RELEASE_CASES)
def test_older_releases_give_their_own_verdict(case: Case, release: str, verdict: Verdict) -> None:
    if verdict is None:
        verdict_of(case.sql, release)
    else:
        assert_refused(case.sql, verdict, release)
