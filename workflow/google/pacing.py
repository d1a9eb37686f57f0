"""Pacing and retry of Google API calls: a client-side rate limit per API, and bounded backoff.

Google's advice is truncated exponential backoff with jitter; the client's own `num_retries`
ignores Retry-After and has no cap, so calls go through `Caller.execute` instead. Retrying is only
safe because every write the worker makes is reconcilable (files are created with a pre-generated
id, Docs writes carry `requiredRevisionId`, comments and replies are looked up before they are sent
again: GoogleOps._create_once); the caller of a write handles the "it already happened"
answer (409, revision mismatch) that a retry of a committed call gets.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.errors import HttpError

from workflow.google.credentials import DEFAULT_REFRESH_ADVICE, CredentialsRefused, refusal_reason

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
RATE_LIMIT_REASONS = {"userRateLimitExceeded", "rateLimitExceeded"}
TRANSPORT_ERRORS = (
    socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException,
    httplib2.HttpLib2Error, OSError,
    TransportError,  # the token endpoint could not be reached while renewing the access token
)
# Every way an API call can fail once retries are spent: callers outside google/ catch these.
API_ERRORS = (HttpError, *TRANSPORT_ERRORS)


class RateLimiter:
    """A token bucket: up to `per_minute` calls in a burst, refilled evenly over a minute. Thread-safe."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting if none is left; returns the seconds waited."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            wait = 0.0 if self.tokens >= 0 else -self.tokens / self.rate
        if wait:
            self.sleep(wait)
        return wait


def error_reason(exc: HttpError) -> str:
    """The machine reason of an API error (`errors[0].reason`), or ''."""
    try:
        body = json.loads(exc.content.decode("utf-8"))
        return body["error"]["errors"][0].get("reason", "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, RefreshError):  # the token endpoint failed (retryable) or refused the credentials
        return exc.retryable
    if isinstance(exc, HttpError):
        status = exc.resp.status
        return status in RETRYABLE_STATUS or (status == 403 and error_reason(exc) in RATE_LIMIT_REASONS)
    return isinstance(exc, TRANSPORT_ERRORS)


def retry_after_seconds(exc: BaseException) -> float | None:
    if isinstance(exc, HttpError):
        value = exc.resp.get("retry-after")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None
    return None


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0


class Caller:
    """Executes API requests under the rate limit of their API, retrying transient failures."""

    def __init__(self, limiters: dict[str, RateLimiter], *, max_retries: int = 5, backoff_base: float = 1.0,
                 backoff_cap: float = 32.0, sleep: Callable[[float], None] = time.sleep,
                 refresh_advice: str = DEFAULT_REFRESH_ADVICE) -> None:
        self.limiters = limiters
        self.refresh_advice = refresh_advice  # what to do when Google refuses the credentials
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.stats = CallStats()
        self._lock = threading.Lock()

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return delay * (0.5 + random.random() / 2)

    def execute(self, request: Any, *, api: str, on_retry: Callable[[BaseException], None] | None = None) -> Any:
        """Run `request.execute()`; `api` names the limiter ("drive", "docs_read", "docs_write").

        Credentials Google refuses (a revoked login, a deleted key) end the command with one line
        saying what to do (CredentialsRefused, a UserError): every later call would fail the same way.
        """
        try:
            return self._execute(request, api=api, on_retry=on_retry)
        except RefreshError as exc:
            advice = "Google's sign-in service kept failing; try again later" if exc.retryable \
                else self.refresh_advice
            raise CredentialsRefused(refusal_reason(exc), advice) from None

    def _execute(self, request: Any, *, api: str, on_retry: Callable[[BaseException], None] | None) -> Any:
        limiter = self.limiters.get(api)
        attempt = 0
        while True:
            if limiter is not None:
                limiter.acquire()
            with self._lock:
                self.stats.calls += 1
            try:
                return request.execute(num_retries=0)
            except BaseException as exc:  # noqa: BLE001 - classified right below
                if not is_retryable(exc) or attempt >= self.max_retries:
                    raise
                wait = retry_after_seconds(exc)
                wait = self.backoff(attempt) if wait is None else min(wait, self.backoff_cap * 2)
                log.debug("retrying %s after %s (%.2fs)", getattr(request, "methodId", api), describe(exc), wait)
                with self._lock:
                    self.stats.retries += 1
                if on_retry is not None:
                    on_retry(exc)
                self.sleep(wait)
                attempt += 1


def describe(exc: BaseException) -> str:
    """A one-line description of an API or transport failure, without tokens or bodies of requests."""
    if isinstance(exc, HttpError):
        reason = error_reason(exc)
        message_lines = str(exc.reason or "").strip().splitlines()
        message = message_lines[0] if message_lines else ""
        return f"HTTP {exc.resp.status}{' ' + reason if reason else ''}: {message}".strip().rstrip(":")
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}{': ' + text if text else ''}"
