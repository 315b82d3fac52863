"""How messages and the connection forms name a connection's fields."""

from __future__ import annotations

from airflow_provider_doris_oss.property_specs import SPECS_BY_NAME

# The form's Port label. Airflow 3.3.2's row Test button sends Port 0 for an empty Port and the API
# refuses a Port that differs from the stored one, so the label asks for a value and says 0 works.
REQUIRED_MARK = "required"  # how both forms mark a field that must be filled in
PORT_LABEL = f"Port ({REQUIRED_MARK}; 0 = default)"


def field_name(name: str) -> str:
    """A field as messages name it: the form's label, then Airflow's field and CLI option, or the extra key.

    ``field_name("endpoint")`` is ``Endpoint (Host, --conn-host)``; ``field_name("region")`` is
    ``Region (extra 'region')``; ``port`` and ``schema`` are Airflow's own fields.
    """
    if name in ("port", "schema"):
        label = PORT_LABEL.split(" (")[0] if name == "port" else "Schema"
        return f"{label} (--conn-{name})"
    spec = SPECS_BY_NAME[name]
    if spec.connection_attr:
        return f"{spec.label} ({spec.connection_attr.capitalize()}, --conn-{spec.connection_attr})"
    return f"{spec.label} (extra {spec.field!r})"
