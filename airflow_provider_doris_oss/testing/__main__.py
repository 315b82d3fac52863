"""``python -m airflow_provider_doris_oss.testing serve``: a local OSS and a local Doris FE in the foreground.

Prints both connection URIs, a ``mysql`` command line, and what a person needs to reach the local
OSS (endpoint, proxy, keys), then serves until interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m airflow_provider_doris_oss.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run a local OSS and a local Doris FE until interrupted")
    serve.add_argument("--port", type=int, default=0, help="the Doris FE's MySQL port (default: a free one)")
    serve.add_argument("--password", default="", help="the password of user root (default: empty)")
    serve.add_argument("--statement-log", default=None, help="append statements to this file")
    serve.add_argument(
        "--job-seconds",
        type=float,
        default=2.0,
        help="seconds each LOAD/EXPORT job stays PENDING and then LOADING/EXPORTING, so a person can "
        "watch SHOW LOAD move (default: 2; 0 runs jobs as fast as they go)",
    )
    return parser


def serve(port: int, password: str, statement_log: str | None, job_seconds: float = 2.0) -> None:
    """Run both servers until SIGINT/SIGTERM."""
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with (
        LocalOss() as oss,
        LocalDorisFE(
            oss=oss, password=password, port=port, statement_log=statement_log, job_state_seconds=job_seconds
        ) as fe,
    ):
        password_flag = f" -p'{password}'" if password else ""
        lines = [
            "Local Doris FE and local OSS are running. Ctrl-C stops both.",
            "",
            f"Doris connection URI:  {fe.connection('doris_default').get_uri()}",
            f"OSS connection URI:    {oss.connection('doris_oss_default').get_uri()}",
            f"mysql client:          mysql -h {fe.host} -P {fe.port} -u {fe.user}{password_flag}",
            "",
            f"OSS endpoint:          {oss.endpoint}",
            f"OSS region:            {oss.region}",
            f"OSS HTTP proxy:        {oss.proxy_url}  (clients outside the FE reach the endpoint through it)",
            f"OSS access key:        {oss.access_key}",
            f"OSS secret key:        {oss.secret_key}",
        ]
        print("\n".join(lines), flush=True)
        while not stop.wait(0.5):
            pass
    print("Stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        serve(args.port, args.password, args.statement_log, args.job_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
