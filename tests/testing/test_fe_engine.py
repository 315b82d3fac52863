"""``DuckDbEngine``: Doris table definitions, key models, INSERT semantics, errors, and the Arrow API
that the Doris-specific statements use."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pyarrow as pa
import pytest

from airflow_provider_doris_oss.testing.doris_fe.engine import DuckDbEngine
from airflow_provider_doris_oss.testing.doris_fe.model import (
    DorisError,
    FEState,
    OkResult,
    ResultSet,
    StatementContext,
)


class Session:
    """One connection's context over a fresh engine, in database ``d``."""

    def __init__(self) -> None:
        self.engine = DuckDbEngine()
        self.fe = FEState(engine=self.engine)
        self.ctx = StatementContext(connection_id=1, user="root", database=None, fe=self.fe)
        self.run("CREATE DATABASE d")
        self.run("USE d")

    def run(self, sql: str) -> Any:
        return self.engine.execute(sql, self.ctx)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        result = self.run(sql)
        assert isinstance(result, ResultSet)
        return result.rows

    def error(self, sql: str) -> tuple[int, str]:
        with pytest.raises(DorisError) as info:
            self.run(sql)
        return info.value.code, info.value.message


@pytest.fixture
def s() -> Session:
    return Session()


# ----------------------------------------------------------------- databases


def test_databases(s: Session) -> None:
    assert s.rows("SHOW DATABASES") == [("__internal_schema",), ("d",), ("information_schema",), ("mysql",)]
    assert s.error("CREATE DATABASE d") == (
        1007,
        "errCode = 2, detailMessage = Can't create database 'd'; database exists",
    )
    assert isinstance(s.run("CREATE DATABASE IF NOT EXISTS d"), OkResult)
    assert s.error("DROP DATABASE nope") == (
        1008,
        "errCode = 2, detailMessage = Can't drop database 'nope'; database doesn't exist",
    )
    s.run("CREATE DATABASE gone")
    s.run("CREATE TABLE gone.t (k INT)")
    s.run("DROP DATABASE gone")
    assert s.engine.database_exists("gone") is False
    assert s.error("SELECT * FROM gone.t")[0] == 1049


# ------------------------------------------------------------------ CREATE TABLE


def test_create_table_records_the_doris_definition(s: Session) -> None:
    s.run(
        """CREATE TABLE IF NOT EXISTS d.events (
            day DATE NOT NULL,
            city VARCHAR(20) NOT NULL COMMENT "where",
            hits BIGINT SUM DEFAULT "0",
            top INT MAX,
            last_user STRING REPLACE_IF_NOT_NULL
        ) AGGREGATE KEY(day, city)
        COMMENT "daily events"
        PARTITION BY RANGE(day) (
            PARTITION p2025 VALUES LESS THAN ("2026-01-01"),
            PARTITION p2026 VALUES LESS THAN ("2027-01-01")
        )
        DISTRIBUTED BY HASH(city) BUCKETS 8
        PROPERTIES ("replication_num" = "1", "storage_medium" = "SSD")"""
    )
    info = s.engine.table_info("d", "events")
    assert info.keys_type == "AGG_KEYS"
    assert info.key_columns == ("day", "city")
    assert info.partitions == ("p2025", "p2026")
    assert dict(info.properties) == {"replication_num": "1", "storage_medium": "SSD"}
    assert [(c.name, c.doris_type, c.nullable) for c in info.columns] == [
        ("day", "date", False),
        ("city", "varchar(20)", False),
        ("hits", "bigint", True),
        ("top", "int", True),
        ("last_user", "text", True),
    ]
    assert [str(c.arrow_type) for c in info.columns] == ["date32[day]", "string", "int64", "int32", "string"]
    assert s.rows("DESC events") == [
        ("day", "date", "No", "true", None, ""),
        ("city", "varchar(20)", "No", "true", None, ""),
        ("hits", "bigint", "Yes", "false", "0", "SUM"),
        ("top", "int", "Yes", "false", None, "MAX"),
        ("last_user", "text", "Yes", "false", None, "REPLACE_IF_NOT_NULL"),
    ]
    ((name, ddl),) = s.rows("SHOW CREATE TABLE events")
    assert name == "events"
    assert "AGGREGATE KEY(`day`, `city`)" in ddl
    assert "DISTRIBUTED BY HASH(`city`) BUCKETS 8" in ddl


def test_create_table_forms_without_distribution_and_with_list_partitions(s: Session) -> None:
    s.run("CREATE TABLE plain (id INT, name VARCHAR(10), note STRING)")
    info = s.engine.table_info("d", "plain")
    assert (info.keys_type, info.key_columns) == ("DUP_KEYS", ("id", "name"))
    s.run(
        "CREATE TABLE l (k INT, region VARCHAR(8)) UNIQUE KEY(k) PARTITION BY LIST(k) "
        '(PARTITION p1 VALUES IN ("1", "2"), PARTITION p2 VALUES IN ("3")) DISTRIBUTED BY RANDOM BUCKETS AUTO'
    )
    assert s.engine.table_info("d", "l").partitions == ("p1", "p2")
    s.run(
        "CREATE TABLE types (a BOOLEAN, b TINYINT, c SMALLINT, e LARGEINT, f FLOAT, g DOUBLE, "
        "h DECIMALV3(20, 4), i DATEV2, j DATETIMEV2(6), k CHAR(3), m JSON, n ARRAY<INT>, o TEXT)"
    )
    assert [c.doris_type for c in s.engine.table_info("d", "types").columns] == [
        "boolean", "tinyint", "smallint", "largeint", "float", "double", "decimal(20,4)", "date",
        "datetime(6)", "char(3)", "json", "array<int>", "text",
    ]  # fmt: skip


def test_create_table_errors(s: Session) -> None:
    s.run("CREATE TABLE t (k INT)")
    assert s.error("CREATE TABLE t (k INT)") == (
        1050,
        "errCode = 2, detailMessage = Table 't' already exists",
    )
    assert isinstance(s.run("CREATE TABLE IF NOT EXISTS t (k INT)"), OkResult)
    code, message = s.error("CREATE TABLE bad (a INT, b INT) UNIQUE KEY(b)")
    assert code == 1105
    assert message.startswith(
        "errCode = 2, detailMessage = Key columns should be a ordered prefix of the schema."
    )
    assert "aggregation type SUM" in s.error("CREATE TABLE bad (a INT, b INT SUM) DUPLICATE KEY(a)")[1]
    assert "aggregation type" in s.error("CREATE TABLE bad (a INT, b INT) AGGREGATE KEY(a)")[1]
    assert "Unknown data type" in s.error("CREATE TABLE bad (a NOTATYPE)")[1]
    code, message = s.error("CREATE TABLE bad (a INT")
    assert (code, message.split("\n")[0]) == (1105, "errCode = 2, detailMessage = ")
    assert s.error("CREATE TABLE nodb.t (k INT)")[0] == 1049


# -------------------------------------------------------------- key models


def test_duplicate_key_keeps_every_row(s: Session) -> None:
    s.run("CREATE TABLE dup (k INT, v INT) DUPLICATE KEY(k)")
    s.run("INSERT INTO dup VALUES (1, 1), (1, 1), (2, 5)")
    assert s.rows("SELECT k, v FROM dup ORDER BY k, v") == [(1, 1), (1, 1), (2, 5)]


def test_unique_key_replaces_whole_rows_last_one_wins(s: Session) -> None:
    s.run("CREATE TABLE u (k INT, k2 VARCHAR(4), v INT, w STRING) UNIQUE KEY(k, k2) DISTRIBUTED BY HASH(k)")
    s.run("INSERT INTO u VALUES (1, 'a', 1, 'x'), (1, 'b', 2, 'y')")
    result = s.run("INSERT INTO u (k, k2, v) VALUES (1, 'a', 10), (1, 'a', 11)")
    assert result.affected_rows == 2
    assert s.rows("SELECT * FROM u ORDER BY k2") == [(1, "a", 11, None), (1, "b", 2, "y")]


def test_aggregate_key_aggregates_every_write(s: Session) -> None:
    s.run(
        "CREATE TABLE a (k VARCHAR(4), total BIGINT SUM, hi INT MAX, lo INT MIN, last STRING REPLACE, "
        "kept STRING REPLACE_IF_NOT_NULL) AGGREGATE KEY(k)"
    )
    s.run(
        "INSERT INTO a VALUES ('x', 1, 5, 5, 'first', 'keep'), ('x', 2, 3, 3, 'second', NULL), ('y', 7, 1, 1, 'y', 'y')"
    )
    s.run("INSERT INTO a VALUES ('x', 10, 4, 1, 'third', NULL)")
    assert s.rows("SELECT * FROM a ORDER BY k") == [
        ("x", 13, 5, 1, "third", "keep"),
        ("y", 7, 1, 1, "y", "y"),
    ]


# ------------------------------------------------------------------- INSERT


def test_insert_info_labels_and_last_insert(s: Session) -> None:
    s.run("CREATE TABLE t (k INT, v STRING)")
    result = s.run("INSERT INTO t WITH LABEL my_label_1 (k, v) VALUES (1, 'a'), (2, 'b')")
    assert isinstance(result, OkResult)
    assert result.affected_rows == 2
    assert result.info.startswith("{'label':'my_label_1', 'status':'VISIBLE', 'txnId':'")
    txn = int(result.info.rsplit("'", 2)[1])
    assert s.rows("SHOW LAST INSERT") == [(txn, "my_label_1", "d", "t", "VISIBLE", 2, 0)]
    assert s.error("INSERT INTO t WITH LABEL my_label_1 VALUES (3, 'c')") == (
        1105,
        "errCode = 2, detailMessage = Label [my_label_1] has already been used.",
    )
    assert s.rows("SELECT count(*) FROM t") == [(2,)]


def test_a_failed_insert_leaves_nothing_and_frees_its_label(s: Session) -> None:
    s.run("CREATE TABLE t (k INT NOT NULL, v VARCHAR(3))")
    message = s.error("INSERT INTO t WITH LABEL retry_me VALUES (1, 'ok'), (2, 'too long')")[1]
    assert message.startswith("errCode = 2, detailMessage = Insert has filtered data in strict mode")
    assert "column_name[v]" in message
    assert "column_name[k]" in s.error("INSERT INTO t VALUES ('x', 'a')")[1]
    assert "column_name[k]" in s.error("INSERT INTO t VALUES (NULL, 'a')")[1]
    assert (
        s.error("INSERT INTO t (v) VALUES ('a')")[1]
        == "errCode = 2, detailMessage = Column has no default value, column=k"
    )
    assert s.rows("SELECT count(*) FROM t") == [(0,)]
    assert s.run("INSERT INTO t WITH LABEL retry_me VALUES (1, 'ok')").affected_rows == 1


def test_insert_select_overwrite_partition_and_defaults(s: Session) -> None:
    s.run("CREATE TABLE src (k INT, v INT)")
    s.run("INSERT INTO src VALUES (1, 10), (2, 20)")
    s.run(
        'CREATE TABLE dst (k INT, v INT, `tag` VARCHAR(8) DEFAULT "none") PARTITION BY RANGE(k) '
        '(PARTITION p1 VALUES LESS THAN ("100"))'
    )
    assert s.run("INSERT INTO dst PARTITION (p1) (k, v) SELECT k, v * 2 FROM src").affected_rows == 2
    assert s.rows("SELECT * FROM dst ORDER BY k") == [(1, 20, "none"), (2, 40, "none")]
    s.run("INSERT OVERWRITE TABLE dst (k, v, `tag`) SELECT k, v, 'new' FROM src WHERE k = 1")
    assert s.rows("SELECT * FROM dst") == [(1, 10, "new")]
    assert "Unknown partition" in s.error("INSERT INTO dst PARTITION (p9) VALUES (1, 1, 'x')")[1]
    assert "Column count" in s.error("INSERT INTO dst (k, v) VALUES (1)")[1]


def test_select_translation_and_names(s: Session) -> None:
    s.run("CREATE TABLE t (k INT, v DECIMAL(6,2), day DATETIME, arr ARRAY<INT>, ok BOOLEAN)")
    s.run(
        "INSERT INTO t VALUES (1, 1.50, '2026-11-25 01:02:03', [1, 2], true), (2, 2.25, '2026-11-26 00:00:00', [], false)"
    )
    result = s.run("SELECT count(*), sum(v), max(day) AS latest FROM t WHERE k > 0")
    assert result.columns == ["count(*)", "sum(v)", "latest"]
    assert result.rows == [(2, decimal.Decimal("3.75"), dt.datetime(2026, 11, 26))]
    assert s.rows("SELECT arr, ok FROM t ORDER BY k") == [("[1, 2]", 1), ("[]", 0)]
    assert s.rows("SELECT a.k FROM t a JOIN d.t b ON a.k = b.k ORDER BY a.k LIMIT 1") == [(1,)]


def test_delete_truncate_drop(s: Session) -> None:
    s.run("CREATE TABLE t (k INT, v INT) UNIQUE KEY(k)")
    s.run("INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)")
    assert s.run("DELETE FROM t WHERE k >= 2").affected_rows == 2
    assert s.run("UPDATE t SET v = 9 WHERE k = 1").affected_rows == 1
    assert s.rows("SELECT * FROM t") == [(1, 9)]
    s.run("TRUNCATE TABLE t")
    assert s.rows("SELECT count(*) FROM t") == [(0,)]
    s.run("DROP TABLE t")
    assert s.rows("SHOW TABLES") == []
    assert s.error("DROP TABLE t") == (1051, "errCode = 2, detailMessage = Unknown table 't'")
    assert isinstance(s.run("DROP TABLE IF EXISTS t"), OkResult)


def test_create_table_as_select(s: Session) -> None:
    s.run("CREATE TABLE src (k INT, name VARCHAR(8))")
    s.run("INSERT INTO src VALUES (1, 'a'), (2, 'b')")
    assert (
        s.run(
            "CREATE TABLE copy PROPERTIES ('replication_num' = '1') AS SELECT k, name FROM src"
        ).affected_rows
        == 2
    )
    assert [c.doris_type for c in s.engine.table_info("d", "copy").columns] == ["int", "varchar(65533)"]
    assert s.rows("SELECT * FROM copy ORDER BY k") == [(1, "a"), (2, "b")]


# ------------------------------------------------------------------ Arrow API


def test_insert_arrow_casts_by_name_and_honours_the_key_model(s: Session) -> None:
    s.run("CREATE TABLE u (id BIGINT, day DATE, amount DECIMAL(8,2), note STRING) UNIQUE KEY(id)")
    data = pa.table(
        {"note": ["a", "b", "c"], "id": [1, 2, 1], "day": ["2026-01-02", "2026-01-03", "2026-01-04"]}
    )
    assert s.engine.insert_arrow("d", "u", data) == 3
    assert s.rows("SELECT id, day, amount, note FROM u ORDER BY id") == [
        (1, dt.date(2026, 1, 4), None, "c"),
        (2, dt.date(2026, 1, 3), None, "b"),
    ]
    with pytest.raises(DorisError, match="Unknown column 'nope'"):
        s.engine.insert_arrow("d", "u", pa.table({"nope": [1]}))
    with pytest.raises(DorisError, match=r"Table \[missing\] does not exist in database \[d\]\."):
        s.engine.insert_arrow("d", "missing", data)


def test_query_arrow_with_bindings(s: Session) -> None:
    s.run("CREATE TABLE dim (id INT, name VARCHAR(8))")
    s.run("INSERT INTO dim VALUES (1, 'one'), (2, 'two')")
    files = pa.table({"c1": ["1", "2", "3"], "c2": ["x", "y", "z"]})
    table = s.engine.query_arrow(
        "SELECT f.c2, dim.name FROM __s3_0 AS f JOIN dim ON CAST(f.c1 AS INT) = dim.id ORDER BY f.c2",
        "d",
        {"__s3_0": files},
    )
    assert table.to_pylist() == [{"c2": "x", "name": "one"}, {"c2": "y", "name": "two"}]
    with pytest.raises(DorisError, match="No database selected"):
        s.engine.query_arrow("SELECT * FROM dim", None)


# ------------------------------------------------------------ information_schema


def test_information_schema_describes_the_tables(s: Session) -> None:
    s.run(
        'CREATE TABLE t (k INT NOT NULL COMMENT "key", v VARCHAR(10) DEFAULT "x", amt DECIMAL(10,2)) UNIQUE KEY(k)'
    )
    s.run("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', 2.5)")
    assert s.rows(
        "SELECT table_schema, table_name, table_type, table_rows FROM information_schema.tables "
        "WHERE table_schema = 'd'"
    ) == [("d", "t", "BASE TABLE", 2)]
    assert s.rows(
        "SELECT column_name, ordinal_position, data_type, column_type, is_nullable, column_key, column_default, "
        "numeric_precision, numeric_scale, character_maximum_length, column_comment "
        "FROM information_schema.columns WHERE table_schema = 'd' AND table_name = 't' ORDER BY ordinal_position"
    ) == [
        ("k", 1, "int", "int", "NO", "UNI", None, 10, 0, None, "key"),
        ("v", 2, "varchar", "varchar(10)", "YES", "", "x", None, None, 10, ""),
        ("amt", 3, "decimal", "decimal(10,2)", "YES", "", None, 10, 2, None, ""),
    ]
    assert ("d",) in s.rows("SELECT schema_name FROM information_schema.schemata")
    assert s.rows("SHOW TABLES FROM information_schema") == [("schemata",), ("tables",), ("columns",)]
