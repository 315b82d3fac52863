"""Column types copied from real schemas: display widths, MAP, STRUCT, VARIANT, IPV4, IPV6.

Each is accepted as Doris accepts it, shown by DESC as Doris's type text (``MapType.toSql``
writes ``MAP<int,text>``, ``StructType.toSql`` ``struct<a:int,b:text>``, scalars lower-case),
and holds values an INSERT or a load writes, read back as Doris shows them.
"""

from __future__ import annotations

from typing import Any

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py

TABLE = (
    "CREATE TABLE t (`id` INT(11) NOT NULL, b BIGINT(20), s SMALLINT(6), m MAP<STRING, INT>, "
    "st STRUCT<a:INT, b:VARCHAR(10)>, v VARIANT, ip4 IPV4, ip6 IPV6) "
    "DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1"
)


def test_display_width_is_accepted_and_ignored(doris: DorisClient) -> None:
    doris.run(TABLE)
    types = {r["Field"]: r["Type"] for r in doris.run("DESC t")}
    assert types["id"] == "int"
    assert types["b"] == "bigint"
    assert types["s"] == "smallint"


def test_complex_and_ip_types_in_desc(doris: DorisClient) -> None:
    doris.run(TABLE)
    types = {r["Field"]: r["Type"] for r in doris.run("DESC t")}
    assert types["m"] == "MAP<text,int>"
    assert types["st"] == "struct<a:int,b:varchar(10)>"
    assert (types["v"], types["ip4"], types["ip6"]) == ("variant", "ipv4", "ipv6")


def test_insert_values_read_back_as_doris_shows_them(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run(
        "INSERT INTO t VALUES (1, 2, 3, {'a': 100, 'b': NULL}, {'a': 1, 'b': 'x'}, '{\"k\":[1,2]}', "
        "'192.168.0.1', '2001:0DB8:0000:0000:0000:0000:0000:0001')"
    )
    row = doris.run("SELECT m, st, v, ip4, ip6 FROM t")[0]
    assert row["m"] == '{"a":100, "b":null}'
    assert row["st"] == '{"a":1, "b":"x"}'
    assert row["v"] == '{"k":[1,2]}'
    assert row["ip4"] == "192.168.0.1"
    assert row["ip6"].startswith("2001:db8:0:")


def test_malformed_addresses_fail_a_strict_insert(doris: DorisClient) -> None:
    doris.run(TABLE)
    code, message = doris.error("INSERT INTO t (id, ip4) VALUES (1, '300.1.1.1')")
    assert code == 1105 and "ip4" in message
    doris.run("SET enable_insert_strict = false")
    doris.run("INSERT INTO t (id, ip4, ip6) VALUES (2, '1.2.3', '1:::2')")
    assert doris.run("SELECT ip4, ip6 FROM t WHERE id = 2") == [{"ip4": None, "ip6": None}]


def test_ipv4_sorts_as_a_number(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run("INSERT INTO t (id, ip4) VALUES (1, '10.0.0.9'), (2, '9.0.0.10'), (3, '10.0.0.10')")
    assert [r["ip4"] for r in doris.run("SELECT ip4 FROM t ORDER BY ip4")] == [
        "9.0.0.10",
        "10.0.0.9",
        "10.0.0.10",
    ]


def test_load_writes_complex_and_ip_values(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(TABLE)
    doris.put(
        oss_bucket,
        "t.csv",
        b'1|2|3|{"x":1,"y":2}|{"a":5,"b":"q"}|{"n":1}|10.1.2.3|2001:db8:0:0:0:0:0:1\n'
        b"2|2|3|{}|\\N|[1]|not-an-ip|::1\n",
    )
    doris.run(
        f'LOAD LABEL l1 (DATA INFILE("s3://{oss_bucket}/t.csv") INTO TABLE t '
        f'COLUMNS TERMINATED BY "|") WITH S3 ({doris.storage()})'
    )
    assert doris.wait("LOAD", "l1")["State"] == "FINISHED"
    rows = doris.run("SELECT id, m, st, v, ip4, ip6 FROM t ORDER BY id")
    assert rows[0] == {
        "id": 1,
        "m": '{"x":1, "y":2}',
        "st": '{"a":5, "b":"q"}',
        "v": '{"n":1}',
        "ip4": "10.1.2.3",
        "ip6": "2001:db8::1",
    }
    assert rows[1] == {"id": 2, "m": "{}", "st": None, "v": "[1]", "ip4": None, "ip6": "::1"}


def test_map_key_of_complex_type_is_refused(doris: DorisClient) -> None:
    _, message = doris.error(
        "CREATE TABLE bad (id INT, m MAP<ARRAY<INT>, INT>) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)"
    )
    assert "Map key type array<int>" in message


def test_outfile_and_export_write_values_as_doris_shows_them(doris: DorisClient, oss_bucket: str) -> None:
    doris.run(TABLE)
    doris.run(
        "INSERT INTO t (id, m, st, ip4, ip6) VALUES (1, {'a': 1}, {'a': 2, 'b': 'y'}, '10.0.0.1', '::1')"
    )
    doris.run(
        f'SELECT id, m, st, ip4, ip6 FROM t INTO OUTFILE "s3://{oss_bucket}/o/r_" FORMAT AS CSV '
        f'PROPERTIES ("column_separator" = "|", {doris.storage()})'
    )
    (key,) = doris.keys(oss_bucket, "o/")
    assert doris.get(oss_bucket, key) == b'1|{"a":1}|{"a":2, "b":"y"}|10.0.0.1|::1\n'
    doris.run(
        f'EXPORT TABLE t TO "s3://{oss_bucket}/e/x_" PROPERTIES ("label" = "ex", "columns" = "id,ip4", '
        f'"column_separator" = "|") WITH S3 ({doris.storage()})'
    )
    assert doris.wait("EXPORT", "ex")["State"] == "FINISHED"
    (key,) = doris.keys(oss_bucket, "e/")
    assert doris.get(oss_bucket, key) == b"1|10.0.0.1\n"


def test_complex_types_are_refused_as_keys_with_dorises_words(doris: DorisClient) -> None:
    _, message = doris.error(
        "CREATE TABLE k1 (m MAP<INT, INT>, v INT) DUPLICATE KEY(m) DISTRIBUTED BY RANDOM"
    )
    assert message.endswith("Map can only be used in the non-key column of the duplicate table at present.")
    _, message = doris.error("CREATE TABLE k2 (v VARIANT, k INT) DUPLICATE KEY(v) DISTRIBUTED BY RANDOM")
    assert message.endswith("Variant type should not be used in key column[v].")
    _, message = doris.error("CREATE TABLE k3 (k INT, m MAP<INT, INT> DEFAULT '{}') DISTRIBUTED BY HASH(k)")
    assert message.endswith("Map type column default value just support null")
    # without DUPLICATE KEY, the implicit key stops before a MAP or STRUCT column
    doris.run("CREATE TABLE k4 (k INT, s STRUCT<a:INT>) DISTRIBUTED BY RANDOM BUCKETS 1")
    assert [r["Key"] for r in doris.run("DESC k4")] == ["true", "false"]
    _, message = doris.error("CREATE TABLE k5 (s STRUCT<a:INT>, k INT) DISTRIBUTED BY RANDOM BUCKETS 1")
    assert message.endswith(
        "The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead."
    )


def test_create_table_like_copies_the_definition_not_the_rows(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run("INSERT INTO t (id, ip4) VALUES (1, '1.2.3.4')")
    doris.run("CREATE TABLE t2 LIKE t")
    assert doris.run("DESC t2") == doris.run("DESC t")
    assert doris.run("SELECT * FROM t2") == []
    create = doris.run("SHOW CREATE TABLE t2")[0]["Create Table"]
    assert create.startswith("CREATE TABLE `t2`") and "`ip4` ipv4 NULL" in create
    doris.run(f"CREATE TABLE IF NOT EXISTS {doris.db}.t2 LIKE {doris.db}.t")
    _, message = doris.error("CREATE TABLE t3 LIKE nope")
    assert "Table [nope] does not exist" in message
    _, message = doris.error("CREATE TABLE t4 LIKE t WITH ROLLUP (r1)")
    assert "does not emulate rollups" in message


def test_information_schema_and_ctas_know_the_types(doris: DorisClient) -> None:
    doris.run(TABLE)
    rows = doris.run(
        "SELECT COLUMN_NAME AS c, DATA_TYPE AS d, COLUMN_TYPE AS t FROM information_schema.columns "
        f"WHERE TABLE_SCHEMA = '{doris.db}' AND TABLE_NAME = 't' AND COLUMN_NAME IN ('m', 'st', 'ip4')"
    )
    assert sorted((r["c"], r["d"], r["t"]) for r in rows) == [
        ("ip4", "ipv4", "ipv4"),
        ("m", "map", "MAP<text,int>"),
        ("st", "struct", "struct<a:int,b:varchar(10)>"),
    ]
    doris.run("CREATE TABLE c AS SELECT id, m, st, ip4 FROM t")
    types = {r["Field"]: r["Type"] for r in doris.run("DESC c")}
    assert (types["m"], types["st"], types["ip4"]) == (
        "MAP<varchar(65533),int>",
        "struct<a:int,b:varchar(65533)>",
        "ipv4",
    )


def test_insert_with_dorises_constructors(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run(
        "INSERT INTO t (id, m, st) VALUES (1, map('k', 7), {3, 'p'}), (2, {'z': 1}, named_struct('b', 'n', 'a', 4)), "
        "(3, NULL, struct(5, 'q'))"
    )
    rows = doris.run("SELECT id, m, st FROM t ORDER BY id")
    assert rows == [
        {"id": 1, "m": '{"k":7}', "st": '{"a":3, "b":"p"}'},
        {"id": 2, "m": '{"z":1}', "st": '{"a":4, "b":"n"}'},
        {"id": 3, "m": None, "st": '{"a":5, "b":"q"}'},
    ]


def test_map_literals_of_different_keys_stay_apart(doris: DorisClient) -> None:
    doris.run(TABLE)
    doris.run("INSERT INTO t (id, m) VALUES (1, {'a': 100}), (2, {'b': 200, 'c': NULL})")
    assert [r["m"] for r in doris.run("SELECT m FROM t ORDER BY id")] == ['{"a":100}', '{"b":200, "c":null}']
