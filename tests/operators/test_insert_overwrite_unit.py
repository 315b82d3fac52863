"""INSERT OVERWRITE: the statement the builder writes and the operator's argument checks."""

from __future__ import annotations

import pytest

from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.sql import DorisSqlError
from airflow_provider_doris_oss.sql.tvf import build_insert_from_s3, build_s3_tvf

STORAGE = {"s3.endpoint": "oss-cn-beijing.aliyuncs.com", "s3.access_key": "ak", "s3.secret_key": "sk"}
TVF = build_s3_tvf("oss://bkt/events/dt=2026-01-02/*.csv", "csv", STORAGE)


def test_overwrite_names_the_partitions_then_the_label_then_the_columns() -> None:
    sql = build_insert_from_s3(
        "db.events", TVF, label="l_1", columns=["dt", "id"], partitions=["p20260102"], overwrite=True
    )
    head = sql.split("\n")[:4]
    assert head == [
        "INSERT OVERWRITE TABLE `db`.`events`",
        "PARTITION (`p20260102`)",
        "WITH LABEL `l_1`",
        "(`dt`, `id`)",
    ]


def test_star_means_the_partitions_the_rows_fall_in_and_needs_overwrite() -> None:
    sql = build_insert_from_s3("events", TVF, partitions="*", overwrite=True)
    assert sql.startswith("INSERT OVERWRITE TABLE `events`\nPARTITION (*)\nSELECT *")
    with pytest.raises(DorisSqlError, match=r"partitions: '\*' .* needs overwrite=True"):
        build_insert_from_s3("events", TVF, partitions="*")
    with pytest.raises(DorisSqlError, match="pass a list of partition names"):
        build_insert_from_s3("events", TVF, partitions="p1", overwrite=True)


def test_without_overwrite_the_insert_is_unchanged() -> None:
    assert build_insert_from_s3("events", TVF, partitions=["p1"]).startswith(
        "INSERT INTO `events`\nPARTITION"
    )


def _operator(**kwargs: object) -> DorisOssInsertOperator:
    return DorisOssInsertOperator(
        task_id="t", table="db.events", source_uri="oss://bkt/events/", format="csv", **kwargs
    )


def test_operator_needs_partitions_for_an_overwrite() -> None:
    with pytest.raises(ValueError, match=r"overwrite=True needs partitions.*p\{\{ ds_nodash \}\}"):
        _operator(overwrite=True)
    with pytest.raises(ValueError, match=r"partitions='\*' is for overwrites"):
        _operator(partitions="*")
    with pytest.raises(ValueError, match=r"overwrite must be True or False"):
        _operator(overwrite="true", partitions=["p1"])
    assert _operator(overwrite=True, partitions="*").partitions == "*"
    assert "overwrite" not in DorisOssInsertOperator.template_fields
