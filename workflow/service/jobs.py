"""The job registry and how one job run happens: recorded in `job_runs`, under a lease when the job needs one.

A job is a function taking a `JobContext` and returning a `JobResult`. `run_job` records the run,
takes the job's lease first when it must run in one worker at a time (skipping when another
worker holds it), renews the lease while the job runs, and logs one line per run.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from workflow.config import Config
from workflow.errors import UserError
from workflow.service.identity import worker_identity
from workflow.store import Store, utcnow
from workflow.store import run_queries as q
from workflow.store.states import JobOutcome

log = logging.getLogger("workflow.service")

__all__ = ["JOBS", "Job", "JobContext", "JobResult", "JobRun", "run_job", "worker_identity"]


class SessionHolder:
    """One Google session per service process, made on first use and reused by every run."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._session: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._session is None:
                from workflow.google.clients import connect

                self._session = connect(self._config)
            return self._session

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None


@dataclass
class JobContext:
    """What a job gets: the config, the store, the Google session, the stop request, who is running it."""

    config: Config
    store: Store
    worker_id: str
    stop: threading.Event
    sessions: SessionHolder

    @property
    def session(self) -> Any:
        return self.sessions.get()

    @property
    def lease_seconds(self) -> int:
        return self.config.get("schedule", "lease_seconds")


@dataclass
class JobResult:
    counts: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    outcome: JobOutcome = JobOutcome.OK
    error: str | None = None  # why it failed, was skipped or interrupted


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[JobContext], JobResult]
    exclusive: bool  # True: one worker at a time across all workers (holds the lease named after the job)


@dataclass
class JobRun:
    """One recorded run, as `workflow run --once --json` prints it."""

    job: str
    worker: str
    started_at: str
    ended_at: str
    outcome: JobOutcome
    counts: dict[str, int]
    failed: int
    error: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job, "worker": self.worker, "started_at": self.started_at, "ended_at": self.ended_at,
                "outcome": str(self.outcome), "counts": self.counts, "failed": self.failed, "error": self.error,
                "seconds": round(self.seconds, 3)}


# --- the jobs ---

def export_job(ctx: JobContext) -> JobResult:
    """Export new and changed posts; each post is claimed inside the export, so every worker may run it."""
    from workflow.export import export_posts

    report = export_posts(ctx.config, ctx.store, ctx.session, stop=ctx.stop, worker_id=ctx.worker_id)
    return export_result(report)


def export_result(report: Any) -> JobResult:
    """An export report as a job run: failed when a post failed, interrupted when posts were left."""
    failed = int(report.failed)
    counts = dict(report.counts)
    if report.interrupted:
        counts["left"] = report.left
    if failed:
        return JobResult(counts=counts, failed=failed, outcome=JobOutcome.FAILED, error=f"{failed} posts failed")
    if report.interrupted:
        return JobResult(counts=counts, outcome=JobOutcome.INTERRUPTED,
                         error=f"stopped with {report.left} posts left for the next run")
    return JobResult(counts=counts)


def assign_job(ctx: JobContext) -> JobResult:
    """Hand queued topics to writers with room (the same function `workflow assign` calls)."""
    from workflow.queue.assign import assign_topics

    if not ctx.config.writers:  # a site without writers simply has nobody to hand drafts to
        return JobResult(outcome=JobOutcome.SKIPPED, error="no [[writers]] in the config: nothing to assign")
    return assign_result(assign_topics(ctx.store, ctx.config))


def assign_result(report: Any) -> JobResult:
    return JobResult(counts={"assigned": len(report.assigned), "finished": len(report.finished),
                             "queued": report.queued})


def reviews_job(ctx: JobContext) -> JobResult:
    """Follow the review Docs: read what changed, record approvals, write approved text back."""
    from workflow.reviews import sync_reviews

    return reviews_result(sync_reviews(ctx.config, ctx.store, ctx.session))


def reviews_result(report: Any) -> JobResult:
    failed = int(report.failed)
    return JobResult(counts=report.counts(), failed=failed,
                     outcome=JobOutcome.FAILED if failed else JobOutcome.OK,
                     error="; ".join(report.errors) if failed else None)


JOBS: dict[str, Job] = {
    "export": Job("export", export_job, exclusive=False),
    "assign": Job("assign", assign_job, exclusive=True),
    "reviews": Job("reviews", reviews_job, exclusive=True),
}


# --- one run ---

class ManualRun:
    """A job done by hand (`workflow export`, `assign`, `reviews --sync`), recorded as a run of that job,
    so `workflow status --check` reflects the latest real outcome. An exception ends it as failed (a
    Ctrl-C as interrupted) and goes on up."""

    def __init__(self, store: Store, job: str, worker: str | None = None) -> None:
        self.store, self.job, self.worker = store, job, worker or worker_identity()
        self.result: JobResult | None = None
        self._run_id = 0

    def __enter__(self) -> "ManualRun":
        with self.store.write() as conn:
            self._run_id = q.start_run(conn, job=self.job, worker=self.worker, started_at=utcnow())
        return self

    def finish(self, result: JobResult) -> None:
        self.result = result

    def __exit__(self, exc_type: type | None, exc: BaseException | None, _tb: Any) -> None:
        result = self.result or JobResult()
        if isinstance(exc, KeyboardInterrupt):
            result = JobResult(outcome=JobOutcome.INTERRUPTED, error="interrupted by Ctrl-C")
        elif exc is not None:
            result = JobResult(outcome=JobOutcome.FAILED, failed=1, error=str(exc) if isinstance(exc, UserError)
                               else f"{type(exc).__name__}: {exc}")
        with self.store.write() as conn:
            q.finish_run(conn, self._run_id, ended_at=utcnow(), outcome=result.outcome, counts=result.counts,
                         error=result.error)


class LeaseKeeper:
    """Renews a held lease every third of its length until stopped."""

    def __init__(self, store: Store, name: str, holder: str, seconds: int) -> None:
        self._store, self._name, self._holder, self._seconds = store, name, holder, seconds
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{name}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        with self._store.write() as conn:
            q.release_lease(conn, self._name, self._holder)

    def _renew(self) -> None:
        while not self._done.wait(self._seconds / 3):
            try:
                with self._store.write() as conn:
                    still_ours = q.renew_lease(conn, self._name, self._holder, self._seconds)
            except Exception:  # a store hiccup: try again at the next beat, before the lease runs out
                log.warning("could not renew the %s lease", self._name, exc_info=True)
                continue
            if not still_ours:
                log.error("lost the %s lease to another worker (it expired before it was renewed)", self._name)
                return


def run_job(job: Job, ctx: JobContext) -> JobRun:
    """Run `job` once in this worker and record it; never raises for a failure inside the job."""
    clock = time.monotonic()
    started_at = utcnow()
    if job.exclusive:
        with ctx.store.write() as conn:
            taken = q.acquire_lease(conn, job.id, ctx.worker_id, ctx.lease_seconds)
            if not taken:
                reason = f"lease held by {q.lease_holder(conn, job.id) or 'another worker'}"
                q.record_skipped_run(conn, job=job.id, worker=ctx.worker_id, at=started_at, reason=reason)
        if not taken:
            return _logged(JobRun(job.id, ctx.worker_id, started_at, started_at, JobOutcome.SKIPPED, {}, 0, reason,
                                  time.monotonic() - clock))
    try:
        with ctx.store.write() as conn:
            run_id = q.start_run(conn, job=job.id, worker=ctx.worker_id, started_at=started_at)
        result = _run_holding_lease(job, ctx) if job.exclusive else _run_catching(job, ctx)
    except BaseException:
        if job.exclusive:
            with ctx.store.write() as conn:
                q.release_lease(conn, job.id, ctx.worker_id)
        raise
    ended_at = utcnow()
    with ctx.store.write() as conn:
        q.finish_run(conn, run_id, ended_at=ended_at, outcome=result.outcome, counts=result.counts,
                     error=result.error)
    return _logged(JobRun(job.id, ctx.worker_id, started_at, ended_at, result.outcome, result.counts,
                          result.failed, result.error, time.monotonic() - clock))


def _run_holding_lease(job: Job, ctx: JobContext) -> JobResult:
    with LeaseKeeper(ctx.store, job.id, ctx.worker_id, ctx.lease_seconds):
        return _run_catching(job, ctx)


def _run_catching(job: Job, ctx: JobContext) -> JobResult:
    try:
        return job.run(ctx)
    except UserError as exc:  # a fault in the config or the site: the message says what to fix
        return JobResult(outcome=JobOutcome.FAILED, failed=1, error=str(exc))
    except Exception as exc:
        log.exception("%s failed: %s", job.id, exc, extra={"job": job.id, "outcome": "failed"})
        return JobResult(outcome=JobOutcome.FAILED, failed=1, error=f"{type(exc).__name__}: {exc}")


def _logged(run: JobRun) -> JobRun:
    counts = ", ".join(f"{name} {n}" for name, n in run.counts.items()) or "nothing to count"
    why = f" ({run.error})" if run.error else ""
    level = logging.WARNING if run.outcome == JobOutcome.FAILED else logging.INFO
    log.log(level, "job %s %s%s: %s in %.1f s", run.job, run.outcome, why, counts, run.seconds,
            extra={"job": run.job, "outcome": str(run.outcome), "counts": run.counts, "seconds": round(run.seconds, 3)})
    return run
