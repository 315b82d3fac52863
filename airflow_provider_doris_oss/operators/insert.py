"""``DorisOssInsertOperator``: a synchronous load with ``INSERT INTO ... SELECT ... FROM S3(...)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.arguments import INSERT, Rule, check_arguments, check_rendered
from airflow_provider_doris_oss.operators._assets import declare_location
from airflow_provider_doris_oss.operators._lineage import JobLineage
from airflow_provider_doris_oss.operators._statement import (
    DorisStatementError,
    run_statement,
    statement_timeout,
)
from airflow_provider_doris_oss.operators.job import fingerprint, task_label
from airflow_provider_doris_oss.uris import check_region

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_doris_oss.hooks.doris import DorisHook

# Stands in for the OSS properties where the statement is hashed: the endpoint, keys and client
# settings say how to reach the files, not what the insert does.
_NO_STORAGE = {"s3.endpoint": "-"}


class DorisOssInsertOperator(JobLineage, BaseOperator):
    """Load files from OSS into a Doris table through the S3 table function, in one transaction.

    Runs ``INSERT INTO db.table WITH LABEL l [(columns)] SELECT <select_list> FROM S3("uri" = ...,
    "format" = ..., <OSS connection properties>, <reader options>) [WHERE ...]``. The insert is
    all-or-nothing. The label is stable across retries (derived from DAG, task, run and map index
    unless given), so a retry after a successful insert finds the label used, looks the earlier
    insert up with ``SHOW LOAD`` and reports it instead of inserting twice. Doris's SHOW LOAD row
    of an INSERT names neither table nor sources, so the label sent is ``<label>_<hash>``, the
    hash taken over the statement without credentials: a label reused for another insert (other
    table, files, columns) is a different Doris label and never passes for it.

    Returns ``{"table", "source_uri", "label", "status", "txn_id", "rows", "already_loaded"}``;
    ``rows`` is the affected-row count; for an earlier insert it is the loaded rows ``SHOW LOAD``
    reports, which is None on Doris releases whose INSERT rows carry no counts (EtlInfo NULL).

    :param table: ``db.table`` (or ``table`` with the database from the Doris connection's Schema).
    :param source_uri: ``oss://bucket/path`` or ``s3://``; wildcards ``*``, ``?``, ``[...]``,
        ``{a,b}`` allowed. Declared as an inlet asset (cut at the first wildcard).
    :param format: csv, csv_with_names, csv_with_names_and_types, json, parquet, orc or avro.
    :param column_separator: CSV column separator (Doris's default is a tab).
    :param line_delimiter: CSV line delimiter (default ``\\n``).
    :param csv_schema: CSV column names and types, e.g. ``"id:int;name:string"``.
    :param read_json_by_line: JSON lines (Doris default true).
    :param reader_options: other S3 table-function options (``strip_outer_array``, ``json_root``,
        ``jsonpaths``, ``skip_lines``, ``compress_type``, ``path_partition_keys``, ...).
    :param select_list: the SELECT list over the files' columns (``*``, or expressions such as
        ``["c1", "cast(c2 as int)"]``; CSV columns are named c1..cN).
    :param columns: the target table's columns the select list fills.
    :param where: a filter over the files' columns.
    :param partitions: target partitions (a list of names); with ``overwrite=True`` also ``"*"``:
        the partitions the new rows fall in.
    :param overwrite: ``INSERT OVERWRITE TABLE ... PARTITION (...)``: atomically replace the
        ``partitions`` with the files' rows instead of adding them (backfill-safe: a re-run with a
        new label replaces the day instead of doubling it). Needs ``partitions``; a row outside
        them fails the insert (Doris's strict mode) and leaves the table as it was.
    :param label: the insert's base label (``[-_A-Za-z0-9]``, up to 128); derived when not given;
        ``_<hash of the statement>`` is appended; the result's ``label`` is the one Doris holds.
        Templated as ``job_label`` (``label`` is the task's display name in Airflow).
    :param doris_conn_id: the Doris connection.
    :param oss_conn_id: the ``dorisoss`` connection holding the OSS endpoint and keys.
    """

    argument_rules: ClassVar[tuple[Rule, ...]] = INSERT
    template_fields: Sequence[str] = (
        "table",
        "source_uri",
        "select_list",
        "where",
        "columns",
        "partitions",
        "job_label",
    )
    ui_color = "#e3f1fb"

    def __init__(
        self,
        *,
        table: str,
        source_uri: str,
        format: str,
        column_separator: str | None = None,
        line_delimiter: str | None = None,
        csv_schema: str | None = None,
        read_json_by_line: bool | None = None,
        reader_options: Mapping[str, Any] | None = None,
        select_list: str | Sequence[str] = "*",
        columns: Sequence[str] | None = None,
        where: str | None = None,
        partitions: str | Sequence[str] | None = None,
        overwrite: bool = False,
        label: str | None = None,
        doris_conn_id: str = "doris_default",
        oss_conn_id: str = "doris_oss_default",
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        declare_location(kwargs, "inlets", source_uri, field="source_uri")
        super().__init__(**kwargs)
        self.table = table
        self.source_uri = source_uri
        self.format = format
        named = {
            "column_separator": column_separator,
            "line_delimiter": line_delimiter,
            "csv_schema": csv_schema,
            "read_json_by_line": read_json_by_line,
        }
        # check_arguments refused a named option also given in reader_options.
        self.reader_options: dict[str, Any] = dict(reader_options or {})
        self.reader_options.update({key: value for key, value in named.items() if value is not None})
        self.select_list = select_list
        self.columns = columns
        self.where = where
        self.partitions = partitions
        self.overwrite = overwrite
        self.job_label = label
        self.doris_conn_id = doris_conn_id
        self.oss_conn_id = oss_conn_id

    def _label(self, context: Context) -> str:
        return task_label(context, self.job_label)

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        check_rendered(type(self).__name__, self.argument_rules, self)
        oss = DorisOssHook(oss_conn_id=self.oss_conn_id)
        check_region(self.source_uri, oss.properties.region, field="source_uri", conn_id=self.oss_conn_id)
        # SHOW LOAD shows nothing of an INSERT's table or sources, so the label carries them: the
        # same label given to a different insert becomes a different Doris label.
        label = doris_sql.owned_label(
            self._label(context), fingerprint([self._statement(None, _NO_STORAGE)])[:12]
        )
        statement = self._statement(label, oss.doris_properties())
        hook = DorisHook(doris_conn_id=self.doris_conn_id)
        database = self._database(hook)
        result: dict[str, Any] = {"table": self.table, "source_uri": self.source_uri, "label": label}
        try:
            answer = self._run_admitted(hook, statement, oss.properties.secrets, label)
        except DorisStatementError as error:
            if not doris_sql.is_label_already_used(error):
                raise
            self.log.info("Label %s is already used in %s; looking up the earlier insert.", label, database)
            result.update(self._earlier_insert(hook, database, label))
            self._record_lineage(database, result.get("rows"))
            return result
        info = doris_sql.parse_insert_info(answer.info)
        result.update(
            {
                "status": info.status if info else None,
                "txn_id": info.txn_id if info else None,
                "rows": answer.affected_rows,
                "already_loaded": False,
            }
        )
        if info is not None and info.label and info.label != label:
            self.log.warning("Doris reports label %s, not the %s the operator sent.", info.label, label)
        self.log.info(
            "Inserted %d rows into %s (label %s, status %s, txn %s).",
            answer.affected_rows,
            self.table,
            label,
            result["status"],
            result["txn_id"],
        )
        self._record_lineage(database, answer.affected_rows)
        return result

    def _run_admitted(self, hook: DorisHook, statement: str, secrets: Sequence[str], label: str) -> Any:
        """Run the INSERT, waiting out Doris's admission refusals (``_admission``) until the task's time ends.

        A refused INSERT (too many running transactions in the database, or -235: a tablet has too
        many versions) committed nothing and left its label free, so the same statement is sent again.
        """
        from airflow_provider_doris_oss.operators._admission import AdmissionWait, AdmissionWaitExpired
        from airflow_provider_doris_oss.operators.job import DorisJobError
        from airflow_provider_doris_oss.sql.jobs import admission_limit

        wait = AdmissionWait.starting_now(self.execution_timeout)
        while True:
            try:
                return run_statement(
                    hook,
                    statement,
                    secrets=secrets,
                    log=self.log,
                    read_timeout=statement_timeout(self.execution_timeout),
                )
            except DorisStatementError as error:
                limit = admission_limit(str(error))
                if limit is None:
                    raise
                try:
                    wait.pause(limit, f"INSERT {label}", str(error), self.log)
                except AdmissionWaitExpired as expired:
                    raise DorisJobError(str(expired)) from None

    def _record_lineage(self, database: str, rows: int | None) -> None:
        from airflow_provider_doris_oss.lineage import oss_dataset
        from airflow_provider_doris_oss.uris import ObjectUri, literal_prefix, parse_uri

        source = parse_uri(self.source_uri, field="source_uri")
        _, table = doris_sql.split_table_name(self.table)
        self.record_lineage(
            [oss_dataset(ObjectUri(source.bucket, literal_prefix(source.key)))],
            [self.doris_table(database, table, rows=rows)],
        )

    def _statement(self, label: str | None, storage: Mapping[str, str]) -> str:
        """The INSERT statement (with ``_NO_STORAGE`` and no label: what the label's owner part hashes)."""
        tvf = doris_sql.build_s3_tvf(
            self.source_uri, self.format, storage, self.reader_options, field="reader_options"
        )
        return doris_sql.build_insert_from_s3(
            self.table,
            tvf,
            label=label,
            columns=self.columns,
            select_list=self.select_list,
            where=self.where,
            partitions=self.partitions,
            overwrite=self.overwrite,
        )

    def _database(self, hook: DorisHook) -> str:
        db, _ = doris_sql.split_table_name(self.table)
        if db:
            return db
        schema = hook.connection.schema
        if not schema:
            raise doris_sql.DorisSqlError(
                f"table: {self.table!r} names no database and connection {self.doris_conn_id!r} has no "
                "Schema; write the table as 'db.table'."
            )
        return schema

    def _earlier_insert(self, hook: DorisHook, database: str, label: str) -> dict[str, Any]:
        """What SHOW LOAD knows of the insert that used ``label`` (Doris lists INSERT jobs there too)."""
        rows = run_statement(hook, doris_sql.show_load(database, label), secrets=(), log=self.log).rows
        if not rows:
            self.log.warning(
                "Label %s is used, but SHOW LOAD lists no job for it (another kind of job, or one whose "
                "record has expired). Nothing was inserted now; counts of the earlier insert are unknown.",
                label,
            )
            return {"status": None, "txn_id": None, "rows": None, "already_loaded": True}
        latest = max(rows, key=lambda r: doris_sql.LoadJobStatus.from_row(r).job_id or -1)
        status = doris_sql.LoadJobStatus.from_row(latest)
        job_type = str(latest.get("Type") or "").upper()
        if job_type and job_type != "INSERT":
            raise DorisStatementError(
                f"label {label!r} belongs to a {job_type} load job (JobId {status.job_id}) in {database}, "
                "not to an earlier run of this insert. Give this task another label."
            )
        if not status.is_finished:
            raise DorisStatementError(
                f"label {label!r} belongs to an insert in state {status.state}"
                f"{f' ({status.error_msg})' if status.error_msg else ''}; it has not finished, so "
                "this task cannot report it as loaded. Retry later."
            )
        self.log.info(
            "The insert with label %s already finished (txn %s, %s rows); not inserting again.",
            label,
            status.transaction_id,
            status.loaded_rows if status.loaded_rows is not None else "unknown",
        )
        return {
            "status": status.state,
            "txn_id": status.transaction_id,
            "rows": status.loaded_rows,
            "already_loaded": True,
        }
