"""What a person types into Airflow's Add Connection form for a connection (``serve`` prints it).

The labels come from the connection type's provider-info entry (``connection_types.py``), so they
are the ones the form shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STANDARD_FIELDS = ("host", "port", "login", "password", "schema")
DEFAULT_LABELS = {
    "host": "Host",
    "port": "Port",
    "login": "Login",
    "password": "Password",
    "schema": "Schema",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "checked" if value else "unchecked"
    return str(value)


def form_fields(
    conn: Any, connection_type: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> list[tuple[str, str, str]]:
    """``(field, label, value)`` for every form field ``conn`` fills in, in the form's order.

    ``field`` is the connection attribute (``host``, ``password``...) or the extra field's name;
    fields the connection leaves empty, and fields the form hides, are left out. ``overrides``
    gives a standard field's value where the form needs one the connection leaves out.
    """
    overrides = overrides or {}
    behaviour = connection_type.get("ui-field-behaviour", {})
    hidden = set(behaviour.get("hidden-fields", []))
    relabel = behaviour.get("relabeling", {})
    rows = [
        ("conn_id", "Connection ID", str(conn.conn_id)),
        ("conn_type", "Connection Type", str(connection_type["hook-name"])),
    ]
    for attr in STANDARD_FIELDS:
        value = overrides.get(attr, getattr(conn, attr, None))
        if attr not in hidden and value not in (None, ""):
            rows.append((attr, relabel.get(attr, DEFAULT_LABELS[attr]), _text(value)))
    extra = conn.extra_dejson
    for name, field in connection_type.get("conn-fields", {}).items():
        if extra.get(name) not in (None, ""):
            rows.append((name, str(field["label"]), _text(extra[name])))
    return rows


def form_lines(
    conn: Any,
    connection_type: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    indent: str = "    ",
) -> list[str]:
    """:func:`form_fields` as aligned ``label: value`` lines; ``notes`` adds a remark after a field."""
    rows = form_fields(conn, connection_type, overrides)
    width = max(len(label) for _, label, _ in rows) + 2
    notes = notes or {}
    return [
        f"{indent}{(label + ':').ljust(width)}{value}" + (f"   ({notes[field]})" if field in notes else "")
        for field, label, value in rows
    ]
