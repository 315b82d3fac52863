"""``DorisExportOperator``: ``EXPORT TABLE ... TO "s3://..."`` into OSS, once per label."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.arguments import EXPORT, Rule, check_arguments, check_rendered
from airflow_provider_doris_oss.operators._assets import declare_location
from airflow_provider_doris_oss.operators._files import collect_files, url_prefix
from airflow_provider_doris_oss.operators.job import (
    EXPORT_JOB,
    DorisJobOperator,
    DorisJobPlan,
    JobStatus,
    task_label,
)
from airflow_provider_doris_oss.uris import check_region

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.oss import DorisOssHook


class DorisExportOperator(DorisJobOperator):
    """Export a Doris table (or some partitions, rows and columns of it) to OSS with ``EXPORT TABLE``.

    The job runs in Doris; the task waits on ``SHOW EXPORT`` on the worker or, with
    ``deferrable=True`` (default ``[operators] default_deferrable``), in the triggerer. The
    label (default: derived from dag_id, task_id, map index and run_id) is the same on every
    retry, so a retry that finds its job FINISHED does not export again, a running one is
    waited for, and a CANCELLED one is followed by a new attempt under ``<label>_r<n>``. A
    CANCELLED job fails the task with Doris's ErrorMsg; killing the task sends ``CANCEL EXPORT``.
    A job found under the label counts as this task's only if its TaskInfo (database, table,
    partitions, columns, format) and Path match the task's; otherwise the task fails.

    When the job is FINISHED, the files its ``OutfileInfo`` names are listed in OSS (with their
    sizes) and the count Doris reported is checked. Returns ``{"label", "job_id", "database",
    "state", "files": [{"uri", "size"}], "file_number", "total_rows", "file_size", "prefixes",
    "submitted"}``; ``submitted`` is false when an earlier try's job was found (None when a
    deferred task resumed without knowing). The target prefix
    is declared as an ``oss://`` asset outlet (unless it is a template).

    :param table: ``db.table`` (or ``table`` with the database from the connection's Schema).
    :param target_uri: ``oss://bucket/dir/prefix_`` (or ``s3://``); Doris adds a query id and a
        file number to the prefix.
    :param partitions: partitions to export.
    :param where: a filter on the exported rows.
    :param columns: the columns to export, in order.
    :param format: csv (Doris's default), csv_with_names, csv_with_names_and_types, parquet, orc.
    :param column_separator: CSV column separator (Doris's default is a tab).
    :param line_delimiter: CSV line delimiter (default ``\\n``).
    :param max_file_size: split size, bytes or text such as ``"512MB"`` (at least 5MB).
    :param parallelism: concurrent OUTFILE writers (capped by Doris at the tablet count).
    :param delete_existing_files: delete everything in the target directory first (needs the FE
        switch ``enable_delete_existing_files``).
    :param with_bom: write a UTF-8 BOM (CSV only).
    :param data_consistency: ``partition`` (Doris's default) or ``none``.
    :param timeout: the job's timeout in seconds (Doris's default 7200).
    :param compress_type: Parquet/ORC compression (Doris 2.1.5+).
    :param label: the job label (``[-_A-Za-z0-9]``, at most 128 characters); templated as
        ``job_label`` (``label`` is the task's display name in Airflow).
    :param doris_conn_id: the Doris connection.
    :param oss_conn_id: the ``dorisoss`` connection holding the OSS endpoint and keys.
    :param poll_interval: seconds between ``SHOW EXPORT`` polls.
    :param deferrable: wait in the triggerer instead of on the worker.
    """

    job_kind = EXPORT_JOB
    argument_rules: ClassVar[tuple[Rule, ...]] = EXPORT
    template_fields: Sequence[str] = ("table", "target_uri", "partitions", "where", "columns", "job_label")
    ui_color = "#e3f1fb"

    def __init__(
        self,
        *,
        table: str,
        target_uri: str,
        partitions: Sequence[str] | None = None,
        where: str | None = None,
        columns: Sequence[str] | None = None,
        format: str | None = None,
        column_separator: str | None = None,
        line_delimiter: str | None = None,
        max_file_size: int | str | None = None,
        parallelism: int | None = None,
        delete_existing_files: bool | None = None,
        with_bom: bool | None = None,
        data_consistency: str | None = None,
        timeout: int | None = None,
        compress_type: str | None = None,
        label: str | None = None,
        oss_conn_id: str = "doris_oss_default",
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        asset = declare_location(kwargs, "outlets", target_uri, field="target_uri")
        super().__init__(**kwargs)
        self.table = table
        self.target_uri = target_uri
        self.partitions = partitions
        # Judged with the rendered target_uri (arguments.delete_scope): it decides what Doris deletes.
        self.delete_existing_files = delete_existing_files
        self.where = where
        self.columns = columns
        self.export_options: dict[str, Any] = {
            "format": format,
            "column_separator": column_separator,
            "line_delimiter": line_delimiter,
            "max_file_size": max_file_size,
            "parallelism": parallelism,
            "delete_existing_files": delete_existing_files,
            "with_bom": with_bom,
            "data_consistency": data_consistency,
            "timeout": timeout,
            "compress_type": compress_type,
        }
        self.job_label = label
        self.oss_conn_id = oss_conn_id
        self._asset = asset

    @cached_property
    def oss_hook(self) -> DorisOssHook:
        """The OSS hook: the property map for the statement, and the listing of the files."""
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        return DorisOssHook(oss_conn_id=self.oss_conn_id)

    def job_secrets(self) -> tuple[str, ...]:
        return self.oss_hook.properties.secrets

    def resume_state(self, context: Context, database: str | None) -> dict[str, Any]:
        # A deferral whose kwargs were lost cannot tell whether this try submitted the job.
        return {"database": database, "submitted": None}

    def _database(self) -> str:
        db, _ = doris_sql.split_table_name(self.table)
        if db:
            return db
        from airflow_provider_doris_oss.hooks.doris import DorisHook

        schema = DorisHook(doris_conn_id=self.doris_conn_id).connection.schema
        if not schema:
            raise doris_sql.DorisSqlError(
                f"table: {self.table!r} names no database and connection {self.doris_conn_id!r} has no "
                "Schema; write the table as 'db.table'."
            )
        return schema

    def plan_job(self, context: Context) -> DorisJobPlan:
        check_rendered(type(self).__name__, self.argument_rules, self)
        region = self.oss_hook.properties.region
        check_region(self.target_uri, region, field="target_uri", conn_id=self.oss_conn_id)
        label = task_label(context, self.job_label)
        database = self._database()
        storage = self.oss_hook.doris_properties()
        options = {k: v for k, v in self.export_options.items() if v is not None}

        def statement(attempt_label: str) -> str:
            return doris_sql.build_export(
                self.table,
                self.target_uri,
                storage,
                partitions=self.partitions,
                where=self.where,
                columns=self.columns,
                label=attempt_label,
                **options,
            )

        statement(label)  # every value is checked before anything is sent
        return DorisJobPlan(
            database=database,
            label=label,
            statement=statement,
            differences=lambda status: self.differences(database, status),
            state={"database": database},
        )

    def differences(self, database: str, status: JobStatus) -> list[str]:
        """What a found EXPORT job does otherwise than this task, read from its TaskInfo and Path.

        SHOW EXPORT has no comment to carry a fingerprint, but it shows the job's database, table,
        partitions, columns, format and destination; each is compared (WHERE is not: Doris shows
        it re-written).
        """
        _, table = doris_sql.split_table_name(self.table)
        info = getattr(status, "task_info", {}) or {}
        shown_db = str(info.get("db", "")).removeprefix("default_cluster:")
        fmt = self.export_options.get("format") or "csv"
        expected: dict[str, Any] = {
            "db": database,
            "tbl": table,
            "partitions": sorted(self.partitions) if self.partitions else ["*"],
            "columns": _column_list(",".join(self.columns) if self.columns else None),
            "format": str(fmt).lower(),
            "path": _location(doris_sql.to_s3_uri(self.target_uri, field="target_uri")),
        }
        shown: dict[str, Any] = {
            "db": shown_db,
            "tbl": info.get("tbl"),
            "partitions": sorted(str(p) for p in info.get("partitions") or ["*"]),
            "columns": _column_list(info.get("columns")),
            "format": str(info.get("format") or "csv").lower(),
            "path": _location(getattr(status, "path", None) or ""),
        }
        return [
            f"its {key} is {shown[key]!r}, this task's is {expected[key]!r}"
            for key in expected
            if shown[key] != expected[key]
        ]

    def job_finished(self, context: Context, status: JobStatus, state: dict[str, Any]) -> dict[str, Any]:
        entries = getattr(status, "outfile_info", ())
        expected = [(url_prefix(e.url, field="OutfileInfo"), e.file_number) for e in entries if e.url]
        files = collect_files(self.oss_hook, expected)
        result: dict[str, Any] = {
            "label": status.label,
            "job_id": status.job_id,
            "database": state.get("database"),
            "state": status.state,
            "files": files,
            "file_number": sum(e.file_number for e in entries),
            "total_rows": sum(e.total_rows for e in entries),
            "file_size": sum(e.file_size for e in entries),
            "prefixes": sorted({str(prefix) for prefix, _ in expected}),
            "submitted": state.get("submitted"),
        }
        if result["submitted"] is False:
            self.log.info(
                "Label %s was already FINISHED by an earlier try: nothing exported again.", status.label
            )
        self.log.info(
            "EXPORT %s wrote %d files (%d rows, %d bytes), all present in OSS.",
            status.label,
            result["file_number"],
            result["total_rows"],
            result["file_size"],
        )
        if self._asset is not None:
            context["outlet_events"][self._asset].extra.update(
                {"label": status.label, "files": len(files), "total_rows": result["total_rows"]}
            )
        self._record_lineage(str(state.get("database")), result)
        return result

    def _record_lineage(self, database: str, result: dict[str, Any]) -> None:
        from airflow_provider_doris_oss.lineage import oss_dataset
        from airflow_provider_doris_oss.uris import parse_uri

        _, table = doris_sql.split_table_name(self.table)
        target = parse_uri(self.target_uri, field="target_uri")
        self.record_lineage(
            [self.doris_table(database, table, rows=result["total_rows"])],
            [oss_dataset(target, size=result["file_size"], files=result["file_number"])],
        )


def _column_list(text: Any) -> list[str] | None:
    """``"id, Name"`` as ``["id", "name"]`` (Doris column names ignore case); empty as None."""
    names = [part.strip().lower() for part in str(text or "").split(",") if part.strip()]
    return names or None


def _location(uri: str) -> str:
    """``bucket/key`` of an ``s3://``/``oss://`` URI, so the scheme Doris echoes does not matter."""
    return uri.split("://", 1)[-1]
