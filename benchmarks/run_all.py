"""``make bench``: run every benchmark, side by side with its alternative, and write RESULTS.md.

Each benchmark script prints Markdown (its tables and a bar table); this runner adds the machine,
the date and the command, prints everything as it arrives, and writes ``benchmarks/RESULTS.md``.
A benchmark that fails, or a bar it did not meet, is listed under "Bars not met" at the top of the
file and makes the run exit non-zero.

    .venv/bin/python benchmarks/run_all.py [--quick]
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

# (script, arguments, arguments with --quick)
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("bench_staging.py", ["--repeat", "5"], ["--quick"]),
    ("bench_triggers.py", [], ["--quick"]),
    ("bench_event_prefix.py", ["--polls", "2"], ["--quick"]),
    ("bench_job_polling.py", [], ["--lengths", "1,3", "--scale", "60"]),
    ("bench_import.py", ["--repeat", "7"], ["--repeat", "3"]),
    ("bench_oss_hook.py", ["--server", "seaweedfs", "--repeat", "3"], ["--repeat", "1"]),
    ("bench_batched_loads.py", [], ["--quick"]),
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
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    command = "make bench" + (" BENCH_ARGS=--quick" if args.quick else "")
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
    for script, full, quick in BENCHMARKS:
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
        subprocess.run([sys.executable, str(HERE / "docs_figures.py")], check=False)
    if failed or unmet:
        print(f"failed: {', '.join(failed) or '-'}; bars not met: {len(unmet)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
