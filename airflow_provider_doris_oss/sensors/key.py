"""``OssKeySensor``: wait for one or more keys (exact, wildcard or regex) in OSS."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_doris_oss.arguments import (
    KEY_SENSOR,
    Rule,
    check_arguments,
    check_rendered,
)
from airflow_provider_doris_oss.triggers.matching import (
    LIST_PAGE_SIZE,
    KeyPattern,
    Mode,
    head_metadata,
    key_rules,
    listed_metadata,
    mode_for,
    needs_head,
    resolve_key,
)
from airflow_provider_doris_oss.uris import ObjectUri
from airflow_provider_doris_oss.version_compat import conf

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.oss import DorisOssHook


MAX_XCOM_FILES = 100


def call_check_fn(check_fn: Callable[..., bool], files: list[dict[str, Any]], context: Any) -> bool:
    """``check_fn(files, **context)`` if it takes ``**kwargs``, else ``check_fn(files)`` (as S3KeySensor)."""
    parameters = inspect.signature(check_fn).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return bool(check_fn(files, **context))
    return bool(check_fn(files))


def find_matches(
    hook: DorisOssHook,
    pattern: KeyPattern,
    *,
    first_only: bool,
    metadata_keys: list[str],
    page_size: int = LIST_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """The metadata of the objects ``pattern`` matches; with ``first_only``, listing stops at one."""
    if pattern.mode == "exact":
        head = hook.head(ObjectUri(pattern.bucket, pattern.pattern))
        return [] if head is None else [head_metadata(pattern.bucket, pattern.pattern, head, metadata_keys)]
    found: list[dict[str, Any]] = []
    for obj in hook.iter_objects(pattern.bucket, pattern.listing_prefix, page_size=page_size):
        if pattern.matches(obj["Key"]):
            found.append(obj)
            if first_only:
                break
    if not needs_head(metadata_keys):
        return [listed_metadata(pattern.bucket, obj, metadata_keys) for obj in found]
    metas = []
    for obj in found:
        head = hook.head(ObjectUri(pattern.bucket, obj["Key"]))
        if head is not None:
            metas.append(head_metadata(pattern.bucket, obj["Key"], head, metadata_keys))
    return metas


class OssKeySensor(BaseSensorOperator):
    """Wait until every key in ``bucket_key`` exists; push the matched objects' metadata to XCom.

    :param bucket_key: a key or a list of keys; each may be a full ``oss://``/``s3://`` URI.
    :param bucket_name: the bucket for plain keys; else the connection's default bucket.
    :param wildcard_match: keys are ``fnmatch`` patterns (``*``, ``?``, ``[...]``).
    :param use_regex: keys are regular expressions matched with ``re.match``.
    :param check_fn: ``check_fn(files, **context) -> bool`` (or ``check_fn(files)``) judges the
        matched objects' metadata; ``LastModified`` is a datetime.
    :param metadata_keys: HEAD fields to collect per object (default ``["Size"]``; ``"*"``: all).
    :param max_xcom_files: the most matched objects' metadata pushed to XCom (the first in key
        order); ``check_fn`` still sees every match.
    :param oss_conn_id: the ``dorisoss`` connection.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    """

    argument_rules: ClassVar[tuple[Rule, ...]] = KEY_SENSOR
    template_fields: Sequence[str] = ("bucket_key", "bucket_name", "oss_conn_id")
    ui_color = "#ff6a00"

    def __init__(
        self,
        *,
        bucket_key: str | list[str],
        bucket_name: str | None = None,
        wildcard_match: bool = False,
        use_regex: bool = False,
        check_fn: Callable[..., bool] | None = None,
        metadata_keys: list[str] | None = None,
        max_xcom_files: int = MAX_XCOM_FILES,
        oss_conn_id: str = "doris_oss_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        match_mode = mode_for(wildcard_match, use_regex)
        check_arguments(type(self).__name__, key_rules("bucket_key", match_mode), {"bucket_key": bucket_key})
        super().__init__(**kwargs)
        self.bucket_key = bucket_key
        self.bucket_name = bucket_name
        self.wildcard_match = wildcard_match
        self.use_regex = use_regex
        self.match_mode: Mode = match_mode  # not ``mode``: that is poke/reschedule
        self.check_fn = check_fn
        self.metadata_keys = metadata_keys or ["Size"]
        self.max_xcom_files = max_xcom_files
        self.oss_conn_id = oss_conn_id
        self.deferrable = deferrable

    @cached_property
    def hook(self) -> DorisOssHook:
        """The synchronous OSS hook for pokes."""
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        return DorisOssHook(self.oss_conn_id)

    def patterns(self) -> list[KeyPattern]:
        """The keys as bucket-qualified patterns (rendered templates, resolved buckets)."""
        keys = [self.bucket_key] if isinstance(self.bucket_key, str) else list(self.bucket_key)
        if not keys:
            raise ValueError("bucket_key is empty: give at least one key or oss:// URI.")
        patterns = []
        properties = self.hook.properties
        for i, key in enumerate(keys):
            target = resolve_key(
                key,
                self.bucket_name or properties.bucket,
                field="bucket_key" if isinstance(self.bucket_key, str) else f"bucket_key[{i}]",
                conn_id=self.oss_conn_id,
                mode=self.match_mode,
                region=properties.region,
            )
            if self.bucket_name and target.bucket != self.bucket_name:
                raise ValueError(
                    f"bucket_key {key!r} names bucket {target.bucket!r} but bucket_name is "
                    f"{self.bucket_name!r}: drop bucket_name or use a plain key."
                )
            patterns.append(KeyPattern(target.bucket, target.key, self.match_mode))
        return patterns

    def _xcom_files(self, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(files) > self.max_xcom_files:
            self.log.info(
                "%d objects matched; pushing the first %d to XCom (max_xcom_files)",
                len(files),
                self.max_xcom_files,
            )
        return files[: self.max_xcom_files]

    def poke(self, context: Context) -> PokeReturnValue:
        """One check of every key; done when all match and ``check_fn`` (if any) agrees."""
        files: list[dict[str, Any]] = []
        for pattern in self.patterns():
            found = find_matches(
                self.hook, pattern, first_only=self.check_fn is None, metadata_keys=self.metadata_keys
            )
            if not found:
                self.log.info("No object matches %s yet", pattern.uri)
                return PokeReturnValue(is_done=False)
            files.extend(found)
        if self.check_fn is not None and not call_check_fn(self.check_fn, files, context):
            return PokeReturnValue(is_done=False)
        return PokeReturnValue(is_done=True, xcom_value=self._xcom_files(files))

    def execute(self, context: Context) -> Any:
        """Poke, or check once and then defer to ``OssKeyTrigger``."""
        check_rendered(type(self).__name__, self.argument_rules, self)
        check_rendered(type(self).__name__, key_rules("bucket_key", self.match_mode), self)
        if not self.deferrable:
            return super().execute(context)
        result = self.poke(context)
        if result.is_done:
            return result.xcom_value
        self._defer(wait_first=False)

    def _defer(self, *, wait_first: bool) -> None:
        from airflow_provider_doris_oss.triggers.key import OssKeyTrigger

        timeout = timedelta(seconds=self.timeout) if self.timeout else None
        self.defer(
            trigger=OssKeyTrigger(
                bucket_keys=[p.uri for p in self.patterns()],
                mode=self.match_mode,
                oss_conn_id=self.oss_conn_id,
                poke_interval=float(self.poke_interval),
                should_check_fn=self.check_fn is not None,
                metadata_keys=self.metadata_keys,
                wait_first=wait_first,
            ),
            method_name="execute_complete",
            timeout=timeout,
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume from the trigger: succeed, run ``check_fn`` and maybe re-defer, or fail."""
        if not event:
            raise RuntimeError("OssKeySensor resumed without a trigger event.")
        if event.get("status") == "error":
            raise RuntimeError(f"OssKeySensor failed while waiting: {event.get('message')}")
        files = event.get("files", [])
        check_fn = self.check_fn if event.get("status") == "running" else None
        if check_fn is not None and not call_check_fn(check_fn, files, context):
            self.log.info("check_fn rejected %d matched objects; waiting again", len(files))
            self._defer(wait_first=True)
        return self._xcom_files(files)
