"""Benchmark: what one poll of OssObjectEventTrigger costs on a big prefix, whole-prefix vs ordered keys.

For each size (1,000 / 100,000 / 1,000,000 old objects; ``--quick``: 1,000 / 10,000) and each
mode, a watcher starts with ``start_from="now"`` (its first poll records the baseline), then one
new object (sorting after the old ones) lands before each of the next ``--polls`` polls. For those
steady polls it reports: requests per poll (LIST and checkpoint PUT), the checkpoint's size, and
the poll's wall time (listing, filtering, checkpoint write).

Where the listing comes from:

- ``server``: a fast local HTTP server (stdlib, loopback), reached through the trigger's real
  aiobotocore client the way OSS is reached (endpoint ``http://oss-cn-beijing.aliyuncs.com``,
  the server as HTTP proxy). It generates ListObjectsV2 pages of synthetic keys on the fly
  (``data/000000000.csv`` ...), honouring ``prefix``, ``start-after``, ``continuation-token`` and
  ``max-keys``; checkpoints are kept in memory. No signature checks.
- ``stub``: the same synthetic keys from a stubbed paginator (``DorisOssAsyncHook.iter_pages``,
  ``get_versioned``, ``head``, ``put_bytes`` replaced in process; no HTTP, no XML), used for the largest size,
  where a million keys over HTTP would take minutes per whole-prefix poll.

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
from collections.abc import AsyncIterator
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


async def measure(store: Store, ordered: bool, polls: int) -> tuple[float, float, int, float, int]:
    """Baseline poll, then ``polls`` polls with one new object each; averages over the latter."""
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    from airflow_provider_doris_oss.hooks.oss_async import close_shared_clients
    from airflow_provider_doris_oss.triggers.object_event import ListingProducer, OssObjectEventTrigger

    trigger = OssObjectEventTrigger(
        prefix=f"oss://{BUCKET}/{PREFIX}", poll_interval=0.001, start_from="now", ordered_keys=ordered
    )
    producer = ListingProducer(trigger)
    samples: list[tuple[int, int, float]] = []
    done = asyncio.Event()

    async def snapshots() -> AsyncIterator[Any]:
        poll = 0
        started = time.perf_counter()
        lists, puts = store.lists, store.puts
        async for raw, payload in producer.open_stream():
            yield raw
            await producer.advance([AdvanceItem(payload, AdvanceOutcome(acked=1, failed=0))])
            if poll > 0:
                samples.append((store.lists - lists, store.puts - puts, time.perf_counter() - started))
            if poll == polls:
                done.set()
                return
            poll += 1
            with store.lock:
                store.count += 1  # one new object, sorting after every old one
            started = time.perf_counter()
            lists, puts = store.lists, store.puts

    events = 0
    try:
        async for _ in trigger.filter_shared_stream(snapshots()):
            events += 1
    finally:
        await producer.aclose()
        await close_shared_clients()
    checkpoint = max((len(v) for k, v in store.objects.items() if k.endswith(".json")), default=0)
    n = len(samples)
    return (
        sum(s[0] for s in samples) / n,
        sum(s[1] for s in samples) / n,
        checkpoint,
        sum(s[2] for s in samples) / n,
        events,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 objects only, over HTTP")
    parser.add_argument("--polls", type=int, default=2, help="steady polls measured per case (default 2)")
    args = parser.parse_args()
    os.environ.update(
        {
            "AIRFLOW_HOME": tempfile.mkdtemp(prefix="bench-events-"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        }
    )
    server = start_server()
    os.environ["AIRFLOW_CONN_DORIS_OSS_DEFAULT"] = json.dumps(
        {
            "conn_type": "doris_oss",
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
    cases = (
        [(1_000, "server"), (10_000, "server")]
        if args.quick
        else [(1_000, "server"), (100_000, "server"), (1_000_000, "stub")]
    )
    results: list[Result] = []
    for objects, source in cases:
        for ordered in (False, True):
            store = Store(objects)
            Handler.store = store
            if source == "stub":
                stub_hook(store)
            lists, puts, size, seconds, events = asyncio.run(measure(store, ordered, args.polls))
            mode = "ordered" if ordered else "prefix"
            results.append(Result(objects, mode, source, lists, puts, size, seconds, events))
            print(
                f"  {objects:>9,} objects  {mode:<7}  {lists:8.1f} LIST/poll  {puts:4.1f} PUT/poll  "
                f"checkpoint {size:>12,} B  {seconds * 1000:10.1f} ms/poll  ({source})",
                file=sys.stderr,
                flush=True,
            )
    server.shutdown()

    print(f"\nOssObjectEventTrigger, one poll over N old objects (mean of {args.polls}, one new object each)")
    print(f"{'objects':>11} {'source':>7} | {'whole prefix (default)':^41} | {'ordered_keys=True':^41}")
    head = f"{'LIST/poll':>9} {'PUT/poll':>8} {'ckpt bytes':>12} {'ms/poll':>9}"
    print(f"{'':>11} {'':>7} | {head} | {head}")
    for objects, source in cases:
        row = {r.mode: r for r in results if r.objects == objects}
        cells = [
            f"{r.lists:>9.1f} {r.puts:>8.1f} {r.checkpoint_bytes:>12,} {r.seconds * 1000:>9.1f}"
            for r in (row["prefix"], row["ordered"])
        ]
        print(f"{objects:>11,} {source:>7} | {cells[0]} | {cells[1]}")
    bad = [r for r in results if r.events != args.polls]
    if bad:
        print(f"FAILED: a case did not report exactly one event per poll: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
