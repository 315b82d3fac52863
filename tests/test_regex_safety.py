"""The regex rule for ``bucket_key`` / ``prefix`` patterns: catastrophic shapes refused, the rest bounded.

Refused: a repeat whose body can match in more than one way (nested or optional repeats,
alternatives that can start alike or match nothing) and more than ~4 million ways to split a key.
Accepted patterns are then matched against the worst keys for them, 1,023 bytes long (OSS's limit),
and must finish quickly; the refused classics would not (``(a|aa)*b`` on 40 a's takes minutes).
"""

from __future__ import annotations

import re
import time

import pytest

from airflow_provider_doris_oss.regex_safety import MAX_KEY_BYTES, regex_problem

REFUSED = [
    "(a+)+$",
    "(a|aa)*b",
    "(.*)*x",
    "(a.|.a)*$",
    "(ab?)+c",
    "(a|)*b",
    "(x+x+)+y",
    "(\\w+/)*file",
    "(a|aa){30}b",
    "(\\d{1,3}\\.){3}z",
    "\\d+\\d+\\d+x",
    ".*a.*a.*b",
    "(.*a|.*b)(.*c)(.*d)",
]
# (pattern, the key that makes it work hardest)
ACCEPTED = [
    ("data/\\d{4}-\\d{2}-\\d{2}/.*\\.csv", "data/2026-01-01/" + "a" * 1000),
    ("(foo|bar)*x", "foo" * 341),
    ("(\\d|x)+!", "1x" * 511),
    ("(ab|c)*d", "ab" * 511),
    ("a/.*/b.*\\.csv", "a/" + "/b" * 510),
    ("\\d+\\d+x", "1" * MAX_KEY_BYTES),
    (".*\\d{1,3}.*x", "1" * MAX_KEY_BYTES),
    ("\\w+\\w{0,3}\\w+x", "a" * MAX_KEY_BYTES),
    ("(?i)(A|a)+!", "a" * MAX_KEY_BYTES),
    ("(.|\\n)*x", "a\n" * 511),
    ("(?>\\w+/)*file", "abc/" * 255),
    ("[^/]+/[^/]+\\.csv", "a" * MAX_KEY_BYTES),
    ("^raw/(2024|2025)/.+\\.json$", "raw/2024/" + "a" * 1000),
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_catastrophic_shapes_are_refused(pattern: str) -> None:
    re.compile(pattern)
    assert regex_problem(pattern)


@pytest.mark.parametrize(("pattern", "key"), ACCEPTED)
def test_accepted_patterns_stay_fast_on_their_worst_keys(pattern: str, key: str) -> None:
    assert regex_problem(pattern) is None
    assert len(key.encode()) <= MAX_KEY_BYTES
    started = time.perf_counter()
    assert re.match(pattern, key) is None
    assert time.perf_counter() - started < 0.5


def test_a_refused_classic_really_backtracks() -> None:
    """The rule is not idle: ``(a|aa)*b`` grows like Fibonacci: ten more a's, over 100 times the work."""
    durations = []
    for n in (16, 26):
        started = time.perf_counter()
        assert re.match("(a|aa)*b", "a" * n) is None
        durations.append(time.perf_counter() - started)
    assert durations[1] > 4 * durations[0]
