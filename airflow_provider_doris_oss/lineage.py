"""Lineage: what a task read and wrote, for Airflow's hook lineage collector and for OpenLineage.

A ``LineageDataset`` is an OSS location (namespace ``oss://bucket``, name the key or prefix) or a
Doris table (namespace ``doris://host:port``, name ``db.table``), with the counts Doris or OSS
reported. Hooks report them to the hook lineage collector as they read and write, so the UI's
asset graph shows the ``oss://`` locations; operators turn them into OpenLineage datasets when the
OpenLineage provider (the ``openlineage`` extra) is installed. Nothing heavy is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.uris import ObjectUri

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage
    from airflow.sdk import BaseHook


@dataclass(frozen=True)
class LineageDataset:
    """One dataset a task read or wrote, with what is known of its size."""

    namespace: str
    name: str
    rows: int | None = None
    size: int | None = None
    files: int | None = None

    @property
    def uri(self) -> str:
        """The asset URI: ``oss://bucket/key``, ``doris://host:port/db/table`` or ``file:///path``."""
        if self.namespace == "file":
            return f"file://{self.name}"
        if self.namespace.startswith("doris://"):
            return f"{self.namespace}/{self.name.replace('.', '/', 1)}"
        return f"{self.namespace}/{self.name}"


def oss_dataset(
    location: ObjectUri, *, rows: int | None = None, size: int | None = None, files: int | None = None
) -> LineageDataset:
    """An OSS object or prefix."""
    return LineageDataset(f"oss://{location.bucket}", location.key, rows, size, files)


def file_dataset(path: str) -> LineageDataset:
    """A local file (an absolute path)."""
    return LineageDataset("file", path)


def doris_dataset(
    host: str, port: int, database: str, table: str, *, rows: int | None = None
) -> LineageDataset:
    """A Doris table on the FE at ``host:port``."""
    return LineageDataset(f"doris://{host}:{port}", f"{database}.{table}", rows)


def report_hook_lineage(
    context: BaseHook, *, inputs: Iterable[LineageDataset] = (), outputs: Iterable[LineageDataset] = ()
) -> None:
    """Tell Airflow's hook lineage collector what ``context`` (a hook) read and wrote."""
    from airflow_provider_doris_oss.version_compat import get_hook_lineage_collector

    collector = get_hook_lineage_collector()
    for dataset in inputs:
        collector.add_input_asset(context=context, **_asset_arguments(dataset))
    for dataset in outputs:
        collector.add_output_asset(context=context, **_asset_arguments(dataset))


def _asset_arguments(dataset: LineageDataset) -> dict[str, Any]:
    if dataset.namespace.startswith("oss://"):
        bucket = dataset.namespace.removeprefix("oss://")
        return {"scheme": "oss", "asset_kwargs": {"bucket": bucket, "key": dataset.name}}
    return {"uri": dataset.uri}


def openlineage_facets(
    inputs: Iterable[LineageDataset], outputs: Iterable[LineageDataset]
) -> OperatorLineage | None:
    """The OpenLineage view of a finished task, or None when the OpenLineage provider is not installed."""
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.event_v2 import InputDataset, OutputDataset
        from openlineage.client.facet_v2 import (
            input_statistics_input_dataset as input_statistics,
        )
        from openlineage.client.facet_v2 import (
            output_statistics_output_dataset as output_statistics,
        )
    except ImportError:
        return None

    def statistics(dataset: LineageDataset, key: str, facet: Any) -> dict[str, Any]:
        counts = {"rowCount": dataset.rows, "size": dataset.size, "fileCount": dataset.files}
        return {key: facet(**counts)} if any(v is not None for v in counts.values()) else {}

    return OperatorLineage(
        inputs=[
            InputDataset(
                d.namespace,
                d.name,
                statistics(d, "inputStatistics", input_statistics.InputStatisticsInputDatasetFacet),
            )
            for d in inputs
        ],
        outputs=[
            OutputDataset(
                d.namespace,
                d.name,
                statistics(d, "outputStatistics", output_statistics.OutputStatisticsOutputDatasetFacet),
            )
            for d in outputs
        ],
    )
