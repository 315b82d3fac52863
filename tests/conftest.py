"""Shared test set-up: an Airflow home and sqlite metadata DB per xdist worker, and a DAG runner.

Airflow reads its configuration when first imported, so the environment is set here, at
import time, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_HOME = Path(tempfile.mkdtemp(prefix=f"airflow-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"))
(_HOME / "dags").mkdir()
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(_HOME / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }
)
os.environ.pop("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", None)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated sqlite metadata DB for this worker; returns the dags folder."""
    from airflow.utils.db import resetdb

    resetdb()
    return _HOME / "dags"


@dataclass
class DagRunResult:
    """What a ``dag.test()`` run left behind: its state, each task's state, and XComs."""

    state: str
    task_states: dict[str, str | None]
    run_id: str
    dag_id: str

    def xcom(self, task_id: str, key: str = "return_value") -> Any:
        """The XCom a task pushed in this run, deserialised as the task SDK serialised it."""
        from airflow.models.xcom import XComModel
        from airflow.serialization.serde import deserialize
        from airflow.utils.session import create_session

        with create_session() as session:
            row = (
                session.query(XComModel)
                .filter_by(dag_id=self.dag_id, run_id=self.run_id, task_id=task_id, key=key)
                .one_or_none()
            )
            return None if row is None else deserialize(XComModel.deserialize_value(row))


@pytest.fixture
def run_dag(airflow_db: Path) -> Callable[..., DagRunResult]:
    """Write DAG source to a file in the dags folder, load it from there, and ``dag.test()`` it.

    Airflow 3.3 runs only DAGs it can serialise from the dags folder, so DAGs in tests are files.
    The source may use ``{dag_id}``; it is formatted with a unique DAG id.
    """

    def run(source: str, **test_kwargs: Any) -> DagRunResult:
        try:
            from airflow.dag_processing.dagbag import DagBag
        except ImportError:  # Airflow < 3.2
            from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

        dag_id = f"test_{uuid.uuid4().hex[:12]}"
        path = airflow_db / f"{dag_id}.py"
        path.write_text(textwrap.dedent(source).replace("{dag_id}", dag_id))
        bag = DagBag(str(path))
        assert not bag.import_errors, bag.import_errors
        dag = bag.get_dag(dag_id)
        assert dag is not None, f"{path} defines no DAG {dag_id!r}"
        dag_run = dag.test(**test_kwargs)
        states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
        return DagRunResult(str(dag_run.state), states, dag_run.run_id, dag_id)

    return run


@pytest.fixture
def oss_conn(local_oss: Any, oss_bucket: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``doris_oss_default`` pointing at the local OSS, default bucket ``oss_bucket``; yields the bucket."""
    conn = local_oss.connection("doris_oss_default", bucket=oss_bucket)
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", conn.as_json())
    yield oss_bucket


@pytest.fixture(scope="module", autouse=True)
def no_event_loop_left_running() -> Iterator[None]:
    """Fail the test module that leaves an event loop marked running in the main thread.

    Such a loop (Playwright's sync API keeps one while it runs) makes every later ``asyncio.run``
    (and ``dag.test()``'s inline triggers) in the same worker fail with "cannot be called from a
    running event loop": the module is named here, and the marker is cleared so the modules after
    it run as they would alone.
    """
    import asyncio

    yield
    loop = asyncio.events._get_running_loop()
    if loop is not None:
        asyncio.events._set_running_loop(None)
        pytest.fail(f"this test module left an event loop running in the main thread: {loop!r}")
