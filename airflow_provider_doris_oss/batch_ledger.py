"""Batched loads, exactly once per object version: the ledger table, open batches, and the plan.

Why it holds (the proof is in docs/sensors-and-triggers.md, "Batched loads"):

- Every batch is loaded by one Broker Load with two data descriptions: the objects into the
  target table, and the batch's manifest (``Batch.manifest``) into a ledger table. One job is one
  transaction, so a version has a ledger row exactly when its rows are in the target table.
- ``BatchLedger.plan`` runs alone (the DAG sets ``max_active_runs=1``, so no other plan, and no
  load of an earlier run, runs beside it). It first waits until no job of an open batch is still
  running, then drops every candidate that has a ledger row, that is not the object's current
  version any more, or that another batch of this plan holds. So a version is never in two jobs
  that can both finish.
- A batch loads copies of its versions (``snapshots/<version>/<key>``), made with a server-side
  copy on condition that the source still has the version's ETag: Broker Load reads a path as it
  is when the job runs, so loading the original key could load bytes written after the plan.
  A version already overwritten or deleted when it is first planned is skipped.
- A batch is written to OSS (``open/<label>.json``) before its load can run and stays there
  until a later plan sees its job final: a version, once batched, is re-planned until loaded.
  Events are swept from a cursor (``sweep.json``), so a version whose event joined no run is
  planned by the next run, timed or not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.batches import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FILES,
    LABEL_PREFIX,
    Batch,
    ObjectVersion,
    check_limits,
    form_batches,
    snapshot_key,
    split_in_halves,
)
from airflow_provider_doris_oss.sql.labels import next_label_attempt
from airflow_provider_doris_oss.sql.quoting import quote_identifier, quote_string, split_table_name
from airflow_provider_doris_oss.uris import ObjectUri, parse_uri

if TYPE_CHECKING:
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook
    from airflow_provider_doris_oss.operators.job import DorisJobClient

# Doris's default desired_max_waiting_jobs: one run never queues more Broker Loads than an FE admits.
DEFAULT_MAX_BATCHES = 100
# How far before the cursor each sweep reads events again: longer than an event's commit delay
# plus the clock difference between the triggerer and the worker.
DEFAULT_SWEEP_OVERLAP = timedelta(minutes=10)
_LOOKUP_CHUNK = 500
_COPY_WORKERS = 32
# Above this a snapshot is copied in parts (UploadPartCopy): OSS's CopyObject takes at most 1 GB.
COPY_PART_BYTES = 64 * 1024**2
_PRECONDITION_FAILED = ("412", "PreconditionFailed")

log = logging.getLogger(__name__)


class BatchLedger:
    """Plans batched loads of object versions into one Doris database, and records them.

    :param table: the ledger table, ``db.table`` (``batches.ledger_table_sql`` creates it); the
        batches' target tables must be in the same database (one Broker Load, one database).
    :param state_uri: ``oss://bucket/prefix/`` for open batches' manifests and the sweep cursor;
        one ledger per DAG, never shared by two DAGs.
    """

    def __init__(
        self,
        *,
        table: str,
        state_uri: str,
        oss_conn_id: str = "doris_oss_default",
        doris_conn_id: str = "doris_default",
        prefix: str = LABEL_PREFIX,
        poll_interval: float = 5.0,
        sweep_overlap: timedelta = DEFAULT_SWEEP_OVERLAP,
    ) -> None:
        database, name = split_table_name(table, field="table")
        if database is None:
            raise ValueError(f"table: {table!r} names no database; write the ledger table as 'db.table'.")
        state = parse_uri(state_uri, field="state_uri")
        self.database, self.table = database, name
        self.state = ObjectUri(state.bucket, state.key.rstrip("/") + "/" if state.key else "")
        self.oss_conn_id, self.doris_conn_id = oss_conn_id, doris_conn_id
        self.prefix, self.poll_interval, self.sweep_overlap = prefix, poll_interval, sweep_overlap

    @cached_property
    def oss(self) -> DorisOssHook:
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        return DorisOssHook(oss_conn_id=self.oss_conn_id)

    def manifest_uri(self, batch: Batch) -> ObjectUri:
        """Where an open batch's manifest lives: ``<state_uri>open/<label>.json``."""
        return ObjectUri(self.state.bucket, f"{self.state.key}open/{batch.label}.json")

    @property
    def cursor_uri(self) -> ObjectUri:
        return ObjectUri(self.state.bucket, f"{self.state.key}sweep.json")

    def snapshot_uri(self, version: ObjectVersion) -> ObjectUri:
        """Where the copy of ``version`` that its batch loads lives (``snapshot_key``)."""
        return ObjectUri(self.state.bucket, snapshot_key(f"{self.state.key}snapshots/", version))

    def load_kwargs(self, batch: Batch, data: Mapping[str, Any]) -> dict[str, Any]:
        """``DorisBrokerLoadOperator`` keyword arguments loading ``batch``: ``label`` and two
        ``data_descriptions``, ``data`` (with its ``table``, format options...) for the objects
        and the manifest into the ledger table."""
        if "table" not in data or "source_uris" in data:
            raise ValueError(
                "data: give the objects' data description with 'table' and without 'source_uris'."
            )
        ledger = {
            "source_uris": [str(self.manifest_uri(batch))],
            "table": f"{quote_identifier(self.database)}.{quote_identifier(self.table)}",
            "format": "json",
            "properties": {"strip_outer_array": True},
        }
        objects = {**data, "source_uris": [str(self.snapshot_uri(m)) for m in batch.members]}
        return {"label": batch.label, "data_descriptions": [objects, ledger]}

    def sweep_from(self, triggering: Iterable[datetime], now: datetime) -> datetime:
        """Sweep events from here: the last plan's cursor (else this run's earliest triggering
        event, else ``now``), less the overlap."""
        body = self._get(self.cursor_uri)
        if body is not None:
            floor = datetime.fromisoformat(json.loads(body)["swept_until"])
        else:
            floor = min(triggering, default=now)
        return floor - self.sweep_overlap

    def plan_loads(
        self,
        context: Mapping[str, Any],
        asset: Any,
        data: Mapping[str, Any],
        *,
        max_files: int = DEFAULT_MAX_FILES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_batches: int | None = None,
    ) -> list[dict[str, Any]]:
        """A plan task's whole job: this run's events of ``asset`` and those since the last plan
        (the task needs ``inlets=[asset]``), planned; the ``load_kwargs`` of each batch to run now.

        ``max_batches`` defaults to ``min(100, [core] max_map_length)``.
        """
        from airflow.sdk.configuration import conf

        triggering = list(context["triggering_asset_events"].get(asset, []))
        now = datetime.now(timezone.utc)
        since = self.sweep_from([event.timestamp for event in triggering], now)
        swept = list(context["inlet_events"][asset].after(since.isoformat()))
        if max_batches is None:
            max_batches = min(DEFAULT_MAX_BATCHES, conf.getint("core", "max_map_length"))
        batches = self.plan(
            [(event.extra or {}).get("payload") for event in [*triggering, *swept]],
            swept_until=now,
            max_files=max_files,
            max_bytes=max_bytes,
            max_batches=max_batches,
        )
        log.info("%d batches, %d object versions.", len(batches), sum(len(b.members) for b in batches))
        return [self.load_kwargs(batch, data) for batch in batches]

    def plan(
        self,
        payloads: Iterable[Mapping[str, Any] | None],
        *,
        swept_until: datetime,
        max_files: int = DEFAULT_MAX_FILES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_batches: int = DEFAULT_MAX_BATCHES,
    ) -> list[Batch]:
        """The batches to load now (at most ``max_batches``; the rest stay open for the next run).

        ``payloads`` are object events' payloads (this run's and the swept ones); ``swept_until``
        is when the sweep read them (the next cursor).
        """
        max_files, max_bytes = check_limits(max_files, max_bytes)
        check_limits(max_batches, 1)
        with self._client() as client:
            open_batches = self._open_batches()
            states = {batch.label: self._final_state(client, batch) for batch in open_batches}
            candidates = self._versions(payloads)
            everything = {m for b in open_batches for m in b.members} | candidates
            loaded = self._loaded(client, {v.version_id for v in everything})
        current = self._snapshots({v for v in everything if v.version_id not in loaded})
        claimed: set[ObjectVersion] = set()

        def take(members: Iterable[ObjectVersion]) -> list[ObjectVersion]:
            kept = [current[m] for m in sorted(members) if m in current and m not in claimed]
            claimed.update(kept)
            return kept

        planned: list[Batch] = []
        # Batches never submitted keep their members first, then the failed ones', then new versions.
        for wanted in (None, "CANCELLED"):
            for batch in sorted(open_batches, key=lambda b: b.label):
                if states[batch.label] != wanted:
                    continue
                members = take(batch.members)
                if not members:
                    continue
                if wanted is None and tuple(members) == batch.members:
                    planned.append(batch)  # the same batch, the same label
                elif wanted is None:
                    planned.extend(
                        form_batches(members, max_files=max_files, max_bytes=max_bytes, prefix=self.prefix)
                    )
                else:  # smaller batches, so a file Doris refuses holds back fewer others
                    planned.extend(split_in_halves(Batch(tuple(members), self.prefix), max_bytes=max_bytes))
        planned.extend(
            form_batches(take(candidates), max_files=max_files, max_bytes=max_bytes, prefix=self.prefix)
        )
        self._record(planned, open_batches, swept_until)
        if len(planned) > max_batches:
            log.info("Planned %d batches; %d run now, the rest in the next run.", len(planned), max_batches)
        return planned[:max_batches]

    # -- steps --------------------------------------------------------------------------------

    def _client(self) -> DorisJobClient:
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.operators.job import LOAD_JOB, DorisJobClient

        hook = DorisHook(doris_conn_id=self.doris_conn_id)
        return DorisJobClient(hook, LOAD_JOB, self.database, log=log)

    def _open_batches(self) -> list[Batch]:
        prefix = f"{self.state.key}open/"
        batches = []
        for key in self.oss.list_keys(self.state.bucket, prefix):
            body = self._get(ObjectUri(self.state.bucket, key))
            if body is None:
                continue
            try:
                batches.append(Batch.from_manifest(body, prefix=self.prefix))
            except ValueError as error:
                raise ValueError(f"oss://{self.state.bucket}/{key}: {error}; remove or restore it.") from None
        return batches

    def _final_state(self, client: DorisJobClient, batch: Batch) -> str | None:
        """FINISHED, CANCELLED (every attempt), or None (never submitted); waits for a running job."""
        label, attempt = batch.label, 0
        while True:
            status = client.lookup(label)
            if status is None:
                return None if attempt == 0 else "CANCELLED"
            if not status.is_final:
                log.info(
                    "Batch %s is still loading (%s); waiting for it before planning.", label, status.state
                )
                status = client.wait(label, self.poll_interval)
            if status.is_finished:
                return "FINISHED"
            attempt += 1
            label = next_label_attempt(batch.label, attempt)

    def _versions(self, payloads: Iterable[Mapping[str, Any] | None]) -> set[ObjectVersion]:
        versions = set()
        for payload in payloads:
            try:
                version = ObjectVersion.from_payload(payload or {})
            except ValueError as error:
                log.warning("Skipping an asset event that names no object version: %s", error)
                continue
            if version.is_folder or self._is_state(version):
                continue  # a folder marker, or this ledger's own files
            versions.add(version)
        return versions

    def _loaded(self, client: DorisJobClient, ids: set[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(ids)
        table = f"{quote_identifier(self.database)}.{quote_identifier(self.table)}"
        for start in range(0, len(ordered), _LOOKUP_CHUNK):
            chunk = ", ".join(quote_string(i) for i in ordered[start : start + _LOOKUP_CHUNK])
            rows = client.query(f"SELECT DISTINCT version_id FROM {table} WHERE version_id IN ({chunk})")
            found.update(str(row["version_id"]) for row in rows)
        return found

    def _is_state(self, version: ObjectVersion) -> bool:
        return version.bucket == self.state.bucket and version.key.startswith(self.state.key)

    def _snapshots(self, versions: set[ObjectVersion]) -> dict[ObjectVersion, ObjectVersion]:
        """The versions with a snapshot (made now if missing), each with its size in bytes.

        A version whose snapshot is missing and whose source no longer has its ETag (overwritten
        or deleted) has none, and is skipped.
        """
        snapped = {}
        with ThreadPoolExecutor(max_workers=_COPY_WORKERS) as pool:
            for version, size in pool.map(self._snapshot, sorted(versions)):
                if size is None:
                    log.info(
                        "Skipping %s ETag %s: deleted or overwritten since it landed.",
                        version.uri,
                        version.etag,
                    )
                else:
                    snapped[version] = ObjectVersion(version.bucket, version.key, version.etag, size)
        return snapped

    def _snapshot(self, version: ObjectVersion) -> tuple[ObjectVersion, int | None]:
        from airflow_provider_doris_oss.hooks.client import (
            NOT_FOUND_CODES,
            OssOperationError,
            describe_error,
            error_code,
        )

        target = self.snapshot_uri(version)
        found = self.oss.head(target)
        if found is not None:
            return version, int(found.get("ContentLength") or 0)
        etag = f'"{version.etag}"'
        client = self.oss.transfer_client
        try:
            source = client.head_object(Bucket=version.bucket, Key=version.key, IfMatch=etag)
            size = int(source.get("ContentLength") or 0)
            if size <= COPY_PART_BYTES:
                client.copy_object(
                    Bucket=target.bucket,
                    Key=target.key,
                    CopySource={"Bucket": version.bucket, "Key": version.key},
                    CopySourceIfMatch=etag,
                )
            else:
                from boto3.s3.transfer import TransferConfig

                config = TransferConfig(
                    multipart_threshold=COPY_PART_BYTES, multipart_chunksize=COPY_PART_BYTES
                )
                client.copy(
                    {"Bucket": version.bucket, "Key": version.key},
                    target.bucket,
                    target.key,
                    ExtraArgs={"CopySourceIfMatch": etag},
                    Config=config,
                )
        except Exception as error:
            if error_code(error) in (*_PRECONDITION_FAILED, *NOT_FOUND_CODES):
                return version, None
            raise OssOperationError(
                f"Copying {version.uri} to {target} failed: {describe_error(error)}"
            ) from None
        return version, size

    def _record(self, planned: list[Batch], open_batches: list[Batch], swept_until: datetime) -> None:
        """Manifests of new batches first, then the cursor, then drop the manifests no longer open."""
        opened = {b.label for b in open_batches}
        for batch in planned:
            if batch.label not in opened:
                target = self.manifest_uri(batch)
                self.oss.client.put_object(Bucket=target.bucket, Key=target.key, Body=batch.manifest())
        cursor = json.dumps({"swept_until": swept_until.isoformat()}).encode()
        self.oss.client.put_object(Bucket=self.cursor_uri.bucket, Key=self.cursor_uri.key, Body=cursor)
        keep = {b.label for b in planned}
        done = [self.manifest_uri(b).key for b in open_batches if b.label not in keep]
        if done:
            self.oss.delete_keys(self.state.bucket, done)
        # Snapshots of versions loaded, dropped, or left by a plan that died before its manifests.
        needed = {self.snapshot_uri(m).key for b in planned for m in b.members}
        stale = [
            k for k in self.oss.list_keys(self.state.bucket, f"{self.state.key}snapshots/") if k not in needed
        ]
        if stale:
            self.oss.delete_keys(self.state.bucket, stale)

    def _get(self, target: ObjectUri) -> bytes | None:
        from airflow_provider_doris_oss.hooks.client import NOT_FOUND_CODES, error_code

        try:
            body: bytes = self.oss.client.get_object(Bucket=target.bucket, Key=target.key)["Body"].read()
        except Exception as error:
            if error_code(error) in NOT_FOUND_CODES:
                return None
            raise
        return body
