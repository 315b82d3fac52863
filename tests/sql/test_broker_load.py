import pytest

from airflow_provider_doris_oss.sql import DataDescription, DorisSqlError, build_broker_load, quote_identifier

STORAGE = {
    "s3.endpoint": "oss-cn-beijing.aliyuncs.com",
    "s3.region": "cn-beijing",
    "s3.access_key": "AK",
    "s3.secret_key": "SK",
}


def test_clause_order_and_values(doris):
    desc = DataDescription(
        ["oss://bkt/a/*.csv", "s3://bkt/b.csv"],
        "tbl",
        format="CSV",
        compress_type="gz",
        column_separator=",",
        line_delimiter="\n",
        columns=["c1", "c2"],
        columns_from_path=["city"],
        set={"c1": "c1 * 2"},
        preceding_filter="c2 > 0",
        where="c1 > 1",
        partitions=["p1"],
        merge_type="merge",
        delete_on="c2 = 0",
        order_by="seq",
        properties={"skip_lines": 1, "trim_double_quotes": True},
    )
    sql = build_broker_load("db", "lbl-1", desc, STORAGE, properties={"timeout": 600}, comment="c")
    order = [
        "LOAD LABEL `db`.`lbl-1`",
        "MERGE",
        "DATA INFILE (",
        "INTO TABLE `tbl`",
        "PARTITION (`p1`)",
        "COLUMNS TERMINATED BY",
        "LINES TERMINATED BY",
        'FORMAT AS "csv"',
        'COMPRESS_TYPE AS "GZ"',
        "(`c1`, `c2`)",
        "COLUMNS FROM PATH AS (`city`)",
        "SET (`c1` = c1 * 2)",
        "PRECEDING FILTER c2 > 0",
        "WHERE c1 > 1",
        "DELETE ON c2 = 0",
        "ORDER BY `seq`",
        '"skip_lines" = "1"',
        "WITH S3 (",
        '"timeout" = "600"',
        'COMMENT "c"',
    ]
    positions = [sql.index(piece) for piece in order]
    assert positions == sorted(positions)
    strings = doris.strings(sql)
    assert strings[:2] == ["s3://bkt/a/*.csv", "s3://bkt/b.csv"]
    assert "\n" in strings  # the line delimiter travels escaped, not as a raw newline
    assert doris.properties(sql)["s3.secret_key"] == "SK"
    assert "NEGATIVE" not in sql


def test_several_descriptions_one_job():
    a = DataDescription("oss://bkt/a.csv", "t1")
    b = DataDescription("oss://bkt/b.json", "t2", format="json", properties={"strip_outer_array": "true"})
    sql = build_broker_load("db", "l", [a, b], STORAGE)
    assert sql.count("DATA INFILE") == 2
    assert "PROPERTIES" in sql and "COMMENT" not in sql


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table": "db.t"}, "bare table name"),
        ({"format": "xml"}, "format"),
        ({"compress_type": "zip"}, "compress_type"),
        ({"merge_type": "MERGE"}, "delete_on"),
        ({"delete_on": "a = 1"}, "delete_on"),
        ({"merge_type": "upsert"}, "merge_type"),
        ({"format": "parquet", "column_separator": ","}, "CSV formats only"),
        ({"partitions": ["p"], "temporary_partitions": ["q"]}, "not both"),
        ({"properties": {"jsonpath": "[]"}}, "jsonpath"),
        ({"properties": {"read_json_by_line": True}}, "read_json_by_line"),
        ({"properties": {"enclose": "ab"}}, "enclose"),
        ({"properties": {"escape": "\0"}}, "escape"),
        ({"properties": {"skip_lines": -1}}, "skip_lines"),
        ({"properties": {"strip_outer_array": "yes"}}, "strip_outer_array"),
        ({"line_delimiter": "\n", "properties": {"line_delimiter": "\n"}}, "line_delimiter"),
        ({"where": "a = 'x"}, "where"),
        ({"where": "a = 1; DROP TABLE t"}, "where"),
        ({"set": {"a": "f(1"}}, "set"),
        ({"columns": "a,b"}, "columns"),
        ({"source_uris": "http://x/y"}, "source_uris"),
        ({"source_uris": []}, "source_uris"),
        ({"source_uris": "oss:///k"}, "bucket"),
        ({"order_by": ""}, "empty"),
    ],
)
def test_description_validation(kwargs, message):
    base = {"source_uris": "oss://bkt/k.csv", "table": "t"}
    with pytest.raises(DorisSqlError, match=message):
        DataDescription(**{**base, **kwargs})


def test_unknown_format_property_lists_valid_keys():
    with pytest.raises(DorisSqlError) as err:
        DataDescription("oss://bkt/k", "t", properties={"json_rot": "$"})
    assert "'json_rot'" in str(err.value) and "json_root" in str(err.value)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": 259201}, "259200"),
        ({"max_filter_ratio": 1.5}, "max_filter_ratio"),
        ({"max_filter_ratio": "abc"}, "max_filter_ratio"),
        ({"priority": "urgent"}, "LOW"),
        ({"strict_mode": "maybe"}, "strict_mode"),
        ({"send_batch_parallelism": 0}, "send_batch_parallelism"),
        ({"partial_update_new_key_behavior": "x"}, "APPEND"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_job_property_validation(props, message):
    with pytest.raises(DorisSqlError, match=message):
        build_broker_load("db", "l", DataDescription("oss://bkt/k", "t"), STORAGE, properties=props)


def test_job_properties_normalised(doris):
    sql = build_broker_load(
        "db",
        "l",
        DataDescription("oss://bkt/k", "t"),
        STORAGE,
        properties={"priority": "high", "strict_mode": "TRUE", "max_filter_ratio": "0.25", "TIMEOUT": "60"},
    )
    props = doris.properties(sql)
    assert props["priority"] == "HIGH"
    assert props["strict_mode"] == "true"
    assert props["max_filter_ratio"] == "0.25"
    assert props["timeout"] == "60"


@pytest.mark.parametrize("label", ["a.b", "db.l", "bad label", ""])
def test_bad_label_refused(label):
    with pytest.raises(DorisSqlError, match="label"):
        build_broker_load("db", label, DataDescription("oss://bkt/k", "t"), STORAGE)


def test_empty_storage_and_descriptions_refused():
    with pytest.raises(DorisSqlError, match="storage"):
        build_broker_load("db", "l", DataDescription("oss://bkt/k", "t"), {})
    with pytest.raises(DorisSqlError, match="descriptions"):
        build_broker_load("db", "l", [], STORAGE)


HOSTILE = ['p"ath', "p\\ath", "new\nline", "日本", "`x`", "x'); --"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_in_their_literals(value, doris):
    desc = DataDescription(
        f"oss://bucket/{value}",
        quote_identifier(f"t{value}"),  # a table name is read as Doris reads one: backticks quote
        columns=[value],
        column_separator=value,
        set={value: "1"},
        properties={"json_root": value},
    )
    storage = {**STORAGE, "s3.secret_key": value}
    sql = build_broker_load("db", "l", desc, storage, comment=value)
    strings = doris.strings(sql)
    assert f"s3://bucket/{value}" in strings
    assert strings.count(value) >= 3  # separator, json_root, secret, comment
    assert doris.idents(sql).count(value) == 2  # file column and SET target
    assert f"t{value}" in doris.idents(sql)
