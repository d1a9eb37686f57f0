"""Drive v3 and Docs v1 clients, built offline from the client library's bundled discovery documents.

`connect(config)` returns a `GoogleSession` pointed at `[google] endpoint`: Google itself, the URL
of a running `workflow sandbox serve`, or (with "sandbox" and no credentials) a sandbox started in
this process, whose state lives in `[google] sandbox_data`. Nothing here knows about posts.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import google_auth_httplib2
import httplib2
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from workflow.config import Config
from workflow.errors import UserError
from workflow.google.credentials import (
    DEFAULT_REFRESH_ADVICE,
    check_private,
    load_credentials,
    refresh_advice,
    refusal_reason,
    scopes_for,
)
from workflow.google.pacing import Caller, RateLimiter

log = logging.getLogger(__name__)

GOOGLE_BATCH_URI = "https://www.googleapis.com/batch/drive/v3"
SANDBOX_WORKER_EMAIL = "workflow-worker@sandbox.iam.gserviceaccount.com"
# As at Google, a service account owns no files: in the sandbox it acts for this user (delegation).
SANDBOX_OWNER = "you@example.com"
REQUEST_TIMEOUT_S = 60
SANDBOX_PORT = 8765  # the default port of `workflow sandbox serve`


@dataclass
class Endpoint:
    """Where the APIs are: `root` is None for Google itself."""

    root: str | None
    label: str
    sandbox: Any = None  # a RunningSandbox started in this process, if any

    @property
    def is_sandbox(self) -> bool:
        return self.root is not None

    def web_url(self, doc_id: str) -> str:
        base = self.root or "https://docs.google.com/"
        return f"{base}document/d/{doc_id}/edit"


@dataclass
class GoogleSession:
    """API clients of one worker thread (httplib2 is not thread-safe), sharing a pacing `Caller`."""

    endpoint: Endpoint
    credentials: Any
    caller: Caller
    timeout: float = REQUEST_TIMEOUT_S
    _local: threading.local = field(default_factory=threading.local)

    def _http(self) -> google_auth_httplib2.AuthorizedHttp:
        return google_auth_httplib2.AuthorizedHttp(self.credentials, http=httplib2.Http(timeout=self.timeout))

    def _clients(self) -> tuple[Any, Any]:
        clients = getattr(self._local, "clients", None)
        if clients is None:
            drive_options = docs_options = None
            if self.endpoint.root:
                drive_options = {"api_endpoint": self.endpoint.root + "drive/v3/"}
                docs_options = {"api_endpoint": self.endpoint.root}
            drive = build("drive", "v3", http=self._http(), static_discovery=True,
                          client_options=drive_options, cache_discovery=False)
            docs = build("docs", "v1", http=self._http(), static_discovery=True,
                         client_options=docs_options, cache_discovery=False)
            clients = self._local.clients = (_built_once(drive), _built_once(docs))
        return clients

    @property
    def drive(self) -> Any:
        return self._clients()[0]

    @property
    def docs(self) -> Any:
        return self._clients()[1]

    def batch(self, callback: Callable[[str, Any, Exception | None], None]) -> BatchHttpRequest:
        """A Drive HTTP batch (<= 100 calls). The client's own helper ignores a custom endpoint."""
        uri = (self.endpoint.root + "batch/drive/v3") if self.endpoint.root else GOOGLE_BATCH_URI
        return BatchHttpRequest(callback=callback, batch_uri=uri)

    def batch_http(self) -> google_auth_httplib2.AuthorizedHttp:
        return self._http()

    def check_token(self) -> str:
        """Exchange the credentials for a token now: "ok", or "refused: <the token endpoint's reason>"."""
        from google.auth.exceptions import RefreshError

        try:
            self.credentials.refresh(google_auth_httplib2.Request(httplib2.Http(timeout=self.timeout)))
        except RefreshError as exc:
            return f"refused: {refusal_reason(exc)}"
        return "ok"

    def who(self) -> str:
        """The account the worker acts as (service account or delegated user), when the credentials say."""
        subject = getattr(self.credentials, "_subject", None)
        email = getattr(self.credentials, "service_account_email", None)
        if subject:
            return f"{subject} (through {email})"
        return email or getattr(self.credentials, "account", "") or "the signed-in user"

    def close(self) -> None:
        if self.endpoint.sandbox is not None:
            self.endpoint.sandbox.stop()
            self.endpoint.sandbox = None


def _built_once(service: Any) -> Any:
    """The service with each collection (`files()`, `documents()`...) built on first use and kept: the
    client builds one anew on every call, every method's docstring included (a quarter of a second for
    Docs on a busy machine). The service is already one per thread, and so are its collections."""
    for name in service._dynamic_attrs:
        make = getattr(service, name)
        if getattr(make, "__is_resource__", False):
            setattr(service, name, functools.cache(make))
    return service


def _caller(config: Config, refresh_advice: str = DEFAULT_REFRESH_ADVICE) -> Caller:
    google = config.sections["google"]
    limiters = {
        "drive": RateLimiter(google["drive_requests_per_minute"]),
        "docs_write": RateLimiter(google["docs_writes_per_minute"]),
        # Docs allows 300 reads a minute per user.
        "docs_read": RateLimiter(300),
    }
    return Caller(limiters, max_retries=google["max_retries"], backoff_base=google["retry_base_seconds"],
                  refresh_advice=refresh_advice)


def connect(config: Config) -> GoogleSession:
    """Credentials and clients for `[google] endpoint`."""
    google = config.sections["google"]
    endpoint_setting: str = google["endpoint"]
    credentials_path: Path | None = google["credentials"]
    credentials_path = config.resolve(credentials_path) if credentials_path else None
    timeout = google["request_timeout_seconds"]
    advice = DEFAULT_REFRESH_ADVICE
    if endpoint_setting == "sandbox" and credentials_path is None:
        endpoint, creds = _in_process_sandbox(config)
    elif endpoint_setting == "sandbox":
        raise UserError('[google] endpoint = "sandbox" runs its own sandbox and takes no credentials; '
                        "set endpoint to the URL of `workflow sandbox serve` to use a key with it")
    else:
        root = None if endpoint_setting == "google" else endpoint_setting.rstrip("/") + "/"
        label = "Google" if root is None else f"the sandbox at {root}"
        endpoint = Endpoint(root=root, label=label)
        token_uri = root + "token" if root else None
        creds = load_credentials(credentials_path, subject=google["subject"], token_uri=token_uri,
                                 scopes=scopes_for(google["drive_scope"]))
        advice = refresh_advice(creds, credentials_path)
    return GoogleSession(endpoint=endpoint, credentials=creds, caller=_caller(config, advice), timeout=timeout)


def _in_process_sandbox(config: Config) -> tuple[Endpoint, Any]:
    """The local sandbox for `endpoint = "sandbox"`: the `workflow sandbox serve` that holds the data
    folder if one runs, else one started in this process (on SANDBOX_PORT when free, so the links
    it prints still open later under `workflow sandbox serve`). The worker's key is kept beside the data."""
    from google.oauth2 import service_account

    from workflow import sandbox
    data_dir = config.resolve(config.get("google", "sandbox_data"))
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the sandbox folder {data_dir}: {exc.strerror}") from None
    running = None
    url = sandbox.served_url(data_dir)
    if url:
        label = f"the local sandbox served at {url} (data in {data_dir})"
    else:
        try:
            running = sandbox.start(data_dir=data_dir, port=SANDBOX_PORT)
        except OSError:
            running = sandbox.start(data_dir=data_dir, port=0)
        url = running.url
        label = f"the local sandbox (in this process, data in {data_dir})"
    key_path = data_dir / "worker-key.json"
    if key_path.exists():
        check_private(key_path)
        info = json.loads(key_path.read_text(encoding="utf-8"))
    else:
        info = running.service_account_key(email=SANDBOX_WORKER_EMAIL) if running else \
            _mint_key(url, SANDBOX_WORKER_EMAIL)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(info, handle)
    info = dict(info, token_uri=url + "token")
    creds = service_account.Credentials.from_service_account_info(
        info, scopes=scopes_for(config.get("google", "drive_scope")))
    creds = creds.with_subject(config.get("google", "subject") or SANDBOX_OWNER)
    endpoint = Endpoint(root=url, label=label, sandbox=running)
    log.info("using %s: nothing is sent to Google", endpoint.label)
    return endpoint, creds


def _mint_key(url: str, email: str) -> dict:
    """A service-account key from a running sandbox's control endpoint."""
    import urllib.request

    request = urllib.request.Request(url + "_sandbox/service-accounts", data=json.dumps({"email": email}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())
    except OSError as exc:
        raise UserError(f"the sandbox at {url} does not answer ({exc}); is `workflow sandbox serve` still running?") \
            from None
