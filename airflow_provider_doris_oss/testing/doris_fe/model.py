"""The shared vocabulary of the local Doris FE: results, errors, the engine contract, FE state.

The protocol server (``server.py``), the table engine (``engine.py``) and the Doris
statement handlers (``statements.py`` and the modules it uses) meet only through this module.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_doris_oss.testing.doris_fe.admission import Admission

if TYPE_CHECKING:
    import pyarrow as pa

    from airflow_provider_doris_oss.testing.doris_fe.releases import ReleaseProfile


class DorisError(Exception):
    """An error packet as Doris sends it: errCode (1105 for most statement errors) and message."""

    def __init__(self, message: str, code: int = 1105, sqlstate: str = "HY000") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.sqlstate = sqlstate


@dataclass
class ResultSet:
    """Rows answered to a query, columns named as Doris names them."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class OkResult:
    """An OK packet: affected rows and Doris's info string (e.g. after an INSERT)."""

    affected_rows: int = 0
    info: str = ""
    warnings: int = 0


Result = ResultSet | OkResult


@dataclass(frozen=True)
class Column:
    """One table column: Doris type text as declared, the Arrow type the engine stores."""

    name: str
    doris_type: str
    arrow_type: pa.DataType
    nullable: bool = True


@dataclass(frozen=True)
class TableInfo:
    """What the engine knows of a table besides its rows."""

    database: str
    name: str
    columns: tuple[Column, ...]
    keys_type: str  # DUP_KEYS, UNIQUE_KEYS, AGG_KEYS
    key_columns: tuple[str, ...]
    partitions: tuple[str, ...]
    properties: Mapping[str, str]


class Engine(Protocol):
    """Table storage and plain SQL, implemented by ``engine.DuckDbEngine``."""

    def database_exists(self, db: str) -> bool: ...

    def table_info(self, db: str, table: str) -> TableInfo:
        """Raise DorisError as Doris does for an unknown database or table."""
        ...

    def insert_arrow(
        self,
        db: str,
        table: str,
        data: pa.Table,
        *,
        partitions: Sequence[str] = (),
        overwrite: bool = False,
        strict: bool = True,
        auto_create: bool = False,
    ) -> int:
        """Write rows whose columns are a subset of the table's, by name; return the count loaded.

        Rows are routed to partitions as an INSERT's are: ``partitions`` names where they may go
        (``["*"]``: wherever they fall), ``overwrite`` replaces those partitions (or the table),
        ``strict`` fails on a row with no partition (else it is filtered), ``auto_create`` is
        ``enable_auto_create_when_overwrite``.
        """
        ...

    def routable_rows(
        self, db: str, table: str, data: pa.Table, partitions: Sequence[str] = ()
    ) -> list[bool]:
        """Whether each row has a partition it may go to (``partitions``: a load's PARTITION list)."""
        ...

    def query_arrow(
        self, sql: str, db: str | None, bindings: Mapping[str, pa.Table] | None = None
    ) -> pa.Table:
        """Run a Doris SELECT; each name in ``bindings`` is queryable as a table."""
        ...

    def execute(self, sql: str, ctx: StatementContext) -> Result:
        """Run a plain statement (DDL, DML, SELECT, SHOW, USE ...) as Doris would."""
        ...


@dataclass
class JobControls:
    """Test controls: the next job is held in a state, or fails with a Doris message."""

    hold_state: str | None = None
    hold_seconds: float = 0.0
    fail_message: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hold_next(self, state: str, seconds: float) -> None:
        with self._lock:
            self.hold_state, self.hold_seconds = state, seconds

    def fail_next(self, message: str) -> None:
        with self._lock:
            self.fail_message = message

    def take(self) -> tuple[str | None, float, str | None]:
        """Consume the pending controls for the job that starts now."""
        with self._lock:
            taken = (self.hold_state, self.hold_seconds, self.fail_message)
            self.hold_state, self.hold_seconds, self.fail_message = None, 0.0, None
            return taken


LABEL_REGEX = "^[-_A-Za-z0-9:]{1,128}$"
_LABEL = re.compile(LABEL_REGEX)


def check_label(label: str) -> None:
    """Raise Doris's error for a label outside ``LABEL_REGEX``."""
    if not _LABEL.match(label):
        raise DorisError(
            f"errCode = 2, detailMessage = Label format error. regex: {LABEL_REGEX}, label: {label}"
        )


@dataclass
class FEState:
    """Everything that outlives a connection and a server restart."""

    engine: Engine
    oss_proxy: str | None = None
    # fe.conf ``enable_delete_existing_files`` (default false): without it, OUTFILE and EXPORT
    # ignore ``delete_existing_files``.
    enable_delete_existing_files: bool = False
    # Seconds every job spends at least in each running state (PENDING, then LOADING or
    # EXPORTING), as Doris's job scheduler paces them; 0 runs jobs as fast as they go.
    job_state_seconds: float = 0.0
    controls: JobControls = field(default_factory=JobControls)
    # Doris's admission limits for loads and INSERTs (queue, running slots, transactions, versions).
    admission: Admission = field(default_factory=Admission)
    # Owned by statements.py: load and export jobs, labels, catalogs.
    jobs: list[Any] = field(default_factory=list)
    catalogs: dict[str, Any] = field(default_factory=dict)
    # Owned by load_admin.py: a Broker Load's statement as sent, secrets masked (SHOW CREATE LOAD), by job id.
    load_statements: dict[int, str] = field(default_factory=dict)
    # (database, label) -> kind ("LOAD", "EXPORT", "INSERT"), through reserve_label/release_label.
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    # Values set with SET GLOBAL (lower-case name -> text): the defaults of connections opened later.
    global_variables: dict[str, str] = field(default_factory=dict)
    # The Doris release the FE plays (releases.py): its version, SHOW columns, messages, grammar gaps.
    release: ReleaseProfile = field(default_factory=lambda: _newest_release())
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10001), repr=False)

    def next_id(self) -> int:
        """Job ids and transaction ids, unique and increasing across the FE."""
        with self.lock:
            return next(self._ids)

    def reserve_label(self, db: str, label: str, kind: str) -> None:
        """Claim ``label`` in ``db`` for a job or insert of ``kind``; a used label is Doris's error.

        The label's format is checked first (``check_label``). Labels stay used until
        ``release_label`` (called when a job ends CANCELLED, or an insert fails).
        """
        check_label(label)
        with self.lock:
            if (db, label) in self.labels:
                raise DorisError(f"errCode = 2, detailMessage = Label [{label}] has already been used.")
            self.labels[(db, label)] = kind

    def release_label(self, db: str, label: str) -> None:
        """Make ``label`` reusable in ``db`` (a cancelled job's label); unknown labels are ignored."""
        with self.lock:
            self.labels.pop((db, label), None)


def _newest_release() -> ReleaseProfile:
    from airflow_provider_doris_oss.testing.doris_fe.releases import profile

    return profile()


@dataclass
class StatementContext:
    """One statement's view of its connection and of the FE."""

    connection_id: int
    user: str
    database: str | None
    fe: FEState
    # The last INSERT's result on this connection, for SHOW LAST INSERT.
    last_insert: Sequence[Any] | None = None
    # The connection's session variables (lower-case names), e.g. enable_insert_strict, time_zone.
    variables: Mapping[str, Any] = field(default_factory=dict)

    def flag(self, name: str, default: bool) -> bool:
        """A boolean session variable (``true``/``1`` or ``false``/``0``), ``default`` when unset."""
        value = self.variables.get(name)
        if value is None:
            return default
        return str(value).strip().lower() in ("true", "1", "on")
