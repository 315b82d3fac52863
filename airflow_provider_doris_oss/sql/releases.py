"""Which Doris release parses which of the provider's statements: one table, read before sending.

Doris reports its release in ``@@version_comment`` (``Doris version doris-2.1.7-rc03-443e87e203``).
Two statements the provider builds do not parse on some patch releases; ``RELEASE_GAPS`` lists
them as data (statement form, the patches of a release line that refuse it, the first that
parses it again, the way out), and ``release_refusal`` turns a statement and a release into the
message a task fails with before it sends anything. Releases not listed, and versions that do
not read as ``major.minor.patch``, are allowed: Doris itself then decides.

Pure standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.sql.tokenizer import NEREIDS, Token, lex

_VERSION = re.compile(r"\bdoris-(\d+)\.(\d+)\.(\d+)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class DorisRelease:
    """A Doris release, ``major.minor.patch`` (``line`` is ``(major, minor)``)."""

    major: int
    minor: int
    patch: int

    @property
    def line(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_release(version_comment: object) -> DorisRelease | None:
    """The release in an FE's ``@@version_comment``; None when it names none (a custom build)."""
    if isinstance(version_comment, bytes | bytearray):
        version_comment = version_comment.decode("utf-8", "replace")
    match = _VERSION.search(str(version_comment or ""))
    if match is None:
        return None
    return DorisRelease(*(int(part) for part in match.groups()))


@dataclass(frozen=True)
class ReleaseGap:
    """Patches ``first``..``fixed_in - 1`` of release line ``line`` cannot parse a statement form."""

    line: tuple[int, int]
    first: int
    fixed_in: int

    def covers(self, release: DorisRelease) -> bool:
        return release.line == self.line and self.first <= release.patch < self.fixed_in

    @property
    def fixed_release(self) -> str:
        return f"{self.line[0]}.{self.line[1]}.{self.fixed_in}"


@dataclass(frozen=True)
class StatementForm:
    """A statement form some releases refuse, the releases that do, and what to do instead."""

    key: str
    title: str
    gaps: tuple[ReleaseGap, ...]
    way_out: str
    evidence: str


RELEASE_GAPS: tuple[StatementForm, ...] = (
    StatementForm(
        key="insert_overwrite_auto_partition",
        title="INSERT OVERWRITE ... PARTITION (*)",
        gaps=(ReleaseGap((2, 1), 0, 3),),
        way_out="name the partitions to replace (partitions=['p1', ...]) or upgrade Doris",
        evidence="Doris's INSERT OVERWRITE page: 'supported since Apache Doris 2.1.3' (apache/doris#32156)",
    ),
    StatementForm(
        key="broker_load_temporary_partition",
        title="Broker Load with TEMPORARY PARTITION (...)",
        gaps=(ReleaseGap((3, 0), 2, 4),),
        way_out="load into formal partitions (partitions=[...]) or upgrade Doris",
        evidence="3.0 from 2024-10 parses LOAD with Nereids first; apache/doris#45025 added the clause",
    ),
)
FORMS = {form.key: form for form in RELEASE_GAPS}


class DorisReleaseError(DorisSqlError):
    """The FE's Doris release cannot parse this statement; the text names the release and the way out."""


def statement_forms(sql: str) -> set[str]:
    """The keys of ``RELEASE_GAPS`` forms ``sql`` uses (read by tokens: strings and comments do not count)."""
    words = [t for t in lex(sql, NEREIDS) if t.kind != "comment"]
    found: set[str] = set()
    head = [t.upper for t in words[:2] if t.kind == "word"]
    if head == ["INSERT", "OVERWRITE"] and _has(words, ("PARTITION", "(", "*", ")")):
        found.add("insert_overwrite_auto_partition")
    if head[:1] == ["LOAD"] and _has(words, ("TEMPORARY", "PARTITION")):
        found.add("broker_load_temporary_partition")
    return found


def _has(tokens: list[Token], sequence: tuple[str, ...]) -> bool:
    texts = [t.upper if t.kind in ("word", "punct") else "" for t in tokens]
    size = len(sequence)
    return any(tuple(texts[i : i + size]) == sequence for i in range(len(texts) - size + 1))


def release_refusal(sql: str, release: DorisRelease | None) -> str | None:
    """Why ``release`` cannot parse ``sql`` (and what to do), or None when it can or is unknown."""
    if release is None:
        return None
    for key in sorted(statement_forms(sql)):
        form = FORMS[key]
        for gap in form.gaps:
            if gap.covers(release):
                return (
                    f"Doris {release} cannot parse {form.title} (it parses from {gap.fixed_release} "
                    f"on): {form.way_out} to {gap.fixed_release} or newer. Nothing was sent."
                )
    return None


def check_release(sql: str, release: DorisRelease | None) -> None:
    """Raise ``DorisReleaseError`` when ``release`` cannot parse ``sql``."""
    reason = release_refusal(sql, release)
    if reason is not None:
        raise DorisReleaseError(reason)
