"""Where the docs offer ``airflow connections test``, they say it needs ``test_connection = Enabled``.

Airflow refuses the CLI test by default ("Testing connections is disabled in Airflow
configuration", ``connections_test`` in ``airflow/cli/commands/connection_command.py``), so a
paragraph that offers the command without the setting sends the reader into that refusal.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_paragraph_offering_the_cli_test_names_the_setting() -> None:
    unqualified = []
    for page in PAGES:
        for paragraph in re.split(r"\n\s*\n|\n(?=- )", page.read_text()):
            if "airflow connections test" in paragraph and "TEST_CONNECTION=Enabled" not in paragraph:
                unqualified.append(f"{page.relative_to(ROOT)}: {paragraph.strip()[:100]}")
    assert unqualified == []


def test_the_pages_do_offer_the_cli_test() -> None:
    assert any("airflow connections test" in page.read_text() for page in PAGES)
