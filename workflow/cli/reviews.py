"""`workflow reviews`: the review board; `--sync` follows the Docs first.

`workflow reviews comments POST` lists the Doc's comment threads on the post's source lines;
`workflow reviews diff POST` shows what the editors changed. `--json` prints the board as a list of
{post_id, path, url, state, reviewers {email: response}, due, overdue, comments_open,
comments_resolved, suggestions_pending, last_activity, source_changed, decline_message, write_back,
write_back_path, write_back_note}; with `--sync`, {"sync": report, "board": [...]}.
"""

from __future__ import annotations

import argparse

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.google.clients import connect
from workflow.reviews import BoardRow, post_comments, review_board, review_diff, sync_reviews
from workflow.reviews.comments import format_thread
from workflow.service.jobs import ManualRun, reviews_result


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "reviews", parents=parents, help="the review board: where each post's review stands",
        description="Show every post in review: its Doc, reviewers and their answers, due date, comments, "
                    "pending suggestions, last reviewer activity, and whether the post changed since export. "
                    "--sync first reads the Docs that changed, writes approved text back into the posts and "
                    "sends the notices (what the scheduler's reviews job does).")
    parser.add_argument("--sync", action="store_true", help="follow the review Docs first")
    parser.add_argument("--json", action="store_true", help="print the board as JSON")
    parser.set_defaults(func=run_board)
    commands = parser.add_subparsers(dest="reviews_command", metavar="ACTION")

    comments = commands.add_parser("comments", parents=parents, help="a post's comment threads on its source lines",
                                   description="List the review Doc's comment threads as FILE:LINE: “quote” — "
                                               "comment (author, open|resolved), replies indented.")
    comments.add_argument("post", metavar="POST", help="the post file (or its id)")
    comments.add_argument("--json", action="store_true", help="print the threads as JSON")
    comments.set_defaults(func=run_comments)

    diff = commands.add_parser("diff", parents=parents, help="what the editors changed in a post's Doc",
                               description="Unified diff of the Markdown last exported vs the Doc now "
                                           "(pending suggestions left out).")
    diff.add_argument("post", metavar="POST", help="the post file (or its id)")
    diff.set_defaults(func=run_diff)


def run_board(args: argparse.Namespace, ctx: Context) -> int:
    report = None
    if args.sync:
        with ManualRun(ctx.store, "reviews") as recorded:  # counts as a run of the reviews job (`status`)
            session = connect(ctx.config)
            try:
                report = sync_reviews(ctx.config, ctx.store, session)
            finally:
                session.close()
            recorded.finish(reviews_result(report))
    rows = review_board(ctx.config, ctx.store)
    if ctx.json:
        board = [row.to_json() for row in rows]
        ctx.emit_json({"sync": report.to_json(), "board": board} if report else board)
    else:
        if report:
            counts = report.counts()
            ctx.say(", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in counts))
            for message in report.errors:
                ctx.warn(message)
            for message in report.warnings:
                ctx.warn(f"warning: {message}")
        _print_board(rows, ctx)
    return exit_codes.FAILED if report and report.failed else exit_codes.SUCCESS


def _print_board(rows: list[BoardRow], ctx: Context) -> None:
    if not rows:
        ctx.say("No posts in review.")
        return
    for row in rows:
        flags = [row.state]
        if row.overdue:
            flags.append("OVERDUE")
        if row.source_changed:
            flags.append("post changed since export")
        ctx.say(f"{row.path or row.post_id}  [{', '.join(flags)}]  {row.url or ''}".rstrip())
        answers = ", ".join(f"{email} {response.lower().replace('_', ' ')}" for email, response in row.reviewers.items())
        ctx.say(f"    reviewers: {answers or 'none'}")
        ctx.say(f"    due {row.due or '-'}; comments {row.comments_open} open, {row.comments_resolved} resolved; "
                f"{row.suggestions_pending} suggestions pending; last activity {row.last_activity or '-'}")
        if row.decline_message and row.state == "declined":
            ctx.say(f"    declined: {row.decline_message}")
        if row.write_back:
            ctx.say(f"    approved text: {row.write_back} ({row.write_back_path or '-'})")
            if row.write_back_note:
                ctx.say(f"    note: {row.write_back_note}")


def run_comments(args: argparse.Namespace, ctx: Context) -> int:
    session = connect(ctx.config)
    try:
        path, placed = post_comments(ctx.config, ctx.store, session, args.post)
    finally:
        session.close()
    if ctx.json:
        ctx.emit_json([p.to_json() for p in placed])
        return 0
    if not placed:
        ctx.say(f"{path}: no comments")
    for item in placed:
        for line in format_thread(item, path):
            ctx.say(line)
    return 0


def run_diff(args: argparse.Namespace, ctx: Context) -> int:
    session = connect(ctx.config)
    try:
        diff = review_diff(ctx.config, ctx.store, session, args.post)
    finally:
        session.close()
    ctx.say(diff.rstrip("\n") if diff else "No changes in the Doc since export.")
    return 0
