"""`workflow preview POST`: the cleaned post, what clean-up removed or repaired, and the Docs requests."""

from __future__ import annotations

import argparse
from pathlib import Path

from workflow.cli.context import Context
from workflow.content import PostError
from workflow.errors import UserError
from workflow.prepare import prepare_post


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "preview", parents=parents, help="show how a post will look in its review Doc",
        description="Clean up and render one post without sending anything: prints the cleaned Markdown, "
                    "what clean-up removed or repaired (with line numbers), topics it suggests, warnings, "
                    "and the Docs requests. --json prints {title, requests, removed, repairs, "
                    "suggested_topics, warnings}.")
    parser.add_argument("post", type=Path, metavar="POST", help="a Markdown file")
    parser.add_argument("--json", action="store_true", help="print the preview as JSON")
    parser.add_argument("--requests", action="store_true", help="also print the Docs requests (text output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    path: Path = args.post
    if path.is_dir():
        raise UserError(f"{path}: is a folder; preview takes one post file")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        prepared = prepare_post(path, root=path.parent, clean=ctx.config.get("content", "clean_up"),
                                site_url=ctx.config.get("content", "site_url"))
    except PostError as exc:
        raise UserError(str(exc)) from None
    if ctx.json:
        ctx.emit_json(prepared.preview_json())
        return 0
    post, rendered = prepared.post, prepared.rendered
    ctx.say(f"Title: {rendered.title}")
    if post.is_draft:
        ctx.say("Status: draft (export skips it until the status changes)")
    for item in post.removed:
        ctx.say(f"{path}:{item['line']}: removed: {item['text']}")
    for item in post.repairs:
        ctx.say(f"{path}:{item['line']}: repaired: {item['before']!r} -> {item['after']!r}")
    for topic in post.suggested_topics:
        ctx.say(f"Suggested topic (goes to the queue on export): {topic}")
    for item in post.warnings + rendered.warnings:
        ctx.say(f"{path}:{item['line']}: warning: {item['message']}")
    ctx.say("")
    ctx.say(post.body.rstrip("\n"))
    ctx.say("")
    ctx.say(f"{len(rendered.requests)} Docs requests in one batchUpdate, {len(rendered.blocks)} blocks.")
    if args.requests:
        import json

        for request in rendered.requests:
            ctx.say(json.dumps(request, ensure_ascii=False))
    return 0
