"""`workflow export [PATH...]`: send new or changed finished posts to their review Docs."""

from __future__ import annotations

import argparse
from pathlib import Path

from workflow import exit_codes
from workflow.cli.context import Context, say_viewer_hint
from workflow.cli.topics import sync_sheet_after
from workflow.export import OUTCOMES, ExportReport, PostOutcome, export_posts
from workflow.export.decide import check_paths
from workflow.google.clients import connect
from workflow.google.links import doc_links
from workflow.queue.sheet import suggested_topics_mark, suggested_topics_since
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
    if args.paths:  # a mistyped path: one line before anything starts (not a failed run of the export job)
        check_paths(config, args.paths)
    if args.dry_run:
        report = export_posts(config, ctx.store, None, paths=args.paths, dry_run=True)
    else:
        mark = suggested_topics_mark(ctx.store)
        with ManualRun(ctx.store, "export") as recorded:  # counts as a run of the export job (`status`)
            check_paths(config, None)  # no posts folder: a failed run, said before the sandbox starts
            session = connect(config)
            try:
                if session.endpoint.is_sandbox and not ctx.json:
                    ctx.say(f"Exporting to {session.endpoint.label}.")
                report = export_posts(config, ctx.store, session, paths=args.paths, force=args.force,
                                      worker_id=recorded.worker, progress=lambda items, total: ctx.progress(
                                          items, total, "export", unit="posts", name=lambda c: c.rel))
            finally:
                session.close()
            recorded.finish(export_result(report))
        if suggested_topics_since(ctx.store, mark):
            sync_sheet_after(ctx, "export")     # the posts suggested topics: show them in the Sheet
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        if say_export(report, ctx):
            say_viewer_hint(doc_links(config), ctx)
        counts = report.counts
        prefix = "Dry run: " if args.dry_run else ""
        ctx.say(prefix + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
    return exit_codes.FAILED if report.failed else exit_codes.SUCCESS


def say_export(report: ExportReport, ctx: Context, *, links: bool = True) -> bool:
    """Each post the run did something with (its Doc link, its warnings by file and line), then the
    warnings about the run; unchanged posts are left out. `export` and `run --once` (which lists the
    Doc links after all its jobs: links=False) print this. True when it printed a Doc link."""
    linked = False
    for result in report.posts:
        if result.state == PostOutcome.UNCHANGED:
            continue
        if result.error:
            ctx.say(f"  failed     {result.error}")
        else:
            note = f" ({result.note})" if result.note else ""
            link = f"  {result.url}" if links and result.url else ""
            linked = linked or bool(link)
            ctx.say(f"  {result.state:<10} {result.path}{note}{link}")
        for warning in result.warnings:
            ctx.say(f"             {result.path}:{warning['line']}: warning: {warning['message']}")
    for warning in report.warnings:
        ctx.warn(warning)
    return linked
