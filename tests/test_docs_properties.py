"""The property table in docs/connections.md matches the property specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_doris_oss.property_specs import PROPERTY_SPECS, UNSUPPORTED_NAMES

README = (Path(__file__).parents[1] / "docs/connections.md").read_text()


@pytest.mark.parametrize("spec", PROPERTY_SPECS, ids=lambda s: s.field)
def test_property_row(spec) -> None:
    keys = ", ".join(f"`{n}`" for n in spec.names)
    rows = [line for line in README.splitlines() if line.startswith("|") and f"| {keys} |" in line]
    assert len(rows) == 1, f"README has no single row for {spec.field} with keys {keys}"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    default = (
        ""
        if spec.default is None
        else f"`{str(spec.default).lower() if spec.kind is bool else spec.default}`"
    )
    assert cells[3] == default
    assert cells[0] == (f"`{spec.doris_name}`" if spec.doris_name else "—")


def test_unsupported_names_documented() -> None:
    for name in UNSUPPORTED_NAMES:
        assert f"`{name}`" in README
