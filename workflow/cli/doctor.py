"""`workflow doctor [--live] [--json]`: is this site ready to run against its Google?"""

from __future__ import annotations

import argparse

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.errors import UserError


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "doctor", parents=parents, help="check the config, credentials, store, folders and (--live) Google itself",
        description="One line per check: ✔ passed, ✗ failed (with what to do), ! failed but the worker copes, "
                    "– not checked. Exit 1 when a check the worker depends on failed.")
    parser.add_argument("--live", action="store_true",
                        help="also try each Drive and Docs behaviour the worker relies on, in a scratch Doc in the "
                             "review folder (put in the bin afterwards)")
    parser.add_argument("--image", metavar="URL",
                        help="with --live: the image Google should fetch (default: the first image a post shows "
                             "from [content] site_url)")
    parser.add_argument("--json", action="store_true", help='print {"healthy", "checks": [{"check", "status", '
                                                            '"needed", "seen", "fix"}]}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from workflow.doctor import diagnose

    if args.image and not args.live:
        raise UserError("--image goes with --live (the image is fetched by Google into the scratch Doc)")
    def show(check) -> None:
        if not ctx.json:
            ctx.say(check.line())

    checks = diagnose(lambda: ctx.config, lambda: ctx.store, live=args.live, image_url=args.image, on_check=show)
    healthy = not any(check.unhealthy for check in checks)
    if ctx.json:
        ctx.emit_json({"healthy": healthy, "live": args.live, "checks": [check.to_json() for check in checks]})
    return exit_codes.SUCCESS if healthy else exit_codes.FAILED
