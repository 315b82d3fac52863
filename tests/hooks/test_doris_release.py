"""DorisHook reads the FE's Doris release once and refuses, before sending, what that release cannot parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.doris import DorisHook
from airflow_provider_doris_oss.sql.releases import DorisRelease, DorisReleaseError
from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE

OVERWRITE_STAR = "INSERT OVERWRITE TABLE d.t PARTITION (*) SELECT 1"


def _hook(fe: LocalDorisFE, monkeypatch: pytest.MonkeyPatch) -> DorisHook:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", fe.connection().as_json())
    return DorisHook()


def _sent(log: Path) -> list[str]:
    """The statements the FE received, without the session set-up pymysql sends on connecting."""
    sent = [json.loads(line)["sql"] for line in log.read_text().splitlines()] if log.exists() else []
    return [sql for sql in sent if not sql.upper().startswith("SET ")]


def test_the_release_is_read_once_and_only_for_statements_some_release_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "statements.jsonl"
    with LocalDorisFE(doris_version="2.1.2", statement_log=log) as fe:
        hook = _hook(fe, monkeypatch)
        hook.check_release("SELECT 1")
        assert _sent(log) == []  # nothing to decide: the release is not even read
        for _ in range(3):
            with pytest.raises(DorisReleaseError, match=r"^Doris 2\.1\.2 cannot parse INSERT OVERWRITE"):
                hook.check_release(OVERWRITE_STAR)
        assert hook.doris_release() == DorisRelease(2, 1, 2)
    assert _sent(log) == ["SELECT @@version_comment"]  # once, and the INSERT never sent


def test_a_release_that_parses_the_statement_lets_it_through(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalDorisFE(doris_version="2.1") as fe:  # the newest 2.1 patch has PARTITION (*)
        _hook(fe, monkeypatch).check_release(OVERWRITE_STAR)


def test_an_fe_naming_no_release_is_allowed_and_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    class Cursor:
        def execute(self, sql: str) -> None:
            self.sql = sql

        def fetchone(self) -> tuple[Any, ...]:
            return ("Doris version trunk-abc123",)

        def close(self) -> None: ...

    class Conn:
        def cursor(self) -> Cursor:
            return Cursor()

    hook = DorisHook()
    hook.check_release(OVERWRITE_STAR, Conn())  # type: ignore[arg-type]
    hook.check_release(OVERWRITE_STAR, Conn())  # type: ignore[arg-type]
    captured = capsys.readouterr()
    said = "The Doris FE reports 'Doris version trunk-abc123', no release number; release checks are off."
    assert (captured.out + captured.err).count(said) == 1
