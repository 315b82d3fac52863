"""``OssKeysUnchangedSensor``: wait until an upstream writer has stopped changing a prefix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator
from airflow.sdk.bases.sensor import poke_mode_only

from airflow_provider_doris_oss.arguments import (
    KEYS_UNCHANGED_SENSOR,
    Arg,
    Rule,
    check_arguments,
    check_rendered,
)
from airflow_provider_doris_oss.uris import location_problem
from airflow_provider_doris_oss.version_compat import conf

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.oss import DorisOssHook
    from airflow_provider_doris_oss.triggers.keys_unchanged import InactivityTracker
    from airflow_provider_doris_oss.uris import ObjectUri


def _prefix_problem(name: str, value: Any) -> str | None:
    return location_problem(value, field=name, role="prefix") if isinstance(value, str) else None


# ``prefix`` by OSS's naming rules (a prefix starting with '/' matches nothing); a bucket root is fine.
_PREFIX_ARGS = (Arg("prefix", _prefix_problem, templated=True),)


@poke_mode_only
class OssKeysUnchangedSensor(BaseSensorOperator):
    """Succeed once the objects under ``prefix`` have not changed for ``inactivity_period`` seconds.

    New, changed (ETag) and deleted objects all count as activity. Poke mode only (the state
    lives in the running task; reschedule would lose it); use ``deferrable`` to free the slot.

    :param prefix: a key prefix, or a full ``oss://bucket/prefix`` URI.
    :param bucket_name: the bucket for a plain prefix; else the connection's default bucket.
    :param inactivity_period: seconds without any change before success.
    :param min_objects: fewest objects that must be present for success.
    :param allow_delete: whether deletions are normal activity; if False they fail the sensor.
    :param oss_conn_id: the ``dorisoss`` connection.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    """

    argument_rules: ClassVar[tuple[Rule, ...]] = (*KEYS_UNCHANGED_SENSOR, *_PREFIX_ARGS)
    template_fields: Sequence[str] = ("bucket_name", "prefix", "oss_conn_id")
    ui_color = "#ff6a00"

    def __init__(
        self,
        *,
        prefix: str,
        bucket_name: str | None = None,
        inactivity_period: float = 60 * 60,
        min_objects: int = 1,
        allow_delete: bool = True,
        oss_conn_id: str = "doris_oss_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        super().__init__(**kwargs)
        self.prefix = prefix
        self.bucket_name = bucket_name
        self.inactivity_period = inactivity_period
        self.min_objects = min_objects
        self.allow_delete = allow_delete
        self.oss_conn_id = oss_conn_id
        self.deferrable = deferrable
        self._tracker: InactivityTracker | None = None

    @cached_property
    def hook(self) -> DorisOssHook:
        """The synchronous OSS hook for pokes."""
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        return DorisOssHook(self.oss_conn_id)

    @cached_property
    def target(self) -> ObjectUri:
        """The bucket and prefix being watched."""
        return self.hook.resolve(self.prefix, self.bucket_name, field="prefix")

    @property
    def tracker(self) -> InactivityTracker:
        """The inactivity state across pokes of this task try."""
        if self._tracker is None:
            # The trigger module (and Airflow's airflow.triggers.base) only when the sensor runs.
            from airflow_provider_doris_oss.triggers.keys_unchanged import InactivityTracker

            self._tracker = InactivityTracker(
                self.inactivity_period, self.min_objects, self.allow_delete, where=str(self.target)
            )
        return self._tracker

    def poke(self, context: Context) -> bool:
        """List the prefix once and feed it to the inactivity rule."""
        current = {
            obj["Key"]: str(obj.get("ETag", ""))
            for obj in self.hook.iter_objects(self.target.bucket, self.target.key)
        }
        done = self.tracker.observe(current)
        self.log.info("%d objects under %s; unchanged long enough: %s", len(current), self.target, done)
        return done

    def execute(self, context: Context) -> Any:
        """Poke, or check once and then defer to ``OssKeysUnchangedTrigger``."""
        check_rendered(type(self).__name__, self.argument_rules, self)
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        from airflow_provider_doris_oss.triggers.keys_unchanged import OssKeysUnchangedTrigger

        state = self.tracker.state()
        self.defer(
            trigger=OssKeysUnchangedTrigger(
                bucket_name=self.target.bucket,
                prefix=self.target.key,
                inactivity_period=self.inactivity_period,
                min_objects=self.min_objects,
                allow_delete=self.allow_delete,
                oss_conn_id=self.oss_conn_id,
                poke_interval=float(self.poke_interval),
                previous=state["previous"],
                last_activity=state["last_activity"],
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout) if self.timeout else None,
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> None:
        """Resume from the trigger: succeed or fail with the trigger's message."""
        if not event or event.get("status") != "success":
            message = (event or {}).get("message", "no event")
            raise RuntimeError(f"OssKeysUnchangedSensor failed while waiting: {message}")
        self.log.info("%s unchanged with %s objects", self.target, event.get("objects"))
