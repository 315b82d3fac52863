"""The statement log: one JSON line per statement received, secret values masked.

Lines are appended with one ``write`` on a file opened in append mode, so several servers (test
workers) can share one file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from pathlib import Path

_STRING = r"""(?:'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")"""
_PROPERTY = re.compile(rf"(?P<key>{_STRING})(?P<eq>\s*=\s*)(?P<value>{_STRING})", re.DOTALL)
_IDENTIFIED = re.compile(rf"(?P<key>\bIDENTIFIED\s+BY(?:\s+PASSWORD)?\s+)(?P<value>{_STRING})", re.IGNORECASE)
_PASSWORD_FN = re.compile(rf"(?P<key>\bPASSWORD\s*\(\s*)(?P<value>{_STRING})", re.IGNORECASE)
# Credentials: the key pair (the access key id too: it names the account) and session tokens.
_SECRET_KEYS = frozenset(
    {
        "s3.access_key",
        "oss.access_key",
        "aws_access_key",
        "access_key",
        "fs.oss.accesskeyid",
        "s3.secret_key",
        "oss.secret_key",
        "aws_secret_key",
        "secret_key",
        "fs.oss.accesskeysecret",
        "s3.session_token",
        "aws_token",
        "oss.session_token",
        "s3.sessiontoken",
    }
)


def is_secret_key(key: str) -> bool:
    """Whether a property key names a secret (its value must never be logged)."""
    lowered = key.lower()
    words = ("secret", "password", "token", "access_key", "accesskey")
    return lowered in _SECRET_KEYS or any(word in lowered for word in words)


def _masked_string(quoted: str) -> str:
    return f"{quoted[0]}***{quoted[0]}"


def mask_secrets(sql: str) -> str:
    """``sql`` with the value of every secret property (``"k" = "v"`` / ``'k'='v'``) replaced by ``***``."""

    def prop(match: re.Match[str]) -> str:
        key = match.group("key")[1:-1]
        if not is_secret_key(key):
            return match.group(0)
        return match.group("key") + match.group("eq") + _masked_string(match.group("value"))

    def literal(match: re.Match[str]) -> str:
        return match.group("key") + _masked_string(match.group("value"))

    masked = _PROPERTY.sub(prop, sql)
    masked = _IDENTIFIED.sub(literal, masked)
    return _PASSWORD_FN.sub(literal, masked)


class StatementLog:
    """Appends ``{"time", "connection_id", "sql", "outcome"}`` lines to each of ``paths``."""

    def __init__(self, *paths: str | Path) -> None:
        self.paths = list(dict.fromkeys(Path(p).resolve() for p in paths))
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The first file written to."""
        return self.paths[0]

    def write(self, connection_id: int, sql: str, outcome: str) -> None:
        record = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "connection_id": connection_id,
            "sql": mask_secrets(sql),
            "outcome": mask_secrets(outcome),
        }
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            for path in self.paths:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
