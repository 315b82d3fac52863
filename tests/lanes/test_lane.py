"""The lane suite: what must hold on every Airflow 3 release users run (``make lanes``).

Run in each lane's venv (Airflow 3.0.6, 3.1.8, 3.2.2, 3.3.0; docs/compatibility.md) and in the main
suite on the newest release: every provider module imports, the provider info validates against
that Airflow's schema, the connection forms reach the UI from one source, Broker Load runs against
the local FE (blocking and deferred), and a deferred ``OssKeySensor`` succeeds in ``dag.test()``.
The event watcher's end-to-end tests (real scheduler and triggerer) are part of the same selection
(``LANE_TESTS`` in the Makefile).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import uuid
from pathlib import Path
from typing import Any

import airflow
import pytest

import airflow_provider_doris_oss
from airflow_provider_doris_oss.connection_types import doris_connection_type, doris_oss_connection_type
from airflow_provider_doris_oss.version_compat import AIRFLOW_VERSION


def test_every_provider_module_imports() -> None:
    package = Path(airflow_provider_doris_oss.__file__).parent
    names = [m.name for m in pkgutil.walk_packages([str(package)], "airflow_provider_doris_oss.")]
    assert {"airflow_provider_doris_oss.operators.broker_load", "airflow_provider_doris_oss.fs.oss"} <= set(
        names
    )
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:
            failures[name] = f"{type(error).__name__}: {error}"
    assert failures == {}, f"on Airflow {AIRFLOW_VERSION}"


def test_the_lane_runs_the_airflow_it_names() -> None:
    lane = Path(airflow.__file__).parents[4].name  # .venv-3.1/lib/pythonX/site-packages/airflow
    if lane.startswith(".venv-"):
        assert airflow.__version__.startswith(lane.removeprefix(".venv-") + "."), (lane, airflow.__version__)


def test_provider_info_is_valid_for_this_airflow() -> None:
    import jsonschema
    from airflow.providers_manager import ProvidersManager

    from airflow_provider_doris_oss.get_provider_info import get_provider_info

    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)
    assert "airflow-provider-doris-oss" in ProvidersManager().providers


@pytest.mark.parametrize(
    "declared", [doris_oss_connection_type(), doris_connection_type()], ids=lambda t: t["connection-type"]
)
def test_the_ui_gets_the_form_from_the_provider_info_entries(declared: dict[str, Any]) -> None:
    """What the connection form shows, as the UI's API builds it: from ``conn-fields`` from 3.2 on,
    from the hooks' form methods on 3.0 and 3.1 (generated from the same entries)."""
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    hooks = {hook.connection_type: hook for hook in HookMetaService.hook_meta_data()}
    hook = hooks[declared["connection-type"]]
    fields = {name: param["schema"] for name, param in (hook.extra_fields or {}).items()}
    assert set(fields) == set(declared["conn-fields"]), f"on Airflow {AIRFLOW_VERSION}"
    for name, field in declared["conn-fields"].items():
        assert fields[name]["title"] == field["label"], name
        assert fields[name]["type"] == field["schema"]["type"], name
    for name, param in (hook.extra_fields or {}).items():
        assert param["description"] == declared["conn-fields"][name]["description"], name
        assert param["value"] == declared["conn-fields"][name]["schema"].get("default"), name
    behaviour = declared["ui-field-behaviour"]
    assert hook.standard_fields is not None
    assert hook.standard_fields.host is not None
    assert hook.standard_fields.host.title == behaviour["relabeling"]["host"]
    assert hook.standard_fields.host.placeholder == behaviour["placeholders"]["host"]
    for hidden in behaviour["hidden-fields"]:
        shown = getattr(hook.standard_fields, "url_schema" if hidden == "schema" else hidden)
        assert shown is not None and shown.hidden, hidden


def test_local_fe_answers_the_doris_test_button_query(local_doris_fe: Any) -> None:
    """The Doris Test button's query on each lane's pinned sqlglot (the 3.0 lane's predates
    ``exp.CurrentVersion``: ``version()`` parses as an anonymous function there)."""
    import pymysql

    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root")
    with conn.cursor() as cur:
        cur.execute("SELECT @@version_comment, version(), @@version")
        comment, version, variable = cur.fetchone()
    conn.close()
    assert comment.startswith("Doris version ") and version == variable, (comment, version, variable)


def _orders_table(local_doris_fe: Any) -> tuple[Any, str]:
    import pymysql

    db = f"db_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host=local_doris_fe.host, port=local_doris_fe.port, user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}`")
        cur.execute(
            f"CREATE TABLE `{db}`.orders (id INT, name VARCHAR(20)) DUPLICATE KEY(id) "
            'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
        )
    return conn, db


@pytest.mark.parametrize("deferrable", [False, True], ids=["blocking", "deferred"])
def test_broker_load_dag_run(
    deferrable: bool,
    run_dag: Any,
    local_oss: Any,
    oss_conn: str,
    local_doris_fe: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DORIS_DEFAULT", local_doris_fe.connection().as_json())
    local_oss.client().put_object(Bucket=oss_conn, Key="in/orders.csv", Body=b"1,alice\n2,bob\n")
    conn, db = _orders_table(local_doris_fe)
    local_doris_fe.hold_next_job("LOADING", 1.0)  # the deferred task really defers
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            DorisBrokerLoadOperator(
                task_id="load",
                table="{db}.orders",
                source_uris="oss://{oss_conn}/in/orders.csv",
                format="csv",
                column_separator=",",
                columns=["id", "name"],
                poll_interval=0.2,
                deferrable={deferrable},
            )
        """
    )
    assert result.task_states == {"load": "success"}
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name FROM `{db}`.orders ORDER BY id")
        assert cur.fetchall() == ((1, "alice"), (2, "bob"))
    conn.close()
    assert result.xcom("load")["loaded_rows"] == 2
    # dag.test() resumes a deferred task with the trigger's event alone: the first try still says it submitted.
    assert result.xcom("load")["submitted"] is True


def test_key_sensor_dag_run_deferred(run_dag: Any, local_oss: Any, oss_conn: str) -> None:
    local_oss.client().put_object(Bucket=oss_conn, Key="ready/_SUCCESS", Body=b"")
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG
        from airflow_provider_doris_oss.sensors.key import OssKeySensor

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            OssKeySensor(
                task_id="wait",
                bucket_key="oss://{oss_conn}/ready/_SUCCESS",
                poke_interval=1,
                timeout=120,
                deferrable=True,
            )
        """
    )
    assert result.task_states == {"wait": "success"}


@pytest.mark.parametrize(
    ("hook_path", "declared"),
    [
        ("airflow_provider_doris_oss.hooks.oss.DorisOssHook", doris_oss_connection_type()),
        ("airflow_provider_doris_oss.hooks.doris.DorisHook", doris_connection_type()),
    ],
    ids=["doris_oss", "doris"],
)
def test_the_hooks_form_methods_mirror_the_provider_info(
    hook_path: str, declared: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Airflow 3.0 and 3.1 read, checked on every version with WTForms stand-ins of its shape."""
    import types

    class Field:
        def __init__(self, label: str, **options: Any) -> None:
            self.label, self.options = label, options

    class StringField(Field): ...

    class IntegerField(Field): ...

    class BooleanField(Field): ...

    class Optional: ...

    wtforms = types.ModuleType("wtforms")
    wtforms.StringField, wtforms.IntegerField, wtforms.BooleanField = StringField, IntegerField, BooleanField  # type: ignore[attr-defined]
    validators = types.ModuleType("wtforms.validators")
    validators.Optional = Optional  # type: ignore[attr-defined]
    babel = types.ModuleType("flask_babel")
    babel.lazy_gettext = lambda text: f"gettext:{text}"  # type: ignore[attr-defined]
    widgets = types.ModuleType("flask_appbuilder.fieldwidgets")
    widgets.BS3TextFieldWidget = type("BS3TextFieldWidget", (), {})  # type: ignore[attr-defined]
    for name, module in {
        "wtforms": wtforms,
        "wtforms.validators": validators,
        "flask_babel": babel,
        "flask_appbuilder": types.ModuleType("flask_appbuilder"),
        "flask_appbuilder.fieldwidgets": widgets,
    }.items():
        monkeypatch.setitem(__import__("sys").modules, name, module)

    module_name, class_name = hook_path.rsplit(".", 1)
    hook = getattr(importlib.import_module(module_name), class_name)
    form = hook.get_connection_form_widgets()
    kinds = {"string": StringField, "integer": IntegerField, "boolean": BooleanField}
    assert set(form) == set(declared["conn-fields"])
    for name, field in declared["conn-fields"].items():
        widget = form[name]
        assert type(widget) is kinds[next(t for t in field["schema"]["type"] if t != "null")], name
        assert widget.label == f"gettext:{field['label']}"
        assert widget.options["description"] == field["description"]
        assert widget.options.get("default") == field["schema"].get("default")
        assert [type(v) for v in widget.options["validators"]] == [Optional]
    behaviour = hook.get_ui_field_behaviour()
    assert behaviour == {k.replace("-", "_"): v for k, v in declared["ui-field-behaviour"].items()}
    assert behaviour["relabeling"]["host"] == declared["ui-field-behaviour"]["relabeling"]["host"]
