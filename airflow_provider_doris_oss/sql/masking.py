"""Hide secrets in SQL text before it is logged or put into an exception."""

from __future__ import annotations

import re
from collections.abc import Iterable

from airflow_provider_doris_oss.sql.quoting import quote_string

MASK = "***"
_SECRET_KEY_NAME = r"[^'\"]*(?:secret|password|passwd|token|access_?key|accesskeyid|credential)[^'\"]*"
_SECRET_PROPERTY = re.compile(
    r"""(?P<key>(?P<kq>["'])""" + _SECRET_KEY_NAME + r"""(?P=kq)\s*=\s*)"""
    r"""(?P<vq>["'])(?:\\.|(?!(?P=vq)).)*(?P=vq)""",
    re.IGNORECASE | re.DOTALL,
)


def mask_secrets(sql: str, secrets: Iterable[str | None] = ()) -> str:
    """``sql`` with each known secret (raw or escaped) and every secret-named property value masked."""
    values = {s for s in secrets if s}
    forms = {form for s in values for form in (s, quote_string(s)[1:-1])}
    for form in sorted(forms, key=len, reverse=True):
        sql = sql.replace(form, MASK)
    return _SECRET_PROPERTY.sub(lambda m: f"{m.group('key')}{m.group('vq')}{MASK}{m.group('vq')}", sql)
