"""``LocalPostgres``: a throw-away PostgreSQL on 127.0.0.1, reached with a password, stopped by pid."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

from airflow_provider_doris_oss.testing import postgres as postgres_module
from airflow_provider_doris_oss.testing.postgres import LocalPostgres, PostgresError


def test_a_database_on_loopback_with_a_password_then_gone():
    import psycopg2

    with LocalPostgres() as server:
        url = server.create_database("airflow_meta")
        assert url == (
            f"postgresql+psycopg2://airflow:{server.password}@127.0.0.1:{server.port}/airflow_meta"
        )
        conn = server.connect("airflow_meta")
        with conn.cursor() as cursor:
            cursor.execute(
                "select current_database(), inet_server_addr()::text, current_setting('unix_socket_directories')"
            )
            assert cursor.fetchone() == ("airflow_meta", "127.0.0.1/32", "")
        conn.close()
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            psycopg2.connect(
                host="127.0.0.1", port=server.port, user="airflow", password="wrong", dbname="postgres"
            )
        pid, workdir, port = server.pid, server.log_path.parent, server.port
        with pytest.raises(ValueError, match="'air-flow'"):
            server.create_database("air-flow")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not workdir.exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port still answers after stop()"


def test_missing_server_programs_are_named_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(postgres_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres_module, "DEBIAN_BIN_DIRS", str(tmp_path / "none" / "*" / "bin"))
    before = set(Path(tempfile.gettempdir()).glob("doris-oss-postgres-*"))
    with pytest.raises(PostgresError, match=r"initdb, postgres.*apt-get install postgresql"):
        LocalPostgres().start()
    assert set(Path(tempfile.gettempdir()).glob("doris-oss-postgres-*")) == before, "a directory was left"


def test_the_newest_debian_version_is_chosen(monkeypatch, tmp_path):
    for version in ("9", "15", "13"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").touch()
    monkeypatch.setattr(postgres_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres_module, "DEBIAN_BIN_DIRS", str(tmp_path / "*" / "bin"))
    assert postgres_module.find_server_bin_dir() == tmp_path / "15" / "bin"
