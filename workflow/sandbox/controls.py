"""Test controls under `/_sandbox/`. Scripts outside the project rely on these shapes; keep them.

POST   reset                      forget everything -> {"reset": true}
GET    requests                   [{"method": "drive.files.create", "http": "POST",
                                    "path": "/drive/v3/files", "status": 200}, ...] (status null = dropped)
POST   faults {"method", "kind", "status", "seconds", "times"}   arm a fault (see faults.py)
GET    faults / DELETE faults     list / disarm every fault
POST   users {"email"}            -> {"email", "token"}: that person in Google's own editor
POST   service-accounts {"email"} -> a service-account key JSON (token_uri = this sandbox)
POST   oauth-clients {"name"}     -> {"client_id", "client_secret"}
POST   user-credentials {"email", "scopes", "client_id"?}  -> authorized-user JSON (refresh token)
GET    notifications              share, approval and public_share events (emails Google would send)
POST   files/ID/open-with {"app"} the user opened the file with that app (Google Picker): drive.file may use it
GET    quirks / POST quirks {"name", "on"} / DELETE quirks   one documented behaviour switched off (quirks.py)

A web page must not be able to drive these: a call that changes something (POST, DELETE) needs
`Content-Type: application/json` (which a page cannot send to another site without a CORS
preflight the sandbox never grants), and any call carrying an `Origin` other than the sandbox's
own is refused. Errors are {"error": "one line"} with a 4xx status.
"""

from __future__ import annotations

import re
from typing import Callable

from .discovery import all_methods
from .exceptions import (OAuthError, control_bad_body, control_foreign_origin, control_needs_json,
                         control_not_found, control_unknown)
from .faults import parse_fault
from .state import SandboxState

_READ_ONLY = ("GET", "HEAD")


def check_caller(http_method: str, content_type: str | None, origin: str | None,
                 own_origin: Callable[[str], bool]) -> None:
    """ControlError unless the call could not have come from a web page of another site."""
    if origin is not None and not own_origin(origin):
        raise control_foreign_origin(origin)
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if http_method not in _READ_ONLY and media_type != "application/json":
        raise control_needs_json(content_type)


def _email(body) -> str:
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise control_bad_body("body must be {\"email\": \"someone@example.com\"}")
    return email


def handle_control(state: SandboxState, http_method: str, name: str, body) -> tuple[int, object]:
    """(status, JSON) of one control call; ControlError for a bad one (see check_caller first)."""
    with state.lock:
        if (http_method, name) == ("POST", "reset"):
            state.reset()
            return 200, {"reset": True}
        if (http_method, name) == ("GET", "requests"):
            return 200, list(state.requests)
        if (http_method, name) == ("GET", "faults"):
            return 200, [fault.as_json() for fault in state.faults.faults]
        if (http_method, name) == ("POST", "faults"):
            try:
                fault = parse_fault(body, {method.id for method in all_methods()})
            except ValueError as error:
                raise control_bad_body(str(error)) from None
            state.faults.add(fault)
            return 200, fault.as_json()
        if (http_method, name) == ("DELETE", "faults"):
            state.faults.clear()
            return 200, []
        if (http_method, name) == ("POST", "users"):
            email = _email(body)
            token = state.auth.ui_token(email)
            state.save()
            return 200, {"email": email, "token": token}
        if (http_method, name) == ("POST", "service-accounts"):
            key = state.auth.create_service_account(_email(body), state.token_uri())
            state.save()
            return 200, key
        if (http_method, name) == ("POST", "oauth-clients"):
            client = state.auth.create_oauth_client((body or {}).get("name") or "sandbox app")
            state.save()
            return 200, client
        if (http_method, name) == ("POST", "user-credentials"):
            return 200, _user_credentials(state, body)
        if name == "quirks":
            return state.quirks.control(http_method, body)
        if (http_method, name) == ("GET", "notifications"):
            return 200, list(state.drive.notifications)
        opened = re.fullmatch(r"files/([^/]+)/open-with", name)
        if http_method == "POST" and opened:
            return 200, _open_with(state, opened.group(1), body)
    raise control_not_found(http_method, name)


def _user_credentials(state: SandboxState, body) -> dict:
    email = _email(body)
    scopes = body.get("scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise control_bad_body("scopes must be a non-empty list of scope URLs")
    try:
        credentials = state.auth.create_user_credentials(email, scopes, state.token_uri(),
                                                         client_id=body.get("client_id"))
    except KeyError:
        raise control_unknown(f"OAuth client {body.get('client_id')!r}") from None
    except OAuthError as error:
        raise control_bad_body(error.description) from None
    state.save()
    return credentials


def _open_with(state: SandboxState, file_id: str, body) -> dict:
    """The user opened this file with an app (Google Picker): the app may use it with drive.file."""
    app = body.get("app") if isinstance(body, dict) else None
    record = state.drive.files.get(file_id)
    if record is None:
        raise control_unknown(f"file {file_id}")
    if not isinstance(app, str) or state.auth.app_name(app) is None:
        raise control_bad_body("body must be {\"app\": \"<OAuth client id or service account client_id>\"}")
    if app not in record["apps"]:
        record["apps"].append(app)
        state.drive.changed.add(file_id)
    state.save()
    return {"fileId": file_id, "apps": list(record["apps"])}
