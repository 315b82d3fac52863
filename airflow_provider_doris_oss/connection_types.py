"""The two connection types' forms, declared for Airflow's UI without importing the hooks."""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss.properties import PROPERTY_SPECS, PropertySpec

DORIS_QUERY_PORT = 9030
DORIS_HTTP_PORT = 8030
DORIS_CONNECT_TIMEOUT = 10
# Seconds one FE answer may take (SHOW, CANCEL), and the answer to a LOAD/EXPORT submit.
DORIS_READ_TIMEOUT = 60
DORIS_SUBMIT_TIMEOUT = 300

_JSON_TYPES = {str: "string", int: "integer", bool: "boolean"}

# Airflow 3.3.2's Test button in the connection list sends Port 0 for an empty Port, and the API
# refuses a Port that differs from the stored one (docs/connections.md, "The Test button on
# Airflow 3.3.2"). A connection saved with its Port filled in can be tested; the placeholders say so.
PORT_PLACEHOLDER_OSS = "443 (80 for http://); fill in for the Test button"
PORT_PLACEHOLDER_DORIS = f"{DORIS_QUERY_PORT}; fill in for the Test button"


def _field(spec: PropertySpec) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": [_JSON_TYPES[spec.kind], "null"]}
    if spec.default is not None:
        schema["default"] = spec.default
    if spec.kind is int:
        schema["minimum"] = spec.minimum or 1
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
    names = ", ".join(repr(n) for n in (spec.doris_name, spec.legacy_name) if n)
    # Airflow 3.3's form draws integers as a number box that also takes 2.5: the text says it.
    whole = "; a whole number" if spec.kind is int else ""
    description = spec.description + whole + (f" (Doris: {names})" if names else "")
    return {"label": spec.label, "description": description, "schema": schema}


def doris_oss_connection_type() -> dict[str, Any]:
    """The ``doris_oss`` entry: Host/Login/Password are endpoint and keys, the rest are form fields."""
    # The standard fields hold the endpoint and keys, all three required; the form cannot mark a
    # standard field required, so the label says it.
    relabel = {s.connection_attr: f"{s.label} (required)" for s in PROPERTY_SPECS if s.connection_attr}
    relabel["port"] = "Port"
    return {
        "connection-type": "doris_oss",
        "hook-class-name": "airflow_provider_doris_oss.hooks.oss.DorisOssHook",
        "hook-name": "Aliyun OSS (Doris)",
        "conn-fields": {s.field: _field(s) for s in PROPERTY_SPECS if not s.connection_attr},
        "ui-field-behaviour": {
            "hidden-fields": ["schema"],
            "relabeling": relabel,
            "placeholders": {
                "host": "oss-cn-beijing.aliyuncs.com",
                "port": PORT_PLACEHOLDER_OSS,
                "login": "LTAI5t...",
                "extra": '{"region": "cn-beijing"}',
            },
        },
    }


def doris_connection_type() -> dict[str, Any]:
    """The ``doris`` entry: an FE's MySQL-protocol address and its HTTP port."""
    return {
        "connection-type": "doris",
        "hook-class-name": "airflow_provider_doris_oss.hooks.doris.DorisHook",
        "hook-name": "Apache Doris",
        "conn-fields": {
            "http_port": {
                "label": "HTTP port",
                "description": "The FE's HTTP port",
                "schema": {"type": ["integer", "null"], "default": DORIS_HTTP_PORT, "minimum": 1},
            },
            "connect_timeout": {
                "label": "Connect timeout (s)",
                "description": "Seconds to wait for the FE to accept a connection",
                "schema": {"type": ["integer", "null"], "default": DORIS_CONNECT_TIMEOUT, "minimum": 1},
            },
            "read_timeout": {
                "label": "Read timeout (s)",
                "description": "Seconds one FE answer may take (SHOW, CANCEL) before the connection is "
                "dropped and reopened",
                "schema": {"type": ["integer", "null"], "default": DORIS_READ_TIMEOUT, "minimum": 1},
            },
            "submit_timeout": {
                "label": "Submit timeout (s)",
                "description": "Seconds the FE may take to accept a LOAD or EXPORT job (it checks the "
                "storage first)",
                "schema": {"type": ["integer", "null"], "default": DORIS_SUBMIT_TIMEOUT, "minimum": 1},
            },
        },
        "ui-field-behaviour": {
            "hidden-fields": [],
            "relabeling": {"host": "FE host", "port": "Query port", "schema": "Default database"},
            "placeholders": {"host": "doris-fe.example.com", "port": PORT_PLACEHOLDER_DORIS, "login": "root"},
        },
    }


_FORM_FIELD_CLASSES = {"string": "StringField", "integer": "IntegerField", "boolean": "BooleanField"}


def form_widgets(connection_type: dict[str, Any]) -> dict[str, Any]:
    """A connection type's ``conn-fields`` as the hook form widgets Airflow 3.0 and 3.1 read.

    Airflow reads ``conn-fields`` from the provider info only from 3.2 on; before, the UI calls the
    hook's ``get_connection_form_widgets()`` (with WTForms stand-ins when FAB is not installed).
    Built from the same entries, so the form has one source on every version.
    """
    import wtforms
    from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
    from flask_babel import lazy_gettext
    from wtforms.validators import Optional

    widgets: dict[str, Any] = {}
    for name, field in connection_type["conn-fields"].items():
        schema = field["schema"]
        kind = next(t for t in schema["type"] if t != "null")
        options: dict[str, Any] = {"description": field["description"], "validators": [Optional()]}
        if "default" in schema:
            options["default"] = schema["default"]
        if kind != "boolean":
            options["widget"] = BS3TextFieldWidget()
        field_class = getattr(wtforms, _FORM_FIELD_CLASSES[kind])
        widgets[name] = field_class(lazy_gettext(field["label"]), **options)
    return widgets


def field_behaviour(connection_type: dict[str, Any]) -> dict[str, Any]:
    """A connection type's ``ui-field-behaviour`` as the hook's ``get_ui_field_behaviour()`` returns it."""
    return {key.replace("-", "_"): value for key, value in connection_type["ui-field-behaviour"].items()}
