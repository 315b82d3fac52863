"""Every Python snippet in README.md and docs/*.md runs, or is marked as an excerpt and compiles.

The convention (docs/development.md): a fenced ``python`` block is a complete program unless the
line before its fence is ``<!-- snippet: excerpt -->`` (an HTML comment, invisible on GitHub and
PyPI). Complete snippets are run here against the local stand-ins, with the connections set through
``AIRFLOW_CONN_*`` variables:

- a snippet that builds a ``DAG`` is loaded from a file in the dags folder by a ``DagBag`` (no
  import errors, the DAG built); one whose tasks run on the stand-ins is also run with
  ``dag.test()`` (``RUNS`` below, with the substitutions it needs);
- a snippet that defines ``test_*`` functions is a pytest example: each function is called;
- any other snippet defines tasks: it is loaded the same way, inside a DAG, and every
  ``task_id`` it names must be a task of that DAG.

Snippets in other languages (bash, sql, console) are listed but not run.
"""

from __future__ import annotations

import inspect
import re
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!--\s*snippet:\s*(\S+)\s*-->$")
MARKERS = ("excerpt",)


@dataclass(frozen=True)
class Snippet:
    """One fenced code block: where it is, its language, its marker (or None) and its code."""

    page: str
    line: int
    language: str
    marker: str | None
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def kind(self) -> str:
        """How a complete Python snippet is run: ``dag``, ``pytest`` or ``tasks``."""
        if re.search(r"^def test_\w+\(", self.code, re.MULTILINE):
            return "pytest"
        return "dag" if re.search(r"\bDAG\(", self.code) else "tasks"


def fenced_blocks(path: Path) -> list[Snippet]:
    """The fenced blocks of a Markdown page, with the marker on the line before each fence."""
    lines = path.read_text().splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        opening = re.match(r"^```(\S*)", lines[index])
        if opening is None:
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].startswith("```")), None)
        assert end is not None, f"{path.name}:{index + 1}: a fence that is never closed"
        previous = lines[index - 1].strip() if index else ""
        marker = MARKER.match(previous)
        found.append(
            Snippet(
                page=str(path.relative_to(ROOT)),
                line=index + 1,
                language=opening.group(1) or "text",
                marker=marker.group(1) if marker else None,
                code="\n".join(lines[index + 1 : end]) + "\n",
            )
        )
        index = end + 1
    return found


SNIPPETS = [s for page in PAGES for s in fenced_blocks(page)]
PYTHON = [s for s in SNIPPETS if s.language == "python"]
EXCERPTS = [s for s in PYTHON if s.marker == "excerpt"]
COMPLETE = [s for s in PYTHON if s.marker is None]


def _ids(snippets: list[Snippet]) -> list[str]:
    return [s.id for s in snippets]


def test_the_docs_have_python_snippets_of_each_kind() -> None:
    assert EXCERPTS and COMPLETE
    assert {s.kind for s in COMPLETE} == {"dag", "pytest", "tasks"}


def test_markers_are_known_and_only_on_python_snippets() -> None:
    """A misspelt marker would silently make an excerpt complete (or the reverse)."""
    for page in PAGES:
        for number, line in enumerate(page.read_text().splitlines(), start=1):
            if line.strip().startswith("<!-- snippet"):
                marker = MARKER.match(line.strip())
                assert marker and marker.group(1) in MARKERS, f"{page.name}:{number}: {line!r}"
    for snippet in SNIPPETS:
        if snippet.marker is not None:
            assert snippet.language == "python", f"{snippet.id}: a marker on a {snippet.language} block"


@pytest.mark.parametrize("snippet", PYTHON, ids=_ids(PYTHON))
def test_every_python_snippet_compiles(snippet: Snippet) -> None:
    compile(snippet.code, snippet.id, "exec")


# ---------------------------------------------------------------- running complete snippets


@pytest.fixture
def stand_in_connections(local_oss: Any, oss_bucket: str, local_doris_fe: Any, monkeypatch: Any) -> str:
    """``doris_oss_default`` and ``doris_default`` point at the stand-ins; returns the bucket."""
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_OSS_DEFAULT", local_oss.connection(bucket=oss_bucket).as_json())
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    return oss_bucket


def _load_dag_file(folder: Path, source: str) -> dict[str, Any]:
    """Load ``source`` as a DAG file from ``folder`` with a ``DagBag``; the DAGs it defines."""
    from airflow.dag_processing.dagbag import DagBag

    path = folder / f"docs_snippet_{uuid.uuid4().hex[:12]}.py"
    path.write_text(source)
    bag = DagBag(str(path))
    assert not bag.import_errors, bag.import_errors
    assert bag.dags, f"{path} defines no DAG"
    return dict(bag.dags)


def _doris(fe: Any, *statements: str) -> list[tuple[Any, ...]]:
    """Run ``statements`` on the local FE; the rows of the last one."""
    import pymysql

    conn = pymysql.connect(host=fe.host, port=fe.port, user=fe.user, password=fe.password, autocommit=True)
    with conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        return list(cur.fetchall())


def _run_object_storage_dag(code: str, run_dag: Callable[..., Any], fe: Any, bucket: str) -> None:
    """docs/object-storage.md: write a CSV through ObjectStoragePath, load it, check the prefix."""
    database = f"docs_{uuid.uuid4().hex[:8]}"
    _doris(
        fe,
        f"CREATE DATABASE {database}",
        f"CREATE TABLE {database}.events (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
        'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")',
    )
    source = (
        code.replace('"events_to_doris"', '"{dag_id}"')
        .replace("my-bucket", bucket)
        .replace('"analytics.events"', f'"{database}.events"')
    )
    result = run_dag(source)
    assert result.state == "success", result.task_states
    assert result.task_states == {"write_csv": "success", "load": "success", "check": "success"}
    assert result.xcom("load")["loaded_rows"] == 2
    assert result.xcom("check") == 1
    assert sorted(_doris(fe, f"SELECT id, name FROM {database}.events")) == [(1, "alice"), (2, "bob")]


# DAG snippets whose tasks are run with dag.test(), keyed by the DAG id the snippet builds. The
# others are event-driven (scheduled on an asset): they are built, and their DAG files are run end
# to end elsewhere (tests/triggers/test_flagship_e2e.py, tests/triggers/test_event_e2e.py).
RUNS: dict[str, Callable[[str, Callable[..., Any], Any, str], None]] = {
    "events_to_doris": _run_object_storage_dag,
}
DAGS = [s for s in COMPLETE if s.kind == "dag"]


@pytest.mark.parametrize("snippet", DAGS, ids=_ids(DAGS))
def test_dag_snippet_builds_and_runs(
    snippet: Snippet, airflow_db: Path, run_dag: Any, local_doris_fe: Any, stand_in_connections: str
) -> None:
    dags = _load_dag_file(airflow_db, snippet.code)
    for dag_id, dag in dags.items():
        assert dag.task_ids, f"{snippet.id}: DAG {dag_id!r} has no tasks"
        if dag_id in RUNS:
            RUNS[dag_id](snippet.code, run_dag, local_doris_fe, stand_in_connections)
        else:
            assert dag.timetable.__class__.__name__.startswith("Asset"), (
                f"{snippet.id}: DAG {dag_id!r} is neither run here (add it to RUNS) nor event-driven"
            )


TASKS = [s for s in COMPLETE if s.kind == "tasks"]


@pytest.mark.parametrize("snippet", TASKS, ids=_ids(TASKS))
def test_task_snippet_builds_in_a_dag(snippet: Snippet, airflow_db: Path, stand_in_connections: str) -> None:
    source = (
        "from airflow.sdk import DAG\n\n"
        'with DAG("docs_snippet_tasks", schedule=None):\n' + textwrap.indent(snippet.code, "    ")
    )
    (dag,) = _load_dag_file(airflow_db, source).values()
    named = re.findall(r"task_id=\"([^\"]+)\"", snippet.code)
    assert named, f"{snippet.id}: a task snippet that names no task_id"
    assert sorted(dag.task_ids) == sorted(named)


PYTESTS = [s for s in COMPLETE if s.kind == "pytest"]


@pytest.mark.parametrize("snippet", PYTESTS, ids=_ids(PYTESTS))
def test_pytest_snippet_passes(snippet: Snippet, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example sets AIRFLOW_CONN_* itself; monkeypatch puts the variables back afterwards.
    for name in ("AIRFLOW_CONN_DORIS_OSS_DEFAULT", "AIRFLOW_CONN_DORIS_DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, Any] = {"__name__": "docs_snippet"}
    exec(compile(snippet.code, snippet.id, "exec"), namespace)
    tests = {name: f for name, f in namespace.items() if name.startswith("test_") and callable(f)}
    assert tests
    fixtures = {"monkeypatch": monkeypatch}
    for function in tests.values():
        function(**{name: fixtures[name] for name in inspect.signature(function).parameters})
