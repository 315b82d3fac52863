"""``DorisBrokerLoadOperator``: Broker Load from OSS into Doris, staging local files first, exactly once."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.arguments import BROKER_LOAD, Rule, check_arguments, check_rendered
from airflow_provider_doris_oss.operators._assets import location_asset
from airflow_provider_doris_oss.operators._staging import staging_plan
from airflow_provider_doris_oss.operators.job import (
    LOAD_JOB,
    DorisJobClient,
    DorisJobError,
    DorisJobOperator,
    DorisJobPlan,
    JobStatus,
    fingerprint,
    job_comment,
    task_label,
)
from airflow_provider_doris_oss.uris import ObjectUri, check_region, has_wildcard, literal_prefix, parse_uri
from airflow_provider_doris_oss.version_compat import DECLARE_INLET_ASSETS

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.oss import DorisOssHook

DEFAULT_STAGING_PREFIX = "airflow-staging/"
REJECTED_ROWS_SHOWN = 10


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class DorisBrokerLoadOperator(DorisJobOperator):
    """Load files from OSS into a Doris table with Broker Load, exactly once across retries.

    Give the sources as ``source_uris`` (``oss://``/``s3://``, wildcards allowed), as
    ``local_files`` (paths or globs, uploaded first under ``staging_uri`` with parallel multipart
    uploads bounded by the OSS connection's ``connection_maximum``), or as ``data_descriptions``
    (several sources or tables loaded atomically under one label).

    The label (default: derived from dag_id, task_id, map index and run_id, so it is the same on
    every retry) makes the load idempotent: the operator looks it up before submitting. A
    FINISHED job is not loaded again, a PENDING or LOADING one is waited for, a CANCELLED one
    is followed by a new attempt under ``<label>_r<n>``. The job's COMMENT names the DAG, task
    and run and carries a fingerprint of the sources, so a job found under the label is checked
    to be this task's own. The OSS keys go into the statement only when it is sent; logged SQL
    has them masked.

    Returns ``{"label", "job_id", "database", "state", "loaded_rows", "filtered_rows",
    "unselected_rows", "url", "submitted", "staged_objects_removed"}``; ``submitted`` is false
    when an earlier try's job was found. A CANCELLED job fails the task with Doris's ErrorMsg,
    its URL and, when rows were filtered out, the first rejected rows.

    :param table: target ``db.table`` (or ``table`` with ``database``/the connection's schema).
    :param source_uris: ``oss://bucket/key`` URIs or patterns (``*``, ``?``, ``[...]``).
    :param local_files: local paths or globs to stage and load (a path that exists is that file,
        even if its name has glob characters; staged names keep only ``[-_.A-Za-z0-9]``).
    :param staging_uri: ``oss://bucket/prefix/`` for staged files (default ``airflow-staging/``
        in the OSS connection's bucket); files go under ``<prefix>/<label>/``.
    :param format: csv, csv_with_names, csv_with_names_and_types, json, parquet or orc.
    :param compress_type: GZ, BZ2, LZ4FRAME, ... (default: guessed from the file names).
    :param column_separator: CSV column separator (Doris's default is a tab).
    :param line_delimiter: CSV line delimiter (default ``\\n``).
    :param columns: the file's columns, in order.
    :param columns_from_path: columns taken from ``key=value`` path segments.
    :param set: column mappings ``{"column": "expression"}``.
    :param where: a filter on the loaded rows.
    :param partitions: target partitions.
    :param format_properties: data-description properties (``jsonpaths``, ``json_root``,
        ``strip_outer_array``, ``fuzzy_parse``, ``num_as_string``, ``enclose``, ``escape``,
        ``trim_double_quotes``, ``skip_lines``, ``line_delimiter``); other keys are refused.
    :param data_descriptions: ``DataDescription`` objects or dicts with the same keys
        (``source_uris``, ``table`` (``db.table`` allowed), ``format``, ...), instead of the
        single-source parameters above.
    :param database: the database when ``table`` names none (default: the Doris connection's schema).
    :param properties: job properties (``timeout``, ``max_filter_ratio``, ``strict_mode``, ...).
    :param label: the job label (``[-_A-Za-z0-9]``, at most 128 characters); templated as
        ``job_label`` (``label`` is the task's display name in Airflow).
    :param doris_conn_id: the Doris connection.
    :param oss_conn_id: the ``dorisoss`` connection (endpoint, keys, bucket).
    :param poll_interval: seconds between ``SHOW LOAD`` polls.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    :param cleanup_staging: delete the staged objects after a FINISHED load (kept after a failure,
        for inspection; the next try uploads them again).
    """

    job_kind = LOAD_JOB
    argument_rules: ClassVar[tuple[Rule, ...]] = BROKER_LOAD
    template_fields: Sequence[str] = (
        "table",
        "database",
        "source_uris",
        "local_files",
        "staging_uri",
        "data_descriptions",
        "job_label",
        "properties",
        "where",
        "partitions",
    )
    template_fields_renderers = {"properties": "json", "data_descriptions": "py"}
    ui_color = "#d8f0e2"

    def __init__(
        self,
        *,
        table: str | None = None,
        source_uris: str | Sequence[str] | None = None,
        local_files: str | Sequence[str] | None = None,
        staging_uri: str | None = None,
        format: str | None = None,
        compress_type: str | None = None,
        column_separator: str | None = None,
        line_delimiter: str | None = None,
        columns: Sequence[str] | None = None,
        columns_from_path: Sequence[str] | None = None,
        set: Mapping[str, str] | None = None,
        where: str | None = None,
        partitions: Sequence[str] | None = None,
        format_properties: Mapping[str, Any] | None = None,
        data_descriptions: Sequence[doris_sql.DataDescription | Mapping[str, Any]] | None = None,
        database: str | None = None,
        properties: Mapping[str, Any] | None = None,
        label: str | None = None,
        oss_conn_id: str = "doris_oss_default",
        cleanup_staging: bool = True,
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        inlets = self._source_assets(source_uris, data_descriptions, staging_uri if local_files else None)
        if inlets and "inlets" not in kwargs and DECLARE_INLET_ASSETS:
            kwargs["inlets"] = inlets
        super().__init__(**kwargs)
        self.table = table
        self.source_uris = source_uris
        self.local_files = local_files
        self.staging_uri = staging_uri
        self.format = format
        self.compress_type = compress_type
        self.column_separator = column_separator
        self.line_delimiter = line_delimiter
        self.columns = columns
        self.columns_from_path = columns_from_path
        self.set = set
        self.where = where
        self.partitions = partitions
        self.format_properties = format_properties
        self.data_descriptions = data_descriptions
        self.database = database
        self.properties = properties
        self.job_label = label
        self.oss_conn_id = oss_conn_id
        self.cleanup_staging = cleanup_staging

    @staticmethod
    def _source_assets(
        source_uris: str | Sequence[str] | None,
        data_descriptions: Sequence[doris_sql.DataDescription | Mapping[str, Any]] | None,
        staging_uri: str | None,
    ) -> list[Any]:
        uris = _as_list(source_uris)
        for desc in data_descriptions or ():
            raw = desc.source_uris if isinstance(desc, doris_sql.DataDescription) else desc.get("source_uris")
            uris.extend(_as_list(raw) if isinstance(raw, str | list | tuple) else [])
        if staging_uri is not None:
            uris.append(staging_uri)
        assets = [location_asset(uri, field="source_uris") for uri in uris]
        return list({a.uri: a for a in assets if a is not None}.values())

    @cached_property
    def oss_hook(self) -> DorisOssHook:
        """The OSS hook (staging, cleanup, and the property map for the statement)."""
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        return DorisOssHook(oss_conn_id=self.oss_conn_id)

    def job_secrets(self) -> tuple[str, ...]:
        return self.oss_hook.properties.secrets

    def _default_database(self) -> str | None:
        if self.database:
            return str(self.database)
        from airflow_provider_doris_oss.hooks.doris import DorisHook

        return DorisHook(doris_conn_id=self.doris_conn_id).connection.schema or None

    def base_label(self, context: Context) -> str:
        """``label``, or the one derived from dag_id, task_id (with map index) and run_id."""
        return task_label(context, self.job_label)

    def staging_prefix(self, label: str) -> ObjectUri:
        """Where this task's files are staged: ``<staging_uri>/<label>/``."""
        field = "staging_uri"
        base = self.oss_hook.resolve(self.staging_uri or DEFAULT_STAGING_PREFIX, field=field)
        if has_wildcard(base.key):
            raise ValueError(f"{field}: {self.staging_uri!r} must be a plain prefix, without wildcards.")
        return ObjectUri(base.bucket, "/".join(p for p in (base.key.strip("/"), label) if p) + "/")

    def resume_state(self, context: Context, database: str | None) -> dict[str, Any]:
        prefix = self.staging_prefix(self.base_label(context)) if self.local_files else None
        return {"database": database, "staging_prefix": str(prefix) if prefix else None}

    def plan_job(self, context: Context) -> DorisJobPlan:
        check_rendered(type(self).__name__, self.argument_rules, self)
        label = self.base_label(context)
        prefix = self.staging_prefix(label) if self.local_files else None
        uploads = staging_plan(_as_list(self.local_files), prefix) if prefix else []
        database, descriptions = self._descriptions([target.as_s3() for _, target in uploads])
        region = self.oss_hook.properties.region
        for i, desc in enumerate(descriptions):  # an OSS URL must be in the connection's region
            field = "source_uris" if self.source_uris else f"data_descriptions[{i}]['source_uris']"
            check_region(desc.source_uris, region, field=field, conn_id=self.oss_conn_id)
        source_fingerprint = fingerprint([database, *(d.render() for d in descriptions)])
        comment = job_comment(context, source_fingerprint)
        storage = self.oss_hook.doris_properties()
        job_properties = dict(self.properties or {})

        def statement(attempt_label: str) -> str:
            return doris_sql.build_broker_load(
                database, attempt_label, descriptions, storage, properties=job_properties, comment=comment
            )

        statement(label)  # every value is checked before anything is uploaded or sent
        return DorisJobPlan(
            database=database,
            label=label,
            statement=statement,
            fingerprint=source_fingerprint,
            before_submit=(lambda: self._stage(uploads)) if uploads else None,
            state={
                "database": database,
                "staging_prefix": str(prefix) if prefix else None,
                "sources": sorted({uri for d in descriptions for uri in d.source_uris}),
                "tables": sorted({doris_sql.split_table_name(d.table)[1] for d in descriptions}),
            },
        )

    def _descriptions(self, staged: list[str]) -> tuple[str, list[doris_sql.DataDescription]]:
        from airflow_provider_doris_oss.sql.data_descriptions import description_of, split_table

        default_db = self.database or None
        if self.data_descriptions:
            pairs = [
                description_of(desc, field=f"data_descriptions[{i}]")
                for i, desc in enumerate(self.data_descriptions)
            ]
        else:
            db, table = split_table(str(self.table), field="table")
            desc = doris_sql.DataDescription(
                source_uris=staged or _as_list(self.source_uris),
                table=doris_sql.quote_identifier(table),
                format=self.format,
                compress_type=self.compress_type,
                column_separator=self.column_separator,
                line_delimiter=self.line_delimiter,
                columns=self.columns,
                columns_from_path=self.columns_from_path,
                set=self.set,
                where=self.where,
                partitions=self.partitions,
                properties=self.format_properties,
            )
            pairs = [(db, desc)]
        named = {db for db, _ in pairs if db}
        if default_db:
            named.add(str(default_db))
        if len(named) > 1:
            raise doris_sql.DorisSqlError(
                f"database: the tables are in different databases ({', '.join(sorted(named))}); one Broker "
                "Load job loads into one database. Use one operator per database."
            )
        database = named.pop() if named else self._default_database()
        if not database:
            raise doris_sql.DorisSqlError(
                "table: names no database. Write 'db.table', set database, or set the Schema of "
                f"connection {self.doris_conn_id!r}."
            )
        return database, [desc for _, desc in pairs]

    def _stage(self, uploads: list[tuple[str, ObjectUri]]) -> None:
        size = sum(os.path.getsize(path) for path, _ in uploads)
        self.log.info(
            "Staging %d local files (%d bytes) under %s, at most %d uploads at once.",
            len(uploads),
            size,
            str(uploads[0][1]).rsplit("/", 1)[0] + "/",
            self.oss_hook.properties.connection_maximum,
        )
        self.oss_hook.upload_files(uploads)

    def job_finished(self, context: Context, status: JobStatus, state: dict[str, Any]) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "label": status.label,
            "job_id": status.job_id,
            "database": state.get("database"),
            "state": status.state,
            "loaded_rows": getattr(status, "loaded_rows", None),
            "filtered_rows": getattr(status, "filtered_rows", None),
            "unselected_rows": getattr(status, "unselected_rows", None),
            "url": getattr(status, "url", None),
            "submitted": bool(state.get("submitted")),
            "staged_objects_removed": 0,
        }
        if not state.get("submitted"):
            self.log.info(
                "Label %s was already FINISHED by an earlier try: nothing loaded again.", status.label
            )
        self.log.info(
            "Loaded %s rows (%s filtered out, %s not selected by WHERE).",
            summary["loaded_rows"],
            summary["filtered_rows"],
            summary["unselected_rows"],
        )
        self._record_lineage(state, summary["loaded_rows"])
        prefix = state.get("staging_prefix")
        if self.cleanup_staging and prefix:
            summary["staged_objects_removed"] = self._remove_staged(parse_uri(prefix, field="staging_uri"))
        return summary

    def _record_lineage(self, state: dict[str, Any], loaded_rows: int | None) -> None:
        from airflow_provider_doris_oss.lineage import oss_dataset

        sources = []
        for uri in state.get("sources") or []:
            location = parse_uri(uri, field="source_uris")
            sources.append(oss_dataset(ObjectUri(location.bucket, literal_prefix(location.key))))
        tables = state.get("tables") or []
        rows = loaded_rows if len(tables) == 1 else None  # SHOW LOAD counts rows per job, not per table
        database = str(state.get("database"))
        self.record_lineage(sources, [self.doris_table(database, table, rows=rows) for table in tables])

    def _remove_staged(self, prefix: ObjectUri) -> int:
        keys = self.oss_hook.list_keys(prefix.bucket, prefix.key)
        removed = self.oss_hook.delete_keys(prefix.bucket, keys) if keys else 0
        self.log.info("Removed %d staged objects under %s.", removed, prefix)
        return removed

    def job_failed(self, client: DorisJobClient, status: JobStatus, state: dict[str, Any]) -> str:
        message = super().job_failed(client, status, state)
        url = getattr(status, "url", None)
        if url:
            message += f" Rejected rows: {url}"
            if status.error_type == "ETL_QUALITY_UNSATISFIED":
                rejected = self._rejected_rows(client, url)
                if rejected:
                    message += "\nFirst rejected rows:\n" + "\n".join(f"  {line}" for line in rejected)
        if state.get("staging_prefix"):
            message += f"\nThe staged files are kept for inspection under {state['staging_prefix']}"
        return message

    def _rejected_rows(self, client: DorisJobClient, url: str) -> list[str]:
        try:
            rows = client.query(doris_sql.show_load_warnings(url))
        except DorisJobError as error:
            self.log.warning("Could not read the rejected rows at %s: %s", url, error)
            return []
        lines = []
        for row in rows[:REJECTED_ROWS_SHOWN]:
            detail = row.get("ErrorMsgDetail", list(row.values())[-1] if row else None)
            if detail is not None:
                lines.append(client.mask(str(detail)))
        return lines
