"""`workflow topics ...`: the queue of upcoming topics.

`--json` prints topic objects: {id, title, priority, position (1-based place in the queue, null
unless queued), notes, due (YYYY-MM-DD or null), added_by, source, status (queued, assigned,
removed), created_at, and assignment {writer, draft_path, assigned_at, status} once assigned}.
`topics sync --json` prints {url, created, read, rows, queued, updated, removed, reordered, refused,
restored, conflicts, written, api_calls, shared, messages, skipped, error}.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workflow import exit_codes
from workflow.queue import topics
from workflow.queue.taken import taken_titles
from workflow.cli.context import Context
from workflow.terminal import counted

_PRIORITY_HELP = "high, normal (default) or low: high topics are assigned first"


def _text(value: str) -> str:
    """An argument as text: bytes that are not UTF-8 (a terminal in another encoding) are refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("is not valid UTF-8 text (check the terminal's encoding)") from None
    return value


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "topics", parents=parents, help="the queue of upcoming topics",
        description="The queue of upcoming topics, in order: priority, then position, then age.",
    )
    commands = parser.add_subparsers(dest="topics_command", metavar="ACTION")
    commands.required = True

    add = commands.add_parser("add", parents=parents, help="queue a topic",
                              description="Queue a topic at the bottom of its priority. A duplicate title "
                                          "(ignoring case, punctuation, quotes and emoji) is refused.")
    add.add_argument("title", type=_text)
    add.add_argument("--priority", default="normal", choices=topics.PRIORITIES, help=_PRIORITY_HELP)
    add.add_argument("--notes", default="", type=_text, help="notes for the writer (go into the draft)")
    add.add_argument("--due", metavar="YYYY-MM-DD", help="when the post is due")
    add.add_argument("--by", metavar="NAME", default="", type=_text, help="who asked for the topic")
    add.add_argument("--json", action="store_true", help="print the new topic as JSON")
    add.set_defaults(func=run_add)

    listing = commands.add_parser(
        "list", parents=parents, help="show the queue",
        description="List the queued topics in the order they are assigned: priority, then place, then age. "
                    "--all adds assigned topics (with their writer) and removed ones.")
    listing.add_argument("--all", action="store_true", help="also assigned and removed topics")
    listing.add_argument("--json", action="store_true", help="print a JSON list of topic objects")
    listing.set_defaults(func=run_list)

    show = commands.add_parser(
        "show", parents=parents, help="show one topic",
        description="Show one topic: its status and place in the queue, priority, due date, notes, who added it "
                    "and from where, and once assigned its writer and draft.")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the topic object as JSON")
    show.set_defaults(func=run_show)

    remove = commands.add_parser(
        "remove", parents=parents, help="take a queued topic off the queue",
        description="Take a queued topic off the queue (it stays listed with --all as removed, and its title "
                    "may be queued again). An assigned topic cannot be removed: its draft is being written.")
    remove.add_argument("id", type=int)
    remove.set_defaults(func=run_remove)

    move = commands.add_parser(
        "move", parents=parents, help="reorder the queue",
        description="Move a queued topic before another one (it takes that topic's priority), "
                    "or to the top or bottom of its own priority.")
    move.add_argument("id", type=int)
    where = move.add_mutually_exclusive_group(required=True)
    where.add_argument("--before", type=int, metavar="ID2", help="just before topic ID2")
    where.add_argument("--top", dest="to", action="store_const", const="top", help="first of its priority")
    where.add_argument("--bottom", dest="to", action="store_const", const="bottom", help="last of its priority")
    move.set_defaults(func=run_move)

    imports = commands.add_parser(
        "import", parents=parents, help="queue the topics of a file",
        description="Queue topics from FILE: one title a line, or CSV with a header that has a title "
                    "column and optionally priority, notes, due, by. Duplicates are reported per line "
                    "and skipped; any invalid line refuses the whole file.")
    imports.add_argument("file", type=Path)
    imports.add_argument("--by", metavar="NAME", default="", type=_text,
                         help="who asked for them (unless the file says)")
    imports.add_argument("--json", action="store_true",
                         help="print {file, added: [topic], duplicates: [{line, title, existing_id}], "
                              "similar: [{line, title, similar_to: {id, title}}]}")
    imports.set_defaults(func=run_import)

    sync = commands.add_parser(
        "sync", parents=parents, help="sync the queue with its Google Sheet, both ways",
        description="Bring the topic Sheet ([topics] sheet = true) and the queue in step: rows editors added are "
                    "queued (duplicates refused, with the reason in Message), their edits, removals and row moves "
                    "reach the queue, and what changed from the command line, assign and export shows in the Sheet. "
                    "The first sync creates the Sheet in the review folder and shares it with [topics] editors. "
                    "Exit status: 0 done, 1 the Sheet could not be synced (it is retried next run).")
    sync.add_argument("--new-sheet", action="store_true",
                      help="make a new Sheet (when the old one was deleted or trashed for good); the queue is kept")
    sync.add_argument("--json", action="store_true", help="print the sync report as JSON")
    sync.set_defaults(func=run_sync)


def _describe(topic: topics.Topic) -> str:
    return f'#{topic.id} "{topic.title}"'


def _warn_similar(ctx: Context, similar: list[topics.Similar]) -> None:
    for item in similar:
        ctx.warn(f'"{item.title}" looks like #{item.other_id} "{item.other_title}" (added anyway)')


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    new = topics.new_topic(args.title, priority=args.priority, notes=args.notes, due=args.due, added_by=args.by)
    result = topics.add_topic(ctx.store, new, taken=taken_titles(ctx.config, ctx.store))
    _warn_similar(ctx, result.similar)
    if ctx.json:
        ctx.emit_json(result.topic.to_json())
    else:
        ctx.say(f"queued {_describe(result.topic)} ({result.topic.priority}, "
                f"place {result.topic.position} in the queue)")
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    found = topics.list_topics(ctx.store, include_all=args.all)
    if ctx.json:
        ctx.emit_json([topic.to_json() for topic in found])
        return 0
    if not found:
        ctx.say("the topic queue is empty" + ("" if args.all else " (`workflow topics add TITLE` queues one)"))
        return 0
    header = ["ID", "PRIORITY", "DUE"] + (["STATUS", "WRITER"] if args.all else []) + ["TITLE"]
    rows = [header]
    for topic in found:
        row = [f"#{topic.id}", topic.priority, topic.due or "-"]
        if args.all:
            row += [topic.status, topic.assignment.writer if topic.assignment else "-"]
        rows.append(row + [topic.title])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        ctx.say("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    queued = sum(1 for topic in found if topic.status == "queued")
    ctx.say(f"{queued} queued")
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    topic = topics.get_topic(ctx.store, args.id)
    if ctx.json:
        ctx.emit_json(topic.to_json())
        return 0
    ctx.say(_describe(topic))
    status = topic.status + (f" (place {topic.position} in the queue)" if topic.position else "")
    lines = [("status", status), ("priority", topic.priority), ("due", topic.due or "-"),
             ("notes", topic.notes or "-"), ("added by", topic.added_by or "-"), ("source", topic.source),
             ("created", topic.created_at)]
    if topic.assignment:
        lines += [("writer", topic.assignment.writer), ("draft", topic.assignment.draft_path),
                  ("assigned", topic.assignment.assigned_at), ("draft status", topic.assignment.status)]
    for label, value in lines:
        ctx.say(f"  {label + ':':<14}{value}")
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    topic = topics.remove_topic(ctx.store, args.id)
    ctx.say(f"removed {_describe(topic)} from the queue")
    return 0


def run_move(args: argparse.Namespace, ctx: Context) -> int:
    topic = topics.move_topic(ctx.store, args.id, before=args.before, to=args.to)
    ctx.say(f"moved {_describe(topic)}: now {topic.priority}, place {topic.position} in the queue")
    return 0


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    report = topics.import_topics(ctx.store, args.file, added_by=args.by, taken=taken_titles(ctx.config, ctx.store))
    for duplicate in report.duplicates:
        ctx.warn(f"{report.path} line {duplicate['line']}: {duplicate['message']} (skipped)")
    for item in report.similar:
        other = item["similar_to"]
        ctx.warn(f'{report.path} line {item["line"]}: "{item["title"]}" looks like #{other["id"]} '
                 f'"{other["title"]}" (added anyway)')
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        comments = f"; {counted(len(report.comments), 'comment line')} (#) skipped" if report.comments else ""
        ctx.say(f"queued {counted(len(report.added), 'topic')} from {report.path}"
                f"; {counted(len(report.duplicates), 'duplicate')} skipped{comments}")
    return 0


def _sync_line(report) -> str:
    counts = report.counts
    parts = [f"{name} {getattr(counts, name)}" for name in
             ("queued", "updated", "removed", "reordered", "refused", "restored", "conflicts") if getattr(counts, name)]
    def rows(n: int) -> str:
        return f"{n} row" if n == 1 else f"{n} rows"
    read = f"read {rows(report.rows)}" if report.read else f"unchanged since the last read ({rows(report.rows)})"
    wrote = f"wrote {rows(report.written)}" if report.written else "nothing to write"
    calls = "1 API call" if report.api_calls == 1 else f"{report.api_calls} API calls"
    return f"{read}; {', '.join(parts) or 'no changes from the Sheet'}; {wrote} ({calls})"


def sync_sheet(ctx: Context, *, new_sheet: bool = False):
    """One sync of the topic Sheet with a session of its own, recorded as a run of the `topics` job (as
    `workflow status` shows it); returns the SheetReport."""
    from workflow.google.clients import connect
    from workflow.queue.sheet import require_sheet, sync_topic_sheet
    from workflow.service.jobs import ManualRun, topics_result

    require_sheet(ctx.config)
    with ManualRun(ctx.store, "topics") as recorded:
        session = connect(ctx.config)
        try:
            report = sync_topic_sheet(ctx.config, ctx.store, session, holder=recorded.worker, new_sheet=new_sheet)
        finally:
            session.close()
        recorded.finish(topics_result(report))
    return report


def sync_sheet_after(ctx: Context, what: str):
    """After `assign` or `export` changed the queue: sync the Sheet when there is one (a failure is a
    warning: the scheduled sync tries again). Returns the report, or None without a Sheet."""
    if not ctx.config.topic_sheet:
        return None
    report = sync_sheet(ctx)
    if report.error:
        ctx.warn(f"topic Sheet not updated after {what}: {report.error}")
    elif not ctx.json:
        ctx.say(f"topic Sheet: {_sync_line(report)}")
    return report


def run_sync(args: argparse.Namespace, ctx: Context) -> int:
    report = sync_sheet(ctx, new_sheet=args.new_sheet)
    if ctx.json:
        ctx.emit_json(report.to_json())
        return exit_codes.FAILED if report.failed else exit_codes.SUCCESS
    if report.skipped:
        ctx.say(f"not synced: {report.skipped}; try again in a moment")
        return exit_codes.SUCCESS
    if report.url:
        ctx.say(f"Topic Sheet: {report.url}" + (" (created)" if report.created else ""))
    for email in report.shared:
        ctx.say(f"  shared with {email}")
    for message in report.messages:
        ctx.say(f"  {message}")
    if report.error:
        ctx.warn(report.error)
        return exit_codes.FAILED
    ctx.say(_sync_line(report))
    return exit_codes.SUCCESS
