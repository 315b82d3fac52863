"""The OSS connection type: no RFC 3986 warning when a task fetches it; the former type still works."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

DAG_SOURCE = """
import pendulum
from airflow.sdk import DAG, task
with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    @task
    def read_connection():
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook
        return DorisOssHook(oss_conn_id="rfc3986_check").properties.region
    read_connection()
"""


@pytest.fixture
def stored(local_oss: Any, airflow_db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Store a connection in the metadata DB, as the UI or `airflow connections add` does."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    monkeypatch.delenv("AIRFLOW_CONN_RFC3986_CHECK", raising=False)
    kit = local_oss.connection("rfc3986_check")

    def store(conn_type: str) -> None:
        with create_session() as session:
            session.query(Connection).filter_by(conn_id="rfc3986_check").delete()
            session.add(
                Connection(
                    conn_id="rfc3986_check",
                    conn_type=conn_type,
                    host=kit.host,
                    login=kit.login,
                    password=kit.password,
                    extra=kit.extra,
                )
            )

    yield store
    with create_session() as session:
        session.query(Connection).filter_by(conn_id="rfc3986_check").delete()


def test_a_task_fetching_the_oss_connection_logs_no_rfc3986_warning(
    local_oss: Any, stored: Any, run_dag: Any, caplog: pytest.LogCaptureFixture, capsys: Any
) -> None:
    # Stored in the metadata DB, the task's fetch goes through the Execution API, where Airflow turns
    # the connection into a URI for its secrets cache and warns about a "_" in the type.
    stored(local_oss.connection().conn_type)
    with caplog.at_level(logging.WARNING):
        result = run_dag(DAG_SOURCE)
    assert result.state == "success", result.task_states
    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err
    assert "RFC3986" not in text


def test_a_connection_stored_under_the_former_type_still_runs_a_task(
    local_oss: Any, stored: Any, run_dag: Any
) -> None:
    stored("doris_oss")
    result = run_dag(DAG_SOURCE)
    assert result.state == "success", result.task_states
    assert result.xcom("read_connection") == "cn-beijing"


def test_both_types_have_the_hook_and_form_and_the_new_one_is_uri_safe(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from airflow.providers_manager import ProvidersManager

    from airflow_provider_doris_oss.connection_types import LEGACY_OSS_CONN_TYPE, OSS_CONN_TYPE
    from airflow_provider_doris_oss.get_provider_info import get_provider_info
    from airflow_provider_doris_oss.hooks.oss import DorisOssHook, LegacyDorisOssHook
    from airflow_provider_doris_oss.version_compat import new_connection

    assert "_" not in OSS_CONN_TYPE and "-" not in OSS_CONN_TYPE  # Airflow reads "-" as "_"
    assert (DorisOssHook.conn_type, LegacyDorisOssHook.conn_type) == (OSS_CONN_TYPE, LEGACY_OSS_CONN_TYPE)
    with caplog.at_level(logging.WARNING):
        hooks = ProvidersManager().hooks
        new, legacy = hooks[OSS_CONN_TYPE], hooks[LEGACY_OSS_CONN_TYPE]
    assert new is not None and new.hook_class_name.endswith(".DorisOssHook")
    assert legacy is not None and legacy.hook_class_name.endswith(".LegacyDorisOssHook")
    assert "Inconsistency" not in caplog.text
    declared = {c["connection-type"]: c for c in get_provider_info()["connection-types"]}
    new_form, legacy_form = declared[OSS_CONN_TYPE], declared[LEGACY_OSS_CONN_TYPE]
    assert legacy_form["conn-fields"] == new_form["conn-fields"]
    assert legacy_form["ui-field-behaviour"] == new_form["ui-field-behaviour"]
    conn = new_connection(conn_id="u", conn_type=OSS_CONN_TYPE, host="oss-cn-beijing.aliyuncs.com")
    assert conn.get_uri().startswith("dorisoss://")
    assert type(conn).from_uri(conn.get_uri(), conn_id="u").conn_type == OSS_CONN_TYPE
