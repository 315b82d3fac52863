import pytest

from airflow_provider_doris_oss.sql import (
    DorisSqlError,
    build_create_catalog,
    build_drop_catalog,
    build_export,
    build_insert_from_s3,
    build_outfile,
    build_s3_tvf,
    cancel_export,
    cancel_load,
    show_export,
    show_load,
)

STORAGE = {
    "s3.endpoint": "oss-cn-beijing.aliyuncs.com",
    "s3.region": "cn-beijing",
    "s3.access_key": "AK",
    "s3.secret_key": "SK",
}


def test_export_shape(doris):
    sql = build_export(
        "db.t",
        "oss://bkt/dir/p_",
        STORAGE,
        partitions=["p1"],
        where="k > 1",
        columns=["a", "b"],
        label="exp-1",
        format="csv_with_names",
        column_separator=",",
        line_delimiter="\n",
        max_file_size="512mb",
        parallelism=2,
        delete_existing_files=True,
        with_bom=False,
        data_consistency="NONE",
        timeout=60,
    )
    order = [
        "EXPORT TABLE `db`.`t`",
        "PARTITION (`p1`)",
        "WHERE k > 1",
        'TO "s3://bkt/dir/p_"',
        "PROPERTIES",
        "WITH S3",
    ]
    assert [sql.index(p) for p in order] == sorted(sql.index(p) for p in order)
    props = doris.properties(sql)
    assert props["label"] == "exp-1"
    assert props["columns"] == "a,b"
    assert props["line_delimiter"] == "\n"
    assert props["max_file_size"] == "512MB"
    assert props["delete_existing_files"] == "true" and props["with_bom"] == "false"
    assert props["data_consistency"] == "none"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "json"}, "format"),
        ({"format": "parquet", "column_separator": ","}, "CSV formats only"),
        ({"format": "orc", "with_bom": True}, "CSV formats only"),
        ({"max_file_size": "1MB"}, "5MB"),
        ({"max_file_size": "big"}, "max_file_size"),
        ({"parallelism": 0}, "parallelism"),
        ({"data_consistency": "tablet"}, "data_consistency"),
        ({"timeout": -1}, "timeout"),
        ({"compress_type": "gzip"}, "Parquet and ORC"),
        ({"format": "orc", "compress_type": "gzip"}, "compress_type"),
        ({"label": "a:b"}, "label"),
        ({"columns": ["a,b"]}, "columns"),
        ({"where": "(a"}, "where"),
    ],
)
def test_export_validation(kwargs, message):
    with pytest.raises(DorisSqlError, match=message):
        build_export("db.t", "oss://bkt/p_", STORAGE, **kwargs)


def test_export_compress_type_for_parquet(doris):
    sql = build_export("t", "s3://bkt/p_", STORAGE, format="parquet", compress_type="zstd")
    assert doris.properties(sql)["compress_type"] == "ZSTD"


def test_outfile_shape(doris):
    sql = build_outfile(
        "SELECT a FROM t -- trailing comment\n;",
        "oss://bkt/out/r_",
        STORAGE,
        format="PARQUET",
        properties={"max_file_size": "64MB", "success_file_name": "_SUCCESS", "compress_type": "snappy"},
    )
    assert sql.startswith("SELECT a FROM t -- trailing comment\nINTO OUTFILE")
    assert "\nFORMAT AS parquet\n" in sql
    assert "WITH S3" not in sql and ";" not in sql
    props = doris.properties(sql)
    assert props["s3.endpoint"] == STORAGE["s3.endpoint"]
    assert props["success_file_name"] == "_SUCCESS" and props["compress_type"] == "SNAPPY"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT 1 INTO OUTFILE 's3://x/'", "already contains INTO OUTFILE"),
        ("insert into t select 1", "not a query"),
        ("DROP TABLE t", "not a query"),
        ("SELECT 1; SELECT 2", "more than one statement"),
        ("SELECT 'unterminated", "never closed"),
        ("SELECT 1 /* open", "never closed"),
        ("WITH x AS (1)", "SELECT"),
        ("", "empty"),
        (";", "empty"),
    ],
)
def test_outfile_refuses(query, message):
    with pytest.raises(DorisSqlError, match=message):
        build_outfile(query, "oss://bkt/r_", STORAGE)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 'INTO OUTFILE' AS s FROM t",
        "select `into outfile` from t",
        "/* INTO OUTFILE */ SELECT 1",
        "WITH c AS (SELECT 1 AS x) SELECT x FROM c",
        "(SELECT 1)",
        "-- header\nSELECT 1",
    ],
)
def test_outfile_accepts_queries_mentioning_keywords_in_strings_or_comments(query):
    assert "INTO OUTFILE" in build_outfile(query, "oss://bkt/r_", STORAGE)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"s3.endpoint": "x"}, "not an OUTFILE file option"),
        ({"colum_separator": ","}, "colum_separator"),
        ({"with_bom": True}, "CSV formats only"),
    ],
)
def test_outfile_property_errors(props, message):
    with pytest.raises(DorisSqlError, match=message):
        build_outfile("SELECT 1", "oss://bkt/r_", STORAGE, format="orc", properties=props)


def test_outfile_collision_with_storage():
    with pytest.raises(DorisSqlError, match="storage property"):
        build_outfile(
            "SELECT 1", "oss://bkt/r_", {**STORAGE, "max_file_size": "5MB"}, properties={"max_file_size": "6MB"}
        )


def test_tvf_and_insert(doris):
    tvf = build_s3_tvf(
        "oss://bkt/in/*.csv",
        "CSV",
        STORAGE,
        {"Column_Separator": ",", "skip_lines": 1, "read_json_by_line": False},
    )
    props = doris.properties(tvf)
    assert props["uri"] == "s3://bkt/in/*.csv" and props["format"] == "csv"
    assert props["column_separator"] == "," and props["read_json_by_line"] == "false"
    sql = build_insert_from_s3(
        "db.t",
        tvf,
        label="ins-1",
        columns=["a", "b"],
        select_list=["c1", "c2"],
        where="c1 <> ''",
        partitions=["p"],
    )
    order = [
        "INSERT INTO `db`.`t`",
        "PARTITION (`p`)",
        "WITH LABEL `ins-1`",
        "(`a`, `b`)",
        "SELECT c1, c2",
        "FROM S3(",
        "WHERE",
    ]
    assert [sql.index(p) for p in order] == sorted(sql.index(p) for p in order)
    assert "ins-1" not in doris.strings(sql)  # the INSERT label is an identifier, never a string


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"uri": "s3://x"}, "source_uri"),
        ({"FORMAT": "csv"}, "source_uri"),
        ({"delimiter": ","}, "delimiter"),
        ({"skip_lines": "x"}, "skip_lines"),
        ({"s3.region": "x"}, "not an S3 table-function"),
        ({"column_separator": ",", "COLUMN_SEPARATOR": ";"}, "twice"),
    ],
)
def test_tvf_option_errors(options, message):
    with pytest.raises(DorisSqlError, match=message):
        build_s3_tvf("oss://bkt/k", "csv", STORAGE, options)


def test_tvf_use_path_style_collides_with_storage():
    with pytest.raises(DorisSqlError, match="storage property"):
        build_s3_tvf("oss://bkt/k", "csv", {**STORAGE, "use_path_style": "true"}, {"use_path_style": True})


def test_insert_refuses_foreign_tvf_and_bad_label():
    with pytest.raises(DorisSqlError, match="build_s3_tvf"):
        build_insert_from_s3("t", "(SELECT 1)")
    tvf = build_s3_tvf("oss://bkt/k", "csv", STORAGE)
    with pytest.raises(DorisSqlError, match="label"):
        build_insert_from_s3("t", tvf, label="a.b")


def test_catalog(doris):
    sql = build_create_catalog(
        "ice`berg", {"type": "iceberg", "warehouse": "oss://bkt/w/"}, STORAGE, if_not_exists=True, comment='c"x'
    )
    assert sql.startswith("CREATE CATALOG IF NOT EXISTS `ice``berg` COMMENT")
    assert doris.strings(sql)[0] == 'c"x'
    assert doris.properties(sql)["warehouse"] == "oss://bkt/w/"
    assert build_drop_catalog("c", if_exists=True) == "DROP CATALOG IF EXISTS `c`"
    assert build_drop_catalog("c") == "DROP CATALOG `c`"


@pytest.mark.parametrize(
    "key",
    [
        "s3.endpoint",
        "oss.secret_key",
        "AWS_SECRET_KEY",
        "endpoint",
        "Access_Key",
        "region",
        "fs.oss.accessKeyId",
    ],
)
def test_catalog_collision_names_key(key):
    with pytest.raises(DorisSqlError, match=key.replace(".", r"\.")):
        build_create_catalog("c", {"type": "hms", key: "x"}, STORAGE)


def test_catalog_needs_type():
    with pytest.raises(DorisSqlError, match="type"):
        build_create_catalog("c", {"warehouse": "x"}, STORAGE)


@pytest.mark.parametrize("fn", [show_load, cancel_load, show_export, cancel_export])
def test_show_and_cancel(fn, doris):
    sql = fn("d`b", 'l"x')
    assert doris.idents(sql) == ["d`b"]
    assert doris.strings(sql) == ['l"x']
    assert "WHERE LABEL =" in sql
    with pytest.raises(DorisSqlError):
        fn("db", "")
