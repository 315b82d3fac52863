"""``LocalAirflow``: a throw-away Airflow deployment running the real scheduler, triggerer(s) and
execution API server as processes, for end-to-end tests and demos of event-driven DAGs.

Its metadata DB is sqlite by default, or any database Airflow supports (``database_url``; see
``testing.postgres.LocalPostgres`` for a throw-away PostgreSQL, as production runs Airflow).
Every process is started in a session of its own and stopped by its process-group id; several
processes of one kind (two triggerers, Airflow's HA set-up) run side by side under labels.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The metadata DB's ``job.job_type`` of the processes that register a job.
JOB_TYPES = {"scheduler": "SchedulerJob", "triggerer": "TriggererJob"}


class LocalAirflow:
    """An Airflow home with its own metadata DB and dags folder, and the Airflow processes started in it.

    ``env`` adds variables (connections as ``AIRFLOW_CONN_*``, settings the DAG files read).
    ``database_url`` is the metadata DB's SQLAlchemy URL (default: a sqlite file in ``home``).
    Task execution goes through ``airflow api-server --apps execution`` on a free port.
    """

    def __init__(
        self,
        home: Path,
        dag_files: Iterable[Path],
        env: Mapping[str, str] | None = None,
        *,
        database_url: str | None = None,
    ) -> None:
        self.home = home
        self.database_url = database_url or f"sqlite:///{home}/airflow.db"
        dags = home / "dags"
        dags.mkdir(parents=True, exist_ok=True)
        for path in dag_files:
            shutil.copy(path, dags / Path(path).name)
        self.api_port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.env = base | {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.database_url,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            **(env or {}),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self._jobs_before: dict[str, int] = {}  # label -> the highest job id of its kind when it started
        self._job_ids: dict[str, int] = {}
        self._commands: dict[str, str] = {}  # label -> scheduler, triggerer or api-server

    def cli(self, *args: str, timeout: float = 300) -> str:
        """Run ``airflow <args>`` to completion; return its stdout (a failure raises with stderr)."""
        result = subprocess.run(
            [AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self) -> LocalAirflow:
        """Create the metadata DB and serialise the DAG files (their watchers become triggers)."""
        self.cli("db", "migrate")
        self.cli("dags", "reserialize")
        from airflow_provider_doris_oss.version_compat import WATCHERS_AT_FIRST_PARSE

        if not WATCHERS_AT_FIRST_PARSE:  # Airflow 3.0: the second parse registers the watchers
            self.cli("dags", "reserialize")
        return self

    def start(self, name: str, *, label: str | None = None) -> str:
        """Start ``airflow scheduler``, ``airflow triggerer`` or ``airflow api-server`` (execution API).

        ``label`` (default: ``name``) names the process in ``stop``, ``pid``, ``job_id`` and the log
        file (``<label>-<n>.log``); give each of two triggerers its own. Returns the label.
        """
        label = label or name
        if label in self.processes:
            raise ValueError(f"a process labelled {label!r} is running: give the new one another label.")
        args = [name]
        if name == "api-server":
            args += [
                "--apps",
                "execution",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--workers",
                "1",
            ]
        if name in JOB_TYPES:
            self._jobs_before[label] = self.query(
                "select coalesce(max(id), 0) from job where job_type = ?", JOB_TYPES[name]
            )[0][0]
            self._job_ids.pop(label, None)
        env = self.env
        if name == "triggerer":  # each triggerer serves its logs on a port of its own, as on its own host
            env = env | {"AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
        log = open(self.home / f"{label}-{len(self._logs)}.log", "wb")  # noqa: SIM115 (closed in stop_all)
        self._logs.append(log)
        self.processes[label] = subprocess.Popen(
            [AIRFLOW, *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._commands[label] = name
        return label

    def pid(self, label: str) -> int:
        """The process id of a running process (its process group's id too)."""
        return self.processes[label].pid

    def job_id(self, label: str, timeout: float = 120.0) -> int:
        """The metadata DB's ``job.id`` of a scheduler or triggerer started as ``label``.

        It is the job of that kind registered after the process started and claimed by no other
        label: start processes of one kind one after another, calling this in between.
        """
        if label in self._job_ids:
            return self._job_ids[label]
        name = self._commands[label]
        claimed = set(self._job_ids.values())
        found: list[int] = []

        def registered() -> bool:
            rows = self.query(
                "select id from job where job_type = ? and id > ? order by id",
                JOB_TYPES[name],
                self._jobs_before[label],
            )
            found[:] = [job_id for (job_id,) in rows if job_id not in claimed]
            return bool(found)

        self.wait_for(registered, f"the {JOB_TYPES[name]} row of {label}", timeout)
        if len(found) > 1:
            raise AssertionError(f"{label}: new {JOB_TYPES[name]} rows {found}; cannot tell which is its.")
        self._job_ids[label] = found[0]
        return found[0]

    def stop(self, label: str, *, kill: bool = False) -> None:
        """Stop one process and its group (task runners, trigger runner): SIGTERM, or SIGKILL for a crash."""
        process = self.processes.pop(label)
        sig = signal.SIGKILL if kill else signal.SIGTERM
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)  # a paused process acts on SIGTERM only once resumed
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)

    def pause(self, label: str, *, group: bool = True) -> None:
        """Stop a process in its tracks (SIGSTOP): alive but silent, as in a stall. ``group=False``
        stops only the main process, not its children (a triggerer's trigger runner runs on)."""
        pid = self.processes[label].pid
        if group:
            os.killpg(pid, signal.SIGSTOP)
        else:
            os.kill(pid, signal.SIGSTOP)

    def resume(self, label: str) -> None:
        """Let a paused process and its group go on (SIGCONT)."""
        os.killpg(self.processes[label].pid, signal.SIGCONT)

    def stop_all(self) -> None:
        """Stop every process still running and close the logs: SIGTERM to all at once (the last
        started first), then SIGKILL to any still running after 60 s."""
        running = [self.processes.pop(label) for label in reversed(list(self.processes))]
        for process in running:
            for sig in (signal.SIGTERM, signal.SIGCONT):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
        deadline = time.monotonic() + 60
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)
        for log in self._logs:
            log.close()

    def __enter__(self) -> LocalAirflow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a statement on the metadata DB, committed; ``?`` placeholders on every database."""
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
                return db.execute(sql, params).fetchall()
        return _postgres_query(self.database_url, sql, params)

    def asset_events(self) -> list[dict[str, Any]]:
        """The payloads of every asset event sent by a trigger, oldest first."""
        rows = self.query("select extra from asset_event order by id")
        extras = [extra if isinstance(extra, dict) else json.loads(extra) for (extra,) in rows]
        return [extra["payload"] for extra in extras if "payload" in extra]

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = 240.0) -> None:
        """Poll ``condition`` every half second; fail if a process exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while not condition():
            for label, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(
                        f"airflow {label} exited while waiting for {what}; logs in {self.home}"
                    )
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; logs in {self.home}")
            time.sleep(0.5)


def _postgres_query(url: str, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Run one statement on PostgreSQL with psycopg2 (``?`` placeholders turned into ``%s``)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = psycopg2.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
        dbname=parsed.database,
    )  # fmt: skip
    try:
        with conn.cursor() as cursor:
            if params:
                cursor.execute(sql.replace("%", "%%").replace("?", "%s"), params)
            else:
                cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
        conn.commit()
        return [tuple(row) for row in rows]
    finally:
        conn.close()
