"""`workflow open POST`: the post's review Doc link (`--browser` opens it).

The link is made from the endpoint in use (Google Docs, or the sandbox where it is served now),
never from a URL stored at export. Only the link goes to stdout: `xdg-open "$(workflow open x.md)"`.
"""

from __future__ import annotations

import argparse
import webbrowser

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.google.links import doc_links
from workflow.reviews.board import find_reviewed_post


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "open", parents=parents, help="print (or open) a post's review Doc link",
        description="Print the link of the post's review Doc, made from [google] endpoint as it is now: "
                    "docs.google.com for Google, the sandbox viewer where the site's sandbox is served. "
                    "--browser also opens it in the default browser ($BROWSER when set).")
    parser.add_argument("post", metavar="POST", help="the post file (or its post id)")
    parser.add_argument("--browser", action="store_true", help="open the link in a browser too")
    parser.add_argument("--json", action="store_true", help='print {"post_id", "path", "doc_id", "url"}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    reviewed = find_reviewed_post(ctx.config, ctx.store, args.post)
    links = doc_links(ctx.config)
    doc_id = reviewed.export["doc_id"]
    url = links.url(doc_id)
    if ctx.json:
        ctx.emit_json({"post_id": reviewed.post_id, "path": reviewed.path, "doc_id": doc_id, "url": url})
    else:
        ctx.say(url)
    if links.is_sandbox and not links.serving:
        ctx.warn(f"the sandbox is not running: the link opens while `workflow sandbox serve` runs here "
                 f"(it serves at {links.root})")
    if args.browser and not webbrowser.open(url):
        ctx.warn("no browser could be started: open the link above yourself")
        return exit_codes.FAILED
    return exit_codes.SUCCESS
