"""CREATE CATALOG: the property checks Doris makes, per release line, in Doris's words (issue 18 item 7)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pymysql
import pytest

from airflow_provider_doris_oss.testing.doris_fe import LocalDorisFE
from airflow_provider_doris_oss.testing.doris_fe.catalog_checks import LINE_RULES, check_catalog
from airflow_provider_doris_oss.testing.doris_fe.model import DorisError

DorisClient = Any  # the ``doris`` fixture of tests/testing/conftest.py
LINES = sorted(LINE_RULES)
HMS = {"type": "hms", "hive.metastore.uris": "thrift://127.0.0.1:9083"}
JDBC = {
    "type": "jdbc",
    "user": "root",
    "password": "jdbc-secret-pw",
    "jdbc_url": "jdbc:mysql://127.0.0.1:3306/demo",
    "driver_url": "mysql-connector-j-8.3.0.jar",
    "driver_class": "com.mysql.cj.jdbc.Driver",
    "test_connection": "false",
}
MINIO = {"s3.endpoint": "http://127.0.0.1:9000", "s3.access_key": "ak", "s3.secret_key": "sk"}


def refused(props: dict[str, str], line: tuple[int, int] = (4, 0)) -> str:
    with pytest.raises(DorisError) as info:
        check_catalog(props, line)
    assert info.value.message.startswith("errCode = 2, detailMessage = ")
    return info.value.message.removeprefix("errCode = 2, detailMessage = ")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A loopback port that accepts connections (and closes them) while the test runs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    server.close()
    thread.join(timeout=5)


# ------------------------------------------------------------------- cache TTLs, refresh interval


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize(
    "key", ["schema.cache.ttl-second", "file.meta.cache.ttl-second", "partition.cache.ttl-second"]
)
@pytest.mark.parametrize("value", ["-1", "-30", "ten", "1.5"])
def test_a_negative_or_unreadable_cache_ttl_is_refused(line: tuple[int, int], key: str, value: str) -> None:
    assert refused({**HMS, key: value}, line) == f"The parameter {key} is wrong, value is {value}"


@pytest.mark.parametrize("value", ["0", "60", "+5"])
def test_a_zero_or_positive_cache_ttl_is_taken(value: str) -> None:
    assert (
        check_catalog({**HMS, "schema.cache.ttl-second": value, "file.meta.cache.ttl-second": value}, (4, 0))[
            0
        ]
        == "hms"
    )


@pytest.mark.parametrize("value", ["-1", "soon", "99999999999"])
def test_a_bad_metadata_refresh_interval_is_refused(value: str) -> None:
    props = {**HMS, "metadata_refresh_interval_sec": value}
    assert refused(props) == "Invalid properties: metadata_refresh_interval_sec"


# ------------------------------------------------------------------------------------- JDBC


@pytest.mark.parametrize("line", LINES)
def test_jdbc_lower_case_table_names_is_refused_with_the_replacement(line: tuple[int, int]) -> None:
    assert refused({**JDBC, "lower_case_table_names": "true"}, line) == (
        "Jdbc catalog property lower_case_table_names is not supported, please use lower_case_meta_names instead."
    )
    assert check_catalog({**JDBC, "lower_case_meta_names": "true"}, line)[0] == "jdbc"


def test_jdbc_legacy_keys_are_read_without_their_prefix() -> None:
    legacy = {"type": "jdbc", "test_connection": "false"}
    legacy.update({f"jdbc.{k}": v for k, v in JDBC.items() if k not in ("type", "test_connection")})
    kind, kept = check_catalog(legacy, (4, 0))
    assert kind == "jdbc"
    assert kept["jdbc_url"] == JDBC["jdbc_url"] and "jdbc.jdbc_url" not in kept


@pytest.mark.parametrize("missing", ["jdbc_url", "driver_url", "driver_class"])
def test_jdbc_required_keys_are_named_as_doris_names_them(missing: str) -> None:
    props = {k: v for k, v in JDBC.items() if k != missing}
    assert refused(props) == f"Required property '{missing}' is missing"


@pytest.mark.parametrize("key", ["only_specified_database", "lower_case_meta_names"])
def test_jdbc_boolean_keys_must_be_true_or_false(key: str) -> None:
    assert refused({**JDBC, key: "yes"}) == f"{key} must be true or false"


@pytest.mark.parametrize(
    ("rules", "part"),
    [
        ("{not json", "push down"),
        ('{"pushdown": {"supported": ["abs", ""]}}', "push down"),
        ('{"pushdown": "abs"}', "push down"),
        ('["abs"]', "push down"),
        ('{"rewrite": {"to_date": ""}}', "rewrite"),
        ('{"rewrite": ["to_date"]}', "rewrite"),
    ],
)
def test_invalid_function_rules_are_refused(rules: str, part: str) -> None:
    assert refused({**JDBC, "function_rules": rules}) == f"Failed to parse {part} rules: {rules}"


def test_valid_function_rules_are_taken() -> None:
    rules = '{"pushdown": {"supported": ["abs"], "unsupported": ["now"]}, "rewrite": {"to_date": "date"}}'
    assert check_catalog({**JDBC, "function_rules": rules}, (4, 0))[0] == "jdbc"


@pytest.mark.parametrize("line", LINES)
def test_jdbc_tests_its_connection_by_default(line: tuple[int, int], closed_port: int) -> None:
    props = {k: v for k, v in JDBC.items() if k != "test_connection"}
    props["jdbc_url"] = f"jdbc:mysql://127.0.0.1:{closed_port}/demo?password=url-secret"
    message = refused(props, line)
    assert message.startswith("Test FE Connection to JDBC Failed: ")
    assert f"127.0.0.1:{closed_port}" in message
    assert "url-secret" not in message and "jdbc-secret-pw" not in message


def test_jdbc_connection_test_passes_when_the_database_answers(listening_port: int) -> None:
    props = {**JDBC, "test_connection": "true", "jdbc_url": f"jdbc:mysql://127.0.0.1:{listening_port}/demo"}
    assert check_catalog(props, (4, 0))[0] == "jdbc"


# ------------------------------------------------------------------------------- HMS and DLF


@pytest.mark.parametrize("line", LINES)
def test_a_dlf_metastore_needs_no_thrift_uris(line: tuple[int, int]) -> None:
    props = {
        "type": "hms",
        "hive.metastore.type": "dlf",
        "dlf.access_key": "ak",
        "dlf.secret_key": "sk",
        "dlf.region": "cn-beijing",
        "dlf.uid": "1234",
    }
    assert check_catalog(props, line)[0] == "hms"


@pytest.mark.parametrize(
    ("dropped", "message"),
    [("dlf.access_key", "dlf.access_key is required"), ("dlf.secret_key", "dlf.secret_key is required")],
)
def test_a_dlf_metastore_checks_its_keys_from_3_1(dropped: str, message: str) -> None:
    props = {
        "type": "hms",
        "hive.metastore.type": "dlf",
        "dlf.access_key": "ak",
        "dlf.secret_key": "sk",
        "dlf.region": "cn-beijing",
    }
    del props[dropped]
    assert refused(props, (3, 1)) == message
    assert refused(props, (4, 0)) == message
    assert check_catalog(props, (3, 0))[0] == "hms"


def test_a_dlf_metastore_needs_an_endpoint_or_region_from_3_1() -> None:
    props = {"type": "hms", "hive.metastore.type": "dlf", "dlf.access_key": "ak", "dlf.secret_key": "sk"}
    assert refused(props, (3, 1)) == "dlf.endpoint is required."


def test_hms_without_uris_is_refused_in_each_lines_words() -> None:
    assert refused({"type": "hms"}, (3, 0)) == "Missing hive.metastore.uris property"
    assert refused({"type": "hms"}, (4, 0)) == "hive.metastore.uris or uri is required"
    assert check_catalog({"type": "hms", "uri": "thrift://127.0.0.1:9083"}, (4, 0))[0] == "hms"


# --------------------------------------------------------------------------- MinIO endpoint


@pytest.mark.parametrize("line", [(3, 1), (4, 0)])
def test_a_minio_endpoint_without_region_takes_us_east_1_from_3_1(line: tuple[int, int]) -> None:
    props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "warehouse": "s3://wh/ice/", **MINIO}
    assert check_catalog(props, line)[0] == "iceberg"


@pytest.mark.parametrize("line", [(2, 1), (3, 0)])
def test_a_minio_endpoint_without_region_is_refused_before_3_1(line: tuple[int, int]) -> None:
    props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "warehouse": "s3://wh/ice/", **MINIO}
    assert refused(props, line).startswith("Region is not set.")


# ------------------------------------------------------------------------ test_connection


def test_an_unreachable_metastore_fails_the_connectivity_test_on_4_0(closed_port: int) -> None:
    props = {**HMS, "hive.metastore.uris": f"thrift://127.0.0.1:{closed_port}", "test_connection": "true"}
    message = refused(props, (4, 0))
    assert message.startswith("Hive HMS connectivity test failed: ")
    assert f"127.0.0.1:{closed_port}" in message
    rest = {
        "type": "iceberg",
        "iceberg.catalog.type": "rest",
        "iceberg.rest.uri": f"http://127.0.0.1:{closed_port}",
        "test_connection": "true",
    }
    assert refused(rest, (4, 0)).startswith("Iceberg REST connectivity test failed: ")


def test_the_connectivity_test_is_asked_for_and_kept_to_4_0(closed_port: int) -> None:
    props = {**HMS, "hive.metastore.uris": f"thrift://127.0.0.1:{closed_port}"}
    assert check_catalog(props, (4, 0))[0] == "hms"  # not asked
    assert check_catalog({**props, "test_connection": "true"}, (3, 1))[0] == "hms"  # not on 3.1


def test_a_reachable_metastore_passes_the_connectivity_test(listening_port: int) -> None:
    props = {**HMS, "hive.metastore.uris": f"thrift://127.0.0.1:{listening_port}", "test_connection": "true"}
    assert check_catalog(props, (4, 0))[0] == "hms"


# ------------------------------------------------------------------------------ on the wire


def test_create_catalog_answers_the_check_as_the_release_does(doris: DorisClient) -> None:
    _, message = doris.error(
        'CREATE CATALOG c PROPERTIES ("type" = "hms", "hive.metastore.uris" = "thrift://h:9083", "schema.cache.ttl-second" = "-5")'
    )
    assert (
        message == "errCode = 2, detailMessage = The parameter schema.cache.ttl-second is wrong, value is -5"
    )
    _, message = doris.error(
        'CREATE CATALOG c PROPERTIES ("type" = "jdbc", "jdbc.jdbc_url" = "jdbc:mysql://h:3306/d", "jdbc.driver_url" = "d.jar", "lower_case_table_names" = "true")'
    )
    assert "please use lower_case_meta_names instead" in message
    assert [r["CatalogName"] for r in doris.run("SHOW CATALOGS")] == ["internal"]


def test_the_fe_keys_catalog_checks_on_its_release() -> None:
    sql = 'CREATE CATALOG c PROPERTIES ("type" = "hms")'
    for version, words in (
        ("3.0", "Missing hive.metastore.uris property"),
        ("4.0", "hive.metastore.uris or uri is required"),
    ):
        with LocalDorisFE(doris_version=version) as fe:
            con = pymysql.connect(host=fe.host, port=fe.port, user=fe.user, password=fe.password)
            try:
                with pytest.raises(pymysql.err.OperationalError) as info, con.cursor() as cursor:
                    cursor.execute(sql)
                assert info.value.args[1].endswith(words)
            finally:
                con.close()
