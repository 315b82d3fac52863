"""Shared helpers for the benchmark scripts: repeated timings, their summary, and bar lines."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Seconds of each repetition of one measured operation."""

    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median of the successful repetitions (NaN when none succeeded)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def cell(self) -> str:
        """``median (min-max)`` in seconds, and how many repetitions failed (with the first error)."""
        text = f"{self.median:.3f} ({min(self.seconds):.3f}-{max(self.seconds):.3f})" if self.seconds else "-"
        if self.failures:
            text += f"; {len(self.failures)} FAILED ({self.failures[0]})"
        return text


def repeat(run: Callable[[int], None], times: int, prepare: Callable[[int], None] | None = None) -> Timing:
    """Time ``run(n)`` for n in 0..times-1; ``prepare(n)`` runs before each, untimed."""
    timing = Timing()
    for n in range(times):
        if prepare is not None:
            prepare(n)
        started = time.perf_counter()
        run(n)
        timing.seconds.append(time.perf_counter() - started)
    return timing


def bar(
    name: str, measured: float, target: float, *, higher_is_better: bool, unit: str = "", void: str = ""
) -> str:
    """A Markdown table row ``| bar | target | measured | met |``.

    ``void``: why there is no valid measurement (e.g. "2 of 5 repetitions FAILED"); the bar is then
    not met, whatever ``measured`` is: a bar is computed from all repetitions, and one failure fails it.
    """
    sign = ">=" if higher_is_better else "<="
    if void:
        return f"| {name} | {sign} {target:g}{unit} | {void} | NO |"
    met = measured >= target if higher_is_better else measured <= target
    return f"| {name} | {sign} {target:g}{unit} | {measured:.3g}{unit} | {'yes' if met else 'NO'} |"


def failed_repetitions(*timings: Timing) -> str:
    """``k of n repetitions FAILED (first error)`` over ``timings``; "" when every one succeeded."""
    failures = [f for t in timings for f in t.failures]
    if not failures:
        return ""
    total = sum(len(t.seconds) + len(t.failures) for t in timings)
    first = failures[0][:120].replace("|", "/")  # a Markdown table cell
    return f"{len(failures)} of {total} repetitions FAILED ({first})"


BAR_HEADER = "| bar | target | measured | met |\n|---|---|---|---|"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
