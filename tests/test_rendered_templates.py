"""Every templated argument is judged after rendering by the rule it is judged by at DAG parse.

The classes and their template fields are found, not listed: every operator and sensor class of
the package, every name in its ``template_fields``. For each field the test checks that

- the class's ``argument_rules`` hold a rule for it marked ``templated`` (so ``check_arguments``
  leaves a template for later and ``check_rendered`` takes it up),
- a value no rule accepts, set where rendering puts it, is refused by ``execute()`` naming the
  argument, before any connection is opened (the same network guard as tests/test_bad_input.py),
- the same value given at construction is refused with the same text.

Triggers have no template fields: sensors and operators hand them rendered, checked values, and
each trigger's constructor checks its own arguments (tests/test_bad_input.py).

Then the case that started this: ``INSERT OVERWRITE`` with a templated ``partitions`` that renders
to nothing under ``render_template_as_native_obj=True`` never sends ``INSERT OVERWRITE TABLE t``
without a PARTITION clause.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG, BaseOperator

import airflow_provider_doris_oss.operators
import airflow_provider_doris_oss.sensors
from airflow_provider_doris_oss.arguments import Arg, ArgumentError, check_rendered, rules_of
from tests.network_guard import refuse_network

BUCKET = "good-bucket"
# The arguments each class needs to be built; a class found below without an entry fails the test.
BASES: dict[str, dict[str, Any]] = {
    "DorisBrokerLoadOperator": {"table": "db.t", "source_uris": f"oss://{BUCKET}/in/a.csv"},
    "DorisExportOperator": {"table": "db.t", "target_uri": f"oss://{BUCKET}/out/x_"},
    "DorisOssInsertOperator": {"table": "db.t", "source_uri": f"oss://{BUCKET}/in/a.csv", "format": "csv"},
    "DorisOutfileOperator": {"sql": "SELECT 1", "target_uri": f"oss://{BUCKET}/out/x_"},
    "DorisCreateCatalogOperator": {"catalog_name": "c", "catalog_properties": {"type": "iceberg"}},
    "OssKeySensor": {"bucket_key": f"oss://{BUCKET}/k"},
    "OssKeysUnchangedSensor": {"prefix": f"oss://{BUCKET}/p/"},
}


class _Unrenderable:
    """What no rule accepts: not a string, list, dict, number or None."""

    def __repr__(self) -> str:
        return "<unrenderable>"


BAD = _Unrenderable()


def task_classes() -> list[type[BaseOperator]]:
    """Every operator and sensor class defined in the package that has template fields."""
    found: dict[str, type[BaseOperator]] = {}
    for package in (airflow_provider_doris_oss.operators, airflow_provider_doris_oss.sensors):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, BaseOperator)
                    and cls.__module__ == module.__name__
                    and not inspect.isabstract(cls)
                    and cls.template_fields
                ):
                    found[cls.__name__] = cls
    return sorted(found.values(), key=lambda c: c.__name__)


CLASSES = task_classes()
FIELDS = [
    pytest.param(cls, field, id=f"{cls.__name__}.{field}") for cls in CLASSES for field in cls.template_fields
]


def templated_rule(cls: type, field: str) -> Arg | None:
    return next(
        (r for r in rules_of(cls) if isinstance(r, Arg) and r.templated and r.attribute == field), None
    )


def context() -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="d", task_id="t", run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti, "run_id": "manual__1", "params": {}, "dag_run": SimpleNamespace(conf={})}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if anything opens a connection; the connections point where nothing listens."""
    calls = refuse_network(monkeypatch)
    oss = {"conn_type": "doris_oss", "host": "127.0.0.1:9", "login": "ak", "password": "sk"}
    monkeypatch.setenv(
        "AIRFLOW_CONN_DORIS_OSS_DEFAULT", json.dumps({**oss, "extra": '{"region": "cn-beijing"}'})
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_DORIS_DEFAULT", json.dumps({"conn_type": "doris", "host": "127.0.0.1", "port": 9})
    )
    yield calls
    assert calls == [], f"a network call was made: {calls}"


def test_every_class_is_found_and_can_be_built() -> None:
    assert {cls.__name__ for cls in CLASSES} == set(BASES)
    assert sum(len(cls.template_fields) for cls in CLASSES) >= 20
    for cls in CLASSES:
        assert cls(task_id="t", **BASES[cls.__name__]) is not None


@pytest.mark.parametrize(("cls", "field"), FIELDS)
def test_every_template_field_has_a_templated_rule(cls: type, field: str) -> None:
    assert templated_rule(cls, field) is not None, f"{cls.__name__}.{field} has no Arg(..., templated=True)"


@pytest.mark.parametrize(("cls", "field"), FIELDS)
def test_a_bad_rendered_value_is_refused_at_execute_as_at_construction(
    cls: type, field: str, no_network: list[str]
) -> None:
    rule = templated_rule(cls, field)
    assert rule is not None
    task = cls(task_id="t", **BASES[cls.__name__])
    setattr(task, field, BAD)  # where rendering leaves the value
    with pytest.raises(ArgumentError) as at_execute:
        task.execute(context())
    assert f"{rule.name}" in str(at_execute.value).split(":", 2)[1]
    assert no_network == []
    with pytest.raises(ArgumentError) as at_parse:
        cls(task_id="t", **{**BASES[cls.__name__], rule.name: BAD})
    assert str(at_parse.value) == str(at_execute.value)


# ---- INSERT OVERWRITE with a partitions template that renders to nothing

PARTS_TEMPLATES = ["{{ params.parts }}", "{{ dag_run.conf.get('parts') }}"]


def _insert_in_dag(template: str, *, native: bool) -> Any:
    from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator

    with DAG(
        "render_partitions",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        render_template_as_native_obj=native,
    ):
        return DorisOssInsertOperator(
            task_id="overwrite",
            table="db.t",
            source_uri=f"oss://{BUCKET}/in/{{{{ ds }}}}.csv",
            format="csv",
            overwrite=True,
            partitions=template,
        )


@pytest.mark.parametrize("template", PARTS_TEMPLATES)
@pytest.mark.parametrize(
    ("native", "parts", "fix"),
    [
        (True, None, "overwrite=True needs partitions"),
        (True, [], "overwrite=True needs partitions"),
        (True, "", "not an empty string"),
        (True, ["*"], 'write partitions="*"'),
        (False, None, "partitions=['None']"),
        (False, "", "not an empty string"),
    ],
)
def test_overwrite_never_runs_without_the_partitions_it_was_given(
    template: str, native: bool, parts: Any, fix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow_provider_doris_oss.operators.insert as insert

    sent: list[str] = []
    monkeypatch.setattr(insert, "run_statement", lambda hook, statement, **kw: sent.append(statement))
    task = _insert_in_dag(template, native=native)
    ctx = context()
    ctx.update(
        {"ds": "2026-01-01", "params": {"parts": parts}, "dag_run": SimpleNamespace(conf={"parts": parts})}
    )
    task.render_template_fields(ctx)
    with pytest.raises(ArgumentError, match="partitions") as refused:
        task.execute(ctx)
    assert fix in str(refused.value)
    assert sent == []


@pytest.mark.parametrize("template", PARTS_TEMPLATES)
@pytest.mark.parametrize("parts", [["p20260101"], "*"])
def test_overwrite_with_rendered_partitions_passes_the_check(template: str, parts: Any) -> None:
    task = _insert_in_dag(template, native=True)
    ctx = context()
    ctx.update(
        {"ds": "2026-01-01", "params": {"parts": parts}, "dag_run": SimpleNamespace(conf={"parts": parts})}
    )
    task.render_template_fields(ctx)
    assert task.partitions == parts and task.source_uri == f"oss://{BUCKET}/in/2026-01-01.csv"
    check_rendered(type(task).__name__, rules_of(type(task)), task)
