"""Credentials for the worker: a service-account key, a saved user login, or Application Default Credentials.

Always with explicit, least scopes (drive.file + documents). Credential files readable by other
users are refused; their contents never reach a log or an error message.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from workflow.errors import UserError
from workflow.files import replace_file

SCOPE_URL = "https://www.googleapis.com/auth/"
# Least privilege: files this app created (or a user opened with it), plus Docs.
SCOPES = (SCOPE_URL + "drive.file", SCOPE_URL + "documents")


def scopes_for(drive_scope: str) -> tuple[str, ...]:
    """The scopes to ask for: `drive.file` (default) or, when the user opts in, the full `drive` scope
    (needed to write into a shared drive or a folder made by hand in the Drive UI)."""
    return (SCOPE_URL + drive_scope, SCOPE_URL + "documents")


GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


class CredentialsRefused(UserError):
    """Google's token endpoint refused the credentials (a revoked login, a deleted key): every call would fail."""

    def __init__(self, reason: str, advice: str) -> None:
        super().__init__(f"Google refused the credentials ({reason}): {advice}")


DEFAULT_REFRESH_ADVICE = "check [google] credentials, or run `workflow auth login` again for a saved login"


def refresh_advice(creds: Credentials, path: Path | None) -> str:
    """What to do when Google refuses `creds` (loaded from `path`, or Application Default Credentials)."""
    if isinstance(creds, user_credentials.Credentials):
        login = f"the saved login in {path}" if path else "the Application Default Credentials login"
        return f"{login} was revoked or has expired: run `workflow auth login` again"
    if isinstance(creds, service_account.Credentials):
        key = f"the key {path}" if path else "the Application Default Credentials key"
        return (f"check {key}: it may have been deleted or disabled in the Cloud console, or its "
                f"domain-wide delegation removed; set [google] credentials to a new key")
    return DEFAULT_REFRESH_ADVICE


def refusal_reason(exc: Exception) -> str:
    """The token endpoint's one-line reason (a RefreshError's str() is the repr of (message, response))."""
    message = str(exc.args[0] if exc.args else exc).strip()
    return message.splitlines()[0] if message else "no reason given"


def check_private(path: Path, *, named_by: str = "") -> None:
    """Refuse a credential file that other users can read or write (it holds a key or a refresh token)."""
    label = f"{path} ({named_by})" if named_by else str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UserError(f"{label}: credentials file not found") from None
    if not stat.S_ISREG(mode):
        raise UserError(f"{label}: credentials must be a regular file")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UserError(
            f"{label}: credentials file is accessible by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )


def read_credentials_file(path: Path) -> dict:
    check_private(path)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{path}: not a readable JSON credentials file") from None
    if not isinstance(info, dict) or info.get("type") not in ("service_account", "authorized_user"):
        raise UserError(f"{path}: not a service-account key or a saved user login "
                        f"(expected \"type\": \"service_account\" or \"authorized_user\")")
    return info


def load_credentials(path: Path | None, *, subject: str = "", token_uri: str | None = None,
                     scopes: tuple[str, ...] = SCOPES) -> Credentials:
    """Credentials from a key or login file, else Application Default Credentials.

    `token_uri` points the token exchange elsewhere than Google (a sandbox started with `serve`).
    """
    if path is None:
        return _application_default(scopes)
    info = read_credentials_file(path)
    if info["type"] == "service_account":
        if token_uri:
            info = dict(info, token_uri=token_uri)
        try:
            creds = service_account.Credentials.from_service_account_info(info, scopes=scopes)
        except (ValueError, KeyError) as exc:
            raise UserError(f"{path}: service-account key is incomplete ({_first_line(exc)})") from None
        return creds.with_subject(subject) if subject else creds
    if subject:
        raise UserError(f"{path}: [google] subject works only with a service-account key, not a user login")
    try:
        creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=list(scopes))
    except ValueError as exc:
        raise UserError(f"{path}: saved login is incomplete ({_first_line(exc)}); run `workflow auth login`") from None
    return creds.with_token_uri(token_uri) if token_uri else creds


def save_user_credentials(creds: user_credentials.Credentials, path: Path) -> None:
    """Write a user login with mode 0600, atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # to_json() leaves out "type", which read_credentials_file (and google.auth.default) need.
    info = dict(json.loads(creds.to_json()), type="authorized_user")
    replace_file(path, json.dumps(info), mode=0o600)


def login_with_browser(client_secrets: Path, scopes: tuple[str, ...], *, open_browser: bool
                       ) -> user_credentials.Credentials:
    """The installed-app flow: Google's consent page in a browser, answered on a loopback port."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scopes))
    except ValueError as exc:
        raise UserError(f"{client_secrets}: not an OAuth client file ({exc})") from None
    return flow.run_local_server(port=0, open_browser=open_browser)


def _application_default(scopes: tuple[str, ...]) -> Credentials:
    """Application Default Credentials, whose files obey the same rule as ours (not readable by others)."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    for path, named_by in _application_default_files():
        check_private(path, named_by=named_by)
    try:
        creds, _project = google.auth.default(scopes=list(scopes))
    except DefaultCredentialsError:
        raise UserError(
            "no Google credentials: set [google] credentials to a service-account key or run "
            "`workflow auth login` (or use --sandbox to try everything locally)"
        ) from None
    return creds


def _application_default_files() -> list[tuple[Path, str]]:
    """The credential file google.auth.default would read: $GOOGLE_APPLICATION_CREDENTIALS, else gcloud's."""
    named = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if named:
        return [(Path(named), "GOOGLE_APPLICATION_CREDENTIALS")]
    from google.auth import _cloud_sdk  # where gcloud keeps it ($CLOUDSDK_CONFIG, else the user's config)

    gcloud = Path(_cloud_sdk.get_application_default_credentials_path())
    return [(gcloud, "gcloud application-default login")] if gcloud.exists() else []


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
