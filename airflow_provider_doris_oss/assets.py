"""The ``oss://`` asset URI scheme: validation for Airflow and a factory for operators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.uris import uri_problem

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from airflow.sdk import Asset


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Airflow's URI handler for ``oss://``: the provider's object-URI rules; the rest is kept as written.

    Airflow has already dropped a password (with a warning) and sorted the query; a user name, a
    port, an invalid bucket name or a key OSS cannot hold (``oss://bucket//k``) is refused here.
    """
    if not uri.netloc:
        raise ValueError("An oss:// asset URI must name a bucket: oss://bucket/path")
    problem = uri_problem(f"oss://{uri.netloc}{uri.path}", field="asset URI")
    if problem:
        raise ValueError(problem)
    return uri


def create_asset(*, bucket: str, key: str = "", extra: dict[str, Any] | None = None) -> Asset:
    """The asset for an object or prefix in OSS, always on the ``oss://`` scheme."""
    from airflow.sdk import Asset

    return Asset(uri=f"oss://{bucket}/{key}", extra=extra)
