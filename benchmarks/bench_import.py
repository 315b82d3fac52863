"""Benchmark: what importing each module a DAG file imports costs it, above ``airflow.sdk``.

The modules: the operators, the sensors, the triggers an event-driven DAG file builds its
``AssetWatcher`` from, and the batch helpers the flagship example imports.

Each module is imported in a fresh interpreter that has already imported ``airflow.sdk`` (as every
DAG file has); the time of the module's own import is measured there, best of ``--repeat``. The
repetitions go round the modules (every module once, then every module again, ...), so a burst of
load from other processes lands on one repetition of several modules rather than on every
repetition of one. Beside the wall-clock time (the bar) each row gives the interpreter's CPU time
for the import, best of the same repetitions: what a loaded machine cannot inflate, to tell a
slower import from a busier machine. The common-sql provider's ``operators.sql`` and the amazon
provider's ``sensors.s3`` are measured the same way, side by side. ``--profile MODULE`` prints the
``-X importtime`` lines above 1 ms.

    .venv/bin/python benchmarks/bench_import.py [--repeat 7] [--profile MODULE]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stats import BAR_HEADER, bar, markdown_table

OURS = [
    "airflow_provider_doris_oss.operators.broker_load",
    "airflow_provider_doris_oss.operators.export",
    "airflow_provider_doris_oss.operators.outfile",
    "airflow_provider_doris_oss.operators.insert",
    "airflow_provider_doris_oss.operators.catalog",
    "airflow_provider_doris_oss.sensors.key",
    "airflow_provider_doris_oss.sensors.keys_unchanged",
    # Event-driven DAG files import the triggers (AssetWatcher), and the flagship the batch helpers.
    "airflow_provider_doris_oss.triggers.object_event",
    "airflow_provider_doris_oss.triggers.key",
    "airflow_provider_doris_oss.batches",
    "airflow_provider_doris_oss.batch_ledger",
]
THEIRS = [
    "airflow.providers.common.sql.operators.sql",
    "airflow.providers.amazon.aws.sensors.s3",
]
BAR_MS = 15.0

PROBE = """
import time, airflow.sdk
started, cpu = time.perf_counter(), time.process_time()
import {module}
print((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)
"""


# A deployed provider's modules are byte-compiled (pip writes .pyc files); a DAG processor never
# compiles them at parse time. The probes therefore write and reuse bytecode, kept in a temporary
# folder rather than the source tree, even where PYTHONDONTWRITEBYTECODE is set; main() imports
# every module once before timing so that compilation is never what is measured.
PYCACHE = tempfile.mkdtemp(prefix="bench-import-pyc-")
PROBE_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": PYCACHE,
}


def import_ms(module: str) -> tuple[float, float]:
    """Milliseconds (wall clock, CPU) to import ``module`` after ``airflow.sdk``, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        env=PROBE_ENV,
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def profile(module: str) -> None:
    """The ``-X importtime`` lines of ``module``'s import above 1 ms (cumulative), after airflow.sdk."""
    code = f"import airflow.sdk\nimport sys\nprint('---', file=sys.stderr)\nimport {module}"
    subprocess.run([sys.executable, "-c", f"import airflow.sdk, {module}"], env=PROBE_ENV, check=True)
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=PROBE_ENV
    )
    lines = out.stderr.split("---\n", 1)[-1].splitlines()
    for line in lines:
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and int(parts[1]) >= 1000:
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", metavar="MODULE")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    modules = OURS + THEIRS
    for module in modules:
        import_ms(module)  # writes the bytecode
    runs: dict[str, list[tuple[float, float]]] = {m: [] for m in modules}
    for _ in range(max(1, args.repeat)):
        for module in modules:
            runs[module].append(import_ms(module))
    best = {m: min(wall for wall, _ in runs[m]) for m in modules}
    best_cpu = {m: min(cpu for _, cpu in runs[m]) for m in modules}
    rows = [
        [f"`{m}`", f"{best[m]:.1f}", f"{best_cpu[m]:.1f}", "ours" if m in OURS else "baseline"]
        for m in modules
    ]
    print(f"### DAG-parse import cost above `import airflow.sdk` (best of {args.repeat})\n")
    print(markdown_table(["module", "ms", "CPU ms", ""], rows))
    print()
    print(BAR_HEADER)
    worst = max(OURS, key=lambda m: best[m])
    name = worst.rsplit(".", 1)[1]
    print(bar(f"slowest of ours ({name}), ms", best[worst], BAR_MS, higher_is_better=False))
    ratio = best[worst] / best[THEIRS[0]]
    print(bar("slowest of ours / common-sql operators.sql", ratio, 1.0, higher_is_better=False))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
