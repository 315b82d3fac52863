"""Shared value checks for the builders: object URIs, enums, numbers, booleans, storage maps."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from airflow_provider_doris_oss.sql.errors import DorisSqlError
from airflow_provider_doris_oss.uris import parse_uri, role_of


def to_s3_uri(uri: str, *, field: str) -> str:
    """``oss://b/k`` or ``s3://b/k`` as ``s3://b/k``.

    Doris reads an OSS bucket through its S3-compatible client; ``s3://`` is the scheme every
    release (2.1 on) accepts in Broker Load, EXPORT, OUTFILE and the S3 table function, while
    ``oss://`` only works in newer releases.
    """
    if not isinstance(uri, str):
        raise DorisSqlError(f"{field}: {uri!r} is not a string; write it as oss://bucket/path.")
    try:
        return parse_uri(uri, field=field, role=role_of(field)).as_s3()
    except ValueError as error:
        raise DorisSqlError(str(error)) from None


def choose(value: str, allowed: Collection[str], *, field: str, upper: bool = False) -> str:
    """``value`` matched case-insensitively against ``allowed``; returned lower- (or upper-) cased."""
    if not isinstance(value, str):
        raise DorisSqlError(f"{field}: {value!r} is not one of {', '.join(allowed)}.")
    folded = value.strip().upper() if upper else value.strip().lower()
    if folded not in allowed:
        raise DorisSqlError(f"{field}: {value!r} is not one of {', '.join(allowed)}.")
    return folded


def as_bool(value: object, *, field: str) -> bool:
    """A boolean from ``True``/``False`` or the strings true/false (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise DorisSqlError(f"{field}: {value!r} is not a boolean; give true or false.")


def as_int(value: object, *, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (or a string of digits) within ``[minimum, maximum]``."""
    if isinstance(value, bool):
        raise DorisSqlError(f"{field}: {value!r} is not an integer.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().removeprefix("-").isdecimal():
        number = int(value.strip())
    else:
        raise DorisSqlError(f"{field}: {value!r} is not an integer.")
    _check_range(number, minimum, maximum, field)
    return number


def as_float(value: object, *, field: str, minimum: float, maximum: float) -> float:
    """A number (or numeric string) within ``[minimum, maximum]``."""
    if isinstance(value, bool):
        raise DorisSqlError(f"{field}: {value!r} is not a number.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DorisSqlError(f"{field}: {value!r} is not a number.") from None
    if number != number:
        raise DorisSqlError(f"{field}: NaN is not a number between {minimum} and {maximum}.")
    _check_range(number, minimum, maximum, field)
    return number


def non_empty_str(value: object, *, field: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise DorisSqlError(f"{field}: give a non-empty string, not {value!r}.")
    return value


def check_storage(storage: Mapping[str, str]) -> dict[str, str]:
    """The OSS storage property map from the hook, checked for shape (non-empty, string keys)."""
    if not isinstance(storage, Mapping) or not storage:
        raise DorisSqlError(
            "storage: the OSS property map is empty. Pass the hook's Doris property map "
            "(s3.endpoint, s3.region, s3.access_key, s3.secret_key, ...)."
        )
    checked: dict[str, str] = {}
    for key, value in storage.items():
        if not isinstance(key, str) or not key:
            raise DorisSqlError(f"storage: property name {key!r} must be a non-empty string.")
        if isinstance(value, bool):
            checked[key] = "true" if value else "false"
        elif isinstance(value, int | str):
            checked[key] = str(value)
        else:
            raise DorisSqlError(f"storage: property {key!r} must be a string, number or boolean.")
    return checked


def refuse_collisions(options: Mapping[str, object], storage: Mapping[str, str], *, field: str) -> None:
    """Refuse an option whose name (case-insensitively) is also a storage property."""
    storage_keys = {k.lower() for k in storage}
    for key in options:
        if key.lower() in storage_keys:
            raise DorisSqlError(
                f"{field}: {key!r} is a storage property that comes from the OSS connection; remove it here "
                "and set it on the connection."
            )


def _check_range(number: float, minimum: float | None, maximum: float | None, field: str) -> None:
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        raise DorisSqlError(f"{field}: {number} is out of range; it must be between {low} and {high}.")
