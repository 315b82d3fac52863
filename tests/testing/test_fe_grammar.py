"""The local FE's own grammar: statement shapes Doris accepts parse, the ones it rejects fail as Doris fails."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.testing.doris_fe import parser
from airflow_provider_doris_oss.testing.doris_fe.lexer import STRING, tokenize
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CancelStmt,
    CreateCatalogStmt,
    ExportStmt,
    LoadStmt,
    OutfileStmt,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
    TvfQueryStmt,
)

S3 = '"s3.endpoint" = "http://oss-cn-beijing.aliyuncs.com", "s3.access_key" = "ak", "s3.secret_key" = "sk"'


def syntax_error(sql: str) -> str:
    with pytest.raises(DorisError) as info:
        parser.parse(sql)
    assert info.value.code == 1105
    assert info.value.message.startswith("errCode = 2, detailMessage = \n")
    return info.value.message


# -- lexer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r"'a\nb'", "a\nb"),
        (r"'a\tb'", "a\tb"),
        (r"'\0\Z'", "\0\x1a"),
        (r"'it\'s'", "it's"),
        ("'it''s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'50\%'", r"50\%"),
        (r"'a\_b'", r"a\_b"),
        (r"'back\\slash'", "back\\slash"),
        (r"R'raw\n'", r"raw\n"),
        ('"|"', "|"),
    ],
)
def test_string_literals_decode_as_doris(literal: str, value: str) -> None:
    token = tokenize(literal)[0]
    assert token.kind == STRING
    assert token.value == value


def test_backticked_identifier_doubles_its_backtick() -> None:
    token = tokenize("`my``table`")[0]
    assert token.value == "my`table"


def test_unterminated_string_is_a_syntax_error() -> None:
    message = syntax_error("LOAD LABEL l (DATA INFILE('s3://b/k) INTO TABLE t) WITH S3 ()")
    assert "line 1" in message


def test_keywords_inside_strings_do_not_make_a_statement_ours() -> None:
    assert parser.parse("SELECT 'x INTO OUTFILE y', \"FROM s3(\" FROM t") is None
    assert parser.parse("SELECT * FROM t WHERE a = 'LOAD LABEL'") is None
    assert parser.parse("SELECT s3 FROM t") is None


# -- LOAD -------------------------------------------------------------------------------------

FULL_LOAD = f"""
LOAD LABEL `db1`.`my-label:1`
(
  WITH MERGE DATA INFILE ("s3://b/dir/*.csv", "s3://b/other/f?.csv")
  INTO TABLE `t`
  TEMPORARY PARTITION (p1, `p2`)
  COLUMNS TERMINATED BY "|"
  LINES TERMINATED BY "\\n"
  FORMAT AS "csv"
  COMPRESS_TYPE AS "GZ"
  (k1, K2, `v,1`)
  COLUMNS FROM PATH AS (city)
  SET (v2 = k1 + 1, v3 = concat(k2, ","))
  PRECEDING FILTER k1 > 0
  WHERE v2 < 100 AND (k2 <> 'x,y')
  DELETE ON v3 = 'gone'
  ORDER BY seq
  PROPERTIES ("trim_double_quotes" = "true", "unknown_key" = "ignored"),
  DATA INFILE ('s3://b/two.parquet') INTO TABLE t2 FORMAT AS parquet
)
WITH S3 ({S3})
PROPERTIES ("timeout" = "3600", "max_filter_ratio" = "0.1")
COMMENT "nightly"
"""


def test_full_broker_load_parses_every_clause_in_order() -> None:
    stmt = parser.parse(FULL_LOAD)
    assert isinstance(stmt, LoadStmt)
    assert (stmt.db, stmt.label, stmt.comment) == ("db1", "my-label:1", "nightly")
    first, second = stmt.descs
    assert first.merge_type == "MERGE"
    assert first.uris == ["s3://b/dir/*.csv", "s3://b/other/f?.csv"]
    assert first.temporary_partition and first.partitions == ["p1", "p2"]
    assert (first.column_separator, first.line_delimiter, first.format, first.compress_type) == (
        "|",
        "\n",
        "csv",
        "GZ",
    )
    assert first.columns == ["k1", "K2", "v,1"]
    assert first.columns_from_path == ["city"]
    assert first.set_exprs == [("v2", "k1 + 1"), ("v3", 'concat(k2, ",")')]
    assert first.preceding_filter == "k1 > 0"
    assert first.where == "v2 < 100 AND (k2 <> 'x,y')"
    assert first.delete_on == "v3 = 'gone'"
    assert first.order_by == "seq"
    assert first.properties == {"trim_double_quotes": "true", "unknown_key": "ignored"}
    assert (second.table, second.format, second.merge_type) == ("t2", "parquet", "APPEND")
    assert stmt.storage_kind == "S3"
    assert stmt.storage_props["s3.access_key"] == "ak"
    assert stmt.properties == {"timeout": "3600", "max_filter_ratio": "0.1"}


def test_label_without_database() -> None:
    stmt = parser.parse(f'LOAD LABEL lbl (DATA INFILE("s3://b/k") INTO TABLE t) WITH S3 ({S3})')
    assert isinstance(stmt, LoadStmt)
    assert (stmt.db, stmt.label) == (None, "lbl")


@pytest.mark.parametrize(
    "sql",
    [
        # db.table in INTO TABLE
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE db.t) WITH S3 ({S3})',
        # the legacy NEGATIVE keyword
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t NEGATIVE) WITH S3 ({S3})',
        # clauses out of order: SET before COLUMNS TERMINATED BY
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t SET (a = b) COLUMNS TERMINATED BY ",") '
        f"WITH S3 ({S3})",
        # WHERE before PRECEDING FILTER
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t WHERE a > 1 PRECEDING FILTER b > 1) WITH S3 ({S3})',
        # FORMAT after the column list
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t (a, b) FORMAT AS "csv") WITH S3 ({S3})',
        # a label with '-' unquoted
        f'LOAD LABEL my-label (DATA INFILE("s3://b/k") INTO TABLE t) WITH S3 ({S3})',
        # a quoted label
        f'LOAD LABEL "lbl" (DATA INFILE("s3://b/k") INTO TABLE t) WITH S3 ({S3})',
        # WITH without a storage kind
        'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t) WITH ("a" = "b")',
        # PROPERTIES before WITH S3
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t) PROPERTIES ("timeout"="1") WITH S3 ({S3})',
        # an unquoted URI
        f"LOAD LABEL l (DATA INFILE(s3://b/k) INTO TABLE t) WITH S3 ({S3})",
        # a reserved word as table name without backticks
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE select) WITH S3 ({S3})',
        # trailing garbage
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t) WITH S3 ({S3}) extra',
        # a property without a value
        f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t) WITH S3 ({S3}, "x")',
    ],
)
def test_malformed_loads_are_syntax_errors(sql: str) -> None:
    message = syntax_error(sql)
    assert "(line " in message and "pos " in message


def test_syntax_error_names_the_offending_token_and_position() -> None:
    message = syntax_error(f'LOAD LABEL l (DATA INFILE("s3://b/k") INTO TABLE t NEGATIVE) WITH S3 ({S3})')
    assert "mismatched input 'NEGATIVE'" in message
    assert message.endswith("(line 1, pos 51)")


# -- SHOW / CANCEL ----------------------------------------------------------------------------


def test_show_load_with_every_clause() -> None:
    stmt = parser.parse(
        'SHOW LOAD FROM db1 WHERE LABEL LIKE "x%" AND STATE = "FINISHED" ORDER BY JobId DESC LIMIT 5'
    )
    assert isinstance(stmt, ShowJobsStmt)
    assert stmt.kind == "LOAD" and stmt.db == "db1"
    assert [(c.key, c.op, c.value) for c in stmt.conditions] == [
        ("LABEL", "LIKE", "x%"),
        ("STATE", "=", "FINISHED"),
    ]
    assert stmt.order_by == [("JobId", True)]
    assert (stmt.limit, stmt.offset) == (5, 0)


def test_show_load_limit_offset_forms() -> None:
    a = parser.parse("SHOW LOAD LIMIT 2, 3")
    b = parser.parse("SHOW LOAD LIMIT 3 OFFSET 2")
    assert isinstance(a, ShowJobsStmt) and isinstance(b, ShowJobsStmt)
    assert (a.offset, a.limit) == (b.offset, b.limit) == (2, 3)


def test_show_load_warnings_on_url() -> None:
    stmt = parser.parse('SHOW LOAD WARNINGS ON "http://127.0.0.1:8040/api/_load_error_log?file=x"')
    assert isinstance(stmt, ShowLoadWarningsStmt)
    assert stmt.url.endswith("file=x")


def test_show_export_with_or_is_refused() -> None:
    with pytest.raises(DorisError, match="Where clause should looks like"):
        parser.parse('SHOW EXPORT WHERE LABEL = "a" OR STATE = "FINISHED"')


def test_cancel_load_and_export() -> None:
    load = parser.parse('CANCEL LOAD FROM db1 WHERE LABEL = "l1"')
    export = parser.parse('CANCEL EXPORT WHERE STATE = "PENDING"')
    assert isinstance(load, CancelStmt) and isinstance(export, CancelStmt)
    assert (load.kind, load.db, load.conditions[0].value) == ("LOAD", "db1", "l1")
    assert (export.kind, export.db, export.conditions[0].key) == ("EXPORT", None, "STATE")


def test_cancel_without_where_parses_and_is_refused_later() -> None:
    stmt = parser.parse("CANCEL LOAD FROM db1")
    assert isinstance(stmt, CancelStmt) and stmt.conditions == []
    syntax_error("CANCEL LOAD FROM db1 LABEL = 'x'")


# -- EXPORT -----------------------------------------------------------------------------------


def test_export_statement_shape() -> None:
    stmt = parser.parse(
        f'EXPORT TABLE db1.t PARTITION (p1, p2) WHERE k1 > 3 AND k2 = "to" TO "s3://b/dir/pre_" '
        f'PROPERTIES ("label" = "e1", "format" = "parquet") WITH S3 ({S3})'
    )
    assert isinstance(stmt, ExportStmt)
    assert (stmt.db, stmt.table, stmt.partitions) == ("db1", "t", ["p1", "p2"])
    assert stmt.where == 'k1 > 3 AND k2 = "to"'
    assert stmt.path == "s3://b/dir/pre_"
    assert stmt.properties == {"label": "e1", "format": "parquet"}
    assert stmt.storage_props["s3.secret_key"] == "sk"


def test_export_with_s3_before_properties_is_a_syntax_error() -> None:
    syntax_error(f'EXPORT TABLE t TO "s3://b/p_" WITH S3 ({S3}) PROPERTIES ("format" = "csv")')


# -- OUTFILE ----------------------------------------------------------------------------------


def test_outfile_takes_the_query_before_into_outfile() -> None:
    stmt = parser.parse(
        "SELECT a, 'INTO OUTFILE' FROM t ORDER BY a LIMIT 3 INTO OUTFILE \"s3://b/r_\" "
        f'FORMAT AS csv_with_names PROPERTIES ({S3}, "column_separator" = ",")'
    )
    assert isinstance(stmt, OutfileStmt)
    assert stmt.query == "SELECT a, 'INTO OUTFILE' FROM t ORDER BY a LIMIT 3"
    assert (stmt.path, stmt.format) == ("s3://b/r_", "csv_with_names")
    assert stmt.properties["column_separator"] == ","


def test_outfile_format_must_be_a_bare_word() -> None:
    message = syntax_error('SELECT 1 INTO OUTFILE "s3://b/r_" FORMAT AS "csv"')
    assert "mismatched input '\"csv\"'" in message


def test_outfile_has_no_with_s3_clause() -> None:
    syntax_error(f'SELECT 1 INTO OUTFILE "s3://b/r_" WITH S3 ({S3})')


# -- S3() table function ----------------------------------------------------------------------


def test_select_from_s3_is_rewritten_to_a_placeholder() -> None:
    stmt = parser.parse(
        f'SELECT c1, count(*) FROM S3("uri" = "s3://b/*.csv", "FORMAT" = "csv", {S3}) AS s '
        "WHERE c2 = 's3(' GROUP BY c1"
    )
    assert isinstance(stmt, TvfQueryStmt)
    ((name, params),) = stmt.tvfs.items()
    assert stmt.query == f"SELECT c1, count(*) FROM {name} AS s WHERE c2 = 's3(' GROUP BY c1"
    assert params["uri"] == "s3://b/*.csv" and params["FORMAT"] == "csv"
    assert stmt.insert_table is None


def test_insert_with_label_from_s3() -> None:
    stmt = parser.parse(
        f'INSERT INTO db1.t PARTITION (p1) WITH LABEL `lbl-1` (a, b) SELECT c1, c2 FROM s3("uri" = "s3://b/x", {S3})'
    )
    assert isinstance(stmt, TvfQueryStmt)
    assert (stmt.insert_db, stmt.insert_table, stmt.partitions, stmt.label, stmt.columns) == (
        "db1",
        "t",
        ["p1"],
        "lbl-1",
        ["a", "b"],
    )
    assert stmt.query.startswith("SELECT c1, c2 FROM __doris_s3_tvf_0")


def test_insert_label_as_string_is_a_syntax_error() -> None:
    syntax_error(f'INSERT INTO t WITH LABEL "lbl" SELECT * FROM s3("uri" = "s3://b/x", {S3})')


def test_plain_insert_is_not_ours() -> None:
    assert parser.parse("INSERT INTO t WITH LABEL l SELECT * FROM other") is None


# -- catalogs ---------------------------------------------------------------------------------


def test_create_catalog_shape() -> None:
    stmt = parser.parse(
        'CREATE CATALOG IF NOT EXISTS `ice` COMMENT "lake" PROPERTIES ("type" = "iceberg", '
        '"iceberg.catalog.type" = "hadoop", "warehouse" = "oss://b/wh/")'
    )
    assert isinstance(stmt, CreateCatalogStmt)
    assert (stmt.name, stmt.if_not_exists, stmt.comment) == ("ice", True, "lake")
    assert stmt.properties["type"] == "iceberg"


def test_provider_statements_are_accepted() -> None:
    """What the provider's own SQL builders emit parses in the emulator's grammar."""
    from airflow_provider_doris_oss.sql import broker_load, export, outfile, tvf

    storage = {
        "s3.endpoint": "http://oss-cn-beijing.aliyuncs.com",
        "s3.access_key": "a",
        "s3.secret_key": "b",
    }
    desc = broker_load.DataDescription(
        source_uris=["oss://bkt/x/*.csv"],
        table="t",
        format="csv",
        column_separator=",",
        columns=["a", "b"],
        columns_from_path=["city"],
        set={"c": "a + 1"},
        preceding_filter="a IS NOT NULL",
        where="a > 1",
        partitions=["p1"],
        properties={"trim_double_quotes": True},
    )
    load = parser.parse(broker_load.build_broker_load("db", "my-label", [desc, desc], storage))
    assert isinstance(load, LoadStmt) and len(load.descs) == 2
    exp = parser.parse(export.build_export("db.t", "oss://bkt/out/p_", storage, label="e1", format="parquet"))
    assert isinstance(exp, ExportStmt) and exp.properties["label"] == "e1"
    out = parser.parse(
        outfile.build_outfile("SELECT * FROM t", "oss://bkt/r_", storage, format="csv_with_names")
    )
    assert isinstance(out, OutfileStmt) and out.format.lower() == "csv_with_names"
    tvf_sql = tvf.build_s3_tvf("oss://bkt/x/*.csv", "csv", storage)
    ins = parser.parse(tvf.build_insert_from_s3("db.t", tvf_sql, label="l1"))
    assert isinstance(ins, TvfQueryStmt) and ins.label == "l1" and ins.insert_table == "t"
