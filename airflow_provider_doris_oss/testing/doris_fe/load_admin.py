"""Statements people put around loads: ``SYNC``, ``CLEAN LABEL``, ``SHOW CREATE LOAD``, and the
answer to ``SHOW LOAD WARNINGS`` (parsed with the job statements).

Written from Doris's grammar (``SYNC``; ``CLEAN LABEL [label] (FROM | IN) db``; ``SHOW CREATE
LOAD FOR [db.]label``) and from its ``LoadManager``:

- ``SYNC`` makes a follower FE catch up with the master; the local FE is the master: OK;
- ``CLEAN LABEL`` forgets the finished (FINISHED or CANCELLED) load jobs and INSERTs with that
  label, or all of them in the database, so SHOW LOAD no longer lists them and their labels can
  be used again; unfinished jobs keep theirs;
- ``SHOW CREATE LOAD`` answers ``JobId``, ``CreateStmt`` for each Broker Load with the label: the
  statement as it was sent, its secret property values shown as ``***``.
"""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.lexer import (
    EOF,
    IDENT,
    QIDENT,
    Token,
    syntax_error,
    tokenize,
)
from airflow_provider_doris_oss.testing.doris_fe.model import (
    DorisError,
    OkResult,
    Result,
    ResultSet,
    StatementContext,
)
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import ShowLoadWarningsStmt

SHOW_CREATE_LOAD_COLUMNS = ["JobId", "CreateStmt"]


def _error(text: str, code: int = 1105, sqlstate: str = "HY000") -> DorisError:
    return DorisError(f"errCode = 2, detailMessage = {text}", code, sqlstate)


class _Tokens:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self, *words: str) -> bool:
        if self.tok.is_kw(*words):
            self.pos += 1
            return True
        return False

    def take_op(self, op: str) -> bool:
        if self.tok.is_op(op):
            self.pos += 1
            return True
        return False

    def name(self) -> str:
        if self.tok.kind not in (IDENT, QIDENT):
            raise syntax_error(self.sql, self.tok, "{IDENTIFIER, BACKQUOTED_IDENTIFIER}")
        self.pos += 1
        return self.tokens[self.pos - 1].value

    def end(self) -> None:
        if self.tok.is_op(";"):
            self.pos += 1
        if self.tok.kind != EOF:
            raise syntax_error(self.sql, self.tok, "<EOF>")


def handle(sql: str, ctx: StatementContext) -> Result | None:
    """Run ``sql`` if it is one of these statements; None if it is not."""
    head = [t.value.upper() for t in tokenize(sql)[:4] if t.kind == IDENT]
    if head[:1] == ["SYNC"]:
        tokens = _Tokens(sql)
        tokens.pos = 1
        tokens.end()
        return OkResult()
    if head[:2] == ["CLEAN", "LABEL"]:
        return _clean_label(sql, ctx)
    if head[:3] == ["SHOW", "CREATE", "LOAD"]:
        return _show_create_load(sql, ctx)
    return None


def _database(ctx: StatementContext, name: str | None) -> str:
    db = name or ctx.database
    if db is None:
        raise _error("No database selected", 1046, "3D000")
    if not ctx.fe.engine.database_exists(db):
        raise _error(f"Unknown database '{db}'", 1049, "42000")
    return db


def _clean_label(sql: str, ctx: StatementContext) -> Result:
    from airflow_provider_doris_oss.testing.doris_fe.jobs import LoadJob

    tokens = _Tokens(sql)
    tokens.pos = 2
    label = None
    if not tokens.tok.is_kw("FROM", "IN"):
        label = tokens.name()
    if not tokens.take("FROM", "IN"):
        raise syntax_error(sql, tokens.tok, "{'FROM', 'IN'}")
    db = _database(ctx, tokens.name())
    tokens.end()
    fe = ctx.fe
    with fe.lock:
        cleaned = [
            job
            for job in fe.jobs
            if isinstance(job, LoadJob)
            and job.db == db
            and job.final
            and (label is None or job.label == label)
        ]
        fe.jobs[:] = [job for job in fe.jobs if all(job is not gone for gone in cleaned)]
        for job in cleaned:
            fe.load_statements.pop(job.job_id, None)
            if fe.labels.get((db, job.label)) in ("LOAD", "INSERT"):
                fe.release_label(db, job.label)
    return OkResult()


def remember_origin(sql: str, ctx: StatementContext) -> None:
    """Keep the text of a Broker Load just submitted (``LOAD LABEL [db.]label ...``) on its job,
    secret property values masked."""
    from airflow_provider_doris_oss.testing.doris_fe.jobs import LoadJob
    from airflow_provider_doris_oss.testing.doris_fe.statement_log import mask_secrets

    tokens = _Tokens(sql)
    tokens.pos = 2
    first = tokens.name()
    db, label = (first, tokens.name()) if tokens.take_op(".") else (None, first)
    db = db or ctx.database
    with ctx.fe.lock:
        jobs = [j for j in ctx.fe.jobs if isinstance(j, LoadJob) and j.db == db and j.label == label]
        if jobs and jobs[-1].job_id not in ctx.fe.load_statements:
            ctx.fe.load_statements[jobs[-1].job_id] = mask_secrets(sql)


def _show_create_load(sql: str, ctx: StatementContext) -> ResultSet:
    from airflow_provider_doris_oss.testing.doris_fe.jobs import LoadJob

    tokens = _Tokens(sql)
    tokens.pos = 3
    if not tokens.take("FOR"):
        raise syntax_error(sql, tokens.tok, "'FOR'")
    first = tokens.name()
    db_name, label = (first, tokens.name()) if tokens.take_op(".") else (None, first)
    tokens.end()
    db = _database(ctx, db_name)
    with ctx.fe.lock:
        jobs = [j for j in ctx.fe.jobs if isinstance(j, LoadJob) and j.db == db and j.label == label]
    if not jobs:
        raise _error(f"Label does not exist: {label}")
    rows = []
    for job in jobs:
        if job.load_type != "BROKER":  # an INSERT's job has no statement to show (Doris: InsertLoadJob)
            raise _error("Not support load job type: org.apache.doris.load.loadv2.InsertLoadJob")
        rows.append((str(job.job_id), ctx.fe.load_statements.get(job.job_id, "")))
    return ResultSet(list(SHOW_CREATE_LOAD_COLUMNS), rows)


WARNINGS_COLUMNS = ["JobId", "Label", "ErrorMsgDetail"]
_WHERE_SHAPE = 'LABEL = "your_load_label", or LOAD_JOB_ID = $job_id'


def show_load_warnings(stmt: ShowLoadWarningsStmt, ctx: StatementContext) -> Result:
    """``SHOW LOAD WARNINGS``, as Doris's ``ShowLoadWarningsCommand`` answers it.

    ``ON "url"``: the rejected rows behind a load's error URL, at most 100, each as
    (``-1``, ``\\N``, the row's message). ``[FROM db] WHERE LABEL = "l" [AND LOAD_JOB_ID = n]``:
    Doris lists the matching load jobs' SHOW LOAD rows under these three titles, so a client
    reads each job's JobId, Label and State; no such job answers no result set.
    """
    from airflow_provider_doris_oss.testing.doris_fe.jobs import LoadJob

    if stmt.url:
        with ctx.fe.lock:
            job = next((j for j in ctx.fe.jobs if isinstance(j, LoadJob) and j.url == stmt.url), None)
        if job is None:
            raise _error(f"Invalid url: {stmt.url}. It is not an error log url of this FE.")
        return ResultSet(list(WARNINGS_COLUMNS), [("-1", "\\N", line) for line in job.rejected[:100]])
    db = _database(ctx, stmt.db)
    if not stmt.conditions:
        raise _error(f"should supply condition like: {_WHERE_SHAPE}")
    label, job_id = None, None
    for condition in stmt.conditions:
        if condition.op != "=" or condition.key not in ("LABEL", "LOAD_JOB_ID") or not condition.value:
            raise _error(f"Where clause should looks like: {_WHERE_SHAPE}")
        if condition.key == "LABEL":
            label = condition.value
        elif condition.value.lstrip("-").isdigit():
            job_id = int(condition.value)
        else:
            raise _error(f"Where clause should looks like: {_WHERE_SHAPE}")
    with ctx.fe.lock:
        loads = [j for j in ctx.fe.jobs if isinstance(j, LoadJob)]
    if label is not None:
        found = [j for j in loads if j.db == db and j.label == label]
    else:
        found = [j for j in loads if j.job_id == job_id]
    if not found:
        return OkResult()
    return ResultSet(list(WARNINGS_COLUMNS), [(str(j.job_id), j.label, j.state) for j in found])
