"""One parser for ``db.table`` names: Broker Load, EXPORT, INSERT and the S3 table function read
backticked parts as Doris does (a doubled backtick is one backtick, a dot inside backticks is
part of the name)."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.sql import DorisSqlError
from airflow_provider_doris_oss.sql.broker_load import DataDescription
from airflow_provider_doris_oss.sql.data_descriptions import split_table
from airflow_provider_doris_oss.sql.export import build_export
from airflow_provider_doris_oss.sql.quoting import quote_table, split_table_name
from airflow_provider_doris_oss.sql.tokenizer import identifier_value, lex

STORAGE = {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": "ak", "s3.secret_key": "sk"}

CASES = [
    ("db.`t``x`", ("db", "t`x")),
    ("`my.db`.t", ("my.db", "t")),
    ("`my.db`.`t.x`", ("my.db", "t.x")),
    ("db.t", ("db", "t")),
    ("t", (None, "t")),
    (" db . t ", ("db", "t")),
    ("`a b` . `c`", ("a b", "c")),
    ("my-db.t", ("my-db", "t")),
]


@pytest.mark.parametrize(("name", "parts"), CASES)
def test_split_table_name(name: str, parts: tuple[str | None, str]) -> None:
    assert split_table_name(name) == parts


@pytest.mark.parametrize(("name", "parts"), CASES)
def test_broker_load_splits_names_as_every_other_builder(name: str, parts: tuple[str | None, str]) -> None:
    assert split_table(name, field="table") == parts


@pytest.mark.parametrize(("name", "parts"), CASES)
def test_the_quoted_name_is_what_doris_reads(name: str, parts: tuple[str | None, str]) -> None:
    tokens = [t for t in lex(quote_table(name)) if t.kind == "identifier"]
    assert tuple(identifier_value(t.text) for t in tokens) == tuple(p for p in parts if p is not None)


def test_export_and_broker_load_name_the_same_table() -> None:
    sql = build_export("db.`t``x`", "oss://bucket/out/", STORAGE)
    assert "EXPORT TABLE `db`.`t``x`" in sql
    desc = DataDescription(source_uris="oss://bucket/a.csv", table="`t.x`")
    assert "INTO TABLE `t.x`" in desc.render()


@pytest.mark.parametrize("bad", ["a.b.c", "db.", ".t", "`unclosed", "db.`t`x", "db.t`x`", ""])
def test_bad_names_are_refused_with_the_field(bad: str) -> None:
    with pytest.raises(DorisSqlError, match="table"):
        split_table_name(bad)
    with pytest.raises(DorisSqlError, match="table"):
        split_table(bad, field="table")


def test_a_data_description_table_is_a_bare_name() -> None:
    with pytest.raises(DorisSqlError, match="bare table name"):
        DataDescription(source_uris="oss://bucket/a.csv", table="db.t")
