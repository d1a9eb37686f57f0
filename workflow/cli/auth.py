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
        "check", parents=parents, help="say who the worker acts as and whether the review folder is reachable")
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
    from workflow.google.clients import connect
    from workflow.google.operations import GoogleCallFailed, GoogleOps
    from workflow.store.export_queries import get_setting

    config = ctx.config
    session = connect(config)
    result = {"endpoint": session.endpoint.label, "acting_as": "", "token": "ok", "review_folder": None,
              "review_folder_reachable": None}
    try:
        result["token"] = session.check_token()
        result["acting_as"] = session.who()
        folder = config.get("google", "review_folder_id")
        if not folder:
            with ctx.store.read() as conn:
                folder = get_setting(conn, "review_folder_id")
        result["review_folder"] = folder or None
        if folder and result["token"] == "ok":
            try:
                found = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id")).get_file(
                    folder, fields="id,name,webViewLink")
            except GoogleCallFailed as exc:
                found, result["review_folder_error"] = None, str(exc)
            result["review_folder_reachable"] = found is not None
    finally:
        session.close()
    healthy = result["token"] == "ok" and result["review_folder_reachable"] is not False
    if ctx.json:
        ctx.emit_json(result)
    else:
        ctx.say(f"Endpoint:  {result['endpoint']}")
        ctx.say(f"Acting as: {result['acting_as']}")
        ctx.say(f"Token:     {result['token']}")
        if not result["review_folder"]:
            ctx.say("Review folder: not created yet; the first export creates it")
        else:
            state = "reachable" if result["review_folder_reachable"] else "NOT reachable"
            ctx.say(f"Review folder: {result['review_folder']} ({state})")
    return exit_codes.SUCCESS if healthy else exit_codes.FAILED

