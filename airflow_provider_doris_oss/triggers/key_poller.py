"""One poller per (event loop, connection, bucket, poke interval) for the exact keys triggers wait for.

Ten thousand ``OssKeyTrigger``s each HEADing their own key every interval make ten thousand
requests per interval. Instead, every trigger in the loop that waits for an exact key registers
it with the shared ``KeyPoller`` of its connection, bucket and interval. Once per interval the
poller groups the waiting keys by their folder (the key up to its last ``/``) and, per group:

- LISTs the folder from just before its smallest waiting key up to its largest (``StartAfter``,
  stopping once past the largest), when that costs fewer requests than HEADing each key; a page
  budget of one page per waiting key cuts a listing that turns out dearer short (the rest of the
  group is HEADed) and the group's measured cost decides the next interval;
- HEADs each key otherwise (a single key, a costly folder, or a listing that failed).

A key is found when an object with exactly that key is listed (OSS lists and HEADs with the same
strong consistency) or HEAD finds it. A waiter that needs more metadata than a listing carries
asks for a HEAD, which then confirms the key and supplies it. HEAD errors (other than not-found)
reach that key's waiters.
A waiter that is cancelled leaves the poller; the last one to leave stops it and releases the
shared client.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.triggers.matching import LIST_PAGE_SIZE
from airflow_provider_doris_oss.uris import ObjectUri

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook
    from airflow_provider_doris_oss.properties import OssProperties

PollerKey = tuple["OssProperties", str, float]

_POLLERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[PollerKey, KeyPoller]] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class PollStats:
    """What a poller has done (for tests, logs and the benchmark)."""

    ticks: int = 0
    lists: int = 0
    heads: int = 0


@dataclass(frozen=True)
class Found:
    """A found key: its HEAD response (``source="head"``) or its listing entry (``"list"``)."""

    source: str
    response: dict[str, Any]


@dataclass
class _Waiter:
    future: asyncio.Future[Found]
    needs_head: bool


@dataclass
class _Group:
    """The waiting keys of one folder."""

    folder: str
    keys: list[str] = field(default_factory=list)


def folder_of(key: str) -> str:
    """The listing prefix a key is grouped under: everything up to and including its last ``/``."""
    return key[: key.rfind("/") + 1]


class KeyPoller:
    """Checks every waiting exact key of one connection, bucket and interval, once per interval."""

    def __init__(
        self, hook: DorisOssAsyncHook, bucket: str, interval: float, registry_key: PollerKey
    ) -> None:
        self.hook = hook
        self.bucket = bucket
        self.interval = interval
        self.stats = PollStats()
        self._registry_key = registry_key
        self._waiters: dict[str, list[_Waiter]] = defaultdict(list)
        self._pages_needed: dict[str, int] = {}  # folder -> pages the last listing of it took
        self.page_size = LIST_PAGE_SIZE
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """How many distinct keys are waited for."""
        return len(self._waiters)

    async def wait(self, key: str, *, needs_head: bool = False) -> Found:
        """The key's listing entry or HEAD response (always HEAD with ``needs_head``), once found.

        The poller checks a new key at its next tick.
        """
        loop = asyncio.get_running_loop()
        waiter = _Waiter(loop.create_future(), needs_head)
        self._waiters[key].append(waiter)
        if self._task is None:
            _POLLERS.setdefault(loop, {}).setdefault(self._registry_key, self)
            self._task = asyncio.create_task(self._run(), name=f"oss-key-poller-{self.bucket}")
        try:
            return await waiter.future
        finally:
            self._leave(key, waiter)

    def _leave(self, key: str, waiter: _Waiter) -> None:
        waiters = self._waiters.get(key)
        if waiters is not None and waiter in waiters:
            waiters.remove(waiter)
            if not waiters:
                del self._waiters[key]
        if not self._waiters:
            self._stop()

    def _stop(self) -> None:
        pollers = _POLLERS.get(asyncio.get_running_loop(), {})
        if pollers.get(self._registry_key) is self:
            del pollers[self._registry_key]
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with self.hook.lease():
                while self._waiters:
                    started = loop.time()
                    await self.poll_once()
                    await asyncio.sleep(max(0.0, started + self.interval - loop.time()))
        except Exception as error:  # e.g. no client could be made: every waiter learns why
            self._task = None
            for key in list(self._waiters):
                self._settle(key, error=error)

    async def poll_once(self) -> None:
        """One check of every waiting key."""
        self.stats.ticks += 1
        groups: dict[str, _Group] = {}
        for key in sorted(self._waiters):
            groups.setdefault(folder_of(key), _Group(folder_of(key))).keys.append(key)
        limit = asyncio.Semaphore((await self.hook.properties()).connection_maximum)
        await asyncio.gather(*(self._check_group(group, limit) for group in groups.values()))

    async def _check_group(self, group: _Group, limit: asyncio.Semaphore) -> None:
        pages = self._pages_needed.get(group.folder, 1)
        to_head = group.keys
        if len(group.keys) > 1 and pages < len(group.keys):
            async with limit:
                to_head = await self._list_group(group)
        await asyncio.gather(*(self._head(key, limit) for key in to_head))

    async def _list_group(self, group: _Group) -> list[str]:
        """List the group's key range; return the keys that still need a HEAD."""
        keys = group.keys  # sorted
        wanted = set(keys)
        pages = 0
        to_head: list[str] = []
        last = ""
        cut_short = False
        # StartAfter excludes only the key equal to it: the smallest key minus its last character
        # sorts before it, so the listing starts at or before the smallest waiting key.
        try:
            async for page in self.hook.iter_pages(
                self.bucket, group.folder, page_size=self.page_size, start_after=keys[0][:-1]
            ):
                pages += 1
                self.stats.lists += 1
                to_head.extend(self._found_listed([obj for obj in page if obj["Key"] in wanted]))
                last = page[-1]["Key"] if page else last
                if last >= keys[-1]:
                    break  # past the largest waiting key: the range is covered
                if pages >= len(keys):
                    cut_short = True  # dearer than a HEAD per key: HEAD the rest
                    break
        except Exception:
            self._pages_needed[group.folder] = len(keys)  # a failed listing: HEAD this folder
            return keys
        self._pages_needed[group.folder] = pages + 1 if cut_short else pages
        return to_head + ([k for k in keys if k > last] if cut_short else [])

    def _found_listed(self, objects: list[dict[str, Any]]) -> list[str]:
        """Settle the listed keys whose waiters take a listing entry; return those needing a HEAD."""
        to_head = []
        for obj in objects:
            if any(w.needs_head for w in self._waiters.get(obj["Key"], [])):
                to_head.append(obj["Key"])
            else:
                self._settle(obj["Key"], found=Found("list", dict(obj)))
        return to_head

    async def _head(self, key: str, limit: asyncio.Semaphore) -> None:
        if key not in self._waiters:
            return
        async with limit:
            self.stats.heads += 1
            try:
                head = await self.hook.head(ObjectUri(self.bucket, key))
            except Exception as error:
                self._settle(key, error=error)
                return
        if head is not None:
            self._settle(key, found=Found("head", head))

    def _settle(self, key: str, *, found: Found | None = None, error: BaseException | None = None) -> None:
        for waiter in self._waiters.get(key, []):
            if waiter.future.done():
                continue
            if error is not None:
                waiter.future.set_exception(error)
            elif found is not None:
                waiter.future.set_result(found)


async def shared_poller(hook: DorisOssAsyncHook, bucket: str, interval: float) -> KeyPoller:
    """The running loop's poller for ``hook``'s connection, ``bucket`` and ``interval``."""
    registry_key: PollerKey = (await hook.properties(), bucket, float(interval))
    pollers = _POLLERS.setdefault(asyncio.get_running_loop(), {})
    poller = pollers.get(registry_key)
    if poller is None:
        poller = pollers[registry_key] = KeyPoller(hook, bucket, interval, registry_key)
    return poller


def active_pollers() -> list[KeyPoller]:
    """The running loop's pollers (for tests and diagnostics)."""
    return list(_POLLERS.get(asyncio.get_running_loop(), {}).values())
