"""Where Airflow 3.0, 3.1, 3.2 and 3.3 differ, in one place (docs/compatibility.md).

Every other module takes these names from here, never from a version-specific Airflow path.
A local fallback rather than ``apache-airflow-providers-common-compat``: the common-compat release
pinned by Airflow 3.0.6's constraints (1.7.3) has no ``sdk`` module, and ``conf`` is mapped only
from 1.12.0, so depending on it would make the provider uninstallable with 3.0.x and 3.1.x
constraints; it would also add about 2 ms to every DAG file's import.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from airflow import __version__ as _AIRFLOW_RELEASE
from packaging.version import Version

AIRFLOW_VERSION = Version(Version(_AIRFLOW_RELEASE).base_version)
_release = AIRFLOW_VERSION.release
AIRFLOW_V_3_1_PLUS = _release >= (3, 1)
AIRFLOW_V_3_2_PLUS = _release >= (3, 2)
# Shared trigger streams in ack mode (airflow.triggers.shared_stream).
AIRFLOW_V_3_3_PLUS = _release >= (3, 3)
# The scheduler before 3.1.4 deactivates assets that only task inlets reference (apache/airflow#58303,
# fixed by #58368 in 3.1.4), failing those tasks with AirflowInactiveAssetInInletOrOutletException:
# there the operators declare no inlet asset of their own.
DECLARE_INLET_ASSETS = _release >= (3, 1, 4)
# Airflow 3.0 registers an asset's watcher triggers only for an active asset, and activates new
# assets after that step (DAG.bulk_write_to_db): a new watcher starts at its DAG's second parse.
WATCHERS_AT_FIRST_PARSE = AIRFLOW_V_3_1_PLUS
# BaseHook.aget_connection and mask_secret mask without a blocking call to the supervisor from 3.3.2 on.
_ASYNC_CONNECTION_SAFE = _release >= (3, 3, 2)

if TYPE_CHECKING:
    from airflow.sdk import BaseHook, Connection
    from airflow.sdk.configuration import conf
    from airflow.sdk.exceptions import AirflowException
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome, SharedStreamProducer
else:
    if AIRFLOW_V_3_1_PLUS:
        from airflow.sdk import BaseHook
    else:
        from airflow.hooks.base import BaseHook
    if AIRFLOW_V_3_2_PLUS:
        from airflow.sdk.configuration import conf
    else:
        from airflow.configuration import conf
    try:
        from airflow.sdk.exceptions import AirflowException
    except ImportError:  # 3.0
        from airflow.exceptions import AirflowException

__all__ = [
    "AIRFLOW_VERSION",
    "AIRFLOW_V_3_1_PLUS",
    "AIRFLOW_V_3_2_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "DECLARE_INLET_ASSETS",
    "WATCHERS_AT_FIRST_PARSE",
    "AdvanceItem",
    "AdvanceOutcome",
    "AirflowException",
    "BaseHook",
    "SharedStreamProducer",
    "aget_connection",
    "amask_secret",
    "conf",
    "get_hook_lineage_collector",
    "new_connection",
]


_SHARED_STREAM_NAMES = ("AdvanceItem", "AdvanceOutcome", "SharedStreamProducer")


def __getattr__(name: str) -> Any:
    """The shared-stream names, imported on first use: DAG files never need them, and importing
    ``airflow.triggers.shared_stream`` took about 100 ms on a busy 2-core machine (stand-ins below 3.3)."""
    if name not in _SHARED_STREAM_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    home = "airflow.triggers.shared_stream" if AIRFLOW_V_3_3_PLUS else f"{__package__}.triggers.poll_loop"
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


async def aget_connection(conn_id: str) -> Connection:
    """A connection fetched from async code (triggers) without blocking or deadlocking the loop.

    Below 3.3.2 ``BaseHook.aget_connection`` masks the secrets with a synchronous call to the
    supervisor, which fails while another trigger's call is in flight; 3.0 has no such method.
    There the synchronous lookup runs in a worker thread, as the common-compat provider does.
    """
    if _ASYNC_CONNECTION_SAFE:
        return await BaseHook.aget_connection(conn_id)
    from asgiref.sync import sync_to_async

    return await sync_to_async(BaseHook.get_connection)(conn_id)


async def amask_secret(value: str) -> None:
    """Mask ``value`` in logs from async code (triggers).

    Airflow 3.3 has ``amask_secret``. Before, ``mask_secret`` in the triggerer sends a blocking
    message to the supervisor, which fails in the event loop's thread ("You cannot use AsyncToSync
    in the same thread as an async event loop"): there it runs in a worker thread.
    """
    from airflow.sdk import log

    native = getattr(log, "amask_secret", None)
    if native is not None:
        await native(value)
        return
    from asgiref.sync import sync_to_async

    await sync_to_async(log.mask_secret)(value)


def get_hook_lineage_collector() -> Any:
    """Airflow's hook lineage collector (``airflow.sdk.lineage`` from 3.2, ``airflow.lineage`` before)."""
    if AIRFLOW_V_3_2_PLUS:
        from airflow.sdk.lineage import get_hook_lineage_collector as sdk_collector

        return sdk_collector()
    from airflow.lineage.hook import get_hook_lineage_collector as core_collector

    return core_collector()


def _json_form(conn: Connection) -> str:
    fields = {
        "conn_type": conn.conn_type,
        "description": conn.description,
        "host": conn.host,
        "login": conn.login,
        "password": conn.password,
        "schema": conn.schema,
        "port": conn.port,
        "extra": conn.extra_dejson or None,
    }
    return json.dumps({name: value for name, value in fields.items() if value not in (None, "")})


def new_connection(**fields: Any) -> Connection:
    """An ``airflow.sdk.Connection`` that has ``as_json()`` on every version (``Connection.as_json``
    appears in 3.1); the test kit's connections are made here."""
    from airflow.sdk import Connection

    if hasattr(Connection, "as_json"):
        return Connection(**fields)

    class JsonConnection(Connection):
        """A Connection with ``as_json()``, the ``AIRFLOW_CONN_<ID>`` form."""

        def as_json(self) -> str:
            return _json_form(self)

    return JsonConnection(**fields)
