"""Masking secrets in the statement log, and appending from several writers."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from airflow_provider_doris_oss.testing.doris_fe.statement_log import (
    StatementLog,
    is_secret_key,
    mask_secrets,
)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('"s3.secret_key" = "abc"', '"s3.secret_key" = "***"'),
        ("'oss.secret_key'='abc'", "'oss.secret_key'='***'"),
        ('"AWS_SECRET_KEY"="a\\"b"', '"AWS_SECRET_KEY"="***"'),
        ("'secret_key' = 'it''s'", "'secret_key' = '***'"),
        ('"fs.oss.accessKeySecret" = "x"', '"fs.oss.accessKeySecret" = "***"'),
        ('"s3.session_token" = "t"', '"s3.session_token" = "***"'),
        ('"AWS_TOKEN" = "t"', '"AWS_TOKEN" = "***"'),
        ('"jdbc.password" = "p"', '"jdbc.password" = "***"'),
        ("CREATE USER u IDENTIFIED BY 'pw'", "CREATE USER u IDENTIFIED BY '***'"),
        ("SET PASSWORD = PASSWORD('pw')", "SET PASSWORD = PASSWORD('***')"),
    ],
)
def test_secret_values_are_masked(sql: str, expected: str) -> None:
    assert mask_secrets(sql) == expected


def test_other_values_are_kept() -> None:
    sql = '"s3.endpoint" = "oss-cn-beijing.aliyuncs.com", "label" = "secret_key", "timeout" = "60"'
    assert mask_secrets(sql) == sql
    assert not is_secret_key("s3.endpoint")
    assert is_secret_key("S3.Secret_Key")
    assert is_secret_key("s3.access_key") and is_secret_key("fs.oss.accessKeyId")


def test_every_secret_in_a_statement_is_masked() -> None:
    sql = (
        'LOAD LABEL d.l1 (DATA INFILE("s3://b/f.csv") INTO TABLE t) WITH S3 ('
        '"s3.endpoint" = "http://oss", "s3.access_key" = "AK", "s3.secret_key" = "SK1", '
        '"AWS_TOKEN" = "TK2") PROPERTIES ("timeout" = "3600")'
    )
    masked = mask_secrets(sql)
    assert "SK1" not in masked
    assert "TK2" not in masked
    assert '"s3.access_key" = "***"' in masked
    assert '"timeout" = "3600"' in masked


def test_lines_from_many_threads_stay_whole(tmp_path: Path) -> None:
    log = StatementLog(tmp_path / "log.jsonl")
    long_sql = "SELECT '" + "x" * 20000 + "'"

    def writer(worker: int) -> None:
        for i in range(25):
            log.write(worker, long_sql if i % 5 == 0 else f"SELECT {worker}, {i}", "ok")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert len(records) == 8 * 25
    assert sum(r["sql"] == long_sql for r in records) == 8 * 5
    assert {r["connection_id"] for r in records} == set(range(8))
