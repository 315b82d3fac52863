"""``LocalDorisFE(doris_version=...)``: the local FE answers as the Doris release it is told to play."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pymysql
import pytest

from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
from airflow_provider_doris_oss.testing.doris_fe.releases import LINES, profile

TABLE = (
    "CREATE TABLE t (id INT, dt DATE) DUPLICATE KEY(id) PARTITION BY RANGE(dt) "
    '(PARTITION p1 VALUES LESS THAN ("2030-01-01")) DISTRIBUTED BY HASH(id) BUCKETS 1 '
    'PROPERTIES ("replication_num" = "1")'
)
OVERWRITE_STAR = "INSERT OVERWRITE TABLE t PARTITION (*) SELECT 1, '2024-01-01'"
LOAD_TEMP = (
    'LOAD LABEL l1 (DATA INFILE ("s3://bkt/a.csv") INTO TABLE t TEMPORARY PARTITION (tp1)) '
    'WITH S3 ("s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "s3.region" = "cn-beijing", '
    '"s3.access_key" = "ak", "s3.secret_key" = "sk")'
)


def _conn(fe: LocalDorisFE) -> Any:
    return pymysql.connect(host=fe.host, port=fe.port, user="root", password="", autocommit=True)


def _one(conn: Any, sql: str) -> tuple[Any, ...]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return tuple(cur.fetchone())


@pytest.mark.parametrize(
    ("asked", "release", "comment"),
    [
        ("2.1.2", "2.1.2", "Doris version doris-2.1.2-"),
        ("3.0.3", "3.0.3", "Doris version doris-3.0.3-rc03-43f06a5e26"),
        ("3.1", f"3.1.{LINES[(3, 1)].newest_patch}", "Doris version doris-3.1."),
        ("4.0", f"4.0.{LINES[(4, 0)].newest_patch}", "Doris version doris-4.0."),
        (None, f"4.0.{LINES[(4, 0)].newest_patch}", "Doris version doris-4.0."),  # the newest line
    ],
)
def test_each_profile_reports_its_release(asked: str | None, release: str, comment: str) -> None:
    with LocalDorisFE(doris_version=asked) as fe:
        assert str(fe.release.release) == release
        conn = _conn(fe)
        version_comment, version, function = _one(conn, "SELECT @@version_comment, @@version, VERSION()")
        conn.close()
    assert version_comment.startswith(comment) and version_comment.startswith(
        f"Doris version doris-{release}-"
    )
    assert version == function == "5.7.99"


@pytest.mark.parametrize(
    ("version", "refused"),
    [("2.1.2", {OVERWRITE_STAR}), ("3.0.3", {LOAD_TEMP}), ("3.1", set()), ("4.0", set())],
)
def test_a_release_refuses_the_statements_its_grammar_lacks(version: str, refused: set[str]) -> None:
    with LocalDorisFE(doris_version=version) as fe:
        conn = _conn(fe)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE d")
            cur.execute("USE d")
            cur.execute(TABLE)
            for sql in (OVERWRITE_STAR, LOAD_TEMP):
                if sql in refused:
                    with pytest.raises(pymysql.MySQLError) as raised:
                        cur.execute(sql)
                    code, message = raised.value.args
                    assert code == 1105 and message.startswith("errCode = 2, detailMessage = \n")
                    word = "TEMPORARY" if sql is LOAD_TEMP else "*"
                    assert f"input '{word}'" in message and f"(line 1, pos {sql.index(word)})" in message
                elif sql is OVERWRITE_STAR:
                    cur.execute(sql)  # parses and runs
        conn.close()


def test_the_3_0_3_refusal_reads_as_doris_words_it() -> None:
    # apache/doris#45025 quotes 3.0.3's answer: mismatched input 'TEMPORARY' expecting {')', ','}
    refusal = profile("3.0.3").refusal(LOAD_TEMP)
    assert refusal is not None
    assert "mismatched input 'TEMPORARY' expecting {')', ','}" in refusal.message


@pytest.mark.parametrize("bad", ["5.0", "2.0.15", "four", "3.1.x", ""])
def test_an_unplayed_release_is_refused_before_anything_starts(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^doris_version: .*2\.1, 3\.0, 3\.1, 4\.0"):
        LocalDorisFE(doris_version=bad)


def test_serve_takes_doris_version_and_refuses_an_unknown_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_doris_oss.testing", "serve", "--doris-version", "1.2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--doris-version" in result.stderr and "not '1.2'" in result.stderr


# What each release line answers (Doris's release notes and source, docs/compatibility.md#doris-releases).
ANSWERS = {
    "2.1.2": (False, "No source file in this table(t).", "bytes"),
    "3.0.3": (False, "No source file in this table(t).", "bytes"),
    "3.1": (True, "No source files found in the specified paths: [{uri}]", ""),
    "4.0": (True, "No source files found in the specified paths: [{uri}]", ""),
}


@pytest.mark.parametrize("doris_version", sorted(ANSWERS))
def test_show_load_and_show_export_answer_as_the_release_does(
    doris_version: str, doris: Any, oss_bucket: str
) -> None:
    first_error_msg, missing, unit = ANSWERS[doris_version]
    storage = doris.storage()
    doris.run(
        'CREATE TABLE t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
    )
    doris.run("INSERT INTO t VALUES (1), (2)")
    uri = f"s3://{oss_bucket}/missing/*.csv"
    doris.run(f'LOAD LABEL l1 (DATA INFILE ("{uri}") INTO TABLE t) WITH S3 ({storage})')
    job = doris.wait("LOAD", "l1")
    assert job["ErrorMsg"] == "type:ETL_RUN_FAIL; msg:" + missing.format(uri=uri)
    columns = doris.columns('SHOW LOAD WHERE LABEL = "l1"')
    assert len(columns) == (20 if first_error_msg else 19)
    assert ("FirstErrorMsg" in columns) is first_error_msg and columns[18] == "Comment"
    doris.run(f'EXPORT TABLE t TO "s3://{oss_bucket}/exp/p_" PROPERTIES ("label" = "e1") WITH S3 ({storage})')
    (task,) = json.loads(doris.wait("EXPORT", "e1")["OutfileInfo"])
    (key,) = doris.keys(oss_bucket, "exp/")
    assert [entry["fileSize"] for entry in task] == [f"{len(doris.get(oss_bucket, key))}{unit}"]


def test_the_compatibility_page_lists_the_profiles_and_the_gaps() -> None:
    from pathlib import Path

    from airflow_provider_doris_oss.sql.releases import RELEASE_GAPS

    page = (Path(__file__).resolve().parents[2] / "docs" / "compatibility.md").read_text()
    section = page.split("## Doris releases", 1)[1]
    for (major, minor), traits in LINES.items():
        assert f'`"{major}.{minor}"` ({major}.{minor}.{traits.newest_patch})' in section
        assert traits.load_parser.split(" (")[0].split(",")[0] in section
    for form in RELEASE_GAPS:
        assert form.title.split(" (")[0].removeprefix("Broker Load with ") in section
        for gap in form.gaps:
            assert f"{gap.line[0]}.{gap.line[1]}.{gap.fixed_in}" in section
