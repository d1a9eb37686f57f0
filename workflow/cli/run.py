"""`workflow run`: the scheduler as a foreground service, or `--once` for cron and systemd timers.

`--once --json` prints {"jobs": [{job, worker, started_at, ended_at, outcome, counts, failed, error,
seconds}]}; the exit status is 1 when a job failed, 3 when a signal stopped the run with work left
(the rest is done on the next run), 0 otherwise (a job skipped because another worker holds its lease
is not a failure).
"""

from __future__ import annotations

import argparse

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.service.schedules import JOB_IDS, configured_schedules
from workflow.service.worker import Service
from workflow.store.states import JobOutcome


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "run", parents=parents, help="run the scheduled jobs (export, assign, reviews) as a service",
        description="Run the jobs on the schedules of [schedule] until SIGTERM or Ctrl-C (the post in hand is "
                    "finished first; a second signal stops at once). Several workers may share one PostgreSQL "
                    "state store.",
    )
    parser.add_argument("--once", action="store_true",
                        help="run each scheduled job once and exit (1 if one failed, 3 if stopped by a signal "
                             "with work left)")
    parser.add_argument("--job", action="append", choices=JOB_IDS, metavar="JOB",
                        help=f"with --once: run only this job, even when its schedule is off "
                             f"(repeatable; one of {', '.join(JOB_IDS)})")
    parser.add_argument("--json", action="store_true", help="with --once: print the job runs as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not args.once and (args.job or args.json):
        ctx.warn("--job and --json apply to --once only; ignoring them")
    service = Service(ctx.config, ctx.store)
    if not args.once:
        return service.serve()
    job_ids = args.job or [job for job, schedule in configured_schedules(ctx.config).items() if schedule]
    runs = service.run_once(job_ids)
    if ctx.json:
        ctx.emit_json({"jobs": [r.to_json() for r in runs]})
    else:
        for r in runs:
            counts = ", ".join(f"{name} {n}" for name, n in r.counts.items())
            detail = "; ".join(part for part in (counts, r.error) if part)
            ctx.say(f"{r.job}: {r.outcome}" + (f" ({detail})" if detail else "") + f" in {r.seconds:.1f} s")
        if not runs and not service.interrupted:
            ctx.say("no job ran: every schedule is off (name one with --job)")
        if service.interrupted:
            ctx.say("stopped before the work was done: the rest is done on the next run")
    if any(r.outcome == JobOutcome.FAILED for r in runs):
        return exit_codes.FAILED
    return exit_codes.INTERRUPTED if service.interrupted else exit_codes.SUCCESS
