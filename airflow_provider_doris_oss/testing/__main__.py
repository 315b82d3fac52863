"""``python -m airflow_provider_doris_oss.testing serve``: a local OSS and a local Doris FE in the foreground.

Creates the buckets named with ``--bucket``, prints an ``export AIRFLOW_CONN_...`` line per
connection, a ``mysql`` command line, a ``curl`` command that uploads a file through the local OSS,
the values to type into Airflow's connection form, and the endpoint, proxy and keys; then serves
until interrupted (Ctrl-C or SIGTERM). Without the ``testing`` extra it says which extra to
install and exits with status 2. With
``--https`` the OSS endpoint is ``https://`` with a throw-away certificate, and an
``export AWS_CA_BUNDLE=...`` line lets the provider's clients verify it.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
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
    serve.add_argument(
        "--doris-version",
        type=_doris_version,
        default=None,
        help="the Doris release the FE answers as: 2.1.2, 3.0.3, ... or a line (2.1, 3.0, 3.1, 4.0) for "
        "its newest patch (default: the newest line; see docs/test-kit.md)",
    )
    limits = serve.add_argument_group("Doris's admission limits (defaults are Doris's; see docs/test-kit.md)")
    limits.add_argument(
        "--max-waiting-load-jobs",
        type=_positive_int,
        default=None,
        help="unfinished Broker Loads before a LOAD is refused (desired_max_waiting_jobs; default 100)",
    )
    limits.add_argument(
        "--max-running-load-jobs",
        type=_positive_int,
        default=None,
        help="Broker Loads running at once, the rest wait PENDING (async_loading_load_task_pool_size; "
        "default 10)",
    )
    limits.add_argument(
        "--max-running-txn-per-db",
        type=_positive_int,
        default=None,
        help="running transactions per database (max_running_txn_num_per_db; default 1000)",
    )
    limits.add_argument(
        "--tablet-version-limit",
        type=_positive_int,
        default=None,
        help="versions a table may hold before writes fail with -235 (the BE's max_tablet_version_num; "
        "default 2000)",
    )
    limits.add_argument(
        "--compaction-rate",
        type=_rate,
        default=None,
        help="versions per second compaction merges in each table (default 100; 0: none)",
    )
    serve.add_argument(
        "--https",
        action="store_true",
        help="serve the OSS endpoint over https, as OSS does, with a certificate made at start (the "
        "banner prints its CA bundle); botocore's default aws-chunked uploads are only sent over https",
    )
    serve.add_argument(
        "--bucket",
        action="append",
        default=[],
        type=_bucket_name,
        help="create this bucket in the local OSS (repeatable); the first is the OSS connection's default",
    )
    return parser


def _positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1.")
    return value


def _doris_version(text: str) -> str:
    """A Doris release the local FE plays (``releases.profile``)."""
    from airflow_provider_doris_oss.testing.extras import MissingExtraError

    try:
        from airflow_provider_doris_oss.testing.doris_fe.releases import profile
    except MissingExtraError:
        return text  # serve reports the missing extra
    try:
        profile(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("doris_version: ")) from None
    return text


def _rate(text: str) -> float:
    """A number of versions per second, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of versions per second (0 or more).")
    return value


LIMIT_FLAGS = (
    "max_waiting_load_jobs",
    "max_running_load_jobs",
    "max_running_txn_per_db",
    "tablet_version_limit",
    "compaction_rate",
)


def _bucket_name(name: str) -> str:
    """An OSS bucket name: 3-63 lowercase letters, digits and '-', starting and ending alphanumeric."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name):
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a valid OSS bucket name: use 3-63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit."
        )
    return name


def upload_command(oss: Any, bucket: str, key: str = "inbox/orders.csv", path: str = "orders.csv") -> str:
    """A ``curl`` command that uploads ``path`` to ``oss://bucket/key`` through the local OSS (SigV4)."""
    scheme = oss.endpoint.partition("://")[0]
    ca_bundle = getattr(oss, "ca_bundle", None)
    return shlex.join(
        [
            "curl",
            "-fsS",
            *(["--cacert", ca_bundle] if ca_bundle else []),
            "--proxy",
            oss.proxy_url,
            "--aws-sigv4",
            f"aws:amz:{oss.region}:s3",
            "--user",
            f"{oss.access_key}:{oss.secret_key}",
            "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            "-T",
            path,
            f"{scheme}://{bucket}.{oss.endpoint_host}/{key}",
        ]
    )


def _form_section(oss_conn: Any, doris_conn: Any, *, https: bool) -> list[str]:
    """The values to type into Airflow's Add Connection form, one block per connection."""
    from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type
    from airflow_provider_doris_oss.testing.form_values import form_lines

    # The endpoint's own port changes nothing, and Airflow 3.3.2's Test button needs Port filled in.
    port_note = "the endpoint's own port; the Test button needs Port filled in"
    secret_note = "copy it: this local OSS's throw-away key"
    return [
        "Or type these into Airflow's UI (Admin > Connections > Add connection); leave the rest as is:",
        *form_lines(
            oss_conn,
            doris_oss_connection_type(),
            overrides={"port": 443 if https else 80},
            notes={"port": port_note, "password": secret_note},
        ),
        "",
        *form_lines(doris_conn, doris_connection_type(), notes={"port": "the FE's MySQL port"}),
    ]


def serve(
    port: int,
    password: str,
    statement_log: str | None,
    job_seconds: float = 2.0,
    buckets: Sequence[str] = (),
    limits: dict[str, Any] | None = None,
    *,
    https: bool = False,
    doris_version: str | None = None,
) -> None:
    """Create ``buckets``, then run both servers until SIGINT/SIGTERM.

    ``limits`` overrides Doris's admission limits (``LocalDorisFE`` arguments of the same names);
    ``doris_version`` is the Doris release the FE answers as (default: the newest line).
    """
    from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with (
        LocalOss(https=https) as oss,
        LocalDorisFE(
            oss=oss,
            password=password,
            port=port,
            statement_log=statement_log,
            job_state_seconds=job_seconds,
            doris_version=doris_version,
            **(limits or {}),
        ) as fe,
    ):
        for bucket in buckets:
            oss.client().create_bucket(Bucket=bucket)  # no LocationConstraint, as on OSS
        default_bucket = buckets[0] if buckets else None
        if oss.ca_bundle:  # the FE's jobs in this process reach the https endpoint too
            os.environ["AWS_CA_BUNDLE"] = oss.ca_bundle
        ca_lines = [f"export AWS_CA_BUNDLE={shlex.quote(oss.ca_bundle)}"] if oss.ca_bundle else []
        ca_shown = (
            [f"OSS CA bundle:         {oss.ca_bundle}  (throw-away, deleted at exit)"]
            if oss.ca_bundle
            else []
        )
        doris_conn = fe.connection("doris_default")
        oss_conn = oss.connection("doris_oss_default", bucket=default_bucket)
        form = _form_section(oss_conn, doris_conn, https=https)
        password_flag = f" -p{shlex.quote(password)}" if password else ""
        lines = [
            "Local Doris FE and local OSS are running. Ctrl-C stops both.",
            "",
            f"Doris connection URI:  {doris_conn.get_uri()}",
            f"OSS connection URI:    {oss_conn.get_uri()}",
            f"mysql client:          mysql -h {fe.host} -P {fe.port} -u {fe.user}{password_flag}",
            f"Doris release:         {fe.release.release}  ({fe.release.version_comment})",
            "",
            "Airflow connections (paste into the shell that runs Airflow):",
            f"export AIRFLOW_CONN_DORIS_DEFAULT={shlex.quote(doris_conn.as_json())}",
            f"export AIRFLOW_CONN_DORIS_OSS_DEFAULT={shlex.quote(oss_conn.as_json())}",
            *ca_lines,
            "",
            f"Buckets:               {', '.join(buckets) if buckets else 'none yet (add --bucket NAME)'}",
            "Upload a file:         "
            + upload_command(oss, default_bucket or "BUCKET")
            + ("" if buckets else "   (after creating BUCKET: restart with --bucket BUCKET)"),
            "",
            *form,
            "",
            f"OSS endpoint:          {oss.endpoint}",
            f"OSS region:            {oss.region}",
            f"OSS HTTP proxy:        {oss.proxy_url}  (clients outside the FE reach the endpoint through it)",
            *ca_shown,
            f"OSS access key:        {oss.access_key}",
            f"OSS secret key:        {oss.secret_key}",
        ]
        print("\n".join(lines), flush=True)
        while not stop.wait(0.5):
            pass
    print("Stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from airflow_provider_doris_oss.testing.extras import MissingExtraError

    args = _parser().parse_args(argv)
    if args.command == "serve":
        limits = {name: getattr(args, name) for name in LIMIT_FLAGS if getattr(args, name) is not None}
        try:
            serve(
                args.port,
                args.password,
                args.statement_log,
                args.job_seconds,
                args.bucket,
                limits,
                https=args.https,
                doris_version=args.doris_version,
            )
        except MissingExtraError as error:
            print(f"serve: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
