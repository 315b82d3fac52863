"""Errors as a client sees them: Doris's code and words, never the emulator's internals.

Every statement's failure leaves the FE through ``shape`` (called by ``StatementRouter.run``):

- a ``DorisError`` passes unchanged, unless its text carries internals (a DuckDB error class, a
  Python exception name, a sqlglot token or class): then it is treated as unknown;
- a DuckDB failure Doris has words for is mapped (``duck_error``): unknown column, unknown
  function, no matching function signature;
- anything else is an emulator error: logged here with its traceback, and answered as Doris's
  ``ConnectProcessor`` answers an unexpected exception: 1105 ``Unexpected exception: ...``, naming
  the log record instead of the internal text.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.statement_log import mask_secrets

log = logging.getLogger("airflow_provider_doris_oss.testing.doris_fe")

# Text that only the emulator's machinery produces (DuckDB, Python, pyarrow, sqlglot).
_INTERNAL = re.compile(
    r"\b(?:Binder|Catalog|Conversion|Parser|Invalid Input|Out of Range|Not implemented|INTERNAL|"
    r"Constraint|TransactionContext|Dependency|Serialization|Invalid Configuration|Permission|"
    r"Sequence|Interrupt|Fatal|Invalid type|Type|Syntax|IO|HTTP|Mismatch Type) Error:"
    r"|\b[A-Z]\w*(?:Error|Exception|Warning): "
    r"|Traceback \(most recent call last\)|<class '|<Token |__doris_fe_|\"db:"
    r"|\b(?:duckdb|pyarrow|sqlglot)\.\w"
)
_UNKNOWN_COLUMN = re.compile(r'Referenced column "([^"]+)" (?:was )?not found')
_UNKNOWN_FUNCTION = re.compile(r"(?:Scalar |Aggregate |Table )?Function with name \"?(\w+)\"? does not exist")
_NO_SIGNATURE = re.compile(r"No function matches the given name and argument types '(.+?)\((.*)\)'")
# DuckDB operator names -> Doris function names; DuckDB type names -> Doris's.
_OPERATORS = {"|": "bitor", "&": "bitand", "^": "bitxor", "~": "bitnot", "<<": "bit_shift_left",
              ">>": "bit_shift_right", "+": "add", "-": "subtract", "*": "multiply", "/": "divide",
              "%": "mod", "||": "concat"}  # fmt: skip
_TYPES = {"INTEGER": "INT", "HUGEINT": "LARGEINT", "VARCHAR": "VARCHAR", "TIMESTAMP": "DATETIMEV2",
          "DATE": "DATEV2", "BOOLEAN": "BOOLEAN", "TINYINT": "TINYINT", "SMALLINT": "SMALLINT",
          "BIGINT": "BIGINT", "FLOAT": "FLOAT", "DOUBLE": "DOUBLE", '"NULL"': "NULL",
          "INTEGER_LITERAL": "TINYINT", "STRING_LITERAL": "VARCHAR"}  # fmt: skip


def doris_error(text: str, code: int = 1105, sqlstate: str = "HY000") -> DorisError:
    """``errCode = 2, detailMessage = <text>``: the form of Doris's analysis and execution errors."""
    return DorisError(f"errCode = 2, detailMessage = {text}", code, sqlstate)


def leaks_internals(message: str) -> bool:
    """Whether ``message`` carries text of the emulator's machinery rather than Doris's words."""
    return _INTERNAL.search(message) is not None


def _doris_type(duck: str) -> str:
    duck = duck.strip()
    if duck.upper().startswith("DECIMAL"):
        return "DECIMALV3" + duck[len("DECIMAL") :]
    return _TYPES.get(duck.upper(), duck.upper())


def duck_error(exc: BaseException) -> DorisError | None:
    """A DuckDB failure in Doris's words where Doris has words for it; None when it has not."""
    if isinstance(exc, DorisError):
        return exc
    text = str(exc).replace('"db:', '"').splitlines()[0] if str(exc) else ""
    column = _UNKNOWN_COLUMN.search(text)
    if column:
        return doris_error(f"Unknown column '{column.group(1)}' in 'table list'")
    function = _UNKNOWN_FUNCTION.search(text)
    if function:
        return doris_error(f"Can not found function '{function.group(1)}'")
    signature = _NO_SIGNATURE.search(text)
    if signature:
        name = _OPERATORS.get(signature.group(1), signature.group(1))
        args = ", ".join(_doris_type(a) for a in signature.group(2).split(",") if a.strip())
        return doris_error(f"Can not find the compatibility function signature: {name}({args})")
    return None


def unexpected(exc: BaseException, sql: str) -> DorisError:
    """An emulator failure: logged with its traceback (credentials masked), answered without internals."""
    reference = secrets.token_hex(4)
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    statement = mask_secrets(sql[:2000])
    log.error("local Doris FE error %s on statement %s\n%s", reference, statement, mask_secrets(trace))
    return DorisError(
        f"Unexpected exception: the local Doris FE could not run this statement "
        f"(an emulator error, logged by the FE as {reference})",
        1105,
        "HY000",
    )


def shape(exc: BaseException, sql: str) -> DorisError:
    """The error packet a client gets for ``exc``, raised while running ``sql``."""
    if isinstance(exc, DorisError):
        if not leaks_internals(exc.message):
            return exc
        return unexpected(exc, sql)
    mapped = duck_error(exc)
    if mapped is not None and not leaks_internals(mapped.message):
        return mapped
    return unexpected(exc, sql)
