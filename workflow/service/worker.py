"""The long-lived service: APScheduler set-up, catch-up of missed runs, signals, and a bounded stop.

Signals are handled here and only here: the first SIGTERM/SIGINT sets the stop Event (the export
finishes the post in hand and returns; no new run starts) and the service waits for running jobs
at most `[schedule] stop_timeout_seconds`; a second signal ends the process at once (exit 128+signal).
Nothing is half-written either way: files are written atomically and store writes are transactions;
leases of a process that dies expire after `[schedule] lease_seconds`.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from types import FrameType
from typing import Any, Callable, Iterable, NoReturn

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from workflow import exit_codes
from workflow.config import Config
from workflow.service import jobs
from workflow.service.identity import worker_identity
from workflow.service.jobs import JobContext, JobRun, SessionHolder, run_job
from workflow.service.schedules import Schedule, configured_schedules, format_time, parse_time
from workflow.store import Store, utcnow
from workflow.store import run_queries as q
from workflow.store.states import JobOutcome

log = logging.getLogger("workflow.service")

RUN_HISTORY_DAYS = 90
_POLL_SECONDS = 0.1


class StopSignals:
    """SIGTERM/SIGINT: the first asks the service to stop; a second one ends the process now."""

    def __init__(self, stop: threading.Event, on_second: Callable[[int], None]) -> None:
        self._stop = stop
        self._on_second = on_second
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "StopSignals":
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._stop.is_set():
            log.warning("%s again: stopping now", name)
            self._on_second(signum)
            return
        log.info("%s: finishing the post in hand, then stopping (a second signal stops at once)", name)
        self._stop.set()


class InFlight:
    """Counts job runs in progress in this process."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1

    @property
    def idle(self) -> bool:
        with self._lock:
            return self._count == 0


class Service:
    """One worker process: `serve()` runs the schedules until stopped, `run_once()` runs jobs once."""

    def __init__(self, config: Config, store: Store, *, worker_id: str | None = None) -> None:
        self.config = config
        self.store = store
        self.stop = threading.Event()
        self.worker_id = worker_id or worker_identity()
        self.context = JobContext(config=config, store=store, worker_id=self.worker_id, stop=self.stop,
                                  sessions=SessionHolder(config))
        self.stop_timeout = float(config.get("schedule", "stop_timeout_seconds"))
        self._in_flight = InFlight()
        self.interrupted = False

    # --- the foreground service ---

    def serve(self) -> int:
        """Run the configured schedules until SIGTERM/SIGINT; 0 after a clean stop."""
        schedules = {job: s for job, s in configured_schedules(self.config).items() if s is not None}
        with self.store.write() as conn:
            q.mark_service_started(conn, utcnow())
            pruned = q.prune_runs(conn, before=format_time(datetime.now(timezone.utc)
                                                          - timedelta(days=RUN_HISTORY_DAYS)))
        if pruned:
            log.debug("forgot %d job runs older than %d days", pruned, RUN_HISTORY_DAYS)
        scheduler = self._scheduler(schedules)
        with StopSignals(self.stop, self._stop_now):
            scheduler.start()
            plan = "; ".join(f"{job} {s.describe()}" for job, s in schedules.items()) or "no job is scheduled"
            log.info("worker %s started: %s", self.worker_id, plan)
            while not self.stop.wait(1.0):
                pass
            scheduler.shutdown(wait=False)
            return self._finish()

    def _scheduler(self, schedules: dict[str, Schedule]) -> BackgroundScheduler:
        section = self.config.sections["schedule"]
        scheduler = BackgroundScheduler(
            timezone=section["timezone"],
            executors={"default": ThreadPoolExecutor(max_workers=max(1, len(schedules)))},
        )
        now = datetime.now(timezone.utc)
        for job_id, schedule in schedules.items():
            with self.store.read() as conn:
                last = q.last_worked_run(conn, job_id)
            last_start = parse_time(last.started_at) if last else None
            options: dict[str, Any] = {}
            if last_start is not None and schedule.missed_since(last_start, now):
                log.info("%s: a scheduled run was missed since %s; running it once now", job_id, last.started_at,
                         extra={"job": job_id})
                options["next_run_time"] = now
            scheduler.add_job(self._scheduled_run, schedule.trigger(last_start=last_start, now=now), args=[job_id],
                              id=job_id, name=job_id, coalesce=True, max_instances=1,
                              misfire_grace_time=section["misfire_grace_seconds"], **options)
        return scheduler

    def _scheduled_run(self, job_id: str) -> None:
        if self.stop.is_set():
            return
        with self._in_flight:
            run_job(jobs.JOBS[job_id], self.context)

    # --- once ---

    def run_once(self, job_ids: Iterable[str]) -> list[JobRun]:
        """Run the jobs one after another in this worker (a stop request: no further job starts).
        `interrupted` tells afterwards whether a stop request left work undone."""
        runs: list[JobRun] = []
        order = list(job_ids)
        self.interrupted = False

        def run_all() -> None:
            for job_id in order:
                if self.stop.is_set():
                    log.info("stopping: %s not run", ", ".join(order[len(runs):]))
                    return
                with self._in_flight:
                    runs.append(run_job(jobs.JOBS[job_id], self.context))

        runner = threading.Thread(target=run_all, name="run-once", daemon=True)
        with StopSignals(self.stop, self._stop_now):
            runner.start()
            while runner.is_alive() and not self.stop.is_set():
                runner.join(_POLL_SECONDS)
            if not self._wait_until(lambda: not runner.is_alive()):
                self._give_up()
        self.context.sessions.close()
        self.interrupted = self.stop.is_set() and (
            len(runs) < len(order) or any(r.outcome == JobOutcome.INTERRUPTED for r in runs))
        return runs

    # --- stopping ---

    def _finish(self) -> int:
        if not self._wait_until(lambda: self._in_flight.idle):
            self._give_up()
        self.context.sessions.close()
        log.info("worker %s stopped", self.worker_id)
        return 0

    def _wait_until(self, done: Callable[[], bool]) -> bool:
        """Wait for `done()`, at most stop_timeout seconds; False when time ran out."""
        deadline = time.monotonic() + self.stop_timeout
        while not done():
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return True

    def _give_up(self) -> NoReturn:
        log.error("jobs still running %.0f s after the stop request; stopping without them "
                  "(their runs are recorded as failed)", self.stop_timeout)
        self._abandon("stopped after stop_timeout_seconds before the run finished")
        _exit_now(exit_codes.FAILED)

    def _stop_now(self, signum: int) -> NoReturn:
        self._abandon(f"stopped by a second {signal.Signals(signum).name} before the run finished")
        _exit_now(exit_codes.killed_by(signum))

    def _abandon(self, reason: str) -> None:
        """Mark this worker's unfinished runs failed and free its leases (best effort: the process is going)."""
        try:
            with self.store.write() as conn:
                q.abandon_runs(conn, worker=self.worker_id, ended_at=utcnow(), reason=reason)
                q.release_leases_of(conn, self.worker_id)
        except Exception:
            log.warning("could not record the interrupted runs; their leases expire on their own", exc_info=True)


def _exit_now(code: int) -> NoReturn:
    """End the process without waiting for job threads (they cannot be interrupted)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
