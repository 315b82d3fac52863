"""Broker Load conformance: statement shapes, SHOW LOAD columns and formats, data as Doris reads it."""

from __future__ import annotations

import gzip
import io
import json
import re
from typing import Any

import pytest

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")

# SHOW LOAD of the newest release line (the default profile); 2.1 and 3.0 lack FirstErrorMsg.
LOAD_COLUMNS = [
    "JobId", "Label", "State", "Progress", "Type", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime",
    "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL", "JobDetails",
    "TransactionId", "ErrorTablets", "User", "Comment", "FirstErrorMsg",
]  # fmt: skip

TABLE = (
    "CREATE TABLE t (id INT, name VARCHAR(10), score DOUBLE) DUPLICATE KEY(id) "
    'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


@pytest.fixture
def table(doris: DorisClient) -> str:
    doris.run(TABLE)
    return "t"


def load(doris: DorisClient, label: str, desc: str, properties: str = "", **storage: str) -> None:
    props = f" PROPERTIES ({properties})" if properties else ""
    doris.run(f"LOAD LABEL {label} ({desc}) WITH S3 ({doris.storage(**storage)}){props}")


def rows(doris: DorisClient, sql: str = "SELECT id, name, score FROM t ORDER BY id") -> list[tuple]:
    return [tuple(r.values()) for r in doris.run(sql)]


def test_csv_load_finishes_and_show_load_reports_doris_columns(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "in/a.csv", b"1,alice,1.5\n2,bob,2.5\n")
    load(doris, "l1", f'DATA INFILE ("s3://{oss_bucket}/in/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","')
    job = doris.wait("LOAD", "l1")
    assert doris.columns('SHOW LOAD WHERE LABEL = "l1"') == LOAD_COLUMNS
    assert job["State"] == "FINISHED"
    assert job["Progress"] == "ETL:100%; LOAD:100%"
    assert job["Type"] == "BROKER"
    assert job["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=0; dpp.norm.ALL=2"
    assert job["TaskInfo"] == "cluster:N/A; timeout(s):14400; max_filter_ratio:0.0; priority:NORMAL"
    assert job["ErrorMsg"] is None and job["URL"] is None
    for name in ("CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime"):
        assert TIMESTAMP.match(job[name]), name
    details = json.loads(job["JobDetails"])
    assert details["ScannedRows"] == 2 and details["FileNumber"] == 1 and details["FileSize"] == 22
    assert int(job["TransactionId"]) > 0 and int(job["JobId"]) > 0
    assert job["User"] == "root"
    assert rows(doris) == [(1, "alice", 1.5), (2, "bob", 2.5)]


def test_default_column_separator_is_tab(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "tab.txt", b"1\talice\t1.5\n")
    load(doris, "tab", f'DATA INFILE ("s3://{oss_bucket}/tab.txt") INTO TABLE t')
    assert doris.wait("LOAD", "tab")["State"] == "FINISHED"
    assert rows(doris) == [(1, "alice", 1.5)]


def test_comma_file_without_separator_is_filtered_and_cancelled(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "c.csv", b"1,alice,1.5\n2,bob,2.5\n")
    load(doris, "nosep", f'DATA INFILE ("s3://{oss_bucket}/c.csv") INTO TABLE t')
    job = doris.wait("LOAD", "nosep")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"] == "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel"
    assert job["URL"].startswith("http://") and "_load_error_log" in job["URL"]
    assert job["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=2; dpp.norm.ALL=0"
    warnings = doris.run(f'SHOW LOAD WARNINGS ON "{job["URL"]}"')
    assert len(warnings) == 2 and "1,alice,1.5" in warnings[0]["ErrorMsgDetail"]
    assert rows(doris) == []


def test_max_filter_ratio_under_finishes_with_counts_and_url(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "m.csv", b"1,a,1\n2,b\n3,c,3\n4,d,4\n")
    desc = f'DATA INFILE ("s3://{oss_bucket}/m.csv") INTO TABLE t COLUMNS TERMINATED BY ","'
    load(doris, "ok", desc, '"max_filter_ratio" = "0.3"')
    job = doris.wait("LOAD", "ok")
    assert job["State"] == "FINISHED"
    assert job["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=1; dpp.norm.ALL=3"
    assert job["URL"] is not None
    assert "max_filter_ratio:0.3" in job["TaskInfo"]
    assert [r[0] for r in rows(doris)] == [1, 3, 4]


def test_max_filter_ratio_exceeded_is_cancelled(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "m.csv", b"1,a,1\n2,b\n3,c\n4,d,4\n")
    desc = f'DATA INFILE ("s3://{oss_bucket}/m.csv") INTO TABLE t COLUMNS TERMINATED BY ","'
    load(doris, "bad", desc, '"max_filter_ratio" = "0.3"')
    job = doris.wait("LOAD", "bad")
    assert job["State"] == "CANCELLED"
    assert job["ErrorMsg"] == "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel"
    assert rows(doris) == []


def test_where_drops_rows_as_unselected_not_filtered(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "w.csv", b"1,a,1\n2,b,2\n3,c,3\n")
    desc = f'DATA INFILE ("s3://{oss_bucket}/w.csv") INTO TABLE t COLUMNS TERMINATED BY "," WHERE id >= 2'
    load(doris, "w", desc)
    job = doris.wait("LOAD", "w")
    assert job["State"] == "FINISHED"
    assert job["EtlInfo"] == "unselected.rows=1; dpp.abnorm.ALL=0; dpp.norm.ALL=2"
    assert [r[0] for r in rows(doris)] == [2, 3]


def test_column_list_set_and_columns_from_path(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(
        "CREATE TABLE p (id INT, city VARCHAR(20), total BIGINT) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
    )
    doris.put(oss_bucket, "data/city=beijing/part.csv", b"7|10|5\n8|20|6\n")
    load(
        doris,
        "set1",
        f'DATA INFILE ("s3://{oss_bucket}/data/city=*/part.csv") INTO TABLE p COLUMNS TERMINATED BY "|" '
        "(id, a, b) COLUMNS FROM PATH AS (city) SET (total = a * b)",
    )
    assert doris.wait("LOAD", "set1")["State"] == "FINISHED"
    assert rows(doris, "SELECT id, city, total FROM p ORDER BY id") == [
        (7, "beijing", 50),
        (8, "beijing", 120),
    ]


def test_preceding_filter_acts_on_source_columns(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "f.csv", b"1,a,1\n2,b,2\n")
    desc = (
        f'DATA INFILE ("s3://{oss_bucket}/f.csv") INTO TABLE t COLUMNS TERMINATED BY "," '
        "(id, name, score) PRECEDING FILTER id > 1"
    )
    load(doris, "pf", desc)
    job = doris.wait("LOAD", "pf")
    assert job["EtlInfo"] == "unselected.rows=1; dpp.abnorm.ALL=0; dpp.norm.ALL=1"
    assert rows(doris) == [(2, "b", 2.0)]


def test_wildcards_match_listed_keys(doris: DorisClient, table: str, oss_bucket: str) -> None:
    for key, line in (("w/a1.csv", b"1,a,1\n"), ("w/a2.csv", b"2,b,2\n"), ("w/b1.csv", b"3,c,3\n")):
        doris.put(oss_bucket, key, line)
    doris.put(oss_bucket, "w/sub/a3.csv", b"4,d,4\n")
    load(
        doris,
        "glob",
        f'DATA INFILE ("s3://{oss_bucket}/w/a[0-9].csv") INTO TABLE t COLUMNS TERMINATED BY ","',
    )
    job = doris.wait("LOAD", "glob")
    assert json.loads(job["JobDetails"])["FileNumber"] == 2
    assert [r[0] for r in rows(doris)] == [1, 2]


def test_question_mark_wildcard_and_hash_in_keys(doris: DorisClient, table: str, oss_bucket: str) -> None:
    for key, line in (("q/p1.csv", b"1,a,1\n"), ("q/p22.csv", b"2,b,2\n"), ("q/#3.csv", b"3,c,3\n")):
        doris.put(oss_bucket, key, line)
    load(doris, "qmark", f'DATA INFILE ("s3://{oss_bucket}/q/p?.csv") INTO TABLE t COLUMNS TERMINATED BY ","')
    assert doris.wait("LOAD", "qmark")["State"] == "FINISHED"
    assert [r[0] for r in rows(doris)] == [1]
    load(doris, "hash", f'DATA INFILE ("s3://{oss_bucket}/q/#3.csv") INTO TABLE t COLUMNS TERMINATED BY ","')
    assert doris.wait("LOAD", "hash")["State"] == "FINISHED"
    assert [r[0] for r in rows(doris)] == [1, 3]


def test_no_matching_file_cancels_with_etl_run_fail(doris: DorisClient, table: str, oss_bucket: str) -> None:
    load(doris, "none", f'DATA INFILE ("s3://{oss_bucket}/missing/*.csv") INTO TABLE t')
    job = doris.wait("LOAD", "none")
    assert job["State"] == "CANCELLED"
    paths = f"[s3://{oss_bucket}/missing/*.csv]"  # the newest line's words; 2.1/3.0: test_fe_releases
    assert job["ErrorMsg"] == f"type:ETL_RUN_FAIL; msg:No source files found in the specified paths: {paths}"


def test_strict_mode_filters_bad_values_non_strict_makes_them_null(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "s.csv", b"1,a,x\n2,b,2\n")
    desc = f'DATA INFILE ("s3://{oss_bucket}/s.csv") INTO TABLE t COLUMNS TERMINATED BY ","'
    load(doris, "loose", desc)
    assert doris.wait("LOAD", "loose")["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=0; dpp.norm.ALL=2"
    assert rows(doris) == [(1, "a", None), (2, "b", 2.0)]
    load(doris, "strict", desc, '"strict_mode" = "true", "max_filter_ratio" = "0.5"')
    assert doris.wait("LOAD", "strict")["EtlInfo"] == "unselected.rows=0; dpp.abnorm.ALL=1; dpp.norm.ALL=1"


def test_json_parquet_and_gzip_are_read_by_suffix(doris: DorisClient, table: str, oss_bucket: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    doris.put(oss_bucket, "j.json", json.dumps([{"id": 1, "name": "j", "score": 1.0}]).encode())
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [2], "name": ["p"], "score": [2.0]}), buffer)
    doris.put(oss_bucket, "p.parquet", buffer.getvalue())
    doris.put(oss_bucket, "g.csv.gz", gzip.compress(b"3,g,3\n"))
    load(
        doris,
        "fmts",
        f'DATA INFILE ("s3://{oss_bucket}/j.json") INTO TABLE t FORMAT AS "json" '
        'PROPERTIES ("strip_outer_array" = "true"), '
        f'DATA INFILE ("s3://{oss_bucket}/p.parquet") INTO TABLE t, '
        f'DATA INFILE ("s3://{oss_bucket}/g.csv.gz") INTO TABLE t COLUMNS TERMINATED BY ","',
    )
    assert doris.wait("LOAD", "fmts")["State"] == "FINISHED"
    assert rows(doris) == [(1, "j", 1.0), (2, "p", 2.0), (3, "g", 3.0)]


def test_data_descs_load_all_or_nothing(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "good.csv", b"1,a,1\n")
    load(
        doris,
        "atomic",
        f'DATA INFILE ("s3://{oss_bucket}/good.csv") INTO TABLE t COLUMNS TERMINATED BY ",", '
        f'DATA INFILE ("s3://{oss_bucket}/nothing-*.csv") INTO TABLE t',
    )
    assert doris.wait("LOAD", "atomic")["State"] == "CANCELLED"
    assert rows(doris) == []


# -- labels -----------------------------------------------------------------------------------


def test_label_reuse_fails_unless_the_job_was_cancelled(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    doris.put(oss_bucket, "a.csv", b"1,a,1\n")
    good = f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","'
    load(doris, "once", good)
    doris.wait("LOAD", "once")
    code, message = doris.error(f"LOAD LABEL once ({good}) WITH S3 ({doris.storage()})")
    assert code == 1105 and "Label [once] has already been used." in message
    load(doris, "again", f'DATA INFILE ("s3://{oss_bucket}/none-*.csv") INTO TABLE t')
    assert doris.wait("LOAD", "again")["State"] == "CANCELLED"
    load(doris, "again", good)
    jobs = doris.run('SHOW LOAD WHERE LABEL = "again"')
    assert len(jobs) == 2 and jobs[0]["JobId"] < jobs[1]["JobId"]
    assert doris.wait("LOAD", "again")["State"] == "FINISHED"


def test_label_with_dash_and_colon_needs_backticks(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "a.csv", b"1,a,1\n")
    desc = f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","'
    load(doris, f"`{doris.db}`.`run-1:x`", desc)
    assert doris.wait("LOAD", "run-1:x")["State"] == "FINISHED"


def test_bad_label_is_refused_with_the_regex(doris: DorisClient, table: str, oss_bucket: str) -> None:
    code, message = doris.error(
        f'LOAD LABEL `a.b` (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t) WITH S3 ({doris.storage()})'
    )
    assert code == 1105
    assert "Label format error. regex: ^[-_A-Za-z0-9:]{1,128}$, label: a.b" in message


# -- statement errors -------------------------------------------------------------------------


def test_unknown_job_property_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    code, message = doris.error(
        f'LOAD LABEL p (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t) WITH S3 ({doris.storage()}) '
        'PROPERTIES ("max_filter_rate" = "0.1")'
    )
    assert code == 1105 and message.endswith("max_filter_rate is invalid property")
    assert doris.run('SHOW LOAD WHERE LABEL = "p"') == []


@pytest.mark.parametrize(
    ("props", "text"),
    [
        ('"max_filter_ratio" = "2"', "max_filter_ratio must between 0.0 and 1.0."),
        ('"priority" = "low"', "priority must be in [LOW/NORMAL/HIGH]."),
        ('"strict_mode" = "yes"', "strict_mode is not a boolean"),
    ],
)
def test_job_property_values_are_checked(
    doris: DorisClient, table: str, oss_bucket: str, props: str, text: str
) -> None:
    _, message = doris.error(
        f'LOAD LABEL p (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t) WITH S3 ({doris.storage()}) '
        f"PROPERTIES ({props})"
    )
    assert message.endswith(text)


def test_bad_format_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'LOAD LABEL f (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t FORMAT AS "xlsx") WITH S3 ({doris.storage()})'
    )
    assert message.endswith("File Format Type xlsx is invalid.")


@pytest.mark.parametrize(
    "desc",
    [
        'DATA INFILE ("s3://b/a") INTO TABLE db.t',
        'DATA INFILE ("s3://b/a") INTO TABLE t NEGATIVE',
        'DATA INFILE ("s3://b/a") INTO TABLE t WHERE id > 1 COLUMNS TERMINATED BY ","',
    ],
)
def test_malformed_load_is_a_syntax_error(doris: DorisClient, table: str, desc: str) -> None:
    code, message = doris.error(f"LOAD LABEL s ({desc}) WITH S3 ({doris.storage()})")
    assert code == 1105
    assert message.startswith("errCode = 2, detailMessage = \n") and "(line 1, pos " in message


def test_merge_rules(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'LOAD LABEL m (MERGE DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t DELETE ON id = 1) '
        f"WITH S3 ({doris.storage()})"
    )
    assert message.endswith("load by MERGE or DELETE is only supported in unique tables.")
    doris.run(
        "CREATE TABLE u (id INT, name VARCHAR(10)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    _, message = doris.error(
        f'LOAD LABEL m (MERGE DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE u) WITH S3 ({doris.storage()})'
    )
    assert message.endswith("Excepted DELETE ON clause when merge type is MERGE.")


def test_merge_deletes_matching_keys(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(
        "CREATE TABLE u (id INT, name VARCHAR(10)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1")'
    )
    doris.run("INSERT INTO u VALUES (1, 'old'), (2, 'keep')")
    doris.put(oss_bucket, "m.csv", b"1,gone\n3,new\n")
    load(
        doris,
        "merge",
        f'MERGE DATA INFILE ("s3://{oss_bucket}/m.csv") INTO TABLE u COLUMNS TERMINATED BY "," '
        "(id, name) DELETE ON name = 'gone'",
    )
    assert doris.wait("LOAD", "merge")["State"] == "FINISHED"
    assert rows(doris, "SELECT id, name FROM u ORDER BY id") == [(2, "keep"), (3, "new")]


# -- storage checks before the job exists -----------------------------------------------------


def test_wrong_secret_key_fails_the_statement_and_records_nothing(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    code, message = doris.error(
        f'LOAD LABEL k (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t) '
        f"WITH S3 ({doris.storage(**{'s3.secret_key': 'not-the-key'})})"
    )
    assert code == 1105
    assert "Incorrect object storage info" in message and "not-the-key" not in message
    assert doris.run('SHOW LOAD WHERE LABEL = "k"') == []
    doris.put(oss_bucket, "a.csv", b"1,a,1\n")
    load(doris, "k", f'DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ","')
    assert doris.wait("LOAD", "k")["State"] == "FINISHED"


def test_wrong_access_key_fails_the_statement(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'LOAD LABEL k (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t) '
        f"WITH S3 ({doris.storage(**{'s3.access_key': 'LTAIunknown'})})"
    )
    assert "Incorrect object storage info" in message


def test_missing_bucket_in_second_data_desc_fails_the_statement(
    doris: DorisClient, table: str, oss_bucket: str
) -> None:
    _, message = doris.error(
        f'LOAD LABEL b (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t, '
        f'DATA INFILE ("s3://{oss_bucket}-missing/a.csv") INTO TABLE t) WITH S3 ({doris.storage()})'
    )
    assert "Incorrect object storage info" in message and "NoSuchBucket" in message
    assert doris.run('SHOW LOAD WHERE LABEL = "b"') == []


def test_unreachable_endpoint_fails_the_statement(oss_bucket: str) -> None:
    """An FE without a proxy connects to the endpoint first, as Doris's FE does; a closed port fails."""
    import pymysql

    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

    with LocalDorisFE() as fe:
        conn = pymysql.connect(
            host=fe.host, port=fe.port, user=fe.user, password=fe.password, autocommit=True
        )
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE d")
            cur.execute("USE d")
            cur.execute(TABLE)
            with pytest.raises(pymysql.MySQLError) as info:
                cur.execute(
                    f'LOAD LABEL e (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t) WITH S3 ('
                    '"s3.endpoint" = "http://127.0.0.1:9", "s3.region" = "cn-beijing", '
                    '"s3.access_key" = "ak", "s3.secret_key" = "sk")'
                )
            assert info.value.args[0] == 1105
            assert "Incorrect object storage info: " in info.value.args[1]
            cur.execute('SHOW LOAD WHERE LABEL = "e"')
            assert cur.fetchall() == ()
        conn.close()


def test_another_regions_endpoint_fails_the_statement(doris: DorisClient, table: str, oss_bucket: str) -> None:
    """Through the local OSS, an endpoint that is not the one it serves cannot be reached, as in reality."""
    code, message = doris.error(
        f'LOAD LABEL r (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t) '
        f"WITH S3 ({doris.storage(**{'s3.endpoint': 'oss-cn-hangzhou.aliyuncs.com', 's3.region': 'cn-hangzhou'})})"
    )
    assert code == 1105 and "Incorrect object storage info" in message
    assert doris.run('SHOW LOAD WHERE LABEL = "r"') == []


def test_missing_endpoint_is_refused(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'LOAD LABEL e (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t) '
        f"WITH S3 ({doris.storage(**{'s3.endpoint': None})})"
    )
    assert "Endpoint is not set" in message


def test_order_by_sequence_column_keeps_the_latest_row(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(
        "CREATE TABLE u (id INT, name VARCHAR(10), seq INT) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
        'PROPERTIES ("replication_num" = "1", "function_column.sequence_col" = "seq")'
    )
    doris.put(oss_bucket, "s.csv", b"1,new,5\n1,old,3\n2,only,1\n")
    load(
        doris,
        "seq",
        f'DATA INFILE ("s3://{oss_bucket}/s.csv") INTO TABLE u COLUMNS TERMINATED BY "," (id, name, seq) ORDER BY seq',
    )
    assert doris.wait("LOAD", "seq")["State"] == "FINISHED"
    assert rows(doris, "SELECT id, name, seq FROM u ORDER BY id") == [(1, "new", 5), (2, "only", 1)]


def test_order_by_needs_a_sequence_column(doris: DorisClient, table: str, oss_bucket: str) -> None:
    _, message = doris.error(
        f'LOAD LABEL o (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE t ORDER BY id) WITH S3 ({doris.storage()})'
    )
    assert message.endswith("There is no sequence column in the table t.")


def test_unknown_partition_is_refused(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(
        "CREATE TABLE p (id INT, name VARCHAR(10)) DUPLICATE KEY(id) PARTITION BY RANGE(id) "
        '(PARTITION p1 VALUES LESS THAN ("10")) DISTRIBUTED BY HASH(id) BUCKETS 1 '
        'PROPERTIES ("replication_num" = "1")'
    )
    _, message = doris.error(
        f'LOAD LABEL p (DATA INFILE ("s3://{oss_bucket}/a") INTO TABLE p PARTITION (p9)) WITH S3 ({doris.storage()})'
    )
    assert message.endswith("Unknown partition 'p9' in table 'p'")


def test_comment_is_shown(doris: DorisClient, table: str, oss_bucket: str) -> None:
    doris.put(oss_bucket, "a.csv", b"1,a,1\n")
    doris.run(
        f'LOAD LABEL c (DATA INFILE ("s3://{oss_bucket}/a.csv") INTO TABLE t COLUMNS TERMINATED BY ",") '
        f'WITH S3 ({doris.storage()}) PROPERTIES ("timeout" = "600") COMMENT "nightly load"'
    )
    job = doris.wait("LOAD", "c")
    assert job["Comment"] == "nightly load" and "timeout(s):600;" in job["TaskInfo"]
