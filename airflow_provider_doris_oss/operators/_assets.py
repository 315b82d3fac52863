"""The ``oss://`` asset an operator declares for the OSS location it reads or writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_doris_oss.uris import literal_prefix, parse_uri
from airflow_provider_doris_oss.version_compat import DECLARE_INLET_ASSETS

if TYPE_CHECKING:
    from airflow.sdk import Asset


def location_asset(uri: str, *, field: str) -> Asset | None:
    """``Asset("oss://bucket/prefix")`` for ``uri`` (``s3://`` too); None while it is a Jinja template.

    Wildcards are cut at the first one, so a pattern's asset is the location it reads under.
    """
    if not isinstance(uri, str) or "{{" in uri or "{%" in uri:
        return None
    from airflow_provider_doris_oss.assets import create_asset

    location = parse_uri(uri, field=field)
    return create_asset(bucket=location.bucket, key=literal_prefix(location.key))


def declare_location(
    kwargs: dict[str, Any], direction: Literal["inlets", "outlets"], uri: str, *, field: str
) -> Asset | None:
    """Declare ``uri``'s asset as the operator's ``inlets`` or ``outlets``, unless the DAG gave its own.

    Assets the DAG passes win: Airflow deactivates two assets that share a URI under different
    names, so a DAG that names the location (``Asset(name="landing", uri="oss://…")``, say for a
    watcher) passes that asset instead of getting a second, URI-named one.
    """
    if kwargs.get(direction) or (direction == "inlets" and not DECLARE_INLET_ASSETS):
        return None
    asset = location_asset(uri, field=field)
    if asset is not None:
        kwargs[direction] = [asset]
    return asset
