"""Benchmark: DorisOssHook against the amazon provider's S3Hook and raw boto3, on one local server.

Raw boto3 uploads many files through one shared ``TransferManager`` at ours' concurrency (50);
the amazon hook has no multi-file upload, so it loops over ``load_file``. All three reach the
same server the way a client reaches OSS (endpoint
``http://oss-cn-beijing.aliyuncs.com``, virtual-hosted buckets, the server as HTTP proxy), each
in its own bucket, in one process, one after the other. Each operation is timed ``--repeat``
times and the best time is kept; request counts are counted client-side (botocore
``before-send`` events). Loopback only; bounded loops. Not part of the test suite.

    .venv/bin/python benchmarks/bench_oss_hook.py [--server seaweedfs|moto|both] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

KiB, MiB = 1024, 1024 * 1024


class Server(Protocol):
    """What the benchmark needs of LocalSeaweedFS or LocalOss."""

    @property
    def endpoint(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def access_key(self) -> str: ...

    @property
    def secret_key(self) -> str: ...

    @property
    def proxy_url(self) -> str: ...

    def client(self) -> Any: ...

    def connection(self, conn_id: str = ..., *, bucket: str | None = ...) -> Any: ...

    def create_bucket(self, name: str) -> str: ...


@dataclass
class Workload:
    small_count: int
    small_size: int
    large_size: int
    key_count: int
    repeat: int


class RequestCounter:
    """Counts the HTTP requests a botocore client sends."""

    def __init__(self, *clients: Any) -> None:
        self.count = 0
        for client in clients:
            client.meta.events.register("before-send.s3", self._count)

    def _count(self, **_: Any) -> None:
        self.count += 1


class Contender(Protocol):
    """One way of doing the four operations; ``client`` is the botocore client it uses."""

    name: str
    client: Any

    def upload_many(self, bucket: str, files: list[tuple[Path, str]]) -> None: ...

    def upload_one(self, bucket: str, path: Path, key: str) -> None: ...

    def list_prefix(self, bucket: str, prefix: str) -> list[str]: ...

    def delete(self, bucket: str, keys: list[str]) -> None: ...


class Ours:
    name = "DorisOssHook"

    def __init__(self, server: Server) -> None:
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        os.environ["AIRFLOW_CONN_BENCH_DORIS_OSS"] = server.connection("bench_doris_oss").as_json()
        self.hook = DorisOssHook("bench_doris_oss")
        self.client = self.hook.get_conn()
        self.more_clients = (self.hook.transfer_client,)  # uploads go through their own client

    def upload_many(self, bucket: str, files: list[tuple[Path, str]]) -> None:
        from airflow_provider_doris_oss.uris import ObjectUri

        self.hook.upload_files([(path, ObjectUri(bucket, key)) for path, key in files])

    def upload_one(self, bucket: str, path: Path, key: str) -> None:
        self.upload_many(bucket, [(path, key)])

    def list_prefix(self, bucket: str, prefix: str) -> list[str]:
        return self.hook.list_keys(bucket, prefix)

    def delete(self, bucket: str, keys: list[str]) -> None:
        self.hook.delete_keys(bucket, keys)


def _client_config(server: Server) -> dict[str, Any]:
    """What a user must set for an S3 client to reach OSS (or this stand-in for it)."""
    return {
        "signature_version": "s3v4",
        "s3": {"addressing_style": "virtual"},
        "proxies": {"http": server.proxy_url},
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }


class AmazonS3Hook:
    name = "S3Hook"

    def __init__(self, server: Server) -> None:
        import json

        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        extra = {
            "region_name": server.region,
            "endpoint_url": server.endpoint,
            "config_kwargs": _client_config(server),
        }
        os.environ["AIRFLOW_CONN_BENCH_AWS"] = json.dumps(
            {"conn_type": "aws", "login": server.access_key, "password": server.secret_key, "extra": extra}
        )
        self.hook = S3Hook(aws_conn_id="bench_aws")
        self.client = self.hook.get_conn()

    def upload_many(self, bucket: str, files: list[tuple[Path, str]]) -> None:
        for path, key in files:
            self.hook.load_file(path, key, bucket_name=bucket, replace=True)

    def upload_one(self, bucket: str, path: Path, key: str) -> None:
        self.hook.load_file(path, key, bucket_name=bucket, replace=True)

    def list_prefix(self, bucket: str, prefix: str) -> list[str]:
        return list(self.hook.list_keys(bucket_name=bucket, prefix=prefix))

    def delete(self, bucket: str, keys: list[str]) -> None:
        self.hook.delete_objects(bucket, keys)


class RawBoto3:
    """Plain boto3 as a careful user writes it: many files through one shared TransferManager at the
    concurrency (and pool size) ours uses, not a loop of ``upload_file`` calls."""

    name = "boto3"
    concurrency = 50  # DorisOssHook's default connection_maximum

    def __init__(self, server: Server) -> None:
        import boto3
        from botocore.config import Config

        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=server.endpoint,
            region_name=server.region,
            aws_access_key_id=server.access_key,
            aws_secret_access_key=server.secret_key,
            config=Config(**_client_config(server), max_pool_connections=self.concurrency),
        )

    def upload_many(self, bucket: str, files: list[tuple[Path, str]]) -> None:
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        config = TransferConfig(max_concurrency=self.concurrency, preferred_transfer_client="classic")
        with create_transfer_manager(self.client, config) as manager:
            futures = [manager.upload(str(path), bucket, key) for path, key in files]
            for future in futures:
                future.result()

    def upload_one(self, bucket: str, path: Path, key: str) -> None:
        self.client.upload_file(str(path), bucket, key)

    def list_prefix(self, bucket: str, prefix: str) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return [
            o["Key"]
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])
        ]

    def delete(self, bucket: str, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            self.client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch]})


@dataclass
class Measurement:
    seconds: float
    requests: int
    failure: str = ""

    def cell(self) -> str:
        return f"FAILED: {self.failure}" if self.failure else f"{self.seconds:.3f} ({self.requests})"


def _populate(server: Server, bucket: str, keys: list[str]) -> None:
    """Create empty objects quickly (set-up, not measured)."""
    client = server.client()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: client.put_object(Bucket=bucket, Key=key, Body=b""), keys))


def _measure(
    contender: Contender,
    counter: RequestCounter,
    repeat: int,
    run: Callable[[int], None],
    prepare: Callable[[int], None] | None = None,
) -> Measurement:
    best = Measurement(float("inf"), 0)
    for attempt in range(repeat):
        if prepare is not None:
            prepare(attempt)
        counter.count = 0
        started = time.perf_counter()
        try:
            run(attempt)
        except Exception as error:  # a server that refuses what this client sends: report it
            return Measurement(float("nan"), counter.count, _error_code(error))
        elapsed = time.perf_counter() - started
        if elapsed < best.seconds:
            best = Measurement(elapsed, counter.count)
    return best


def _error_code(error: BaseException) -> str:
    while error.__context__ is not None and getattr(error, "response", None) is None:
        error = error.__context__
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", type(error).__name__))
    return type(error).__name__


def bench_contender(
    server: Server, contender: Contender, work: Workload, files: Path
) -> dict[str, Measurement]:
    bucket = server.create_bucket(f"bench-{contender.name.lower()}-{uuid.uuid4().hex[:8]}")
    counter = RequestCounter(contender.client, *getattr(contender, "more_clients", ()))
    contender.client.list_objects_v2(Bucket=bucket, MaxKeys=1)  # warm up: models, connection
    small = sorted(files.glob("small-*.bin"))
    large = files / "large.bin"
    listed = [f"list/{i:05d}" for i in range(work.key_count)]
    _populate(server, bucket, listed)
    results = {
        f"upload {work.small_count} x {work.small_size // KiB} KiB": _measure(
            contender,
            counter,
            work.repeat,
            lambda n: contender.upload_many(bucket, [(p, f"small{n}/{p.name}") for p in small]),
        ),
        f"upload 1 x {work.large_size // MiB} MiB": _measure(
            contender, counter, work.repeat, lambda n: contender.upload_one(bucket, large, f"large/{n}.bin")
        ),
        f"list {work.key_count} keys": _measure(
            contender, counter, work.repeat, lambda n: _check_listed(contender, bucket, listed)
        ),
    }
    doomed = {n: [f"del{n}/{i:05d}" for i in range(work.key_count)] for n in range(work.repeat)}
    results[f"delete {work.key_count} keys"] = _measure(
        contender,
        counter,
        work.repeat,
        lambda n: contender.delete(bucket, doomed[n]),
        prepare=lambda n: _populate(server, bucket, doomed[n]),
    )
    deleted = results[f"delete {work.key_count} keys"]
    remaining = contender.client.list_objects_v2(Bucket=bucket, Prefix="del").get("KeyCount", 0)
    if remaining and not deleted.failure:
        raise RuntimeError(f"{contender.name} left {remaining} keys undeleted in {bucket}")
    return results


def _check_listed(contender: Contender, bucket: str, expected: list[str]) -> None:
    got = contender.list_prefix(bucket, "list/")
    if sorted(got) != expected:
        raise RuntimeError(f"{contender.name} listed {len(got)} keys, expected {len(expected)}")


def _make_files(directory: Path, work: Workload) -> None:
    for i in range(work.small_count):
        (directory / f"small-{i:04d}.bin").write_bytes(os.urandom(work.small_size))
    with open(directory / "large.bin", "wb") as large:
        for _ in range(work.large_size // MiB):
            large.write(os.urandom(MiB))


@contextmanager
def _server(kind: str) -> Iterator[Server]:
    if kind == "seaweedfs":
        from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS

        with LocalSeaweedFS() as seaweed:
            yield seaweed
    else:
        from airflow_provider_doris_oss.testing.local_oss import LocalOss

        with LocalOss() as moto:
            yield moto


def _table(kind: str, results: dict[str, dict[str, Measurement]]) -> str:
    names = list(results)
    operations = list(results[names[0]])
    header = ["operation", *(f"{n} s (req)" for n in names), *(f"ours/{n}" for n in names[1:])]
    rows = [header]
    for op in operations:
        cells = [op]
        for name in names:
            cells.append(results[name][op].cell())
        ours = results[names[0]][op].seconds
        cells += [_ratio(ours, results[name][op].seconds) for name in names[1:]]
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"server: {kind}"]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _ratio(ours: float, theirs: float) -> str:
    return "-" if math.isnan(ours) or math.isnan(theirs) else f"{ours / theirs:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["seaweedfs", "moto", "both"], default="seaweedfs")
    parser.add_argument("--small-count", type=int, default=200)
    parser.add_argument("--small-kib", type=int, default=64)
    parser.add_argument("--large-mib", type=int, default=64)
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    work = Workload(
        args.small_count, args.small_kib * KiB, args.large_mib * MiB, args.keys, max(1, args.repeat)
    )

    # Before Airflow is imported: a throw-away home, and no INFO lines (S3Hook.delete_objects
    # logs every deleted key at INFO).
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-airflow-"))
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    logging.getLogger("botocore").setLevel(logging.WARNING)

    kinds = ["seaweedfs", "moto"] if args.server == "both" else [args.server]
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        files = Path(tmp)
        _make_files(files, work)
        for kind in kinds:
            with _server(kind) as server:
                results: dict[str, dict[str, Measurement]] = {}
                for make in (Ours, AmazonS3Hook, RawBoto3):
                    contender: Contender = make(server)
                    results[contender.name] = bench_contender(server, contender, work, files)
            print(_table(kind, results), flush=True)
            print()
    print(
        "seconds: best of",
        work.repeat,
        "runs; req: HTTP requests the client sent in that run;",
        "ours/X < 1 means DorisOssHook was faster.",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
