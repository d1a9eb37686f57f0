"""Test controls under `/_sandbox/`. Scripts outside the project rely on these shapes; keep them.

POST   reset                      forget everything -> {"reset": true}
GET    requests                   [{"method": "drive.files.create", "http": "POST",
                                    "path": "/drive/v3/files", "status": 200}, ...] (status null = dropped)
POST   faults {"method", "kind", "status", "seconds", "times"}   arm a fault (see faults.py)
GET    faults / DELETE faults     list / disarm every fault
POST   users {"email", "displayName"?}  -> {"email", "displayName", "token"}: that person in Google's own
                                  editor; displayName is the name Drive and Docs show for them (default:
                                  the email's local part)
POST   service-accounts {"email"} -> a service-account key JSON (token_uri = this sandbox)
POST   oauth-clients {"name"}     -> {"client_id", "client_secret"}
POST   user-credentials {"email", "scopes", "client_id"?}  -> authorized-user JSON (refresh token)
GET    notifications              share, approval and public_share events (emails Google would send)
POST   files/ID/open-with {"app"} the user opened the file with that app (Google Picker): drive.file may use it
GET    quirks / POST quirks {"name", "on"} / DELETE quirks   one documented behaviour switched off (quirks.py)
POST   images {"url", "mimeType", "bytes"?}   an image on the public web insertInlineImage can fetch
                                  (bytes in base64; without them, mimeType decides) -> {"url", "mimeType",
                                  "bytes": size, "fetchable": bool} (images.py)
POST   approvals-eligibility {"email" | "fileId", "eligible"}   whether that person (their edition,
                                  an admin setting) or that file (say, owned outside the domain) can
                                  have Drive approvals: when not, files show canStartApproval false and
                                  approvals.start is refused as Google refuses it -> the body
POST   content-links {"seconds"}  how long images' contentUri links live from now on (default 1800)
POST   files/ID/paste-image {"email", "index", "bytes"}   that person pastes an image (PNG, JPEG or
                                  GIF, base64) at index in Google's editor: no sourceUri, only Google's
                                  copy -> {"objectId", "revisionId"}

A web page must not be able to drive these: a call that changes something (POST, DELETE) needs
`Content-Type: application/json` (which a page cannot send to another site without a CORS
preflight the sandbox never grants), and any call carrying an `Origin` other than the sandbox's
own is refused. Errors are {"error": "one line"} with a 4xx status.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Callable

from .discovery import all_methods
from .drive import now_rfc3339, rank
from .exceptions import (ApiError, OAuthError, control_bad_body, control_foreign_origin, control_needs_json,
                         control_not_found, control_unknown)
from .faults import parse_fault
from .images import Fetched, acceptable
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
            shown = body.get("displayName")
            if shown is not None:
                if not isinstance(shown, str) or not shown.strip() or len(shown) > 200:
                    raise control_bad_body("displayName must be a non-empty string of at most 200 characters")
                state.drive.people[email.lower()] = shown
            token = state.auth.ui_token(email)
            state.save()
            return 200, {"email": email, "displayName": state.drive.display_name(email), "token": token}
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
        if (http_method, name) == ("POST", "images"):
            try:
                return 200, state.images.register(body)
            except ValueError as error:
                raise control_bad_body(str(error)) from None
        if (http_method, name) == ("POST", "approvals-eligibility"):
            return 200, _approvals_eligibility(state, body)
        if (http_method, name) == ("POST", "content-links"):
            seconds = body.get("seconds")
            if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 86400:
                raise control_bad_body('body must be {"seconds": 0..86400}')
            state.images.link_seconds = seconds
            return 200, {"seconds": seconds}
        pasted = re.fullmatch(r"files/([^/]+)/paste-image", name)
        if http_method == "POST" and pasted:
            return 200, _paste_image(state, pasted.group(1), body)
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


def _approvals_eligibility(state: SandboxState, body) -> dict:
    """Mark a person or a file as (not) eligible for Drive approvals."""
    if not isinstance(body, dict) or not isinstance(body.get("eligible"), bool) \
            or len({"email", "fileId"} & set(body)) != 1 or set(body) - {"email", "fileId", "eligible"}:
        raise control_bad_body('body must be {"email": "..."} or {"fileId": "..."}, with "eligible": true|false')
    if "email" in body:
        key = "user:" + _email(body).lower()
    else:
        if body["fileId"] not in state.drive.files:
            raise control_unknown(f"file {body['fileId']!r}")
        key = "file:" + body["fileId"]
    if body["eligible"]:
        state.drive.approvals_off.discard(key)
    else:
        state.drive.approvals_off.add(key)
    state.save()
    return body


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


def _paste_image(state: SandboxState, file_id: str, body) -> dict:
    """A person pastes an image in Google's editor: Google keeps a copy, the Doc no sourceUri."""
    email = _email(body)
    index = body.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise control_bad_body('body must be {"email", "index": <Doc index>, "bytes": "<base64>"}')
    try:
        data = base64.b64decode(body.get("bytes") or "", validate=True)
    except (binascii.Error, ValueError):
        raise control_bad_body("bytes must be base64") from None
    fetched = Fetched(data, "")
    picture = acceptable(fetched)
    if picture is None:
        raise control_bad_body("bytes must be a PNG, JPEG or GIF image (under 50 MB and 25 megapixels)")
    record = state.drive.files.get(file_id)
    document = state.drive.documents.get(file_id)
    if record is None or document is None:
        raise control_unknown(f"document {file_id}")
    if rank(state.drive.role_of(record, email)) < rank("writer"):
        raise control_bad_body(f"{email} cannot edit document {file_id}")
    try:
        state.drive.check_content_editable(record)
        object_id = document.paste_image(index, picture=picture, blob=state.images.keep(fetched, picture),
                                         author=email, now=now_rfc3339())
    except ApiError as error:
        raise control_bad_body(error.message) from None
    state.drive.bump(record, email, content=True)
    state.save()
    return {"objectId": object_id, "revisionId": document.revision_id}
