"""The benchmark tables in docs/, generated from benchmarks/RESULTS.md (the one place figures live).

A page quotes a benchmark between ``<!-- figures: <script> -->`` and ``<!-- /figures -->``; this
script rewrites what is between them from that script's section of RESULTS.md. ``make bench``
runs it after writing RESULTS.md; ``tests/test_docs_figures.py`` fails when a page differs.

    .venv/bin/python benchmarks/docs_figures.py [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BLOCK = re.compile(r"(<!-- figures: (?P<script>[\w.]+) -->\n)(?P<body>.*?)(<!-- /figures -->)", re.DOTALL)


class ResultsError(ValueError):
    """RESULTS.md lacks a section, or a report is not in the shape this script reads."""


def sections(results: str) -> dict[str, str]:
    """Each ``### `script` `` section of RESULTS.md by script name, as its report text."""
    found: dict[str, str] = {}
    for chunk in results.split("\n### ")[1:]:
        heading, _, body = chunk.partition("\n")
        name = re.fullmatch(r"`([\w.]+)`", heading.strip())
        if name:
            report = re.search(r"```\n(.*?)\n```", body, re.DOTALL)
            found[name.group(1)] = report.group(1) if report else body
    return found


def header(results: str) -> str:
    """``date, cores`` of the run, from RESULTS.md's header list."""
    date = re.search(r"^- date: (.+)$", results, re.MULTILINE)
    machine = re.search(r"^- machine: ([^,\n]+)", results, re.MULTILINE)
    if not (date and machine):
        raise ResultsError("RESULTS.md has no '- date:' and '- machine:' lines")
    return f"{date.group(1)}, {machine.group(1)}"


def _number(text: str) -> str:
    """A figure as RESULTS.md prints it, with thousands separators."""
    whole, dot, fraction = text.replace(",", "").partition(".")
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        raise ResultsError(f"{text!r} is not a number")
    return f"{int(whole):,}{dot}{fraction}"


def _columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def _source(script: str, when: str, detail: str = "") -> str:
    anchor = script.replace(".", "")
    return (
        f"From [benchmarks/RESULTS.md](../benchmarks/RESULTS.md#{anchor}) ({when}"
        f"{'; ' + detail if detail else ''}).\n"
    )


def triggers(report: str, when: str) -> str:
    """The ``bench_triggers.py`` table: one row per side."""
    lines = report.splitlines()
    names = next((_columns(line) for line in lines if line.startswith("side ")), None)
    if names is None:
        raise ResultsError("bench_triggers.py: no 'side ...' header line")
    wanted = [
        "keys",
        "fired",
        "RSS +MB",
        "sockets",
        "start s",
        "req/int wait",
        "req/int arr",
        "p50 s",
        "p99 s",
    ]
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ResultsError(f"bench_triggers.py: no column {missing} in {names}")
    rows = [
        "| | triggers | fired | RSS growth | sockets | start | requests per interval: waiting / keys "
        "arriving | p50 / p99 latency |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for line in lines:
        side = re.match(r"^(\w+) \((\w+)\)\s{2,}", line)
        if side is None:
            continue
        cells = dict(zip(names, [line[: side.end()].strip(), *_columns(line[side.end() :])], strict=True))
        n = {name: _number(cells[name]) for name in wanted}
        rows.append(
            f"| `{side.group(1)}` ({side.group(2)}) | {n['keys']} | {n['fired']} | {n['RSS +MB']} MB | "
            f"{n['sockets']} | {n['start s']} s | {n['req/int wait']} / {n['req/int arr']} | "
            f"{n['p50 s']} s / {n['p99 s']} s |"
        )
    if len(rows) == 2:
        raise ResultsError("bench_triggers.py: no 'Name (side)' rows")
    settings = lines[0].strip() if lines and lines[0].startswith("server:") else ""
    return "\n".join(rows) + "\n\n" + _source("bench_triggers.py", when, settings)


# Each source of bench_event_prefix.py's listings gets a table of its own: a server's times are
# never in one column with a stand-in's.
_LISTING_FROM = {
    "seaweedfs": ("Against SeaweedFS, a real S3 server, with the objects stored in it", "time/poll"),
    "synthetic-http": (
        "Against a synthetic listing over loopback HTTP, written for the benchmark (not an S3 server: "
        "keys generated per request, no storage; the client's side is real)",
        "time/poll",
    ),
    "in-process": (
        "In process: the hook's paginator stubbed, no HTTP and no XML (the trigger's own work only)",
        "time/poll, no HTTP",
    ),
}
_HALF = ["LIST/poll", "PUT/poll", "ckpt", "bytes"]
_TIME_COLUMNS = ("ms/poll", "ms/poll(no-HTTP)")


def event_prefix(report: str, when: str) -> str:
    """The ``bench_event_prefix.py`` tables, one per listing source: whole prefix against ``ordered_keys``."""
    lines = report.splitlines()
    for line in lines:
        if "LIST/poll" in line:
            halves = [half.split() for half in line.split("|")[1:]]
            if len(halves) != 2 or any(h[:-1] != _HALF or h[-1] not in _TIME_COLUMNS for h in halves):
                raise ResultsError(f"bench_event_prefix.py: expected two column groups {_HALF} + ms/poll")
    groups: dict[str, list[str]] = {}
    for line in lines:
        row = re.match(r"^\s*([\d,]+)\s+([\w-]+)\s*\|(.*)\|(.*)$", line)
        if row is None:
            continue
        if row.group(2) not in _LISTING_FROM:
            raise ResultsError(f"bench_event_prefix.py: unknown source {row.group(2)!r}")
        cells = [_number(row.group(1))]
        for half in (row.group(3), row.group(4)):
            listed, put, size, ms = (_number(v) for v in half.split())
            cells += [f"{listed} / {put}", f"{size} B", f"{ms} ms"]
        groups.setdefault(row.group(2), []).append("| " + " | ".join(cells) + " |")
    if not groups:
        raise ResultsError("bench_event_prefix.py: no rows")
    tables = []
    for source, rows in groups.items():
        title, time_column = _LISTING_FROM[source]
        tables.append(
            f"{title}:\n\n"
            f"| old objects | whole prefix: LIST / PUT per poll | checkpoint | {time_column} "
            f"| `ordered_keys=True`: LIST / PUT per poll | checkpoint | {time_column} |\n"
            "|---:|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows)
        )
    title = re.search(r"\(([^)]*)\)", lines[0]) if lines else None
    return (
        "\n\n".join(tables) + "\n\n" + _source("bench_event_prefix.py", when, title.group(1) if title else "")
    )


RENDERERS: dict[str, Callable[[str, str], str]] = {
    "bench_triggers.py": triggers,
    "bench_event_prefix.py": event_prefix,
}


def render(page: str, results: str) -> str:
    """``page`` with every figures block rewritten from ``results``."""
    reports, when = sections(results), header(results)

    def block(match: re.Match[str]) -> str:
        script = match.group("script")
        if script not in RENDERERS:
            raise ResultsError(f"no renderer for <!-- figures: {script} -->; known: {sorted(RENDERERS)}")
        if script not in reports:
            raise ResultsError(f"RESULTS.md has no section for {script} (did it fail in make bench?)")
        return match.group(1) + RENDERERS[script](reports[script], when) + match.group(4)

    return BLOCK.sub(block, page)


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page differs")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = args.results.read_text()
    stale = []
    for path in pages():
        text = path.read_text()
        new = render(text, results)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new)
    verb = "differ from" if args.check else "rewritten from"
    print(f"{', '.join(map(str, stale)) or 'no page'} {verb} {args.results.name}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
