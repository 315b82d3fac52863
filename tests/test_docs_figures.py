"""The docs quote benchmark figures only as generated from benchmarks/RESULTS.md, and no test counts."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "benchmarks" / "docs_figures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


figures = _figures()
RESULTS = figures.RESULTS.read_text()
PAGES = {path.relative_to(ROOT).as_posix(): path.read_text() for path in figures.pages()}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_figures_are_the_committed_results(page: str) -> None:
    assert figures.render(PAGES[page], RESULTS) == PAGES[page], (
        f"{page} quotes figures that are not benchmarks/RESULTS.md's: run "
        "`.venv/bin/python benchmarks/docs_figures.py` and commit the page"
    )


def test_every_renderer_has_a_block_in_the_docs() -> None:
    """The trigger and event-prefix tables are quoted through blocks, not copied by hand."""
    quoted = {m.group("script") for text in PAGES.values() for m in figures.BLOCK.finditer(text)}
    assert quoted == set(figures.RENDERERS)


def test_a_rerun_with_other_figures_changes_the_pages() -> None:
    """The check can fail: a figure that moves in RESULTS.md moves in the generated table."""
    page = PAGES["docs/sensors-and-triggers.md"]
    row = re.search(r"^(S3KeyTrigger \(amazon\)\s+\d+\s+\d+\s+)(\d+\.\d)\b", RESULTS, re.MULTILINE)
    assert row, "the amazon row of bench_triggers.py changed shape: update this test"
    committed = float(row.group(2))
    moved = f"{committed + 3.5:.1f}"
    rerun = RESULTS[: row.start(2)] + moved + RESULTS[row.end(2) :]
    changed = figures.render(page, rerun)
    assert f"{float(moved):,.1f} MB" in changed and f"{committed:,.1f} MB" not in changed


def test_each_listing_source_has_a_table_of_its_own() -> None:
    """A stand-in's times never share a column with a server's: one table per source, titled."""
    page = PAGES["docs/sensors-and-triggers.md"]
    block = next(
        m.group("body") for m in figures.BLOCK.finditer(page) if m.group("script") == "bench_event_prefix.py"
    )
    sources = [line for line in block.splitlines() if line.startswith(("Against", "In process"))]
    assert sources and any("SeaweedFS" in line for line in sources)
    assert len(sources) == block.count("| old objects |")  # each title heads exactly one table


def test_a_missing_section_is_an_error_not_an_empty_table() -> None:
    without = RESULTS.replace("### `bench_event_prefix.py`", "### bench_event_prefix.py: FAILED (exit 1)")
    with pytest.raises(figures.ResultsError, match=r"no section for bench_event_prefix\.py"):
        figures.render(PAGES["docs/sensors-and-triggers.md"], without)


def _outside_blocks(text: str) -> str:
    return figures.BLOCK.sub("", text)


def test_no_generated_figure_is_copied_outside_its_block() -> None:
    """Figures with a fraction (123.4, 2,291.8, 17.08 ...) appear only inside generated blocks."""
    generated = {
        token
        for text in PAGES.values()
        for block in figures.BLOCK.finditer(text)
        for token in re.findall(r"\b\d[\d,]*\.\d+\b", block.group("body"))
        if float(token.replace(",", "")) >= 10
    }
    assert generated
    for page, text in PAGES.items():
        copied = sorted(
            t for t in generated if re.search(rf"(?<![\d.,]){re.escape(t)}(?![\d])", _outside_blocks(text))
        )
        assert copied == [], f"{page} copies generated figures outside a figures block: {copied}"


def test_no_page_states_how_many_rows_or_tests_there_are() -> None:
    """A count of test rows changes with every new case; the docs describe what the rows cover."""
    for page, text in PAGES.items():
        counts = re.findall(r"\b\d[\d,]*\s+(?:rows|tests|test cases|cases)\b", text)
        assert counts == [], f"{page}: {counts}"


def test_make_bench_fails_when_the_docs_figures_cannot_be_regenerated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run whose RESULTS.md the docs cannot quote must not end in success with stale docs."""
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "benchmarks" / "run_all.py")
    assert spec and spec.loader
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    (tmp_path / "docs_figures.py").write_text("raise SystemExit(3)\n")
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    monkeypatch.setattr(run_all, "BENCHMARKS", [])
    assert run_all.main([]) == 1
    assert "docs_figures.py (exit 3" in capsys.readouterr().err
    assert (tmp_path / "RESULTS.md").exists()
