"""The ``oss://`` asset URI scheme: validation for Airflow and a factory for operators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from airflow.sdk import Asset


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Airflow's URI handler for ``oss://``: a bucket is required; the rest is kept as written."""
    if not uri.netloc:
        raise ValueError("An oss:// asset URI must name a bucket: oss://bucket/path")
    return uri


def create_asset(*, bucket: str, key: str = "", extra: dict[str, Any] | None = None) -> Asset:
    """The asset for an object or prefix in OSS, always on the ``oss://`` scheme."""
    from airflow.sdk import Asset

    return Asset(uri=f"oss://{bucket}/{key}", extra=extra)
