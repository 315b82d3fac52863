"""What a finished job read and wrote: reported to the hook lineage collector, kept for OpenLineage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_doris_oss.lineage import LineageDataset


class JobLineage:
    """Mixin for operators with ``doris_conn_id``: ``record_lineage`` when the job finishes, then
    Airflow's OpenLineage listener calls ``get_openlineage_facets_on_complete`` on the same instance."""

    doris_conn_id: str
    lineage_inputs: list[LineageDataset] = []
    lineage_outputs: list[LineageDataset] = []

    def record_lineage(self, inputs: list[LineageDataset], outputs: list[LineageDataset]) -> None:
        """Report the datasets with the Doris hook as context, and keep them on the instance."""
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.lineage import report_hook_lineage

        self.lineage_inputs, self.lineage_outputs = inputs, outputs
        report_hook_lineage(DorisHook(doris_conn_id=self.doris_conn_id), inputs=inputs, outputs=outputs)

    def doris_table(self, database: str, table: str, *, rows: int | None = None) -> LineageDataset:
        """A table on the FE of the Doris connection (namespace ``doris://host:port``)."""
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.lineage import doris_dataset

        hook = DorisHook(doris_conn_id=self.doris_conn_id)
        return doris_dataset(str(hook.connection.host), hook.port, database, table, rows=rows)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """OpenLineage inputs and outputs of the finished job (None without the OpenLineage provider)."""
        from airflow_provider_doris_oss.lineage import openlineage_facets

        return openlineage_facets(self.lineage_inputs, self.lineage_outputs)
