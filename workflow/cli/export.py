"""`workflow export [PATH...]`: send new or changed finished posts to their review Docs."""

from __future__ import annotations

import argparse
from pathlib import Path

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.export import OUTCOMES, PostOutcome, export_posts
from workflow.google.clients import connect
from workflow.service.jobs import ManualRun, export_result


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "export", parents=parents, help="export finished posts to Google Docs for review",
        description="Export each new or changed finished post (or just PATH...) to its review Doc: one Doc per "
                    "post, shared with its reviewers. Unchanged posts make no API call; a Doc reviewers edited "
                    "is never overwritten (the author's changes go in as suggestions). Exit status: 0 all good, "
                    "1 some post failed (it is retried next run), 2 a user error.")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="posts or folders inside posts_dir")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done; send and record nothing")
    parser.add_argument("--force", action="store_true",
                        help="re-render every post, even unchanged ones, into Docs nobody has touched since "
                             "the last export (a Doc reviewers edited is never rewritten)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config
    if args.dry_run:
        report = export_posts(config, ctx.store, None, paths=args.paths, dry_run=True)
    else:
        with ManualRun(ctx.store, "export") as recorded:  # counts as a run of the export job (`status`)
            session = connect(config)
            try:
                if session.endpoint.is_sandbox and not ctx.json:
                    ctx.say(f"Exporting to {session.endpoint.label}.")
                report = export_posts(config, ctx.store, session, paths=args.paths, force=args.force,
                                      worker_id=recorded.worker, progress=None if ctx.json else
                                      lambda items, total: ctx.progress(items, total, "export"))
            finally:
                session.close()
            recorded.finish(export_result(report))
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        for result in report.posts:
            if result.state == PostOutcome.UNCHANGED:
                continue
            if result.error:
                ctx.say(f"  failed     {result.error}")
            else:
                note = f" ({result.note})" if result.note else ""
                ctx.say(f"  {result.state:<10} {result.path}{note}{'  ' + result.url if result.url else ''}")
        counts = report.counts
        prefix = "Dry run: " if args.dry_run else ""
        ctx.say(prefix + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
    return exit_codes.FAILED if report.failed else exit_codes.SUCCESS
