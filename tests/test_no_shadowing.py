"""No operator, sensor or trigger attribute may shadow a public attribute of Airflow's base classes.

``OssKeySensor`` once stored its match mode in ``self.mode`` and so silently turned
``mode="reschedule"`` off. This test finds every such name: attributes assigned through
``self.<name>`` in any method, and names declared on the class, checked against the public
attributes, properties and methods of ``BaseOperator`` / ``BaseSensorOperator`` / ``BaseTrigger``
(class-level names and the instance attributes their ``__init__`` sets). Only the documented
extension points (``execute``, ``poke``, ``template_fields``, ``run``, ``serialize``...) may be
overridden.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
from airflow.sdk import BaseOperator, BaseSensorOperator
from airflow.triggers.base import BaseTrigger, TriggerEvent

import airflow_provider_doris_oss

PACKAGES = ("operators", "sensors", "triggers")

# What Airflow documents as meant to be overridden by subclasses.
OPERATOR_OVERRIDES = {
    "execute",
    "on_kill",
    "pre_execute",
    "post_execute",
    "template_fields",
    "template_ext",
    "template_fields_renderers",
    "ui_color",
    "ui_fgcolor",
    "operator_extra_links",
}
SENSOR_OVERRIDES = OPERATOR_OVERRIDES | {"poke"}
TRIGGER_OVERRIDES = {"run", "serialize", "cleanup", "on_kill", "template_fields", "template_ext"}


class _ProbeTrigger(BaseTrigger):
    def serialize(self) -> tuple[str, dict[str, Any]]:
        return ("probe", {})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(None)


def _public(names: Any) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def _base_names(base: type, instance: object) -> set[str]:
    return _public(dir(base)) | _public(vars(instance))


BASES: list[tuple[type, set[str], set[str]]] = [
    (
        BaseSensorOperator,
        _base_names(BaseSensorOperator, BaseSensorOperator(task_id="probe")),
        SENSOR_OVERRIDES,
    ),
    (BaseOperator, _base_names(BaseOperator, BaseOperator(task_id="probe")), OPERATOR_OVERRIDES),
    (BaseTrigger, _base_names(BaseTrigger, _ProbeTrigger()), TRIGGER_OVERRIDES),
]


def _classes() -> list[type]:
    found: list[type] = []
    root = airflow_provider_doris_oss.__name__
    for package in PACKAGES:
        pkg = importlib.import_module(f"{root}.{package}")
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, (BaseOperator, BaseTrigger)):
                    found.append(cls)
    return found


def _self_assignments(cls: type) -> set[str]:
    """Names assigned as ``self.<name>`` (plain, annotated or augmented) in the class's own methods."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names: set[str] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    names.add(sub.attr)
    return names


def _is_poke_mode_only(cls: type) -> bool:
    """``@poke_mode_only`` (Airflow's documented way) replaces ``mode`` with a poke-only property."""
    prop = vars(cls).get("mode")
    return isinstance(prop, property) and prop.fget is not None and "poke_mode_only" in prop.fget.__qualname__


def shadowed(cls: type) -> set[str]:
    """The public base-class names ``cls`` shadows without that being a documented override."""
    _, names, allowed = next((b, n, a) for b, n, a in BASES if issubclass(cls, b))
    own = _public(vars(cls)) | _self_assignments(cls)
    clashes = (own & names) - allowed
    if _is_poke_mode_only(cls):
        clashes.discard("mode")
    return clashes


CLASSES = _classes()


def test_every_operator_sensor_and_trigger_is_checked():
    names = {cls.__name__ for cls in CLASSES}
    assert {"OssKeySensor", "OssKeysUnchangedSensor", "OssKeyTrigger", "OssKeysUnchangedTrigger"} <= names
    assert {"DorisBrokerLoadOperator", "DorisJobTrigger", "OssObjectEventTrigger"} <= names


def test_the_check_catches_a_shadowing_attribute():
    class Shadowing(BaseSensorOperator):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.mode = "exact"
            self.timeout_seconds = 3

        def poke(self, context: Any) -> bool:
            return True

    assert shadowed(Shadowing) == {"mode"}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_no_attribute_shadows_the_base_class(cls):
    assert shadowed(cls) == set(), (
        f"{cls.__name__} shadows {sorted(shadowed(cls))} of its Airflow base class; rename them."
    )
