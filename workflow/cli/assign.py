"""`workflow assign`: turn the next queued topics into draft files for writers with room.

`--json` prints {"assigned": [{topic_id, title, writer, draft_path}], "queued": n (still queued),
"writers": {name: {open, capacity}} (after this run), "finished": [topic ids whose drafts were
found no longer open], "skipped": [{topic_id, title, error}] (left queued: no draft could be
written for them), "dry_run": bool}. Exit status 1 when a topic was skipped.
"""

from __future__ import annotations

import argparse

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.queue.assign import assign_topics
from workflow.service.jobs import ManualRun, assign_result


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "assign", parents=parents, help="assign queued topics to writers as drafts",
        description="Hand the next queued topics to the writers below their capacity, as draft files in "
                    "drafts_dir. A draft counts against its writer until its front matter status is no "
                    "longer `draft` or the file leaves drafts_dir.",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would be assigned; change nothing")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.dry_run:
        report = assign_topics(ctx.store, ctx.config, dry_run=True)
    else:
        with ManualRun(ctx.store, "assign") as recorded:  # counts as a run of the assign job (`status`)
            report = assign_topics(ctx.store, ctx.config)
            recorded.finish(assign_result(report))
    status = exit_codes.FAILED if report.skipped else exit_codes.SUCCESS
    if ctx.json:
        ctx.emit_json(report.to_json())
        return status
    if report.finished:
        ctx.say(f"{len(report.finished)} drafts finished since the last run: "
                + ", ".join(f"#{topic_id}" for topic_id in report.finished))
    for item in report.assigned:
        ctx.say(f'#{item.topic_id} "{item.title}" -> {item.writer} ({item.draft_path})')
    for skipped in report.skipped:
        ctx.warn(f'#{skipped.topic_id} "{skipped.title}" left queued: {skipped.error}')
    load = ", ".join(f"{name} {w['open']}/{w['capacity']}" for name, w in report.writers.items())
    verb = "would assign" if report.dry_run else "assigned"
    ctx.say(f"{verb} {len(report.assigned)} topics; {report.queued} still queued; open drafts: {load}")
    if report.dry_run:
        ctx.say("dry run: nothing was changed")
    return status
