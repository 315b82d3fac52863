"""The two connection types' forms, declared for Airflow's UI without importing the hooks."""

from __future__ import annotations

from typing import Any

from airflow_provider_doris_oss.field_names import PORT_LABEL, REQUIRED_MARK
from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS, PropertySpec

DORIS_QUERY_PORT = 9030
DORIS_HTTP_PORT = 8030
DORIS_CONNECT_TIMEOUT = 10
# Seconds one FE answer may take (SHOW, CANCEL), and the answer to a LOAD/EXPORT submit.
DORIS_READ_TIMEOUT = 60
DORIS_SUBMIT_TIMEOUT = 300

_JSON_TYPES = {str: "string", int: "integer", bool: "boolean"}

# The OSS connection's type. Airflow logs "Connection schemes (type: ...) shall not contain '_'
# according to RFC3986" whenever it turns a connection whose type has "_" into a URI (on 3.2+ the
# API server does on every task's fetch), and it reads "-" as "_" in URIs and JSON, so the type has
# neither. Connections stored under the former type, doris_oss, are still read (docs/connections.md).
OSS_CONN_TYPE = "dorisoss"
LEGACY_OSS_CONN_TYPE = "doris_oss"
OSS_CONN_TYPES = (OSS_CONN_TYPE, LEGACY_OSS_CONN_TYPE)

# Airflow 3.3.2's Test button in the connection list sends Port 0 for an empty Port, and the API
# refuses a Port that differs from the stored one (docs/connections.md, "The Test button on
# Airflow 3.3.2"). A connection saved with its Port filled in can be tested, and both hooks read 0
# as "the default": the labels ask for a value and say 0 works, the placeholders say what 0 means.
PORT_PLACEHOLDER_OSS = "0 = 443 for https, 80 for http"
PORT_PLACEHOLDER_DORIS = f"0 = {DORIS_QUERY_PORT}"
DORIS_PORT_LABEL = f"Query port ({REQUIRED_MARK}; 0 = {DORIS_QUERY_PORT})"  # DORIS_LABELS["port"]


# The doris form's standard fields as it labels them (Login and Password keep Airflow's labels).
DORIS_LABELS = {"host": "FE host", "port": "Query port", "schema": "Default database"}


def doris_field_name(attr: str) -> str:
    """A doris form field as messages name it: its label, then Airflow's field and CLI option."""
    label = DORIS_LABELS.get(attr, attr.capitalize())
    airflow = f"{attr.capitalize()}, " if label != attr.capitalize() else ""
    return f"{label} ({airflow}--conn-{attr})"


def required(label: str) -> str:
    """A form label marked as required, the same way on both forms (Airflow cannot mark its own fields)."""
    return f"{label} ({REQUIRED_MARK})"


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
    """The ``dorisoss`` entry: Host/Login/Password are endpoint and keys, the rest are form fields."""
    # The standard fields hold the endpoint and keys, all three required; the form cannot mark a
    # standard field required, so the label says it.
    relabel = {s.connection_attr: required(s.label) for s in PROPERTY_SPECS if s.connection_attr}
    relabel["port"] = PORT_LABEL
    return {
        "connection-type": OSS_CONN_TYPE,
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
                "password": "AccessKey secret",
                "extra": '{"region": "cn-beijing"}',
            },
        },
    }


def legacy_doris_oss_connection_type() -> dict[str, Any]:
    """The former ``doris_oss`` entry, so connections stored under it keep their hook and form."""
    return {
        **doris_oss_connection_type(),
        "connection-type": LEGACY_OSS_CONN_TYPE,
        "hook-class-name": "airflow_provider_doris_oss.hooks.oss.LegacyDorisOssHook",
        # Not containing the new entry's name, so a search for that name finds one entry.
        "hook-name": f"Aliyun OSS, Doris (former type {LEGACY_OSS_CONN_TYPE}: use {OSS_CONN_TYPE})",
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
            "relabeling": {
                "host": required(DORIS_LABELS["host"]),
                "port": DORIS_PORT_LABEL,
                "schema": DORIS_LABELS["schema"],
            },
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
