"""The checks Doris makes on CREATE CATALOG's properties, per release line, with Doris's words.

Taken from Doris's FE: ``ExternalCatalog.checkProperties`` (refresh interval, schema cache TTL),
``HMSExternalCatalog.checkProperties`` (file/partition cache TTLs), ``JdbcExternalCatalog``
(``jdbc.`` legacy keys, required keys, ``lower_case_table_names``, boolean keys,
``ExternalFunctionRules.check`` for ``function_rules``, ``test_connection``), the 3.1+ property
classes (``HMSBaseProperties``, ``AliyunDLFBaseProperties``, ``MinioProperties``) and the 4.0
``CatalogConnectivityTestCoordinator``. Where the lines differ, ``LINE_RULES`` says how, as data.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from airflow_provider_doris_oss.testing.doris_fe.model import DorisError
from airflow_provider_doris_oss.testing.doris_fe.storage import ENDPOINT_NAMES, parse_storage

CATALOG_TYPES = (
    "hms",
    "iceberg",
    "paimon",
    "jdbc",
    "es",
    "trino-connector",
    "max_compute",
    "lakesoul",
    "doris",
)
_STORAGE_PREFIXES = ("s3.", "oss.", "aws_", "fs.oss.", "fs.s3a.", "minio.")
_REQUIRED = {"es": ("hosts",)}
_ICEBERG_TYPES = ("hms", "hadoop", "rest", "dlf", "glue", "s3tables")
_PAIMON_TYPES = ("filesystem", "hms", "dlf", "rest")
# JdbcResource.JDBC_PROPERTIES_PREFIX: older catalogs wrote every JDBC key as ``jdbc.<key>``.
_JDBC_PREFIX = "jdbc."
_JDBC_REQUIRED = ("jdbc_url", "driver_url", "driver_class")
_JDBC_BOOLEANS = ("only_specified_database", "lower_case_meta_names")
_CACHE_TTLS = {"hms": ("file.meta.cache.ttl-second", "partition.cache.ttl-second")}
# Endpoints the 3.1+ storage classes recognise as a cloud's; any other is MinIO (MinioProperties).
_CLOUD_HOSTS = ("aliyuncs.com", "amazonaws.com", "amazonaws.com.cn", "myqcloud.com", "myhuaweicloud.com",
                "core.windows.net", "googleapis.com")  # fmt: skip
_DLF_KEYS = (("dlf.access_key", "dlf.catalog.accesskeyid"), ("dlf.secret_key", "dlf.catalog.accesskeysecret"))
MINIO_DEFAULT_REGION = "us-east-1"  # MinioProperties.region
CONNECT_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class CatalogRules:
    """How one Doris release line checks a catalog's properties."""

    property_framework: bool  # 3.1+: the metastore/storage property classes (MinIO region, DLF keys)
    connectivity_test: bool  # 'test_connection' = 'true' tests HMS / Iceberg REST before creating
    uris_message: str  # an HMS catalog without its metastore URIs


_OLD_URIS = "Missing hive.metastore.uris property"
_NEW_URIS = "hive.metastore.uris or uri is required"
LINE_RULES: dict[tuple[int, int], CatalogRules] = {
    (2, 1): CatalogRules(property_framework=False, connectivity_test=False, uris_message=_OLD_URIS),
    (3, 0): CatalogRules(property_framework=False, connectivity_test=False, uris_message=_OLD_URIS),
    (3, 1): CatalogRules(property_framework=True, connectivity_test=False, uris_message=_NEW_URIS),
    (4, 0): CatalogRules(property_framework=True, connectivity_test=True, uris_message=_NEW_URIS),
}


def _err(text: str) -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}")


def check_catalog(props: Mapping[str, str], line: tuple[int, int]) -> tuple[str, dict[str, str]]:
    """Check ``props`` as Doris ``line`` does; return the catalog type and the properties kept.

    A JDBC catalog's legacy ``jdbc.`` keys are kept without the prefix, as Doris keeps them.
    """
    rules = LINE_RULES[line]
    lowered = {k.lower(): v for k, v in props.items()}
    kind = lowered.get("type", "").lower()
    if not kind:
        raise _err("Missing property 'type' in properties")
    if kind not in CATALOG_TYPES:
        raise _err(f"Unknown catalog type: {kind}")
    kept = dict(props)
    if kind == "jdbc":
        kept = {k[len(_JDBC_PREFIX) :] if k.startswith(_JDBC_PREFIX) else k: v for k, v in props.items()}
        lowered = {k.lower(): v for k, v in kept.items()}
        if "lower_case_table_names" in lowered:
            raise _err(
                "Jdbc catalog property lower_case_table_names is not supported, "
                "please use lower_case_meta_names instead."
            )
    _check_common(lowered, kind)
    for key in _REQUIRED.get(kind, ()):
        if not lowered.get(key):
            raise _err(f"Missing {key} property")
    if kind == "hms":
        _check_hms(lowered, rules)
    elif kind == "jdbc":
        _check_jdbc(lowered)
    elif kind == "iceberg":
        _check_iceberg(lowered)
    elif kind == "paimon":
        _check_paimon(lowered)
    if any(k.startswith(_STORAGE_PREFIXES) for k in lowered):
        parse_storage(_with_minio_region(lowered) if rules.property_framework else lowered)
    _test_connection(kind, lowered, rules)
    return kind, kept


def _java_int(text: str) -> int | None:
    """``Integer.parseInt``: an optional sign and digits within 32 bits; None where Java throws."""
    if not re.fullmatch(r"[+-]?\d+", text):
        return None
    value = int(text)
    return value if -(2**31) <= value < 2**31 else None


def _check_ttl(lowered: Mapping[str, str], key: str) -> None:
    """``NumberUtils.toInt(v, -1) < 0``: a negative or unreadable TTL is refused."""
    value = lowered.get(key)
    parsed = None if value is None else _java_int(value)
    if value is not None and (parsed is None or parsed < 0):
        raise _err(f"The parameter {key} is wrong, value is {value}")


def _check_common(lowered: Mapping[str, str], kind: str) -> None:
    """``ExternalCatalog.checkProperties`` and the per-type cache TTLs."""
    interval = lowered.get("metadata_refresh_interval_sec")
    if interval is not None:
        parsed = _java_int(interval)
        if parsed is None or parsed < 0:
            raise _err("Invalid properties: metadata_refresh_interval_sec")
    _check_ttl(lowered, "schema.cache.ttl-second")
    for key in _CACHE_TTLS.get(kind, ()):
        _check_ttl(lowered, key)


def _check_hms(lowered: Mapping[str, str], rules: CatalogRules) -> None:
    metastore = lowered.get("hive.metastore.type", "hms").lower()
    if metastore == "dlf":  # Aliyun DLF: no thrift URIs; its own keys (3.1+: AliyunDLFBaseProperties)
        if rules.property_framework:
            for key, alias in _DLF_KEYS:
                if not (lowered.get(key) or lowered.get(alias)):
                    raise _err(f"{key} is required")
            if not (
                lowered.get("dlf.endpoint")
                or lowered.get("dlf.catalog.endpoint")
                or lowered.get("dlf.region")
            ):
                raise _err("dlf.endpoint is required.")
        return
    if metastore == "glue":
        return
    if not (lowered.get("hive.metastore.uris") or (rules.property_framework and lowered.get("uri"))):
        raise _err(rules.uris_message)


def _check_jdbc(lowered: Mapping[str, str]) -> None:
    """``JdbcExternalCatalog.checkProperties``, in its order."""
    for key in _JDBC_REQUIRED:
        if key not in lowered:
            raise _err(f"Required property '{key}' is missing")
    for key in _JDBC_BOOLEANS:
        value = lowered.get(key)
        if value is not None and value.lower() not in ("true", "false"):
            raise _err(f"{key} must be true or false")
    rules = lowered.get("function_rules", "")
    if rules:
        _check_function_rules(rules)


def _check_function_rules(text: str) -> None:
    """``ExternalFunctionRules.check``: the push-down part, then the rewrite part, each as JSON."""
    try:
        rules = json.loads(text)
    except ValueError:
        rules = _INVALID
    if not _pushdown_ok(rules):
        raise _err(f"Failed to parse push down rules: {text}")
    if not _rewrite_ok(rules):
        raise _err(f"Failed to parse rewrite rules: {text}")


_INVALID = object()


def _pushdown_ok(rules: object) -> bool:
    if not isinstance(rules, dict):
        return False
    pushdown = rules.get("pushdown")
    if pushdown is None:
        return True
    if not isinstance(pushdown, dict):
        return False
    for key in ("supported", "unsupported"):
        names = pushdown.get(key)
        if names is not None and not (
            isinstance(names, list) and all(isinstance(n, str) and n for n in names)
        ):
            return False
    return True


def _rewrite_ok(rules: object) -> bool:
    rewrite = rules.get("rewrite") if isinstance(rules, dict) else None
    if rewrite is None:
        return True
    return isinstance(rewrite, dict) and all(isinstance(v, str) and k and v for k, v in rewrite.items())


def _check_iceberg(lowered: Mapping[str, str]) -> None:
    sub = lowered.get("iceberg.catalog.type", "").lower()
    if not sub:
        raise _err("Missing iceberg.catalog.type property")
    if sub not in _ICEBERG_TYPES:
        raise _err(f"Unknown iceberg catalog type: {sub}")
    if sub == "hms" and not lowered.get("hive.metastore.uris"):
        raise _err("Missing hive.metastore.uris property")
    if sub == "hadoop" and not lowered.get("warehouse"):
        raise _err("Missing warehouse property")
    if sub == "rest" and not (lowered.get("iceberg.rest.uri") or lowered.get("uri")):
        raise _err("Missing iceberg.rest.uri property")


def _check_paimon(lowered: Mapping[str, str]) -> None:
    sub = lowered.get("paimon.catalog.type", "filesystem").lower()
    if sub not in _PAIMON_TYPES:
        raise _err(f"Unknown paimon catalog type: {sub}")
    if sub == "filesystem" and not lowered.get("warehouse"):
        raise _err("Missing warehouse property")


def _with_minio_region(lowered: Mapping[str, str]) -> dict[str, str]:
    """3.1+: an endpoint that is no cloud's is MinIO, whose region defaults to us-east-1."""
    endpoint = next((lowered[n] for n in (*ENDPOINT_NAMES, "minio.endpoint") if lowered.get(n)), "")
    host = urlsplit(endpoint if "://" in endpoint else "http://" + endpoint).hostname or ""
    out = dict(lowered)
    if endpoint and not host.endswith(_CLOUD_HOSTS):
        out.setdefault("s3.endpoint", endpoint)
        if not any(out.get(k) for k in ("s3.region", "oss.region", "aws_region", "region", "minio.region")):
            out["s3.region"] = MINIO_DEFAULT_REGION
    return out


# ---------------------------------------------------------------------------------------------
# test_connection
# ---------------------------------------------------------------------------------------------


def _test_connection(kind: str, lowered: Mapping[str, str], rules: CatalogRules) -> None:
    """JDBC (every line, on by default): FE to database. 4.0, when asked: HMS and Iceberg REST."""
    if kind == "jdbc":
        if lowered.get("test_connection", "true").lower() != "true":
            return
        target = _jdbc_address(lowered["jdbc_url"])
        if target is not None:
            failure = _connect(*target)
            if failure is not None:
                raise _err(
                    f"Test FE Connection to JDBC Failed: Can not connect to jdbc due to error: {failure}"
                )
        return
    if not rules.connectivity_test or lowered.get("test_connection", "false").lower() != "true":
        return
    tested = _metastore_address(kind, lowered)
    if tested is None:
        return
    test_type, address = tested
    failure = _connect(*address)
    if failure is not None:
        raise _err(f"{test_type} connectivity test failed:  Root cause: {failure}")


def _metastore_address(kind: str, lowered: Mapping[str, str]) -> tuple[str, tuple[str, int]] | None:
    """The metadata service the 4.0 coordinator tests, as (test type, (host, port)), if any."""
    if kind == "hms" and lowered.get("hive.metastore.type", "hms").lower() in ("hms", "default"):
        uri, test_type, port = lowered.get("hive.metastore.uris") or lowered.get("uri", ""), "Hive HMS", 9083
    elif kind == "iceberg" and lowered.get("iceberg.catalog.type", "").lower() == "hms":
        uri, test_type, port = lowered.get("hive.metastore.uris", ""), "Iceberg HMS", 9083
    elif kind == "iceberg" and lowered.get("iceberg.catalog.type", "").lower() == "rest":
        uri, test_type = lowered.get("iceberg.rest.uri") or lowered.get("uri", ""), "Iceberg REST"
        port = 443 if uri.lower().startswith("https") else 80
    else:
        return None
    parts = urlsplit(uri.split(",")[0].strip())
    if not parts.hostname:
        return None
    return test_type, (parts.hostname, parts.port or port)


def _jdbc_address(url: str) -> tuple[str, int] | None:
    """Host and port of a JDBC URL (``//host:port`` or Oracle's ``@host:port``); None if it has none."""
    match = re.search(r"(?://|@)\[?([A-Za-z0-9_.:-]+?)\]?:(\d+)", url)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def _connect(host: str, port: int) -> str | None:
    """None if a TCP connection to ``host:port`` opens; else the root cause, as Java words it."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return None
    except ConnectionRefusedError:
        return f"ConnectException: Connection refused ({host}:{port})"
    except TimeoutError:
        return f"SocketTimeoutException: connect timed out ({host}:{port})"
    except socket.gaierror:
        return f"UnknownHostException: {host}"
    except OSError as exc:
        return f"ConnectException: {exc.strerror or 'connection failed'} ({host}:{port})"
