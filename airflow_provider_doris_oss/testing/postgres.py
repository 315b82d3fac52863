"""``LocalPostgres``: a throw-away PostgreSQL server for Airflow's metadata DB in end-to-end tests.

It runs Debian's ``postgresql`` server programs (``initdb``, ``postgres``) from a temporary
directory, listening on 127.0.0.1 only (no unix socket) on a free port, with password
authentication (SCRAM), and is stopped by its process id. PostgreSQL refuses to run as root, so
as root the server runs as the ``postgres`` system user (or ``nobody``), owning the directory.

Airflow reaches it as production deployments do: ``postgresql+psycopg2://`` for its sync engine
and, derived from that, ``postgresql+asyncpg://`` for its async one; both drivers come with
``apache-airflow[postgres]`` (``psycopg2-binary``, ``asyncpg``).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from airflow_provider_doris_oss.testing.airflow_processes import free_port

DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
_STOP_TIMEOUT = 30.0


class PostgresError(RuntimeError):
    """The server programs or the driver are missing, or the server did not start; the message says why."""


def find_server_bin_dir() -> Path:
    """The directory holding ``initdb`` and ``postgres``: PATH first, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        folder = Path(on_path).resolve().parent
        if (folder / "postgres").exists():
            return folder
    candidates = [Path(d) for d in glob.glob(DEBIAN_BIN_DIRS) if (Path(d) / "initdb").exists()]
    if candidates:
        return max(candidates, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    raise PostgresError(
        "PostgreSQL's server programs (initdb, postgres) are neither on PATH nor in "
        f"{DEBIAN_BIN_DIRS}. Install Debian's PostgreSQL: apt-get install postgresql "
        "(`make test` installs it when it is missing)."
    )


def _server_account() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("Running as root, and no 'postgres' or 'nobody' user exists to run PostgreSQL as.")


def _psycopg2() -> Any:
    try:
        import psycopg2
    except ImportError as err:
        raise PostgresError(
            "LocalPostgres needs the psycopg2 driver: pip install psycopg2-binary asyncpg "
            "(Airflow's own choice for PostgreSQL: apache-airflow[postgres])."
        ) from err
    return psycopg2


class LocalPostgres:
    """A PostgreSQL server on 127.0.0.1 and a free port, in a temporary directory; a context manager.

    ``create_database(name)`` returns the SQLAlchemy URL Airflow takes as
    ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN``. Durability settings are off (``fsync``,
    ``synchronous_commit``, ``full_page_writes``): the data is thrown away, and transactions,
    row locks and isolation behave as in production. ``stop()`` (also on leaving the ``with``
    block and at interpreter exit) stops the server by pid and deletes the directory.
    """

    def __init__(self, *, user: str = "airflow", startup_timeout: float = 60.0) -> None:
        self.user = user
        self.password = secrets.token_urlsafe(16)
        self.host = "127.0.0.1"
        self.port: int | None = None
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self) -> str:
        state = f"pid={self.pid}, port={self.port}" if self._process else "stopped"
        return f"{type(self).__name__}({state})"

    @property
    def pid(self) -> int | None:
        """The server's (postmaster's) process id while it runs."""
        return self._process.pid if self._process else None

    @property
    def log_path(self) -> Path | None:
        """The server's log while it runs."""
        return self._workdir / "postgres.log" if self._workdir else None

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` (psycopg2 driver)."""
        if self.port is None:
            raise PostgresError("LocalPostgres is not running: use it as a context manager or call start().")
        return f"postgresql+psycopg2://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        """A psycopg2 connection to ``database``."""
        return _psycopg2().connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=database
        )

    def create_database(self, name: str) -> str:
        """Create database ``name`` (letters, digits, ``_``); return its SQLAlchemy URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r}: use letters, digits and '_' only.")
        conn = self.connect()
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url(name)

    def start(self) -> LocalPostgres:
        """``initdb`` a fresh cluster, start ``postgres`` on a free port; return once it accepts logins."""
        _psycopg2()
        bin_dir = find_server_bin_dir()
        account = _server_account()
        workdir = Path(tempfile.mkdtemp(prefix="doris-oss-postgres-"))
        self._workdir = workdir
        atexit.register(self.stop)
        ids: dict[str, Any] = {}
        if account is not None:
            os.chown(workdir, account.pw_uid, account.pw_gid)
            ids = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        pwfile = workdir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if account is not None:
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        init = subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(workdir / "data"), "-U", self.user, f"--pwfile={pwfile}",
             "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
            cwd=workdir, capture_output=True, text=True, check=False, timeout=120, **ids,
        )  # fmt: skip
        pwfile.unlink()
        if init.returncode != 0:
            self.stop()
            raise PostgresError(f"initdb failed ({bin_dir}):\n{init.stdout[-2000:]}{init.stderr[-2000:]}")
        self.port = free_port()
        self._log = open(workdir / "postgres.log", "wb")  # noqa: SIM115 (closed in stop)
        self._process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(workdir / "data"), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200"],
            cwd=workdir, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, **ids,
        )  # fmt: skip
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                break
            try:
                self.connect().close()
                return
            except Exception as err:  # not accepting connections yet
                last = err
                time.sleep(0.2)
        log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
        self.stop()
        raise PostgresError(f"PostgreSQL did not accept logins on 127.0.0.1 ({last}); its log:\n{log}")

    def stop(self) -> None:
        """Fast shutdown (SIGINT) by pid, SIGKILL to its group after 30 s; delete the directory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(_STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self.port = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
