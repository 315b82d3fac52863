"""Benchmark: what one poll of OssObjectEventTrigger costs on a big prefix, whole-prefix vs ordered keys.

For each size and each mode, a watcher starts with ``start_from="now"`` (its first poll records
the baseline), then one new object (sorting after the old ones) lands before each of the next
``--polls`` polls. For those steady polls it reports: requests per poll (LIST and checkpoint PUT,
counted in the trigger's own aiobotocore client), the checkpoint's size, and the poll's wall time
(listing, filtering, checkpoint write).

Where the listing comes from, in two tables:

- ``seaweedfs``, a real S3 server (``LocalSeaweedFS``, ``weed mini``), with 1,000 and 10,000
  objects really stored in it (``--quick``: 1,000), reached through the trigger's real client the
  way OSS is reached (endpoint ``http://oss-cn-beijing.aliyuncs.com``, the server as HTTP proxy).
  Storing 100,000 objects in it would take minutes on 2 busy cores, so the larger sizes are
  synthetic:
- ``synthetic-http``: a stand-in written for this benchmark, not an S3 implementation (stdlib
  HTTP on loopback, no storage, no signature checks) that generates ListObjectsV2 pages of
  synthetic keys (``data/000000000.csv`` ...) per request, honouring ``prefix``, ``start-after``,
  ``continuation-token`` and ``max-keys``; checkpoints kept in memory. Used for 100,000 objects
  (``--quick``: 10,000). The client's side (HTTP, XML parsing, filtering) is real; the server's
  is not.
- ``in-process``: the same synthetic keys from a stubbed paginator (``DorisOssAsyncHook.iter_pages``,
  ``get_versioned``, ``head``, ``put_bytes`` replaced in process; no HTTP, no XML), for
  1,000,000 objects, where a million keys over HTTP would take minutes per whole-prefix poll.
  Its time is the trigger's own work only and is printed in a column of its own.

Bounded: a fixed number of polls per case. Not part of the test suite.

    .venv/bin/python benchmarks/bench_event_prefix.py [--quick] [--polls 2]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

BUCKET = "bench-events"
PREFIX = "data/"
ENDPOINT_HOST = "oss-cn-beijing.aliyuncs.com"
PAGE = 1000


def synthetic_key(i: int) -> str:
    return f"{PREFIX}{i:09d}.csv"


@dataclass
class Store:
    """Synthetic objects 0..count-1 under ``data/`` plus real objects (checkpoints) in memory."""

    count: int
    objects: dict[str, bytes] = field(default_factory=dict)
    lists: int = 0
    gets: int = 0
    puts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, prefix: str, after: str, limit: int) -> tuple[list[tuple[str, str, int]], bool]:
        """Keys after ``after`` under ``prefix``, at most ``limit``; and whether more follow."""
        with self.lock:
            self.lists += 1
            count = self.count
        if not PREFIX.startswith(prefix) and not prefix.startswith(PREFIX):
            return [], False
        start = bisect.bisect_right(range(count), after, key=synthetic_key) if after else 0
        stop = min(count, start + limit)
        rows = [(synthetic_key(i), f'"{i:032x}"', 64) for i in range(start, stop)]
        rows = [r for r in rows if r[0].startswith(prefix)]
        return rows, stop < count


class Handler(BaseHTTPRequestHandler):
    """ListObjectsV2 over the synthetic keys; GET/PUT of in-memory objects."""

    store: Store
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _send(self, status: int, body: bytes, content_type: str = "application/xml") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"0"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _key(self) -> tuple[str, dict[str, list[str]]]:
        url = urlsplit(self.path)
        return url.path.lstrip("/"), parse_qs(url.query, keep_blank_values=True)

    def do_GET(self) -> None:
        key, query = self._key()
        if "list-type" in query:
            prefix = query.get("prefix", [""])[0]
            after = query.get("continuation-token", query.get("start-after", [""]))[0]
            rows, truncated = self.store.page(prefix, after, int(query.get("max-keys", [str(PAGE)])[0]))
            contents = "".join(
                f"<Contents><Key>{escape(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
                f"<ETag>{escape(e)}</ETag><Size>{s}</Size><StorageClass>STANDARD</StorageClass></Contents>"
                for k, e, s in rows
            )
            token = (
                f"<NextContinuationToken>{escape(rows[-1][0])}</NextContinuationToken>" if truncated else ""
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Name>{BUCKET}</Name><Prefix>{escape(prefix)}</Prefix><MaxKeys>{PAGE}</MaxKeys>"
                f"<KeyCount>{len(rows)}</KeyCount><IsTruncated>{str(truncated).lower()}</IsTruncated>"
                f"{token}{contents}</ListBucketResult>"
            )
            self._send(200, body.encode())
            return
        with self.store.lock:
            self.store.gets += 1
            data = self.store.objects.get(key)
        if data is None:
            self._send(404, b"<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>")
        else:
            self._send(200, data, "application/json")

    do_HEAD = do_GET  # the trigger HEADs its checkpoint before each write

    def do_PUT(self) -> None:
        key, _ = self._key()
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.store.lock:
            self.store.puts += 1
            self.store.objects[key] = data
        self._send(200, b"")


def start_server() -> ThreadingHTTPServer:
    """The local server; ``Handler.store`` is set to each case's store before the case runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stub_hook(store: Store) -> None:
    """Replace the async hook's listing and object I/O with in-process calls on ``store``."""
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

    async def iter_pages(
        self: Any, bucket: str, prefix: str = "", *, page_size: int = PAGE, start_after: str = ""
    ) -> AsyncIterator[list[dict[str, Any]]]:
        after = start_after
        while True:
            rows, more = store.page(prefix, after, page_size)
            yield [
                {"Key": k, "ETag": e, "Size": s, "LastModified": "2026-01-01T00:00:00Z"} for k, e, s in rows
            ]
            if not more or not rows:
                return
            after = rows[-1][0]

    async def get_versioned(
        self: Any, target: Any, *, max_bytes: int | None = None
    ) -> tuple[bytes, str] | None:
        with store.lock:
            store.gets += 1
            data = store.objects.get(target.key)
        return None if data is None else (data, '"0"')

    async def head(self: Any, target: Any) -> dict[str, Any] | None:
        with store.lock:
            return {"ETag": '"0"'} if target.key in store.objects else None

    async def put_bytes(self: Any, target: Any, data: bytes, content_type: str = "") -> str:
        with store.lock:
            store.puts += 1
            store.objects[target.key] = data
        return '"0"'

    DorisOssAsyncHook.iter_pages = iter_pages  # type: ignore[method-assign]
    DorisOssAsyncHook.get_versioned = get_versioned  # type: ignore[method-assign]
    DorisOssAsyncHook.head = head  # type: ignore[method-assign]
    DorisOssAsyncHook.put_bytes = put_bytes  # type: ignore[method-assign]


class RequestCounter:
    """LIST and PUT requests the trigger's aiobotocore clients send (their ``before-send`` events)."""

    def __init__(self) -> None:
        self.lists = 0
        self.puts = 0

    def on_send(self, event_name: str = "", **_: Any) -> None:
        if event_name.endswith(".ListObjectsV2"):
            self.lists += 1
        elif event_name.endswith(".PutObject"):
            self.puts += 1

    def install(self) -> None:
        """Count on every shared client the async hook creates from now on."""
        from airflow_provider_doris_oss.hooks import oss_async

        original = oss_async.register_oss_handlers

        def register(events: Any) -> None:
            original(events)
            events.register("before-send.s3", self.on_send)

        oss_async.register_oss_handlers = register  # type: ignore[assignment]


@dataclass
class Case:
    """One size on one source: how to count requests, land an object and size the checkpoint."""

    objects: int
    source: str  # seaweedfs | synthetic-http | in-process
    bucket: str
    counts: Callable[[], tuple[int, int]]  # (LIST, PUT) requests so far
    land: Callable[[int], None]  # store object number n (sorting after every old one)

    def land_next(self) -> None:
        """Land one new object, sorting after every object already there."""
        self.land(self.objects + self.landed)
        self.landed += 1

    checkpoint_bytes: Callable[[str], int]  # the size of the object at this key (0: none)
    landed: int = 0  # objects landed so far, by both modes' runs


@dataclass
class Result:
    objects: int
    mode: str
    source: str
    lists: float
    puts: float
    checkpoint_bytes: int
    seconds: float
    events: int


async def measure(case: Case, ordered: bool, polls: int) -> Result:
    """Baseline poll, then ``polls`` polls with one new object each; averages over the latter."""
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook, close_shared_clients
    from airflow_provider_doris_oss.triggers.object_event import ListingProducer, OssObjectEventTrigger

    mode = "ordered" if ordered else "prefix"
    trigger = OssObjectEventTrigger(
        prefix=f"oss://{case.bucket}/{PREFIX}",
        poll_interval=0.001,
        start_from="now",
        ordered_keys=ordered,
        checkpoint_name=f"bench-{mode}-{case.objects}",
    )
    producer = ListingProducer(trigger)
    samples: list[tuple[int, int, float]] = []

    async def snapshots() -> AsyncIterator[Any]:
        poll = 0
        started = time.perf_counter()
        lists, puts = case.counts()
        async for raw, payload in producer.open_stream():
            yield raw
            await producer.advance([AdvanceItem(payload, AdvanceOutcome(acked=1, failed=0))])
            now_lists, now_puts = case.counts()
            if poll > 0:
                samples.append((now_lists - lists, now_puts - puts, time.perf_counter() - started))
            if poll == polls:
                return
            poll += 1
            case.land_next()
            started = time.perf_counter()
            lists, puts = case.counts()

    events = 0
    hook = DorisOssAsyncHook()
    checkpoint_key = (await trigger.checkpoint_location(hook)).key
    try:
        async for _ in trigger.filter_shared_stream(snapshots()):
            events += 1
    finally:
        await producer.aclose()
        await close_shared_clients()
    n = len(samples)
    return Result(
        case.objects,
        mode,
        case.source,
        sum(x[0] for x in samples) / n,
        sum(x[1] for x in samples) / n,
        case.checkpoint_bytes(checkpoint_key),
        sum(x[2] for x in samples) / n,
        events,
    )


def run_cases(cases: list[Callable[[], Any]], polls: int) -> list[Result]:
    """Each case factory is a context manager giving a ``Case``; both modes run on it."""
    results = []
    for make in cases:
        with make() as case:
            for ordered in (False, True):
                result = asyncio.run(measure(case, ordered, polls))
                results.append(result)
                print(
                    f"  {result.objects:>9,} objects  {result.mode:<7}  {result.lists:8.1f} LIST/poll  "
                    f"{result.puts:4.1f} PUT/poll  checkpoint {result.checkpoint_bytes:>12,} B  "
                    f"{result.seconds * 1000:10.1f} ms/poll  ({result.source})",
                    file=sys.stderr,
                    flush=True,
                )
    return results


@contextmanager
def seaweedfs_cases(sizes: list[int], counter: RequestCounter) -> Iterator[list[Callable[[], Any]]]:
    """One SeaweedFS server; a bucket per size holding that many (empty) objects under ``data/``."""
    from airflow_provider_doris_oss.testing.seaweedfs import LocalSeaweedFS

    with LocalSeaweedFS() as weed:
        client = weed.client()  # the stand-in's own client (a pool of 50), for set-up and landing

        def factory(size: int) -> Callable[[], Any]:
            @contextmanager
            def make() -> Iterator[Case]:
                bucket = weed.create_bucket(f"bench-events-{size}")
                with ThreadPoolExecutor(POPULATE_THREADS) as pool:
                    list(
                        pool.map(
                            lambda i: client.put_object(Bucket=bucket, Key=synthetic_key(i), Body=b""),
                            range(size),
                        )
                    )
                os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = weed.connection(
                    "doris_oss_default", bucket=bucket
                ).as_json()

                def checkpoint_bytes(key: str) -> int:
                    listed = client.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
                    return sum(int(o["Size"]) for o in listed if o["Key"] == key)

                yield Case(
                    size,
                    "seaweedfs",
                    bucket,
                    lambda: (counter.lists, counter.puts),
                    lambda n: client.put_object(Bucket=bucket, Key=synthetic_key(n), Body=b""),
                    checkpoint_bytes,
                )

            return make

        yield [factory(size) for size in sizes]


def synthetic_case(size: int, source: str, server: ThreadingHTTPServer, counter: RequestCounter) -> Any:
    """A case on the synthetic listing: over loopback HTTP, or (``in-process``) the stubbed hook."""

    @contextmanager
    def make() -> Iterator[Case]:
        store = Store(size)
        Handler.store = store
        os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = json.dumps(
            {
                "conn_type": "dorisoss",
                "host": f"http://{ENDPOINT_HOST}",
                "login": "LTAI5tBENCHMARKKEY000",
                "password": "bench-secret",
                "extra": {
                    "region": "cn-beijing",
                    "proxy": f"http://127.0.0.1:{server.server_port}",
                    "bucket": BUCKET,
                },
            }
        )
        if source == "in-process":
            stub_hook(store)  # for good: the in-process case runs last
            counts = lambda: (store.lists, store.puts)  # noqa: E731
        else:
            counts = lambda: (counter.lists, counter.puts)  # noqa: E731

        def land(n: int) -> None:
            with store.lock:
                store.count = max(store.count, n + 1)

        def checkpoint_bytes(key: str) -> int:
            with store.lock:
                return len(store.objects.get(key, b""))

        yield Case(size, source, BUCKET, counts, land, checkpoint_bytes)

    return make


GROUPS = {
    "seaweedfs": "A real S3 server: SeaweedFS (weed mini), the objects stored in it",
    "synthetic-http": (
        "Synthetic listing over loopback HTTP: a stand-in written for this benchmark, not an S3 server "
        "(keys generated per request, no storage); the client's side is real"
    ),
    "in-process": "In process, no HTTP and no XML: the hook's paginator stubbed; the trigger's own work only",
}


def report(results: list[Result], polls: int) -> str:
    """One table per source, never mixing a server's times with a stand-in's."""
    lines = [f"OssObjectEventTrigger, one poll over N old objects (mean of {polls}, one new object each)"]
    for source, title in GROUPS.items():
        rows = [r for r in results if r.source == source]
        if not rows:
            continue
        time_column = "ms/poll" if source != "in-process" else "ms/poll(no-HTTP)"
        head = f"{'LIST/poll':>9} {'PUT/poll':>8} {'ckpt bytes':>12} {time_column:>16}"
        lines += [
            "",
            f"{title}:",
            f"{'objects':>11} {'source':>14} | {'whole prefix (default)':^48} | {'ordered_keys=True':^48}",
            f"{'':>11} {'':>14} | {head} | {head}",
        ]
        for objects in dict.fromkeys(r.objects for r in rows):
            pair = {r.mode: r for r in rows if r.objects == objects}
            cells = [
                f"{r.lists:>9.1f} {r.puts:>8.1f} {r.checkpoint_bytes:>12,} {r.seconds * 1000:>16.1f}"
                for r in (pair["prefix"], pair["ordered"])
            ]
            lines.append(f"{objects:>11,} {source:>14} | {cells[0]} | {cells[1]}")
    return "\n".join(lines)


POPULATE_THREADS = 16


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 objects on SeaweedFS, 10,000 synthetic")
    parser.add_argument("--polls", type=int, default=2, help="steady polls measured per case (default 2)")
    args = parser.parse_args()
    os.environ.update(
        {
            "AIRFLOW_HOME": tempfile.mkdtemp(prefix="bench-events-"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        }
    )
    counter = RequestCounter()
    counter.install()
    server = start_server()
    weed_sizes = [1_000] if args.quick else [1_000, 10_000]
    synthetic = (
        [(10_000, "synthetic-http")]
        if args.quick
        else [(100_000, "synthetic-http"), (1_000_000, "in-process")]
    )
    try:
        with seaweedfs_cases(weed_sizes, counter) as weed_cases:
            results = run_cases(weed_cases, args.polls)
        results += run_cases(
            [synthetic_case(n, source, server, counter) for n, source in synthetic], args.polls
        )
    finally:
        server.shutdown()
    print()
    print(report(results, args.polls))
    bad = [r for r in results if r.events != args.polls]
    if bad:
        print(f"FAILED: a case did not report exactly one event per poll: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
