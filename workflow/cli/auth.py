"""`workflow auth login|check`: sign in as a user, and say who the worker acts as."""

from __future__ import annotations

import argparse
from pathlib import Path

from workflow import exit_codes
from workflow.cli.context import Context
from workflow.errors import UserError


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser("auth", parents=parents, help="Google sign-in and access checks")
    commands = parser.add_subparsers(dest="auth_command", metavar="ACTION")
    commands.required = True
    login = commands.add_parser(
        "login", parents=parents, help="sign in with your Google account (installed-app flow)",
        description="Opens Google's consent page in a browser ([google] drive_scope and documents only) and saves "
                    "the login, readable only by you (mode 0600), at [google] credentials or --out.")
    login.add_argument("--client-secrets", type=Path, required=True, metavar="FILE",
                       help="the OAuth client (Desktop app) JSON downloaded from the Google Cloud console")
    login.add_argument("--out", type=Path, metavar="PATH", help="where to save the login (default: [google] credentials)")
    login.add_argument("--no-browser", action="store_true", help="print the URL instead of opening a browser")
    login.set_defaults(func=run_login)
    check = commands.add_parser(
        "check", parents=parents, help="say who the worker acts as and whether the review folder is reachable "
                                       "(`workflow doctor` checks more)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.set_defaults(func=run_check)


def run_login(args: argparse.Namespace, ctx: Context) -> int:
    from workflow.google.credentials import login_with_browser, save_user_credentials, scopes_for

    out = args.out or ctx.config.get("google", "credentials")
    if out is None:
        raise UserError("say where to save the login: --out PATH, or set [google] credentials")
    out = ctx.config.resolve(out)
    if not args.client_secrets.is_file():
        raise UserError(f"{args.client_secrets}: no such file")
    creds = login_with_browser(args.client_secrets, scopes_for(ctx.config.get("google", "drive_scope")),
                               open_browser=not args.no_browser)
    save_user_credentials(creds, out)
    ctx.say(f"Signed in. Saved the login to {out} (readable only by you).")
    return 0


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    """The Google half of `workflow doctor` (credentials, token, review folder), in its own shape."""
    from workflow.doctor import google_access
    from workflow.google.clients import connect

    session = connect(ctx.config)
    try:
        access = google_access(ctx.config, ctx.store, session)
    finally:
        session.close()
    if ctx.json:
        ctx.emit_json(access.to_json())
    else:
        ctx.say(f"Endpoint:  {access.endpoint}")
        ctx.say(f"Acting as: {access.acting_as}")
        ctx.say(f"Token:     {access.token}")
        if not access.review_folder:
            ctx.say("Review folder: not created yet; the first export creates it")
        else:
            state = "reachable" if access.reachable else "NOT reachable"
            ctx.say(f"Review folder: {access.review_folder} ({state})")
    healthy = access.token == "ok" and access.reachable is not False
    return exit_codes.SUCCESS if healthy else exit_codes.FAILED
