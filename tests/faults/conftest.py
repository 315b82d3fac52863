"""Fixtures for the fault tests: a fault-injecting proxy in front of the session's LocalOss.

``faulty_oss`` points ``doris_oss_default`` (and ``doris_oss_faulty``) through the proxy with a
short read timeout, so a stall ends in a timeout quickly. botocore's retry *budget* is left as the
provider configures it (5 attempts); only the jittered sleeps between attempts are scaled down so
a persistent fault costs milliseconds, not the seconds of real backoff.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_provider_doris_oss.testing.local_oss import LocalOss

# The connection's s3.connection.request.timeout in these tests: each stall costs this long, and
# an answer slower than this (a loaded machine) would spend a retry the test counts on.
READ_TIMEOUT_MS = 2500
BACKOFF_SCALE = 0.02  # botocore sleeps up to 1+2+4+8 s between 5 attempts; scaled to 0.3 s at most


def _load_proxy_module() -> Any:
    name = "doris_oss_fault_proxy"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("proxy.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


proxy_module = _load_proxy_module()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten botocore's (and aiobotocore's) retry sleeps; the number of attempts is unchanged."""
    from botocore.retries.standard import ExponentialBackoff

    original = ExponentialBackoff.delay_amount

    def scaled(self: Any, context: Any) -> float:
        return float(original(self, context)) * BACKOFF_SCALE

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", scaled)


_TALLY: Counter[str] = Counter()  # faults injected by kind, requests seen and scenarios, this session


@pytest.fixture(autouse=True)
def transfers_use_the_connection_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads normally wait at least 60 s for a write or an answer; here they use the test timeouts, so a
    persistent stall ends within the tests' bound (test_slow_part_answers_... sets it back)."""
    from airflow_provider_doris_oss.hooks import client

    monkeypatch.setattr(client, "TRANSFER_TIMEOUT_SECONDS", 0.0)


@pytest.fixture
def fault_proxy(local_oss: LocalOss) -> Iterator[Any]:
    """A started ``FaultProxy`` forwarding to ``local_oss``; stalls last twice the read timeout."""
    with proxy_module.FaultProxy(local_oss.proxy_url, stall_seconds=2 * READ_TIMEOUT_MS / 1000) as proxy:
        yield proxy
        _TALLY.update(proxy.injected)
        _TALLY.update({"requests seen": len(proxy.seen), "scenarios": 1})


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line with the session's fault figures (when fault tests ran)."""
    if _TALLY:
        kinds = ", ".join(
            f"{kind} {n}" for kind, n in sorted(_TALLY.items()) if kind in proxy_module.FAULT_KINDS
        )
        terminalreporter.write_line(
            f"fault proxy: {_TALLY['scenarios']} scenarios, {_TALLY['requests seen']} requests seen, "
            f"faults injected: {kinds}"
        )


@dataclass
class FaultyOss:
    """The bucket, the proxy and the keys of a connection that reaches LocalOss through the proxy."""

    bucket: str
    proxy: Any
    oss: LocalOss
    monkeypatch: pytest.MonkeyPatch
    conn_id: str = "doris_oss_default"

    @property
    def secrets(self) -> tuple[str, str]:
        """The key pair, which no error message may contain."""
        return (self.oss.access_key, self.oss.secret_key)

    def set_read_timeout(self, ms: int) -> None:
        """Give hooks created from now on another read timeout (a persistent stall then ends sooner)."""
        conn = self.oss.connection(self.conn_id, bucket=self.bucket)
        conn.extra = json.dumps(_extra(conn.extra, self.proxy.url, ms))
        self.monkeypatch.setenv(f"AIRFLOW_CONN_{self.conn_id.upper()}", conn.as_json())


def _extra(base: str | None, proxy_url: str, read_timeout_ms: int) -> dict[str, Any]:
    return json.loads(base or "{}") | {
        "proxy": proxy_url,
        "s3.connection.request.timeout": read_timeout_ms,
        "s3.connection.timeout": 1000,
    }


@pytest.fixture
def faulty_oss(
    local_oss: LocalOss, oss_bucket: str, fault_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> FaultyOss:
    """``doris_oss_default`` through the fault proxy, read timeout ``READ_TIMEOUT_MS``, bucket ``oss_bucket``."""
    faulty = FaultyOss(oss_bucket, fault_proxy, local_oss, monkeypatch)
    faulty.set_read_timeout(READ_TIMEOUT_MS)
    return faulty
