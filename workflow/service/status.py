"""What `workflow status` shows: each job's last run and next run, the topic queue, drafts, exports.

A job is unhealthy (`--check`) when its last finished run failed, or when it is overdue: an interval
job with no start within its interval plus `misfire_grace_seconds`; a crontab job that let two fire
times pass (plus the grace) without a start. A job that never ran counts from the last start of
`workflow run`; with no service ever started on this store, it is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from workflow.config import Config
from workflow.google.links import DocLinks, doc_links
from workflow.queue.sheet import sheet_status
from workflow.reviews import overdue_reviews
from workflow.reviews.poll import post_paths
from workflow.service.schedules import JOB_IDS, Schedule, configured_schedules, format_time, parse_time
from workflow.store import Store
from workflow.store import run_queries as q
from workflow.store.states import JobOutcome

# Export states that need nobody's attention; the others are listed with their Doc URL.
FINAL_EXPORT_STATES = ("approved", "declined")


@dataclass
class JobStatus:
    id: str
    schedule: str  # "" when off
    last_start: str | None
    last_end: str | None
    outcome: str | None  # of the newest run that did the work: running, ok, failed, interrupted
    counts: dict[str, int]
    error: str | None
    worker: str | None
    next_run: str | None
    overdue: bool
    problem: str | None  # why --check fails for this job

    def to_json(self) -> dict[str, Any]:
        return {"job": self.id, "schedule": self.schedule, "last_start": self.last_start, "last_end": self.last_end,
                "outcome": self.outcome, "next_run": self.next_run, "counts": self.counts, "error": self.error,
                "worker": self.worker, "overdue": self.overdue, "problem": self.problem}


@dataclass
class ServiceStatus:
    jobs: list[JobStatus]
    queue: int
    drafts: dict[str, int]
    exports: dict[str, int]
    docs: list[dict[str, Any]]  # exports in a non-final state: post_id, path, doc_id, url, state, error
    links: DocLinks = DocLinks(None)  # how the Doc links were made (a sandbox may not be served now)
    # --- reviews (engineer RV): reviews past their due time, from workflow.reviews.overdue_reviews ---
    overdue: list[dict[str, Any]] = field(default_factory=list)
    # --- the topic Sheet: {url, synced_at, checked_at, problem}, None before its first sync ---
    sheet: dict[str, Any] | None = None

    @property
    def problems(self) -> list[str]:
        return [f"{job.id}: {job.problem}" for job in self.jobs if job.problem]

    def to_json(self) -> dict[str, Any]:
        return {"jobs": [job.to_json() for job in self.jobs], "queue": self.queue, "drafts": self.drafts,
                "exports": self.exports, "docs": self.docs, "overdue": self.overdue, "sheet": self.sheet,
                "healthy": not self.problems}


def service_status(config: Config, store: Store, *, now: datetime | None = None) -> ServiceStatus:
    now = now or datetime.now(timezone.utc)
    links = doc_links(config)
    paths = post_paths(store)
    grace = timedelta(seconds=config.get("schedule", "misfire_grace_seconds"))
    schedules = configured_schedules(config)
    with store.read() as conn:
        started = q.service_started_at(conn)
        service_start = parse_time(started) if started else None
        job_states = []
        for job_id in JOB_IDS:
            last = q.last_worked_run(conn, job_id)
            finished = q.last_finished_run(conn, job_id)
            job_states.append(_job_status(job_id, schedules[job_id], last, finished, service_start, now, grace))
        non_final = tuple(s for s in q.exports_by_state(conn) if s not in FINAL_EXPORT_STATES)
        docs = q.export_docs_in_states(conn, non_final) if non_final else []
        return ServiceStatus(
            jobs=job_states,
            queue=q.queued_topic_count(conn),
            drafts=q.open_drafts_by_writer(conn),
            exports=q.exports_by_state(conn),
            docs=[{"post_id": d["post_id"], "path": paths.get(d["post_id"]), "doc_id": d["doc_id"],
                   "url": links.url(d["doc_id"]), "state": d["state"], "error": d["error"],
                   "failed_runs": d["failed_runs"]} for d in docs],
            overdue=overdue_reviews(store, now, links),  # reviews (engineer RV)
            links=links,
            sheet=sheet_status(store, links) if config.topic_sheet else None,
        )


def _job_status(job_id: str, schedule: Schedule | None, last: Any, finished: Any,
                service_start: datetime | None, now: datetime, grace: timedelta) -> JobStatus:
    last_start = parse_time(last.started_at) if last else None
    next_run = overdue = problem = None
    if schedule is not None:
        next_run = format_time(schedule.next_run(last_start=last_start, now=now))
        overdue = _overdue(schedule, last_start, service_start, now, grace)
        if finished is not None and finished.outcome == JobOutcome.FAILED:
            problem = f"last run failed at {finished.ended_at}: {finished.error or 'no error recorded'}"
        else:
            problem = overdue
    return JobStatus(
        id=job_id, schedule=schedule.text if schedule else "",
        last_start=last.started_at if last else None, last_end=last.ended_at if last else None,
        outcome=last.outcome if last else None, counts=q.counts_of(last) if last else {},
        error=last.error if last else None, worker=last.worker if last else None,
        next_run=next_run, overdue=overdue is not None, problem=problem,
    )


def _overdue(schedule: Schedule, last_start: datetime | None, service_start: datetime | None,
             now: datetime, grace: timedelta) -> str | None:
    """Why the job is overdue, or None when it is not."""
    since = last_start or service_start
    if since is None:
        return "never run (no `workflow run` has started on this store)"
    if schedule.interval is not None:
        due = since + schedule.interval + grace
    else:
        due = schedule.next_after(schedule.next_after(since)) + grace
    if now <= due:
        return None
    what = f"last started {format_time(last_start)}" if last_start else f"never run since the service started {format_time(since)}"
    return f"overdue: {what}, schedule {schedule.describe()}"
