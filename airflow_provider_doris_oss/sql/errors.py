"""The one exception the statement builders raise."""

from __future__ import annotations


class DorisSqlError(ValueError):
    """A value that cannot go into a Doris statement; the text names the field and the fix."""
