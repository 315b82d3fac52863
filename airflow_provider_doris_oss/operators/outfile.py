"""``DorisOutfileOperator``: ``SELECT ... INTO OUTFILE "s3://..."`` into OSS, synchronously."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.arguments import OUTFILE, Rule, check_arguments, check_rendered
from airflow_provider_doris_oss.operators._assets import declare_location
from airflow_provider_doris_oss.operators._files import (
    MissingOutputError,
    collect_files,
    download_files,
    url_prefix,
)
from airflow_provider_doris_oss.operators._lineage import JobLineage
from airflow_provider_doris_oss.operators._statement import run_statement, statement_timeout
from airflow_provider_doris_oss.uris import check_region, parse_uri

if TYPE_CHECKING:
    from airflow.sdk import Context


class DorisOutfileOperator(JobLineage, BaseOperator):
    """Write a query's result to OSS with ``SELECT ... INTO OUTFILE``, then list the files it wrote.

    ``sql`` is a plain SELECT (or ``WITH ... SELECT``); the operator adds ``INTO OUTFILE`` with
    ``target_uri`` and the OSS connection's properties, and refuses a ``sql`` that already has
    ``INTO OUTFILE`` or is not a query. The files are confirmed by listing OSS under the prefix
    Doris reports. Returns ``{"files": [{"uri", "size"}], "file_number", "total_rows",
    "file_size", "prefixes", "local_paths"}`` (``local_paths`` when ``download_to`` is set).

    The target location is declared as an ``oss://`` asset outlet (unless ``target_uri`` is a
    template, which cannot be known when the DAG is parsed).

    :param sql: the SELECT (templated; a ``.sql`` file name is read as a template).
    :param target_uri: ``oss://bucket/dir/prefix_`` (or ``s3://``); Doris appends a query id and
        a file number to the prefix.
    :param format: csv (default), csv_with_names, csv_with_names_and_types, parquet or orc.
    :param column_separator: CSV column separator (Doris's default is a tab).
    :param line_delimiter: CSV line delimiter (default ``\\n``).
    :param max_file_size: split size, bytes or text such as ``"512MB"`` (5MB to 2GB).
    :param delete_existing_files: delete everything in the target directory first (needs the
        FE switch ``enable_delete_existing_files``).
    :param success_file_name: a marker file Doris writes in the target directory when done.
    :param file_suffix: the files' suffix instead of the format's.
    :param with_bom: write a UTF-8 BOM (CSV only).
    :param compress_type: Parquet/ORC compression (e.g. SNAPPY, ZSTD).
    :param download_to: a local directory to download the files into.
    :param doris_conn_id: the Doris connection.
    :param oss_conn_id: the ``dorisoss`` connection holding the OSS endpoint and keys.
    """

    argument_rules: ClassVar[tuple[Rule, ...]] = OUTFILE
    template_fields: Sequence[str] = ("sql", "target_uri", "download_to")
    template_ext: Sequence[str] = (".sql",)
    template_fields_renderers = {"sql": "sql"}
    ui_color = "#e3f1fb"

    def __init__(
        self,
        *,
        sql: str,
        target_uri: str,
        format: str = "csv",
        column_separator: str | None = None,
        line_delimiter: str | None = None,
        max_file_size: int | str | None = None,
        delete_existing_files: bool | None = None,
        success_file_name: str | None = None,
        file_suffix: str | None = None,
        with_bom: bool | None = None,
        compress_type: str | None = None,
        download_to: str | None = None,
        doris_conn_id: str = "doris_default",
        oss_conn_id: str = "doris_oss_default",
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        asset = declare_location(kwargs, "outlets", target_uri, field="target_uri")
        super().__init__(**kwargs)
        self.sql = sql
        self.target_uri = target_uri
        self.format = format
        # Judged with the rendered target_uri (arguments.delete_scope): it decides what Doris deletes.
        self.delete_existing_files = delete_existing_files
        self.file_options: dict[str, Any] = {
            k: v
            for k, v in (
                ("column_separator", column_separator),
                ("line_delimiter", line_delimiter),
                ("max_file_size", max_file_size),
                ("delete_existing_files", delete_existing_files),
                ("success_file_name", success_file_name),
                ("file_suffix", file_suffix),
                ("with_bom", with_bom),
                ("compress_type", compress_type),
            )
            if v is not None
        }
        self.download_to = download_to
        self.doris_conn_id = doris_conn_id
        self.oss_conn_id = oss_conn_id
        self._asset = asset

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        check_rendered(type(self).__name__, self.argument_rules, self)
        oss = DorisOssHook(oss_conn_id=self.oss_conn_id)
        check_region(self.target_uri, oss.properties.region, field="target_uri", conn_id=self.oss_conn_id)
        statement = doris_sql.build_outfile(
            self.sql,
            self.target_uri,
            oss.doris_properties(),
            format=self.format,
            properties=self.file_options,
            field=None,  # each option is an argument of its own: errors name it so
        )
        hook = DorisHook(doris_conn_id=self.doris_conn_id)
        answer = run_statement(
            hook,
            statement,
            secrets=oss.properties.secrets,
            log=self.log,
            read_timeout=statement_timeout(self.execution_timeout),
        )
        outcome = doris_sql.OutfileResult.from_rows(answer.rows)
        self.log.info(
            "OUTFILE wrote %d files, %d rows, %d bytes under %s",
            outcome.file_number,
            outcome.total_rows,
            outcome.file_size,
            ", ".join(outcome.urls) or self.target_uri,
        )
        prefixes = [url_prefix(u, field="URL") for u in outcome.urls]
        if not prefixes and outcome.file_number:
            prefixes = [parse_uri(self.target_uri, field="target_uri")]
        files = collect_files(oss, [(p, 0) for p in prefixes])
        if len(files) < outcome.file_number:
            raise MissingOutputError(
                f"Doris reported {outcome.file_number} files but OSS lists {len(files)} under "
                f"{', '.join(map(str, prefixes))}; they were removed or overwritten since."
            )
        result: dict[str, Any] = {
            "files": files,
            "file_number": outcome.file_number,
            "total_rows": outcome.total_rows,
            "file_size": outcome.file_size,
            "prefixes": [str(p) for p in prefixes],
        }
        if self.download_to:
            result["local_paths"] = download_files(oss, files, self.download_to)
            self.log.info("Downloaded %d files to %s", len(files), self.download_to)
        if self._asset is not None:
            context["outlet_events"][self._asset].extra.update(
                {"files": len(files), "total_rows": outcome.total_rows, "prefixes": result["prefixes"]}
            )
        from airflow_provider_doris_oss.lineage import oss_dataset

        # The query's input tables are not known without parsing it: only the output is reported.
        target = parse_uri(self.target_uri, field="target_uri")
        self.record_lineage(
            [],
            [oss_dataset(target, rows=outcome.total_rows, size=outcome.file_size, files=outcome.file_number)],
        )
        return result
