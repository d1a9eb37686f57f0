"""The checks of `workflow doctor` that change nothing: config, credentials, token, state store,
posts and drafts folders, review folder. `google_access` is also all of `workflow auth check`."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workflow.config import Config
from workflow.doctor.check import Check, failed, ok, skipped
from workflow.errors import UserError
from workflow.google.credentials import SCOPE_URL

FOLDER_MIME = "application/vnd.google-apps.folder"
FOLDER_FIELDS = "id,name,mimeType,trashed,webViewLink,capabilities(canAddChildren)"


@dataclass
class GoogleAccess:
    """Who the worker acts as, whether Google takes its credentials, and its review folder."""

    endpoint: str
    acting_as: str
    token: str  # "ok" or "refused: <the token endpoint's reason>"
    refresh_advice: str
    review_folder: str | None  # configured, or created by an earlier export; None = not yet
    folder: dict | None = None  # the folder as Drive gives it, when reachable
    folder_error: str | None = None

    @property
    def reachable(self) -> bool | None:
        if not self.review_folder or self.token != "ok":
            return None
        return self.folder is not None

    def to_json(self) -> dict[str, Any]:
        """The shape of `workflow auth check --json`."""
        result = {"endpoint": self.endpoint, "acting_as": self.acting_as, "token": self.token,
                  "review_folder": self.review_folder, "review_folder_reachable": self.reachable}
        if self.folder_error:
            result["review_folder_error"] = self.folder_error
        return result


def review_folder_id(config: Config, store: Any | None) -> str | None:
    """The configured review folder, else the one an earlier export created (None: not yet)."""
    from workflow.store.export_queries import get_setting

    folder = config.get("google", "review_folder_id")
    if not folder and store is not None:
        with store.read() as conn:
            folder = get_setting(conn, "review_folder_id")
    return folder or None


def google_access(config: Config, store: Any | None, session: Any) -> GoogleAccess:
    from workflow.google.operations import GoogleCallFailed, GoogleOps
    from workflow.google.pacing import API_ERRORS, describe

    try:
        token = session.check_token()
    except API_ERRORS as exc:  # the token endpoint could not be reached
        token = f"unreachable: {describe(exc)}"
    access = GoogleAccess(endpoint=session.endpoint.label, acting_as=session.who(), token=token,
                          refresh_advice=session.caller.refresh_advice, review_folder=review_folder_id(config, store))
    if access.review_folder and access.token == "ok":
        try:
            access.folder = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id")).get_file(
                access.review_folder, fields=FOLDER_FIELDS)
        except GoogleCallFailed as exc:
            access.folder_error = str(exc)
        except API_ERRORS as exc:
            access.folder_error = describe(exc)
    return access


# --- the checks ---------------------------------------------------------------------------------

def diagnose(load_config: Callable[[], Config], open_store: Callable[[], Any], *, live: bool = False,
             image_url: str | None = None, on_check: Callable[[Check], None] = lambda check: None) -> list[Check]:
    """Every check in order, each passed to `on_check` as soon as it is done (a live run takes a while)."""
    from workflow.google.clients import connect

    checks: list[Check] = []

    def add(check: Check) -> Check:
        checks.append(check)
        on_check(check)
        return check

    try:
        config = load_config()
    except UserError as exc:
        add(failed("config", str(exc), "fix the key it names (config/workflow.toml documents each)"))
        return checks
    add(ok("config", f"{_shown(config, config.path) if config.path else 'no config file: every key at its default'}"
                     f"; Google: {_endpoint(config)}"))
    session = None
    try:
        session = connect(config)
    except UserError as exc:
        add(failed("credentials", str(exc)))
    else:
        add(credentials_check(config, session))
    try:
        store = open_store()
    except UserError as exc:
        store = None
        add(failed("state store", str(exc), "check [state] url"))
    else:
        add(store_check(store))
    try:
        add(posts_check(config))
        add(drafts_check(config))
        if session is None:
            return checks
        access = google_access(config, store, session)
        token = add(token_check(access))
        if token.unhealthy:
            return checks
        if store is None and not access.review_folder:
            add(skipped("review folder", "not checked: the state store says which folder an export created"))
        else:
            add(review_folder_check(config, access))
        if live:
            from workflow.doctor.live import live_checks

            live_checks(config, session, access.review_folder if access.folder else None, image_url, add)
        return checks
    finally:
        if session is not None:
            session.close()


def _endpoint(config: Config) -> str:
    endpoint = config.get("google", "endpoint")
    return {"sandbox": "the local sandbox", "google": "Google"}.get(endpoint, f"the sandbox at {endpoint}")


def _shown(config: Config, path: Path) -> str:
    """A path as the user configured it: relative to the site root when inside it."""
    try:
        return str(Path(path).resolve().relative_to(config.root))
    except ValueError:
        return str(path)


def credentials_check(config: Config, session) -> Check:
    from google.oauth2 import service_account

    google = config.sections["google"]
    if session.endpoint.sandbox is not None or (google["endpoint"] == "sandbox" and not google["credentials"]):
        return ok("credentials", f"none needed for {session.endpoint.label}; acting as {session.who()}")
    creds = session.credentials
    kind = "service-account key" if isinstance(creds, service_account.Credentials) else "saved user login"
    path = config.resolve(google["credentials"]) if google["credentials"] else None
    if path is None:
        source = f"Application Default Credentials ({kind})"
    else:
        source = f"{kind} {_shown(config, path)} (mode {stat.S_IMODE(path.stat().st_mode):o})"
    scopes = " + ".join(scope.removeprefix(SCOPE_URL) for scope in (getattr(creds, "scopes", None) or []))
    seen = f"{source}, scopes {scopes or 'none'}; acting as {session.who()}"
    if google["drive_scope"] == "drive":
        seen += ' (full Drive: [google] drive_scope = "drive")'
    return ok("credentials", seen)


def token_check(access: GoogleAccess) -> Check:
    if access.token == "ok":
        return ok("token", f"{access.endpoint} accepted the credentials")
    if access.token.startswith("unreachable"):
        return failed("token", f"the token endpoint of {access.endpoint} is {access.token}",
                      "check the network, or [google] endpoint")
    return failed("token", f"{access.endpoint} {access.token}", access.refresh_advice)


def store_check(store) -> Check:
    from workflow.store.migrations import LATEST, current_version

    url = store.engine.url.render_as_string(hide_password=True)
    with store.read() as conn:
        version = current_version(conn)
    if version != LATEST:
        return failed("state store", f"{url} is at schema version {version}, this workflow needs {LATEST}",
                      "run any workflow command with write access to the store to migrate it")
    return ok("state store", f"{url} (schema version {version}, the latest)")


def posts_check(config: Config) -> Check:
    from workflow.content.posts import scan_posts

    folder = config.posts_dir
    shown = _shown(config, folder)
    if not folder.is_dir():
        return failed("posts folder", f"{shown} does not exist or is not a folder",
                      "create it, or set [content] posts_dir to the folder of your posts")
    if not os.access(folder, os.R_OK | os.X_OK):
        return failed("posts folder", f"{shown} is not readable", f"give this user read access to {shown}")
    count = len(scan_posts(folder))
    return ok("posts folder", f"{shown} ({count} post file{'s' if count != 1 else ''})")


def drafts_check(config: Config) -> Check:
    from workflow.queue.drafts import ensure_drafts_dir

    needed = bool(config.writers)  # only `workflow assign` writes drafts, for [[writers]]
    try:
        ensure_drafts_dir(config.drafts_dir)
    except UserError as exc:
        return failed("drafts folder", str(exc), "set [content] drafts_dir to a folder this user can write",
                      needed=needed)
    return ok("drafts folder", f"{_shown(config, config.drafts_dir)} (writable)", needed=needed)


def review_folder_check(config: Config, access: GoogleAccess) -> Check:
    name = config.get("google", "review_folder_name")
    if not access.review_folder:
        return ok("review folder", f"not created yet: the first export creates “{name}”")
    folder = access.folder
    if folder is None:
        scope = config.get("google", "drive_scope")
        why = f" ({access.folder_error})" if access.folder_error else ""
        fix = ('with drive_scope = "drive.file" the worker only reaches folders it created: empty '
               '[google] review_folder_id to let it make one, or set drive_scope = "drive"') \
            if scope == "drive.file" else f"share the folder with {access.acting_as}, or fix [google] review_folder_id"
        return failed("review folder", f"{access.review_folder} is not reachable{why}", fix)
    label = f"“{folder.get('name', '')}” ({access.review_folder})"
    if folder.get("mimeType", FOLDER_MIME) != FOLDER_MIME:
        return failed("review folder", f"{label} is not a folder", "set [google] review_folder_id to a folder")
    if folder.get("trashed"):
        return failed("review folder", f"{label} is in the bin", "restore it from the bin in Drive")
    if (folder.get("capabilities") or {}).get("canAddChildren") is False:
        return failed("review folder", f"{label} is read-only for {access.acting_as}",
                      "give the worker editor access to the folder")
    return ok("review folder", f"{label} reachable and writable")
