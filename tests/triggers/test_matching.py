"""Key patterns: S3KeySensor's matching semantics and the literal prefix each one lists."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.triggers.keys_unchanged import InactivityTracker, ObjectsDeletedError
from airflow_provider_doris_oss.triggers.matching import KeyPattern, mode_for, regex_literal_prefix


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"data/2026-\d+\.csv", "data/2026-"),
        ("data/x.csv", "data/x"),  # '.' is a metacharacter
        ("data/ab?c", "data/a"),  # 'b' may be absent
        ("data/ab*", "data/a"),
        ("data/ab{2}", "data/a"),
        ("data/(a|b)/x", "data/"),
        ("data/a|other/b", ""),  # a top-level alternative can match anything
        (r"data\/x", "data/x"),  # an escaped '/' is a literal '/'
        ("(?i)data/", ""),
        ("data/(?i:x)", "data/"),
        ("[0-9]+", ""),
        ("plain/key", "plain/key"),
        ("^plain/key", "plain/key"),
        (r"\Alogs/(2026)-", "logs/2026-"),
        (r"xx[(]|logs/x\.log", ""),  # a '(' in a class does not hide the top-level '|'
        (r"a[|]b/c", "a|b/c"),  # nor is a '|' in a class an alternative
        (r"logs/[(|]x|logs/y", "logs/"),  # the alternatives' shared start
        ("(?x) dat a/", "data/"),  # verbose: the spaces are not part of the pattern
    ],
)
def test_regex_literal_prefix(pattern, prefix):
    assert regex_literal_prefix(pattern) == prefix


@pytest.mark.parametrize(
    ("mode", "pattern", "listing_prefix", "matching", "not_matching"),
    [
        ("wildcard", "in/*.csv", "in/", ["in/a.csv", "in/deep/b.csv"], ["in/a.json", "x/in/a.csv"]),
        ("wildcard", "in/part-?.csv", "in/part-", ["in/part-1.csv"], ["in/part-10.csv"]),
        ("wildcard", "in/[ab].csv", "in/", ["in/a.csv", "in/b.csv"], ["in/c.csv"]),
        ("regex", r"in/\d+\.csv", "in/", ["in/12.csv", "in/1.csv.bak"], ["in/a.csv", "xin/1.csv"]),
        ("exact", "in/a.csv", "in/a.csv", ["in/a.csv"], ["in/a.csv2", "in/a"]),
    ],
)
def test_pattern_semantics(mode, pattern, listing_prefix, matching, not_matching):
    key = KeyPattern("b", pattern, mode)
    assert key.listing_prefix == listing_prefix
    assert all(key.matches(k) for k in matching)
    assert not any(key.matches(k) for k in not_matching)
    assert all(k.startswith(listing_prefix) for k in matching)


@pytest.mark.parametrize(
    "pattern",
    [r"xx[(]|logs/x\.log", r"a[|]b/c", r"logs/[(|]x|logs/y", r"(ab|cd)e", r"x(?:ab)+", r"q\(z|\)|w"],
)
def test_every_match_starts_with_the_regex_prefix(pattern):
    """The prefix is sound: keys the regex matches all begin with it (else listing would miss them)."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    prefix = regex_literal_prefix(pattern)

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(re.compile(pattern), fullmatch=False))
    def check(key: str) -> None:
        if re.match(pattern, key):
            assert key.startswith(prefix)

    check()


def test_key_uris_keep_trailing_whitespace_and_plain_keys_may_contain_a_scheme():
    from airflow_provider_doris_oss.triggers.matching import resolve_key

    assert KeyPattern.from_uri("oss://bkt/k ", "exact") == KeyPattern("bkt", "k ", "exact")
    assert resolve_key("s3://bkt/k\t", None) == ("bkt", "k\t")
    assert resolve_key("mirror/https://x/y", "bkt") == ("bkt", "mirror/https://x/y")
    assert resolve_key("k ", "bkt") == ("bkt", "k ")
    with pytest.raises(ValueError, match=r"bucket_key: 'k' names no bucket.*conn_x"):
        resolve_key("k", None, conn_id="conn_x")
    with pytest.raises(ValueError, match="not an OSS object URL"):
        resolve_key("https://host/k", "bkt")


def test_a_leading_space_before_a_uri_is_refused_not_stripped():
    """A URI starts with its scheme; a space before it was silently dropped before."""
    from airflow_provider_doris_oss.triggers.matching import resolve_key

    with pytest.raises(ValueError, match=r"bucket_key: ' oss://bkt/k' starts with whitespace"):
        resolve_key(" oss://bkt/k", None)
    assert resolve_key(" k", "bkt") == ("bkt", " k")  # a plain key is verbatim, leading space included


@pytest.mark.parametrize(
    ("key", "mode"),
    [
        ("oss://bkt//a/b.csv", "exact"),
        ("/a/b.csv", "exact"),
        ("\\a.csv", "exact"),
        ("oss://bkt//a/*.csv", "wildcard"),
        ("/a/*.csv", "wildcard"),
        ("/a/.*", "regex"),
        ("oss://bkt/\\/a", "regex"),  # the regex \/a matches only keys starting with '/'
        ("(?:/a)b", "regex"),
    ],
)
def test_keys_no_object_can_have_are_refused_naming_the_field(key, mode):
    from airflow_provider_doris_oss.triggers.matching import key_pattern_problem, resolve_key

    problem = key_pattern_problem(key, mode, field="bucket_key[2]")
    assert problem is not None and problem.startswith("bucket_key[2]: ")
    assert "cannot start with '/' or '\\'" in problem
    with pytest.raises(ValueError, match=r"^bucket_key: "):
        resolve_key(key, "bkt", mode=mode)


@pytest.mark.parametrize(
    ("key", "mode"), [(r"\d+\.csv", "regex"), (r"oss://bkt/\d+", "regex"), ("a/*", "wildcard")]
)
def test_patterns_that_can_match_are_accepted(key, mode):
    from airflow_provider_doris_oss.triggers.matching import key_pattern_problem

    assert key_pattern_problem(key, mode) is None


def test_from_uri_accepts_both_schemes_and_checks_regexes():
    assert KeyPattern.from_uri("s3://bkt/a/*", "wildcard") == KeyPattern("bkt", "a/*", "wildcard")
    assert KeyPattern.from_uri("oss://bkt/a/b", "exact").uri == "oss://bkt/a/b"
    with pytest.raises(ValueError, match="bucket_key"):
        KeyPattern.from_uri("http://bkt/a", "exact")
    import re

    with pytest.raises(re.error):
        KeyPattern.from_uri("oss://bkt/a(", "regex")


def test_mode_for():
    assert mode_for(False, False) == "exact"
    assert mode_for(True, False) == "wildcard"
    assert mode_for(False, True) == "regex"
    with pytest.raises(ValueError, match="exclusive"):
        mode_for(True, True)


def test_inactivity_tracker_restarts_on_any_change():
    tracker = InactivityTracker(inactivity_period=10, min_objects=1)
    assert not tracker.observe({"a": "1"}, now=0)
    assert not tracker.observe({"a": "1"}, now=9)
    assert not tracker.observe({"a": "2"}, now=9.5)  # changed ETag
    assert not tracker.observe({"a": "2"}, now=19)
    assert tracker.observe({"a": "2"}, now=19.5)


def test_inactivity_tracker_needs_min_objects_and_handles_deletes():
    tracker = InactivityTracker(inactivity_period=0, min_objects=2)
    assert not tracker.observe({"a": "1"}, now=0)
    assert not tracker.observe({"a": "1", "b": "1"}, now=1)
    assert tracker.observe({"a": "1", "b": "1"}, now=2)
    strict = InactivityTracker(inactivity_period=5, allow_delete=False, where="oss://b/p/")
    strict.observe({"a": "1", "b": "1"}, now=0)
    with pytest.raises(
        ObjectsDeletedError, match=r"1 objects were deleted under oss://b/p/.*\(b\).*allow_delete"
    ):
        strict.observe({"a": "1"}, now=1)
    lenient = InactivityTracker(inactivity_period=5)
    lenient.observe({"a": "1", "b": "1"}, now=0)
    assert not lenient.observe({"a": "1"}, now=6)  # a deletion is activity
    assert lenient.observe({"a": "1"}, now=11)
