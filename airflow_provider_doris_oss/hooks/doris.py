"""``DorisHook``: a Doris frontend over the MySQL protocol, through pymysql."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.common.sql.hooks.sql import DbApiHook

from airflow_provider_doris_oss.connection_types import (
    DORIS_CONNECT_TIMEOUT,
    DORIS_HTTP_PORT,
    DORIS_QUERY_PORT,
    DORIS_READ_TIMEOUT,
    DORIS_SUBMIT_TIMEOUT,
)

if TYPE_CHECKING:
    from pymysql.connections import Connection as PyMysqlConnection
    from sqlalchemy.engine import URL

    from airflow_provider_doris_oss.sql.releases import DorisRelease


class DorisHook(DbApiHook):
    """A Doris FE reached over MySQL protocol (pymysql, pure Python; no compiled client).

    Host is the FE, Port its query port (9030), Schema the default database. Extra:
    ``http_port`` (8030), ``connect_timeout`` (seconds, 10), ``read_timeout`` (seconds, 60: how
    long any one FE answer may take, e.g. a SHOW) and ``submit_timeout`` (seconds, 300: the answer
    to a LOAD or EXPORT submit, which checks the storage first). A read that times out closes
    the connection (pymysql error 2013), so no worker or triggerer thread waits on a stalled FE
    for ever.
    """

    conn_name_attr = "doris_conn_id"
    default_conn_name = "doris_default"
    conn_type = "doris"
    hook_name = "Apache Doris"
    supports_autocommit = True
    _test_connection_sql = "SELECT @@version_comment"

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The form's fields on Airflow 3.0 and 3.1 (later releases read the provider info)."""
        from airflow_provider_doris_oss.connection_types import doris_connection_type, form_widgets

        return form_widgets(doris_connection_type())

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """The form's standard fields on Airflow 3.0 and 3.1 (labels, placeholders, hidden fields)."""
        from airflow_provider_doris_oss.connection_types import doris_connection_type, field_behaviour

        return field_behaviour(doris_connection_type())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(doris_conn_id={self.get_conn_id()!r})"

    def _extra_int(self, key: str, default: int) -> int:
        raw = self.connection_extra.get(key, default)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if value < 1:
            raise ValueError(
                f"Connection {self.get_conn_id()!r}: extra {key!r} must be a positive whole number, "
                f"not {raw!r}."
            )
        return value

    @property
    def port(self) -> int:
        """The FE's MySQL-protocol query port."""
        return int(self.connection.port or DORIS_QUERY_PORT)

    @property
    def http_port(self) -> int:
        """The FE's HTTP port (error-row URLs, Stream Load)."""
        return self._extra_int("http_port", DORIS_HTTP_PORT)

    @property
    def read_timeout(self) -> int:
        """Seconds one FE answer may take on a connection from ``get_conn()`` (extra ``read_timeout``)."""
        return self._extra_int("read_timeout", DORIS_READ_TIMEOUT)

    @property
    def submit_timeout(self) -> int:
        """Seconds a job submit's answer may take (extra ``submit_timeout``; at least ``read_timeout``)."""
        return max(self._extra_int("submit_timeout", DORIS_SUBMIT_TIMEOUT), self.read_timeout)

    def get_conn(self, read_timeout: float | None = None) -> PyMysqlConnection:
        """A new pymysql connection to the FE, autocommit on (Doris has no multi-statement transactions).

        Every read and write on it is bounded by ``read_timeout`` seconds (default: the
        connection's ``read_timeout``).
        """
        import pymysql

        conn = self.connection
        if not conn.host:
            raise ValueError(
                f"Connection {self.get_conn_id()!r}: Host is empty. Set it to the Doris FE's address."
            )
        return pymysql.connect(
            host=conn.host,
            port=self.port,
            user=conn.login or "root",
            password=conn.password or "",
            database=conn.schema or None,
            connect_timeout=self._extra_int("connect_timeout", DORIS_CONNECT_TIMEOUT),
            read_timeout=read_timeout if read_timeout is not None else self.read_timeout,
            write_timeout=read_timeout if read_timeout is not None else self.read_timeout,
            charset="utf8mb4",
            autocommit=True,
        )

    def doris_release(self, conn: PyMysqlConnection | None = None) -> DorisRelease | None:
        """The FE's Doris release from ``@@version_comment``, read once per hook (on ``conn`` when
        given, else on a connection of its own); None when the FE names none or cannot say."""
        if hasattr(self, "_doris_release"):
            return self._doris_release
        from contextlib import closing, nullcontext

        from airflow_provider_doris_oss.sql.releases import parse_release

        comment: Any = None
        try:
            with (
                closing(self.get_conn()) if conn is None else nullcontext(conn) as db,
                closing(db.cursor()) as cursor,
            ):
                cursor.execute(self._test_connection_sql)
                row = cursor.fetchone()
            comment = row[0] if row else None
        except Exception as error:
            self.log.info("Could not read the Doris FE's version (%s); release checks are off.", error)
        release = parse_release(comment)
        if release is None and comment is not None:
            self.log.info("The Doris FE reports %r, no release number; release checks are off.", comment)
        self._doris_release: DorisRelease | None = release
        return release

    def check_release(self, sql: str, conn: PyMysqlConnection | None = None) -> None:
        """Raise ``DorisReleaseError`` (before ``sql`` is sent) when the FE's release cannot parse it.

        The release is read only for statements some release refuses (``sql.releases``)."""
        from airflow_provider_doris_oss.sql.releases import check_release, statement_forms

        if statement_forms(sql):
            check_release(sql, self.doris_release(conn))

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        """Doris commits every statement; pymysql is told the same."""
        conn.autocommit(autocommit)

    def get_autocommit(self, conn: Any) -> bool:
        """Whether the pymysql connection autocommits."""
        return bool(conn.get_autocommit())

    @property
    def sqlalchemy_url(self) -> URL:
        """A ``mysql+pymysql`` URL, for ``get_sqlalchemy_engine`` and pandas readers."""
        from sqlalchemy.engine import URL

        conn = self.connection
        return URL.create(
            "mysql+pymysql",
            username=conn.login or "root",
            password=conn.password or "",
            host=conn.host,
            port=self.port,
            database=conn.schema or None,
        )

    def get_uri(self) -> str:
        """The SQLAlchemy URI with the password hidden only by ``str(URL)``; used to build engines."""
        return self.sqlalchemy_url.render_as_string(hide_password=False)

    def test_connection(self) -> tuple[bool, str]:  # type: ignore[override]  # common-sql's is untyped
        """Log in and read the FE's version; a failure names the cause and the field to fix."""
        from contextlib import closing

        from airflow_provider_doris_oss.hooks.diagnosis import doris_failure, scrub, without_conn_id

        conn_id = self.get_conn_id()
        try:
            conn = self.connection
            address = f"{conn.host}:{self.port}"
            timeout_s = self._extra_int("connect_timeout", DORIS_CONNECT_TIMEOUT)
        except Exception as error:
            return False, without_conn_id(str(error), conn_id)
        user, password = conn.login or "root", conn.password
        try:
            db = self.get_conn()
        except Exception as error:
            cause = doris_failure(
                error, address=address, user=user, database=conn.schema, timeout_s=timeout_s
            )
            return False, without_conn_id(scrub(cause, [password]), conn_id)
        try:
            with closing(db), closing(db.cursor()) as cursor:
                cursor.execute(self._test_connection_sql)
                row = cursor.fetchone()
        except Exception as error:
            detail = scrub(str(error), [password])
            query = self._test_connection_sql
            return False, f"Logged in to the FE at {address}, but {query} failed: {detail}"
        database = f", default database {conn.schema!r}" if conn.schema else ""
        version = row[0] if row else "version unknown"
        return True, f"Connected to the Doris FE at {address} as {user!r}{database}: {version}."
