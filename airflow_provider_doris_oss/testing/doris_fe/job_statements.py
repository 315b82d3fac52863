"""SHOW LOAD / SHOW EXPORT (filters, order, limit), SHOW LOAD WARNINGS and CANCEL LOAD / CANCEL EXPORT."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from airflow_provider_doris_oss.testing.doris_fe.errors import doris_error
from airflow_provider_doris_oss.testing.doris_fe.jobs import EXPORT_COLUMNS, LOAD_COLUMNS, Job
from airflow_provider_doris_oss.testing.doris_fe.model import (
    FEState,
    OkResult,
    Result,
    ResultSet,
    StatementContext,
)
from airflow_provider_doris_oss.testing.doris_fe.parse_jobs import where_error
from airflow_provider_doris_oss.testing.doris_fe.runner import finish_cancelled
from airflow_provider_doris_oss.testing.doris_fe.statement_common import database_of
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CancelStmt,
    Condition,
    ShowJobsStmt,
    ShowLoadWarningsStmt,
)

LOAD_STATES = ("PENDING", "ETL", "LOADING", "COMMITTED", "FINISHED", "CANCELLED", "RETRY", "UNKNOWN")
EXPORT_STATES = ("PENDING", "IN_QUEUE", "EXPORTING", "FINISHED", "CANCELLED")


def _like(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _matches(job: Job, conditions: Sequence[Condition], connector: str = "AND") -> bool:
    results = []
    for cond in conditions:
        if cond.key == "LABEL":
            hit = (
                _like(cond.value).match(job.label) is not None
                if cond.op == "LIKE"
                else job.label == cond.value
            )
        elif cond.key == "STATE":
            hit = job.state == cond.value.upper()
        else:
            hit = str(job.job_id) == cond.value
        results.append(hit)
    if not results:
        return True
    return any(results) if connector == "OR" else all(results)


def _check_conditions(conditions: Sequence[Condition], kind: str) -> None:
    keys = ("LABEL", "STATE", "ID") if kind == "EXPORT" else ("LABEL", "STATE")
    states = EXPORT_STATES if kind == "EXPORT" else LOAD_STATES
    seen: set[str] = set()
    for cond in conditions:
        if cond.key not in keys or cond.key in seen or (cond.key != "LABEL" and cond.op == "LIKE"):
            raise where_error(kind)
        if cond.key == "STATE" and cond.value.upper() not in states:
            raise where_error(kind)
        if cond.key == "ID" and not cond.value.isdigit():
            raise where_error(kind)
        seen.add(cond.key)
    if kind == "EXPORT" and len(conditions) > 1:
        raise where_error(kind)


def _jobs(fe: FEState, kind: str, db: str) -> list[Any]:
    with fe.lock:
        return [j for j in fe.jobs if j.kind == kind and j.db == db]


def run_show_jobs(stmt: ShowJobsStmt, ctx: StatementContext) -> ResultSet:
    db = database_of(ctx, stmt.db)
    _check_conditions(stmt.conditions, stmt.kind)
    release = ctx.fe.release
    columns = release.load_columns(LOAD_COLUMNS) if stmt.kind == "LOAD" else EXPORT_COLUMNS
    jobs = [j for j in _jobs(ctx.fe, stmt.kind, db) if _matches(j, stmt.conditions)]
    rows = [j.show_row(release) for j in sorted(jobs, key=lambda j: j.job_id)]
    lookup = {c.lower(): i for i, c in enumerate(columns)}
    for name, desc in reversed(stmt.order_by):
        index = lookup.get(name.lower())
        if index is None:
            raise doris_error(f"Title name[{name}] does not exist")
        rows.sort(key=lambda r, i=index: (r[i] is not None, r[i]), reverse=desc)  # type: ignore[misc]
    rows = rows[stmt.offset :]
    if stmt.limit is not None:
        rows = rows[: stmt.limit]
    return ResultSet(list(columns), rows)


def run_show_load_warnings(stmt: ShowLoadWarningsStmt, ctx: StatementContext) -> Result:
    from airflow_provider_doris_oss.testing.doris_fe.load_admin import show_load_warnings

    return show_load_warnings(stmt, ctx)


def run_cancel(stmt: CancelStmt, ctx: StatementContext) -> OkResult:
    db = database_of(ctx, stmt.db)
    keys = {c.key for c in stmt.conditions}
    if not keys or not keys <= {"LABEL", "STATE"} or len(keys) != len(stmt.conditions):
        raise where_error(stmt.kind)
    matched = [j for j in _jobs(ctx.fe, stmt.kind, db) if _matches(j, stmt.conditions, stmt.connector)]
    if stmt.kind == "LOAD":
        matched = [j for j in matched if getattr(j, "load_type", "BROKER") == "BROKER"]
    if not matched:
        raise doris_error("Load job does not exist" if stmt.kind == "LOAD" else "Export job(s) do not exist")
    pending = [j for j in matched if not j.final]
    if not pending:
        raise doris_error(
            "There is no uncompleted job"
            if stmt.kind == "LOAD"
            else "All export job(s) are at final state (CANCELLED/FINISHED)"
        )
    for job in pending:
        finish_cancelled(ctx.fe, job, "USER_CANCEL", "user cancel")
    return OkResult()
