"""Databases and tables over the MySQL protocol: SHOW DATABASES/TABLES and DROP, as Doris answers them."""

from __future__ import annotations

from typing import Any

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py


def test_show_and_drop_tables_and_databases(doris: DorisClient) -> None:
    doris.run("CREATE TABLE t1 (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1")
    doris.run("CREATE TABLE t2 (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1")
    assert doris.columns("SHOW TABLES") == [f"Tables_in_{doris.db}"]
    assert sorted(r[f"Tables_in_{doris.db}"] for r in doris.run("SHOW TABLES")) == ["t1", "t2"]
    databases = [r["Database"] for r in doris.run("SHOW DATABASES")]
    assert doris.db in databases and "information_schema" in databases

    doris.run("DROP TABLE t1")
    assert [r[f"Tables_in_{doris.db}"] for r in doris.run("SHOW TABLES")] == ["t2"]
    code, message = doris.error("SELECT * FROM t1")
    assert code == 1105 and "does not exist" in message
    doris.run("DROP TABLE IF EXISTS t1")

    other = doris.db + "_gone"
    doris.run(f"CREATE DATABASE {other}")
    doris.run(f"DROP DATABASE {other}")
    assert other not in [r["Database"] for r in doris.run("SHOW DATABASES")]
    code, _ = doris.error(f"USE {other}")
    assert code == 1049
