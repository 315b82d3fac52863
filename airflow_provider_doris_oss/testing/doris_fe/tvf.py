"""The S3 table-valued function: its parameters, and the files it names as an Arrow table.

The ``uri`` is read by Doris's URI rules (``s3_uri``): without ``s3.endpoint`` the endpoint (and
the bucket) come from a virtual-hosted ``http(s)://bucket.endpoint/key`` URI, or a path-style one
with ``use_path_style``. CSV columns are ``c1..cN`` strings (or the header's names, or
``csv_schema``'s typed columns), JSON objects give their keys, Parquet/ORC keep their schema;
``path_partition_keys`` adds columns taken from ``key=value`` path segments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.testing.doris_fe import fileio
from airflow_provider_doris_oss.testing.doris_fe.convert import convert_value
from airflow_provider_doris_oss.testing.doris_fe.loader import convert_separator
from airflow_provider_doris_oss.testing.doris_fe.model import Column, DorisError
from airflow_provider_doris_oss.testing.doris_fe.s3_uri import S3Uri, S3UriError, parse_s3_uri
from airflow_provider_doris_oss.testing.doris_fe.sources import (
    ListingError,
    list_matching,
    path_values,
    read_object,
)
from airflow_provider_doris_oss.testing.doris_fe.storage import (
    ENDPOINT_NAMES,
    StorageProps,
    client_for,
    parse_storage,
)

if TYPE_CHECKING:
    import pyarrow as pa

TVF_FORMATS = ("csv", "csv_with_names", "csv_with_names_and_types", "json", "parquet", "orc", "avro")


def _err(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    lowered = name.strip().lower()
    base = lowered.split("(", 1)[0]
    simple = {
        "tinyint": pa.int8(), "smallint": pa.int16(), "int": pa.int32(), "bigint": pa.int64(),
        "float": pa.float32(), "double": pa.float64(), "boolean": pa.bool_(), "bool": pa.bool_(),
        "date": pa.date32(), "datetime": pa.timestamp("us"), "string": pa.string(), "varchar": pa.string(),
    }  # fmt: skip
    if base in simple:
        return simple[base]
    if base == "decimal":
        inner = lowered[len("decimal") :].strip("() ")
        precision, _, scale = inner.partition(",")
        return pa.decimal128(int(precision or 9), int(scale or 0))
    raise _err(f"csv_schema type {name} is not supported; use int, bigint, double, decimal(p,s), string ...")


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "false").strip().lower() == "true"


def tvf_location(params: Mapping[str, str]) -> tuple[S3Uri, StorageProps]:
    """The location and storage an ``S3(...)`` call names (parameter names lower-cased).

    As Doris: the ``uri`` is parsed with ``use_path_style`` and ``force_parsing_by_standard_uri``;
    an endpoint property wins, else the endpoint the URI names (virtual-hosted or path-style).
    The endpoint is reached as any statement's endpoint is (through the FE's proxy).
    """
    uri = params.get("uri")
    if not uri:
        raise _err("Properties 'uri' is required.")
    try:
        path_style = _flag(params, "use_path_style")
        location = parse_s3_uri(uri, path_style, _flag(params, "force_parsing_by_standard_uri"))
    except S3UriError as exc:
        raise _err(f"parse s3 uri failed, uri = {uri}") from exc
    storage_params = dict(params)
    if location.endpoint and not any(storage_params.get(n) for n in ENDPOINT_NAMES):
        storage_params["s3.endpoint"] = location.endpoint
    return location, parse_storage(storage_params)


def read_tvf(params: Mapping[str, str], proxy: str | None) -> pa.Table:
    """The rows the S3 table function yields for ``params``."""
    import pyarrow as pa

    lowered = {k.lower(): v for k, v in params.items()}
    fmt = lowered.get("format")
    if not fmt:
        raise _err("Property 'format' is required.")
    fmt = fmt.lower()
    if fmt not in TVF_FORMATS:
        raise _err(f"format:{fmt} is not supported.")
    location, storage = tvf_location(lowered)
    uri = lowered["uri"]
    client = client_for(storage, proxy)
    try:
        objects = list_matching(client, location.location, braces=True)
    except ListingError as exc:
        raise _err(f"Failed to list files for uri {uri}: {exc}") from exc
    if not objects:
        raise _err(f"No matching files found for uri: {uri}")
    partition_keys = [k.strip() for k in lowered.get("path_partition_keys", "").split(",") if k.strip()]
    tables: list[pa.Table] = []
    for obj in objects:
        try:
            raw = read_object(client, obj)
        except ListingError as exc:
            raise _err(f"Failed to read {obj.uri}: {exc}") from exc
        compress = fileio.check_compress(lowered["compress_type"]) if lowered.get("compress_type") else None
        data = fileio.decompress(raw, compress or fileio.guess_compress(obj.key))
        table = _read_one(data, fmt, lowered)
        if table.num_columns == 0:  # the BE's CSV reader takes the column count from the first line
            raise _err("(127.0.0.1)[INTERNAL_ERROR]The first line is empty, can not parse column numbers")
        for key, value in path_values(obj.key, partition_keys).items():
            table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
        tables.append(table)
    if len(tables) == 1:
        return tables[0]
    schema = tables[0].schema
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])


def _read_one(data: bytes, fmt: str, params: Mapping[str, str]) -> pa.Table:
    import pyarrow as pa

    if fmt == "parquet" and (len(data) < 12 or data[-4:] != b"PAR1"):  # the BE checks the footer first
        raise _err("(127.0.0.1)[CORRUPTION]Invalid magic number in parquet file")
    if fmt in ("parquet", "orc"):
        return fileio.read_columnar(data, fmt)
    if fmt == "json":
        by_line = params.get("read_json_by_line", "true").lower() == "true"
        strip = params.get("strip_outer_array", "false").lower() == "true"
        docs, _, bad = fileio.read_json(
            data, strip, params.get("json_root"), params.get("jsonpaths"), by_line
        )
        if bad:
            raise _err(f"Parse json data failed. code: 1, error info: {bad[0][:100]}")
        names = list(dict.fromkeys(k for doc in docs for k in doc))
        return pa.table({n: pa.array([d.get(n) for d in docs], pa.string()) for n in names})
    if fmt == "avro":
        raise _err("The local Doris FE cannot read avro files.")
    sep = convert_separator(params.get("column_separator", "\t"))
    delim = convert_separator(params.get("line_delimiter", "\n"))
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    trim = params.get("trim_double_quotes", "false").lower() == "true"
    skip = int(params.get("skip_lines", "0") or 0)
    enclose, escape = params.get("enclose") or None, params.get("escape") or None
    split = fileio.split_csv(text, sep, delim, enclose, escape, trim, skip, fmt)
    if params.get("csv_schema"):
        return _typed_csv(split.rows, params["csv_schema"])
    width = len(split.names) if split.names else max((len(r) for r in split.rows), default=0)
    names = split.names or [f"c{i + 1}" for i in range(width)]
    columns = {
        name: pa.array([r[i] if i < len(r) else None for r in split.rows], pa.string())
        for i, name in enumerate(names)
    }
    return pa.table(columns)


def _typed_csv(rows: list[list[Any]], schema: str) -> pa.Table:
    import pyarrow as pa

    columns: list[Column] = []
    for item in [s for s in schema.split(";") if s.strip()]:
        name, sep, type_name = item.partition(":")
        if not sep:
            raise _err(f"Invalid csv_schema: {schema}. Use 'name:type;name:type'.")
        columns.append(Column(name.strip(), type_name.strip().upper(), _arrow_type(type_name)))
    arrays = {}
    for i, column in enumerate(columns):
        values = []
        for row in rows:
            value = row[i] if i < len(row) else None
            try:
                values.append(None if value is None else convert_value(value, column))
            except (ValueError, ArithmeticError):
                values.append(None)
        arrays[column.name] = pa.array(values, column.arrow_type)
    return pa.table(arrays)
