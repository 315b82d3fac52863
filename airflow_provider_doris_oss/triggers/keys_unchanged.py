"""``OssKeysUnchangedTrigger`` and the inactivity rule it shares with ``OssKeysUnchangedSensor``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_doris_oss.arguments import KEYS_UNCHANGED_TRIGGER, check_arguments


class ObjectsDeletedError(RuntimeError):
    """Objects vanished under the prefix while ``allow_delete`` is off."""


@dataclass
class InactivityTracker:
    """Decide whether the objects under a prefix (key → ETag) have stopped changing.

    Any new, changed or (with ``allow_delete``) deleted object restarts the inactivity clock;
    success needs ``inactivity_period`` seconds without change and at least ``min_objects``.
    The state is plain data so a sensor can hand it to its trigger.
    """

    inactivity_period: float
    min_objects: int = 1
    allow_delete: bool = True
    previous: dict[str, str] | None = None
    last_activity: float | None = None
    where: str = ""

    def observe(self, current: dict[str, str], now: float | None = None) -> bool:
        """Record one listing; True when the prefix has been quiet long enough with enough objects."""
        now = time.time() if now is None else now
        if self.previous is None or self.last_activity is None:
            self.previous, self.last_activity = dict(current), now
            return self._quiet_enough(current, now)
        deleted = self.previous.keys() - current.keys()
        if deleted and not self.allow_delete:
            shown = ", ".join(sorted(deleted)[:5])
            raise ObjectsDeletedError(
                f"{len(deleted)} objects were deleted under {self.where} between checks ({shown}); "
                "set allow_delete=True if the writer may delete objects."
            )
        if current != self.previous:
            self.previous, self.last_activity = dict(current), now
            return False
        return self._quiet_enough(current, now)

    def _quiet_enough(self, current: dict[str, str], now: float) -> bool:
        assert self.last_activity is not None
        return now - self.last_activity >= self.inactivity_period and len(current) >= self.min_objects

    def state(self) -> dict[str, Any]:
        """The state a trigger needs to continue where the sensor stopped."""
        return {"previous": self.previous, "last_activity": self.last_activity}


class OssKeysUnchangedTrigger(BaseTrigger):
    """Fire ``{"status": "success", "objects": n}`` once the prefix has been unchanged long enough.

    Fires ``{"status": "error", "message": ...}`` on failure (e.g. deletions with
    ``allow_delete=False``).
    """

    def __init__(
        self,
        bucket_name: str,
        prefix: str,
        inactivity_period: float = 3600.0,
        min_objects: int = 1,
        allow_delete: bool = True,
        oss_conn_id: str = "doris_oss_default",
        poke_interval: float = 60.0,
        previous: dict[str, str] | None = None,
        last_activity: float | None = None,
    ) -> None:
        check_arguments(type(self).__name__, KEYS_UNCHANGED_TRIGGER, locals())
        super().__init__()
        self.bucket_name = bucket_name
        self.prefix = prefix
        self.inactivity_period = inactivity_period
        self.min_objects = min_objects
        self.allow_delete = allow_delete
        self.oss_conn_id = oss_conn_id
        self.poke_interval = poke_interval
        self.previous = previous
        self.last_activity = last_activity

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the arguments that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "bucket_name": self.bucket_name,
                "prefix": self.prefix,
                "inactivity_period": self.inactivity_period,
                "min_objects": self.min_objects,
                "allow_delete": self.allow_delete,
                "oss_conn_id": self.oss_conn_id,
                "poke_interval": self.poke_interval,
                "previous": self.previous,
                "last_activity": self.last_activity,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """List the prefix every ``poke_interval`` seconds until it has been quiet long enough."""
        from airflow_provider_doris_oss.hooks.oss_async import DorisOssAsyncHook

        hook = DorisOssAsyncHook(self.oss_conn_id)
        tracker = InactivityTracker(
            self.inactivity_period,
            self.min_objects,
            self.allow_delete,
            previous=self.previous,
            last_activity=self.last_activity,
            where=f"oss://{self.bucket_name}/{self.prefix}",
        )
        try:
            async with hook.lease():
                while True:
                    current = {
                        obj["Key"]: str(obj.get("ETag", ""))
                        async for obj in hook.iter_objects(self.bucket_name, self.prefix)
                    }
                    if tracker.observe(current):
                        break
                    await asyncio.sleep(self.poke_interval)
        except Exception as error:
            yield TriggerEvent({"status": "error", "message": f"{type(error).__name__}: {error}"})
            return
        yield TriggerEvent({"status": "success", "objects": len(current)})
