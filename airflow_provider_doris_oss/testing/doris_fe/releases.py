"""Doris release profiles: what the local FE answers as ``LocalDorisFE(doris_version=...)``.

One table (``LINES``), not scattered conditions: per release line its newest patch we emulate,
its build string, SHOW LOAD's columns, SHOW EXPORT's ``fileSize`` form, the missing-source-file
message, which parser decides a Broker Load and the grammar switches that follow from it
(``Grammar``, handed to ``parser.parse`` as data). Which statements a patch release cannot parse is
the provider's own table (``airflow_provider_doris_oss.sql.releases.RELEASE_GAPS``): the FE refuses
them with the syntax error Doris gives, so a test against an old profile fails as production would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from airflow_provider_doris_oss.sql.releases import FORMS, DorisRelease, statement_forms
from airflow_provider_doris_oss.testing.doris_fe.lexer import syntax_error, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

MYSQL_VERSION = "5.7.99"  # fe.conf mysql_server_version: @@version and VERSION() on every line
_SPEC = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Grammar:
    """Where a release's statement grammar differs from DorisParser.g4 on the newest line.

    ``negative_data_desc``: a Broker Load data description takes ``NEGATIVE`` before ``INTO TABLE``
    (the legacy ``sql_parser.cup`` rule; 2.1 decides LOAD with that parser, 3.x first checks it with
    Nereids, whose ``dataDesc`` has no NEGATIVE).
    """

    negative_data_desc: bool = False


NEREIDS_GRAMMAR = Grammar()
LEGACY_LOAD_GRAMMAR = Grammar(negative_data_desc=True)


@dataclass(frozen=True)
class LineTraits:
    """What one release line answers, on each of its patches (``load_parser`` is told; ``grammar`` is
    what the local FE's parser plays of it)."""

    newest_patch: int
    first_error_msg_column: bool  # SHOW LOAD's 20th column, FirstErrorMsg
    file_size_suffix: str  # SHOW EXPORT OutfileInfo fileSize: "145bytes" or "145"
    missing_files: str  # a Broker Load whose paths match no file; {table} and {paths} filled in
    load_parser: str  # which parser decides LOAD
    # (first patch, its grammar), by patch: 3.0.2 started checking LOAD with Nereids first
    grammars: tuple[tuple[int, Grammar], ...] = ((0, NEREIDS_GRAMMAR),)


_OLD_MISSING = "No source file in this table({table})."
_NEW_MISSING = "No source files found in the specified paths: {paths}"
LINES: dict[tuple[int, int], LineTraits] = {
    (2, 1): LineTraits(11, False, "bytes", _OLD_MISSING, "legacy (Nereids falls back to it)",
                        ((0, LEGACY_LOAD_GRAMMAR),)),
    (3, 0): LineTraits(6, False, "bytes", _OLD_MISSING, "Nereids must parse it (3.0.2+), then legacy",
                        ((0, LEGACY_LOAD_GRAMMAR), (2, NEREIDS_GRAMMAR))),
    (3, 1): LineTraits(3, True, "", _NEW_MISSING, "Nereids must parse it, then legacy"),
    (4, 0): LineTraits(8, True, "", _NEW_MISSING, "Nereids (the legacy parser is gone)"),
}  # fmt: skip
NEWEST_LINE = max(LINES)
# The rc tag and commit after the version in @@version_comment, as those builds report them; other
# releases show the local FE's own (the form is Doris's, the commit is not a real one).
BUILDS = {DorisRelease(2, 1, 7): "rc03-443e87e203", DorisRelease(3, 0, 3): "rc03-43f06a5e26"}
LOCAL_BUILD = "rc01-0000000000"


@dataclass(frozen=True)
class ReleaseProfile:
    """One Doris release as the local FE plays it."""

    release: DorisRelease
    traits: LineTraits

    @property
    def version_comment(self) -> str:
        """``SELECT @@version_comment``: ``Doris version doris-<release>-<rc>-<commit>``."""
        return f"Doris version doris-{self.release}-{BUILDS.get(self.release, LOCAL_BUILD)}"

    @property
    def grammar(self) -> Grammar:
        """The grammar switches ``parser.parse`` follows for this release (its patch's entry)."""
        return [grammar for first, grammar in self.traits.grammars if first <= self.release.patch][-1]

    @property
    def mysql_version(self) -> str:
        """``SELECT @@version`` and ``VERSION()``."""
        return MYSQL_VERSION

    def load_columns(self, base: list[str]) -> list[str]:
        """SHOW LOAD's columns: ``base`` (19), and ``FirstErrorMsg`` on lines that show it."""
        return [*base, "FirstErrorMsg"] if self.traits.first_error_msg_column else list(base)

    def file_size(self, size: int) -> str:
        """SHOW EXPORT's ``fileSize`` text for ``size`` bytes."""
        return f"{size}{self.traits.file_size_suffix}"

    def missing_files(self, table: str, paths: list[str]) -> str:
        """The ErrorMsg text of a Broker Load whose paths match no file."""
        return self.traits.missing_files.format(table=table, paths="[" + ", ".join(paths) + "]")

    def refusal(self, sql: str) -> DorisError | None:
        """Doris's syntax error for a statement form this release cannot parse, or None."""
        for key in sorted(statement_forms(sql)):
            if any(gap.covers(self.release) for gap in FORMS[key].gaps):
                return _syntax_error_at(sql, _FIRST_WORD[key])
        return None


# The token each refused form's syntax error points at (where Doris's grammar stops).
_FIRST_WORD = {"insert_overwrite_auto_partition": "*", "broker_load_temporary_partition": "TEMPORARY"}
# 3.0.3's words for TEMPORARY (apache/doris#45025); for '*' the 2.1 grammar has no alternative.
_EXPECTING = {"*": None, "TEMPORARY": "{')', ','}"}


def _syntax_error_at(sql: str, word: str) -> DorisError:
    for token in tokenize(sql):
        if sql[token.start : token.end].upper() == word:
            return syntax_error(sql, token, _EXPECTING[word])
    raise AssertionError(f"{word!r} not in a statement that uses it")  # statement_forms found it


def profile(doris_version: str | None = None) -> ReleaseProfile:
    """The profile of ``doris_version``: ``"2.1.2"`` (that patch) or ``"3.1"`` (the line's newest
    patch); None is the newest line. A line the local FE does not play is a ValueError naming them."""
    if doris_version is None:
        major, minor = NEWEST_LINE
        return ReleaseProfile(DorisRelease(major, minor, LINES[NEWEST_LINE].newest_patch), LINES[NEWEST_LINE])
    match = _SPEC.fullmatch(str(doris_version).strip())
    known = ", ".join(f"{a}.{b}" for a, b in sorted(LINES))
    if match is None:
        raise ValueError(
            f"doris_version: {doris_version!r} is not a Doris release; give 'major.minor' (the newest "
            f"patch of that line) or 'major.minor.patch', one of the lines {known}."
        )
    line = (int(match.group(1)), int(match.group(2)))
    traits = LINES.get(line)
    if traits is None:
        raise ValueError(f"doris_version: the local FE plays Doris {known}, not {doris_version!r}.")
    patch = traits.newest_patch if match.group(3) is None else int(match.group(3))
    return ReleaseProfile(DorisRelease(*line, patch), traits)
