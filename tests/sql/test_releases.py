"""Which Doris release parses which statement form (``sql.releases``), read from the builders' own text."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.sql import (
    DataDescription,
    build_broker_load,
    build_insert_from_s3,
    build_s3_tvf,
)
from airflow_provider_doris_oss.sql.releases import (
    RELEASE_GAPS,
    DorisRelease,
    DorisReleaseError,
    check_release,
    parse_release,
    release_refusal,
    statement_forms,
)

STORAGE = {"s3.endpoint": "oss-cn-hangzhou.aliyuncs.com", "s3.region": "cn-hangzhou",
           "s3.access_key": "ak", "s3.secret_key": "sk"}  # fmt: skip
TVF = build_s3_tvf("oss://bkt/in/*.csv", "csv", STORAGE)
OVERWRITE_STAR = build_insert_from_s3("db.t", TVF, partitions="*", overwrite=True)
OVERWRITE_NAMED = build_insert_from_s3("db.t", TVF, partitions=["p1"], overwrite=True)
LOAD_TEMP = build_broker_load(
    "db", "l1", DataDescription("oss://bkt/a.csv", "t", temporary_partitions=["tp1"]), STORAGE
)
LOAD_FORMAL = build_broker_load(
    "db", "l1", DataDescription("oss://bkt/a.csv", "t", partitions=["p1"]), STORAGE
)


@pytest.mark.parametrize(
    ("comment", "release"),
    [
        ("Doris version doris-2.1.7-rc03-443e87e203", DorisRelease(2, 1, 7)),
        (b"Doris version doris-3.0.3-rc03-43f06a5e26", DorisRelease(3, 0, 3)),
        ("Doris version doris-4.0.8-rc01-0000000000", DorisRelease(4, 0, 8)),
        ("Doris version trunk-1a2b3c", None),  # a build from a branch names no release
        ("5.7.99", None),  # @@version is MySQL's number, not Doris's
        (None, None),
    ],
)
def test_the_release_is_read_from_version_comment(comment: object, release: DorisRelease | None) -> None:
    assert parse_release(comment) == release


def test_forms_are_found_in_the_builders_text_and_not_in_strings_or_comments() -> None:
    assert statement_forms(OVERWRITE_STAR) == {"insert_overwrite_auto_partition"}
    assert statement_forms(LOAD_TEMP) == {"broker_load_temporary_partition"}
    assert statement_forms(OVERWRITE_NAMED) == set()
    assert statement_forms(LOAD_FORMAL) == set()
    assert statement_forms("INSERT OVERWRITE TABLE t SELECT 'PARTITION (*)' /* PARTITION (*) */") == set()
    assert statement_forms("SELECT 1 -- LOAD TEMPORARY PARTITION") == set()


@pytest.mark.parametrize(
    ("sql", "version", "refused"),
    [
        (OVERWRITE_STAR, "2.1.0", True),
        (OVERWRITE_STAR, "2.1.2", True),
        (OVERWRITE_STAR, "2.1.3", False),
        (OVERWRITE_STAR, "3.0.0", False),
        (OVERWRITE_STAR, "4.0.8", False),
        (LOAD_TEMP, "2.1.2", False),  # 2.1's LOAD is decided by the legacy parser, which has the clause
        (LOAD_TEMP, "3.0.1", False),
        (LOAD_TEMP, "3.0.2", True),
        (LOAD_TEMP, "3.0.3", True),
        (LOAD_TEMP, "3.0.4", False),
        (LOAD_TEMP, "3.1.3", False),
        (OVERWRITE_NAMED, "2.1.2", False),
        (LOAD_FORMAL, "3.0.3", False),
    ],
)
def test_each_release_refuses_exactly_its_gaps(sql: str, version: str, refused: bool) -> None:
    release = DorisRelease(*(int(p) for p in version.split(".")))
    assert (release_refusal(sql, release) is not None) is refused


def test_the_refusal_names_the_release_the_fix_and_the_way_out() -> None:
    with pytest.raises(DorisReleaseError) as raised:
        check_release(LOAD_TEMP, DorisRelease(3, 0, 3))
    message = str(raised.value)
    assert message.startswith("Doris 3.0.3 cannot parse Broker Load with TEMPORARY PARTITION (...)")
    assert "3.0.4" in message and "partitions=[...]" in message
    with pytest.raises(DorisReleaseError, match=r"Doris 2\.1\.2 .*PARTITION \(\*\).*2\.1\.3"):
        check_release(OVERWRITE_STAR, DorisRelease(2, 1, 2))


def test_an_unknown_release_is_allowed() -> None:
    check_release(OVERWRITE_STAR, None)
    check_release(LOAD_TEMP, DorisRelease(9, 9, 0))


def test_every_form_has_a_title_gaps_and_a_way_out() -> None:
    for form in RELEASE_GAPS:
        assert form.title and form.way_out and form.evidence
        assert all(gap.first < gap.fixed_in for gap in form.gaps)
