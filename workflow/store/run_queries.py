"""SQL of the scheduler: job runs, leases between workers, and the counts `workflow status` shows.

Lease times come from the database's clock (`db_now`), so workers on hosts with drifting clocks
still agree on when a lease has expired.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, text, update

from workflow.store import dialect_insert
from workflow.store.states import JobOutcome
from workflow.store.tables import assignments, exports, job_runs, leases, settings, topics

SERVICE_STARTED_KEY = "service.started_at"


# --- the database clock ---

def db_now(conn: Connection) -> float:
    """Seconds since the epoch on the database server's clock."""
    if conn.dialect.name == "postgresql":
        return float(conn.execute(text("SELECT extract(epoch from clock_timestamp())")).scalar_one())
    return float(conn.execute(text("SELECT (julianday('now') - 2440587.5) * 86400.0")).scalar_one())


# --- leases: one holder at a time, until it expires ---

def acquire_lease(conn: Connection, name: str, holder: str, seconds: float) -> bool:
    """Take the lease `name` for `seconds` if it is free, expired, or already ours. Call in a write transaction."""
    now = db_now(conn)
    # RETURNING, not rowcount: drivers do not all report rowcount for INSERT … ON CONFLICT.
    taken = conn.execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.expires_at < now, leases.c.holder == holder))
        .values(holder=holder, expires_at=now + seconds).returning(leases.c.name)
    ).first()
    if taken is not None:
        return True
    created = conn.execute(
        dialect_insert(conn, leases).values(name=name, holder=holder, expires_at=now + seconds)
        .on_conflict_do_nothing(index_elements=[leases.c.name]).returning(leases.c.name)
    ).first()
    return created is not None


def renew_lease(conn: Connection, name: str, holder: str, seconds: float) -> bool:
    """Push our lease's expiry `seconds` ahead; False when it is no longer ours."""
    now = db_now(conn)
    return conn.execute(
        update(leases).where(leases.c.name == name, leases.c.holder == holder).values(expires_at=now + seconds)
        .returning(leases.c.name)
    ).first() is not None


def release_lease(conn: Connection, name: str, holder: str) -> None:
    conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


def release_leases_of(conn: Connection, holder: str) -> None:
    conn.execute(delete(leases).where(leases.c.holder == holder))


def lease_holder(conn: Connection, name: str) -> str | None:
    """Who holds the lease now (None when free or expired)."""
    now = db_now(conn)
    return conn.execute(
        select(leases.c.holder).where(leases.c.name == name, leases.c.expires_at >= now)
    ).scalar_one_or_none()


# --- job runs ---

def start_run(conn: Connection, *, job: str, worker: str, started_at: str) -> int:
    return int(conn.execute(
        insert(job_runs).values(job=job, worker=worker, started_at=started_at, outcome=JobOutcome.RUNNING)
        .returning(job_runs.c.id)
    ).scalar_one())


def finish_run(conn: Connection, run_id: int, *, ended_at: str, outcome: JobOutcome, counts: dict[str, int],
               error: str | None) -> None:
    conn.execute(
        update(job_runs).where(job_runs.c.id == run_id)
        .values(ended_at=ended_at, outcome=outcome, counts=json.dumps(counts, sort_keys=True), error=error)
    )


def abandon_runs(conn: Connection, *, worker: str, ended_at: str, reason: str) -> None:
    """Record `worker`'s runs still marked running as failed (the worker is stopping without them)."""
    conn.execute(
        update(job_runs).where(job_runs.c.worker == worker, job_runs.c.outcome == JobOutcome.RUNNING)
        .values(ended_at=ended_at, outcome=JobOutcome.FAILED, error=reason)
    )


def record_skipped_run(conn: Connection, *, job: str, worker: str, at: str, reason: str) -> int:
    return int(conn.execute(
        insert(job_runs).values(job=job, worker=worker, started_at=at, ended_at=at, outcome=JobOutcome.SKIPPED,
                                counts="{}", error=reason)
        .returning(job_runs.c.id)
    ).scalar_one())


def last_worked_run(conn: Connection, job: str) -> Row | None:
    """The newest run of `job` that did (or is doing) the work: any outcome but skipped."""
    return conn.execute(
        select(job_runs).where(job_runs.c.job == job, job_runs.c.outcome != JobOutcome.SKIPPED)
        .order_by(job_runs.c.started_at.desc(), job_runs.c.id.desc()).limit(1)
    ).first()


def last_finished_run(conn: Connection, job: str) -> Row | None:
    """The newest run of `job` that ended: ok, failed or interrupted."""
    finished = [outcome for outcome in JobOutcome if outcome.finished]
    return conn.execute(
        select(job_runs).where(job_runs.c.job == job, job_runs.c.outcome.in_(finished))
        .order_by(job_runs.c.started_at.desc(), job_runs.c.id.desc()).limit(1)
    ).first()


def runs_of(conn: Connection, job: str | None = None) -> list[Row]:
    """Every recorded run (of one job), oldest first."""
    query = select(job_runs).order_by(job_runs.c.started_at, job_runs.c.id)
    if job is not None:
        query = query.where(job_runs.c.job == job)
    return list(conn.execute(query))


def prune_runs(conn: Connection, *, before: str) -> int:
    """Forget finished runs that started before `before` (an ISO time); returns how many."""
    return len(conn.execute(
        delete(job_runs).where(job_runs.c.started_at < before, job_runs.c.outcome != JobOutcome.RUNNING)
        .returning(job_runs.c.id)
    ).all())


def counts_of(row: Row) -> dict[str, int]:
    return json.loads(row.counts) if row.counts else {}


# --- when a service last started (the reference for jobs that never ran) ---

def mark_service_started(conn: Connection, at: str) -> None:
    conn.execute(dialect_insert(conn, settings).values(key=SERVICE_STARTED_KEY, value=at)
                 .on_conflict_do_update(index_elements=[settings.c.key], set_={"value": at}))


def service_started_at(conn: Connection) -> str | None:
    return conn.execute(select(settings.c.value).where(settings.c.key == SERVICE_STARTED_KEY)).scalar_one_or_none()


# --- what `workflow status` counts ---

def queued_topic_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(topics).where(topics.c.status == "queued")).scalar_one())


def open_drafts_by_writer(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(assignments.c.writer, func.count()).where(assignments.c.status == "open")
        .group_by(assignments.c.writer).order_by(assignments.c.writer)
    )
    return {writer: int(n) for writer, n in rows}


def exports_by_state(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(exports.c.state, func.count()).group_by(exports.c.state).order_by(exports.c.state))
    return {state: int(n) for state, n in rows}


def export_docs_in_states(conn: Connection, states: tuple[str, ...]) -> list[dict[str, Any]]:
    """Posts whose export is in one of `states`: post id, Doc id, state, last error and the runs that failed in
    a row with it (0 without one); by state, then post id."""
    rows = conn.execute(
        select(exports.c.post_id, exports.c.doc_id, exports.c.state, exports.c.last_error, exports.c.attempts)
        .where(exports.c.state.in_(states))
        .order_by(exports.c.state, exports.c.post_id)
    )
    return [{"post_id": r.post_id, "doc_id": r.doc_id, "state": r.state, "error": r.last_error,
             "failed_runs": int(r.attempts or 0) if r.last_error else 0} for r in rows]
