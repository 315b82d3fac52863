"""``make bench``: run every benchmark, side by side with its alternative, and write RESULTS.md.

Each benchmark script prints Markdown (its tables and a bar table); this runner adds the machine,
the date and the command, prints everything as it arrives, and writes ``benchmarks/RESULTS.md``.
A benchmark that fails, or a bar it did not meet, is listed under "Bars not met" at the top of the
file and makes the run exit non-zero.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only bench_import.py bench_triggers.py ...]

``--only`` runs the named sections alone and writes them to ``benchmarks/RESULTS-partial.md``
(unless ``--output`` says otherwise), so a rerun of a few sections never replaces the full run's
RESULTS.md with a part of it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \[")

# (script, arguments, arguments with --quick). The sizes keep the whole run near 25 minutes on 2
# cores (the run of 2026-12-07 took 43 min without the batched loads, which took about 20 more):
# - staging: 7 repetitions (about 4 min; each still reported, and a failed one fails its bar): ours
#   and the best raw pattern are the same pattern, so with 3 the ratio of medians moved 0.86-1.09x
#   between two quiet runs, and the parity bar (0.9x) fell to noise;
# - triggers: ours at 10,000 (the bar's size); amazon's S3KeyTrigger at 300, enough to show what
#   each of its triggers costs (a socket, ~2 MB, a request per key per interval), which grows with
#   the keys (1,000 of them took 5 min to start on a loaded machine);
# - batched loads: the per-object path is measured at 300 objects (past Doris's 100 waiting loads
#   with Airflow's 128-slot default pool, so its refusals are waited out) and extrapolated to
#   1,000 and 10,000 (one job per object, a lower bound); the batched path is measured at all
#   three sizes, 10,000 included, on the local FE directly (no scheduler), which is the bar's row.
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("bench_staging.py", ["--repeat", "7"], ["--quick"]),
    ("bench_triggers.py", ["--amazon-keys", "300"], ["--quick"]),
    ("bench_event_prefix.py", ["--polls", "2"], ["--quick"]),
    ("bench_job_polling.py", [], ["--lengths", "1,3", "--scale", "60"]),
    ("bench_import.py", ["--repeat", "7"], ["--repeat", "3"]),
    ("bench_oss_hook.py", ["--server", "seaweedfs", "--repeat", "3"], ["--repeat", "1"]),
    ("bench_batched_loads.py", ["--sizes", "300,1000,10000", "--per-object-max", "300"], ["--quick"]),
]


def machine() -> str:
    """CPU count, memory and versions, for the report header."""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    return f"{os.cpu_count()} cores{memory}, {platform.platform()}, Python {platform.python_version()}"


def unmet_bars(body: str) -> list[str]:
    """Our bars a report says were not met: Markdown rows ending ``| NO |``, ``BAR ... -> FAIL`` lines,
    and ``FAIL`` lines of the ``ours:`` block (bench_triggers.py lists the other side's too)."""
    unmet = []
    side = ""
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.endswith(":") and not stripped.startswith(("|", "BAR")):
            side = stripped[:-1]
        if stripped.endswith("| NO |"):
            unmet.append(stripped.strip("|").split("|")[0].strip())
        elif stripped.startswith("BAR") and stripped.endswith("FAIL"):
            unmet.append(stripped[3:].strip())
        elif stripped.startswith("FAIL ") and side == "ours":
            unmet.append(stripped[4:].strip())
    return unmet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions (a smoke run)")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SCRIPT",
        choices=[script for script, _, _ in BENCHMARKS],
        help="run only these sections (default output: benchmarks/RESULTS-partial.md)",
    )
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = HERE / ("RESULTS-partial.md" if args.only else "RESULTS.md")
    chosen = [b for b in BENCHMARKS if not args.only or b[0] in args.only]

    flags = " ".join(["--quick"] * args.quick + (["--only", *args.only] if args.only else []))
    command = "make bench" + (f" BENCH_ARGS='{flags}'" if flags else "")
    sections = [
        "# Benchmark results\n",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        "- every contender runs in the same process (or, for imports, the same way) against the same "
        "local server; timings are median and min-max of the repetitions stated in each section.\n",
    ]
    failed = []
    unmet: list[str] = []
    started = time.monotonic()
    for script, full, quick in chosen:
        cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"== {' '.join(cmd[1:])}", flush=True)
        began = time.monotonic()
        env = {**os.environ, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}  # the reports, not task logs
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        took = time.monotonic() - began
        print(out.stdout, flush=True)
        if out.returncode != 0:
            failed.append(script)
            print(out.stderr[-3000:], file=sys.stderr, flush=True)
            sections.append(
                f"### {script}: FAILED (exit {out.returncode})\n\n```\n{out.stderr[-3000:]}\n```\n"
            )
        else:
            # Airflow's own log lines (structlog, timestamp first) are not part of the report.
            body = "\n".join(line for line in out.stdout.splitlines() if not LOG_LINE.match(line)).strip()
            unmet += [f"{script}: {name}" for name in unmet_bars(body)]
            if not body.startswith("#"):  # a plain-text report: keep its columns
                body = f"### `{script}`\n\n```\n{body}\n```"
            sections.append(f"{body}\n\n_`{script} {' '.join(cmd[2:])}` took {took:.0f} s._\n")
    sections.append(f"Total: {time.monotonic() - started:.0f} s.")
    # Right under the header: which bars this run did not meet (a failed benchmark counts too).
    summary = [f"- {line}" for line in unmet + [f"{script}: the benchmark failed" for script in failed]]
    sections.insert(5, "## Bars not met\n\n" + ("\n".join(summary) if summary else "None.") + "\n")
    args.output.write_text("\n".join(sections) + "\n")
    print(f"wrote {args.output}")
    if args.output == HERE / "RESULTS.md":  # the docs quote its tables: regenerate them
        figures = subprocess.run([sys.executable, str(HERE / "docs_figures.py")])
        if figures.returncode != 0:  # the docs would quote the previous run: say so, and fail
            failed.append(f"docs_figures.py (exit {figures.returncode}; the docs keep the previous figures)")
    if failed or unmet:
        print(f"failed: {', '.join(failed) or '-'}; bars not met: {len(unmet)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
