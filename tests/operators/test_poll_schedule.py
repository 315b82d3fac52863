"""The job wait's poll schedule (shared by the worker and the trigger), and which way the layers point."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from airflow_provider_doris_oss.sql.jobs import poll_delays


def take(n: int, poll_interval: float = 10.0) -> list[float]:
    return [round(d, 4) for d in itertools.islice(poll_delays(poll_interval), n)]


def test_the_schedule_starts_at_one_second_stays_fast_then_backs_off_to_the_poll_interval() -> None:
    assert take(9) == [1.0, 1.5, 2.0, 2.0, 5.0625, 7.5938, 10.0, 10.0, 10.0]


def test_a_short_poll_interval_caps_every_delay() -> None:
    assert take(5, poll_interval=0.5) == [0.5, 0.5, 0.5, 0.5, 0.5]
    assert take(4, poll_interval=1.2) == [1.0, 1.2, 1.2, 1.2]


def test_polls_stay_at_most_two_seconds_apart_for_the_first_five_seconds() -> None:
    times = list(itertools.accumulate(take(8)))
    gaps = [b - a for a, b in itertools.pairwise([0.0, *times]) if a < 5.0]
    assert gaps and max(gaps) <= 2.0


def test_the_schedule_refuses_a_bad_interval() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        next(poll_delays(0))


def test_the_trigger_module_does_not_import_the_operator_modules() -> None:
    code = (
        "import json, sys; import airflow_provider_doris_oss.triggers.doris; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('airflow_provider_doris_oss.operators'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
