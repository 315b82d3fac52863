"""Doris string literals, identifiers, table names and property lists.

Every value placed in a statement goes through ``quote_string`` or ``quote_identifier``, so no
path, column, label or property value can end its literal early.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from airflow_provider_doris_oss.sql.errors import DorisSqlError

# Doris's lexer reads these backslash escapes (MySQL style); the quote and the backslash must be
# escaped, the control characters are escaped so a literal always stays on one line.
_STRING_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\0": "\\0",
    "\b": "\\b",
    "\x1a": "\\Z",
}
_ESCAPE_TABLE = str.maketrans(_STRING_ESCAPES)


def quote_string(value: str) -> str:
    """A double-quoted Doris string literal holding exactly ``value``."""
    if not isinstance(value, str):
        raise DorisSqlError(f"quote_string takes a str, not {type(value).__name__}; convert the value first.")
    return '"' + value.translate(_ESCAPE_TABLE) + '"'


def quote_identifier(name: str) -> str:
    """A backticked Doris identifier (inner backticks doubled); empty names and NUL are refused."""
    if not isinstance(name, str):
        raise DorisSqlError(f"An identifier must be a str, not {type(name).__name__}.")
    if not name:
        raise DorisSqlError("An identifier (database, table, column, partition or label name) is empty.")
    if "\0" in name:
        raise DorisSqlError(f"Identifier {name!r} contains a NUL character, which Doris cannot name.")
    return "`" + name.replace("`", "``") + "`"


def split_table_name(db_table: str | Sequence[str], *, field: str = "table") -> tuple[str | None, str]:
    """Split ``db.table``, ``table``, `` `db`.`table` `` or a ``(db, table)`` tuple into its parts."""
    if isinstance(db_table, str):
        parts = _split_dotted(db_table, field)
    else:
        parts = list(db_table)
        if not all(isinstance(p, str) for p in parts):
            raise DorisSqlError(f"{field}: every part of {db_table!r} must be a str.")
    if len(parts) == 1:
        return None, _check_part(parts[0], db_table, field)
    if len(parts) == 2:
        return _check_part(parts[0], db_table, field), _check_part(parts[1], db_table, field)
    raise DorisSqlError(
        f"{field}: {db_table!r} is ambiguous; give 'db.table', 'table', or a (db, table) tuple "
        "when a name itself contains a dot."
    )


def quote_table(db_table: str | Sequence[str], *, field: str = "table") -> str:
    """`` `db`.`table` `` or `` `table` `` for ``db.table`` / ``table`` / a ``(db, table)`` tuple."""
    db, table = split_table_name(db_table, field=field)
    return quote_identifier(table) if db is None else f"{quote_identifier(db)}.{quote_identifier(table)}"


def quote_identifier_list(names: Iterable[str], *, field: str) -> str:
    """``(`a`, `b`)`` for a non-empty list of names."""
    if isinstance(names, str):
        raise DorisSqlError(f"{field}: give a list of names, not the single string {names!r}.")
    items = list(names)
    if not items:
        raise DorisSqlError(f"{field}: the list is empty; leave it out or name at least one.")
    return "(" + ", ".join(quote_identifier(n) for n in items) + ")"


def render_value(value: object, *, field: str) -> str:
    """A property value as Doris text: booleans as true/false, numbers as digits, strings as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise DorisSqlError(f"{field}: value of type {type(value).__name__} is not a string, number or boolean.")


def render_properties(properties: Mapping[str, object], *, field: str = "properties") -> str:
    """``"k" = "v", ...`` (one per line, indented) from a mapping; keys and values are escaped."""
    lines = []
    for key, value in properties.items():
        if not isinstance(key, str) or not key:
            raise DorisSqlError(f"{field}: property name {key!r} must be a non-empty string.")
        text = render_value(value, field=f"{field}[{key!r}]")
        lines.append(f"  {quote_string(key)} = {quote_string(text)}")
    return ",\n".join(lines)


def _check_part(part: str, whole: object, field: str) -> str:
    if not part:
        raise DorisSqlError(f"{field}: {whole!r} has an empty name part. Write it as 'db.table' or 'table'.")
    return part


def _split_dotted(text: str, field: str) -> list[str]:
    """Split on dots outside backticks, as Doris reads a multipart name.

    A backticked part may hold dots and doubled backticks; spaces around parts and dots are
    ignored; an unquoted part is taken as written (the builders backtick it).
    """
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == "`":
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise DorisSqlError(f"{field}: {text!r} has an unclosed backtick.")
                if text[j] == "`":
                    if j + 1 < n and text[j + 1] == "`":
                        buf.append("`")
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            parts.append("".join(buf))
            i = j + 1
            while i < n and text[i] in " \t":
                i += 1
        else:
            j = text.find(".", i)
            end = n if j < 0 else j
            chunk = text[i:end].strip(" \t")
            if "`" in chunk:
                raise DorisSqlError(
                    f"{field}: {text!r} mixes backticks into a name; backtick whole parts, as in `db`.`t``x`."
                )
            parts.append(chunk)
            i = end
        if i >= n:
            return parts
        if text[i] != ".":
            raise DorisSqlError(f"{field}: {text!r}: expected a dot after a backticked part.")
        i += 1
