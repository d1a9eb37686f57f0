"""Pytest fixtures around the local Google sandbox, loaded as a plugin by conftest.py.

- `sandbox`: one in-process sandbox per test session, reset before each test that uses it.
- `drive`, `docs`: real google-api-python-client services of "the app": a service-account key
  file (written to tmp_path) with drive.file + documents scopes, acting for OWNER through
  domain-wide delegation (a service account alone has no storage quota, as at Google).
- `reviewer_clients(sandbox, email)`: (drive, docs) acting as that person in Google's own editor.
- `app_clients(...)`, `user_app_clients(...)`, `build_clients(...)`, `batch_for(...)` for the rest.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path

import pytest
from google.oauth2 import credentials as user_credentials_module
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from workflow.sandbox import RunningSandbox, start

SCOPE = "https://www.googleapis.com/auth/"
APP_SCOPES = [SCOPE + "drive.file", SCOPE + "documents"]
OWNER = "owner@example.com"
SERVICE_ACCOUNT = "workflow@sandbox-project.iam.gserviceaccount.com"


def build_clients(sandbox: RunningSandbox, credentials) -> tuple:
    """(drive v3, docs v1) services talking to the sandbox, built from the bundled discovery docs."""
    drive = build("drive", "v3", credentials=credentials, static_discovery=True,
                  client_options={"api_endpoint": sandbox.url + "drive/v3/"}, cache_discovery=False)
    docs = build("docs", "v1", credentials=credentials, static_discovery=True,
                 client_options={"api_endpoint": sandbox.url}, cache_discovery=False)
    return drive, docs


def write_key_file(sandbox: RunningSandbox, directory: Path, email: str = SERVICE_ACCOUNT) -> Path:
    path = directory / f"key-{email.split('@')[0]}.json"
    path.write_text(json.dumps(sandbox.service_account_key(email=email)), encoding="utf-8")
    return path


def app_clients(sandbox: RunningSandbox, directory: Path, *, scopes: list[str] = APP_SCOPES,
                subject: str | None = OWNER, email: str = SERVICE_ACCOUNT) -> tuple:
    """Clients of the app's service account (key file in `directory`); `subject` = delegation."""
    credentials = service_account.Credentials.from_service_account_file(
        str(write_key_file(sandbox, directory, email)), scopes=scopes)
    if subject is not None:
        credentials = credentials.with_subject(subject)
    return build_clients(sandbox, credentials)


def user_app_clients(sandbox: RunningSandbox, email: str, scopes: list[str] = APP_SCOPES,
                     client_id: str | None = None) -> tuple:
    """Clients of an installed app a user logged into (refresh-token credentials)."""
    info = sandbox.user_credentials(email, scopes, client_id=client_id)
    credentials = user_credentials_module.Credentials.from_authorized_user_info(info, scopes=scopes)
    # from_authorized_user_info forgets token_uri (it resets it to Google's): point it back.
    return build_clients(sandbox, credentials.with_token_uri(info["token_uri"]))


def control(sandbox: RunningSandbox, method: str, name: str, body=None):
    """Call a /_sandbox/ control over plain HTTP; returns the decoded JSON."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(sandbox.url + "_sandbox/" + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def publish_images(sandbox: RunningSandbox, *prefixes: str) -> None:
    """Every URL under each prefix ("https://example.com/") serves a one-pixel PNG to Google's
    image fetcher (the sandbox fetches nothing from the internet: unregistered images are refused)."""
    for prefix in prefixes:
        control(sandbox, "POST", "images", {"url": prefix + "*", "mimeType": "image/png",
                                            "bytes": base64.b64encode(PNG).decode()})


def reviewer_clients(sandbox: RunningSandbox, email: str, display_name: str | None = None) -> tuple:
    """(drive, docs) acting as `email` in Google's editor: what is shared with them, their role.
    `display_name` is the name Drive and Docs show for them (else the email's local part)."""
    person = {"email": email, **({"displayName": display_name} if display_name else {})}
    token = control(sandbox, "POST", "users", person)["token"]
    return build_clients(sandbox, user_credentials_module.Credentials(token))


def text_index(document: dict, text: str) -> int:
    """The index in documents.get JSON where `text` starts (within one text run of a body paragraph)."""
    for element in document["body"]["content"]:
        for run in element.get("paragraph", {}).get("elements", []):
            content = run.get("textRun", {}).get("content", "")
            if text in content:
                return run["startIndex"] + content.index(text)
    raise AssertionError(f"{text!r} not in the Doc")


def sheets_client(sandbox: RunningSandbox, credentials):
    """A Sheets v4 service talking to the sandbox (its root, as Docs)."""
    return build("sheets", "v4", credentials=credentials, static_discovery=True,
                 client_options={"api_endpoint": sandbox.url}, cache_discovery=False)


def editor_sheets(sandbox: RunningSandbox, email: str):
    """Sheets v4 acting as `email` in Google's own editor (what is shared with them, their role)."""
    token = control(sandbox, "POST", "users", {"email": email})["token"]
    return sheets_client(sandbox, user_credentials_module.Credentials(token))


def batch_for(sandbox: RunningSandbox, callback=None) -> BatchHttpRequest:
    """A Drive batch aimed at the sandbox (new_batch_http_request() would aim at Google)."""
    return BatchHttpRequest(callback=callback, batch_uri=sandbox.url + "batch/drive/v3")


@pytest.fixture(scope="session")
def sandbox_server():
    running = start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(sandbox_server) -> RunningSandbox:
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def app_services(sandbox, tmp_path) -> tuple:
    return app_clients(sandbox, tmp_path)


@pytest.fixture
def drive(app_services):
    return app_services[0]


@pytest.fixture
def docs(app_services):
    return app_services[1]
