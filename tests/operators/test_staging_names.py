"""Staged object names are never patterns: each staged file is loaded exactly once, as itself."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.operators._staging import staged_name
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

GLOB_CHARACTERS = re.compile(r"[*?\[\]{}\\]")


def context(run_id: str) -> dict[str, Any]:
    return {"ti": SimpleNamespace(dag_id="d", task_id="stage", run_id=run_id, map_index=-1, try_number=1)}


@pytest.mark.parametrize("name", ["r[1].csv", "a?.csv", "x*.csv", "b{1,2}.csv", "back\\slash.csv", "ü é.csv"])
def test_staged_names_hold_no_glob_character_and_keep_the_suffix(name: str) -> None:
    staged = staged_name(name)
    assert not GLOB_CHARACTERS.search(staged)
    assert staged.endswith(".csv")
    assert staged != staged_name(name.replace(".csv", "2.csv"))


def test_a_plain_name_is_staged_as_it_is() -> None:
    assert staged_name("part-1.csv.gz") == "part-1.csv.gz"


def test_names_that_look_alike_after_cleaning_stay_apart() -> None:
    assert staged_name("r[1].csv") != staged_name("r_1_.csv")
    assert staged_name("r[1].csv") != staged_name("r(1).csv")


def test_files_with_glob_characters_in_their_names_are_each_loaded_once(doris: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "r1.csv").write_text("1,plain\n")
    (data / "r[1].csv").write_text("2,brackets\n")
    (data / "a?.csv").write_text("3,question\n")
    (data / "aa.csv").write_text("4,aa\n")
    (data / "x*.csv").write_text("5,star\n")
    (data / "xyz.csv").write_text("6,xyz\n")
    op = DorisBrokerLoadOperator(
        task_id="stage",
        table=f"{doris.db}.orders",
        local_files=f"{data}/*.csv",
        format="csv",
        column_separator=",",
        columns=["id", "name"],
        poll_interval=0.1,
        cleanup_staging=False,
    )
    result = op.execute(context("manual__glob"))
    assert result["loaded_rows"] == 6
    rows = sorted((r["id"], r["name"]) for r in doris.run(f"SELECT id, name FROM {doris.db}.orders"))
    assert rows == [(1, "plain"), (2, "brackets"), (3, "question"), (4, "aa"), (5, "star"), (6, "xyz")]
    staged = [k for k in doris.objects("airflow-staging/")]
    assert len(staged) == 6 and not any(GLOB_CHARACTERS.search(k) for k in staged)


def test_an_exact_path_with_glob_characters_is_that_file(doris: Any, tmp_path: Path) -> None:
    (tmp_path / "r1.csv").write_text("1,plain\n")
    exact = tmp_path / "r[1].csv"
    exact.write_text("2,brackets\n")
    op = DorisBrokerLoadOperator(
        task_id="stage",
        table=f"{doris.db}.orders",
        local_files=str(exact),
        format="csv",
        column_separator=",",
        columns=["id", "name"],
        poll_interval=0.1,
    )
    result = op.execute(context("manual__exact"))
    assert result["loaded_rows"] == 1
    assert [(r["id"], r["name"]) for r in doris.run(f"SELECT id, name FROM {doris.db}.orders")] == [
        (2, "brackets")
    ]
