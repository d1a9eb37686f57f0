"""`workflow status`: each job's last and next run, the topic queue, open drafts, exports and their Docs.

`--json`: see the README's JSON table. Times are UTC. Doc links are made from the endpoint in use.
`--check` exits 1, naming each problem, when a job's last run failed or it is overdue; 0 when healthy.
"""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from workflow import exit_codes
from workflow.cli.context import Context, say_viewer_hint
from workflow.terminal import counted
from workflow.service.schedules import parse_time
from workflow.service.status import ServiceStatus, service_status


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "status", parents=parents, help="show the jobs' last and next runs, the queue, drafts and exports",
        description="Show each job's last run and next run, the topic queue, open drafts per writer, and "
                    "exports by state with the Doc URLs of those still in review.",
    )
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    parser.add_argument("--check", action="store_true",
                        help="health check: exit 1 when a job's last run failed or a job is overdue")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    status = service_status(ctx.config, ctx.store)
    if ctx.json:
        ctx.emit_json(status.to_json())
    elif not args.check:
        _print(status, ctx, ZoneInfo(ctx.config.get("schedule", "timezone")))
    if not args.check:
        return 0
    for problem in status.problems:
        ctx.error(problem, kind="unhealthy")
    if not status.problems and not ctx.json:
        ctx.say("healthy")
    return exit_codes.FAILED if status.problems else exit_codes.SUCCESS


def _when(stored: str | None, tz: ZoneInfo) -> str:
    if not stored:
        return "-"
    return parse_time(stored).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _print(status: ServiceStatus, ctx: Context, tz: ZoneInfo) -> None:
    ctx.say(f"Jobs (times in {tz.key}):")
    for job in status.jobs:
        if not job.schedule:
            ctx.say(f"  {job.id:8} off")
            continue
        if job.last_start is None:
            last = "never run"
        else:
            counts = ", ".join(f"{name} {n}" for name, n in job.counts.items())
            last = f"last {job.outcome} {_when(job.last_start, tz)} -> {_when(job.last_end, tz)}"
            last += f" ({counts})" if counts else ""
        ctx.say(f"  {job.id:8} {job.schedule:14} {last}; next {_when(job.next_run, tz)}")
        if job.problem:
            ctx.say(f"           ! {job.problem}")
    ctx.say(f"Queue: {counted(status.queue, 'topic')} queued")
    if ctx.config.topic_sheet:
        sheet = status.sheet
        if sheet is None:
            ctx.say("Topic Sheet: not created yet (the next `topics` run or `workflow topics sync` makes it)")
        else:
            ctx.say(f"Topic Sheet: {sheet['url']}  last sync {_when(sheet['synced_at'], tz)}")
            if sheet["problem"]:
                ctx.say(f"           ! {sheet['problem']} (last tried {_when(sheet['checked_at'], tz)})")
    drafts = ", ".join(f"{writer} {n}" for writer, n in status.drafts.items()) or "none"
    ctx.say(f"Open drafts: {drafts}")
    exports = ", ".join(f"{state} {n}" for state, n in status.exports.items()) or "none"
    ctx.say(f"Exports: {exports}")
    for doc in status.docs:
        ctx.say(f"  {doc['state']:10} {doc['path'] or doc['post_id']}  {doc['url'] or '(no Doc yet)'}")
        if doc["error"]:
            again = f" ({doc['failed_runs']} runs in a row)" if doc["failed_runs"] > 1 else ""
            ctx.say(f"  {'':10} ! {doc['error']}{again}")
    if any(doc["url"] for doc in status.docs):
        say_viewer_hint(status.links, ctx)
