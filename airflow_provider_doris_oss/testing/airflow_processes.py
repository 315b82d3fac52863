"""``LocalAirflow``: a throw-away Airflow deployment (sqlite) running the real scheduler, triggerer
and execution API server as processes, for end-to-end tests and demos of event-driven DAGs.

Every process is started in a session of its own and stopped by its process-group id.
"""

from __future__ import annotations

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


class LocalAirflow:
    """An Airflow home with its own sqlite DB and dags folder, and the Airflow processes started in it.

    ``env`` adds variables (connections as ``AIRFLOW_CONN_*``, settings the DAG files read).
    Task execution goes through ``airflow api-server --apps execution`` on a free port.
    """

    def __init__(self, home: Path, dag_files: Iterable[Path], env: Mapping[str, str] | None = None) -> None:
        self.home = home
        dags = home / "dags"
        dags.mkdir(parents=True, exist_ok=True)
        for path in dag_files:
            shutil.copy(path, dags / Path(path).name)
        self.api_port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.env = base | {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
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

    def start(self, name: str) -> None:
        """Start ``airflow scheduler``, ``airflow triggerer`` or ``airflow api-server`` (execution API)."""
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
        log = open(self.home / f"{name}-{len(self._logs)}.log", "wb")  # noqa: SIM115 (closed in stop_all)
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(
            [AIRFLOW, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str, *, kill: bool = False) -> None:
        """Stop one process and its group (task runners, trigger runner): SIGTERM, or SIGKILL for a crash."""
        process = self.processes.pop(name)
        sig = signal.SIGKILL if kill else signal.SIGTERM
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)

    def stop_all(self) -> None:
        """Stop every process still running and close the logs."""
        for name in list(self.processes):
            self.stop(name)
        for log in self._logs:
            log.close()

    def __enter__(self) -> LocalAirflow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the metadata DB."""
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def asset_events(self) -> list[dict[str, Any]]:
        """The payloads of every asset event sent by a trigger, oldest first."""
        rows = self.query("select extra from asset_event order by id")
        return [json.loads(extra)["payload"] for (extra,) in rows if "payload" in json.loads(extra)]

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = 240.0) -> None:
        """Poll ``condition`` every half second; fail if a process exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while not condition():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(
                        f"airflow {name} exited while waiting for {what}; logs in {self.home}"
                    )
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; logs in {self.home}")
            time.sleep(0.5)
