"""The `workflow` command: global options, one sub-command module per feature, one-line user errors.

Each module named in COMMAND_MODULES defines `register(subparsers, parents)`, which adds its
parsers with `parents=parents` (so `--config`, `-v` work after the command too) and sets
`func=run` where `run(args, ctx) -> int`. Only the CLI prints; features return data.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from workflow import __version__, exit_codes
from workflow.cli.context import Context
from workflow.errors import UserError
from workflow.logs import setup_logging

COMMAND_MODULES = ["topics", "assign", "sandbox", "run", "status", "reviews", "preview", "export", "auth", "doctor"]

log = logging.getLogger("workflow")


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options valid before and after the command name; after it they must not reset what came before."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=default,
                        help="config file (default: $WORKFLOW_CONFIG, else config/workflow.toml when present)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="debug logging on stderr")
    common.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="talk to the local sandbox instead of Google, whatever the config says")
    common.add_argument("--log-format", choices=("text", "json"), default=default,
                        help="log lines as text (default on a terminal) or JSON lines")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workflow",
        description="Editorial pipeline of a blog between Markdown files and Google Docs.",
        parents=[_common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"workflow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    parents = [_common_options(suppress=True)]
    for name in COMMAND_MODULES:
        importlib.import_module(f"workflow.cli.{name}").register(subparsers, parents)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose, log_format=args.log_format)
    ctx = Context(args)
    try:
        return int(args.func(args, ctx) or exit_codes.SUCCESS)
    except UserError as exc:
        Context.error(str(exc))
        return exit_codes.USER_ERROR
    except KeyboardInterrupt:
        print("workflow: interrupted", file=sys.stderr)
        return exit_codes.KEYBOARD_INTERRUPT
    except BrokenPipeError:
        # The reader went away (`workflow topics list --json | head`): not an error worth a traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from writing at exit
        return exit_codes.SUCCESS
    finally:
        ctx.close()
