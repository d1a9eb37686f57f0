"""Review notices to a webhook (Slack-compatible JSON), each sent at least once, retried a bounded number of times.

A notice is a POST of `{"text": ..., "notice_id": ...}`. The text is escaped for Slack (`&`, `<`,
`>`), so a reviewer's `<!channel>` or `<https://x|label>` shows as typed instead of pinging or
linking. `notice_id` is the same on every send of one notice: a receiver that may see a notice
twice drops the repeat by it.

When a send may have arrived without our knowing (no answer within the timeout, or the worker died
between the POST and recording it), the notice is sent again: delivery is at least once. Only
`max_unanswered` such sends are made (a slow endpoint that takes the POST and answers late must not
get it again and again); a notice the endpoint refuses (an HTTP error, a redirect: redirects are not
followed) or that cannot reach it is retried after growing waits, `max_attempts` sends in all, then
given up and logged. A claim left behind by a dead worker expires after `claim_seconds`, so no notice
stays `sending` for ever.

One dead or slow endpoint must not stall the reviews job: after a send that could not reach the
endpoint or got no answer, the rest of this run's notices wait for the next run unsent, and so do
they once this run has spent `run_budget_seconds` on sending.

The webhook URL holds a secret in its path (for Slack it is the key): only its scheme and host
ever appear in a message or a log.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable

from workflow.config import url_origin
from workflow.store import Store
from workflow.store import review_queries as rq
from workflow.store.review_queries import NoticeStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How notices are sent and retried (tests use a fast one)."""

    timeout_seconds: float = 10.0      # per connection step (connect, then the answer)
    max_attempts: int = 6              # sends of one notice before it is given up
    max_unanswered: int = 2            # sends that may have arrived unconfirmed, before it is given up
    backoff_seconds: float = 300.0     # the wait before the 3rd send (the 2nd goes on the next run); doubles
    backoff_cap_seconds: float = 6 * 3600.0
    run_budget_seconds: float = 30.0   # sending time per run; the rest waits for the next run
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))

    @property
    def claim_seconds(self) -> float:
        """How long a send may take (connect and answer, each up to the timeout) with a margin."""
        return 2 * self.timeout_seconds + 60

    def wait_after(self, attempts: int) -> float:
        """Seconds before the next send of a notice that failed `attempts` times."""
        if attempts <= 1:
            return 0.0
        return min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** (attempts - 2))


DEFAULT_POLICY = DeliveryPolicy()


@dataclass
class Event:
    post_id: str
    kind: str  # approved, declined, overdue
    key: str
    text: str


class Outcome(str, Enum):
    DELIVERED = "delivered"      # a 2xx answer
    REFUSED = "refused"          # another answer (4xx, 5xx, a redirect): not delivered
    UNREACHABLE = "unreachable"  # no connection (DNS, refused, TLS, connect timeout): not delivered
    UNANSWERED = "unanswered"    # sent, but no answer in time: it may have arrived


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    error: str | None = None  # one line, with the URL's scheme and host only


def notice_id(post_id: str, kind: str, key: str) -> str:
    """The same for every send of one notice (and on every worker)."""
    return hashlib.sha256(f"{post_id}\0{kind}\0{key}".encode("utf-8")).hexdigest()[:32]


def slack_escaped(text: str) -> str:
    """Text Slack shows as written: its control sequences (`<!channel>`, `<url|label>`) made inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is an HTTPError, not a GET to wherever it points (the notice would be lost)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_RefuseRedirects)


def post_notice(url: str, text: str, notice: str, timeout: float) -> Attempt:
    """POST one notice; never raises, and no message holds more of the URL than its scheme and host."""
    where = url_origin(url)
    body = json.dumps({"text": slack_escaped(text), "notice_id": notice}).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": notice, "User-Agent": "docs-workflow"})
    try:
        response = _OPENER.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        note = " (redirects are not followed)" if 300 <= exc.code < 400 else ""
        return Attempt(Outcome.REFUSED, f"HTTP {exc.code} from {where}{note}")
    except urllib.error.URLError as exc:  # urllib wraps what fails before the request is sent
        return Attempt(Outcome.UNREACHABLE, f"cannot reach {where}: {_reason(exc.reason)}")
    except (OSError, http.client.HTTPException):  # the request went out; its answer did not come back
        return Attempt(Outcome.UNANSWERED, f"no answer from {where} within {timeout:g} s (it may have arrived)")
    except Exception as exc:  # noqa: BLE001 - e.g. InvalidURL, whose message holds the whole URL
        return Attempt(Outcome.UNREACHABLE, f"cannot send to {where}: {type(exc).__name__}")
    try:
        response.read(64 * 1024)  # the status said delivered; a body that trickles does not change that
    except (OSError, http.client.HTTPException):
        pass
    finally:
        response.close()
    return Attempt(Outcome.DELIVERED)


def _reason(reason: Any) -> str:
    text = getattr(reason, "strerror", None) or str(reason)
    return text.strip().splitlines()[0] if text.strip() else type(reason).__name__


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Notifier:
    """Sends review notices for one run of the reviews job; `sent` and `failed` count this run's notices."""

    def __init__(self, store: Store, url: str, *, policy: DeliveryPolicy | None = None) -> None:
        self.store = store
        self.url = url
        self.policy = policy or DEFAULT_POLICY
        self.sent = 0
        self.failed = 0               # notices not sent this run: failed, given up, or left for the next run
        self.given_up: list[str] = []  # "KIND notice for POST_ID (why)", given up this run
        self._halted: str | None = None  # why the rest of this run's notices wait for the next run
        self._spent = 0.0

    def send(self, event: Event) -> None:
        """Send a new notice (one already known is left to `retry_failed`); without a URL nothing happens."""
        if not self.url:
            return
        now = self.policy.clock()
        with self.store.write() as conn:
            if self._halted:
                if rq.defer_event(conn, event.post_id, event.kind, event.key, event.text, now=_stamp(now),
                                  reason=f"not sent yet: {self._halted}"):
                    self.failed += 1
                return
            if not rq.claim_event(conn, event.post_id, event.kind, event.key, event.text, now=_stamp(now),
                                  claim_until=self._claim_until(now)):
                return
        self._deliver(event.post_id, event.kind, event.key, event.text, attempts=1, unanswered=0)

    def retry_failed(self) -> None:
        """Send again the notices that are due: failed ones whose wait is over, and those a dead worker left."""
        if not self.url:
            return
        with self.store.read() as conn:
            due = rq.due_events(conn, _stamp(self.policy.clock()))
        for number, row in enumerate(due):
            if self._halted:
                self.failed += len(due) - number
                log.info("webhook: %d notices wait for the next run (%s)", len(due) - number, self._halted)
                return
            # A claim that expired: the worker died between the POST and recording it, so it may have arrived.
            unanswered = row["unanswered"] + (row["status"] == NoticeStatus.SENDING.value)
            if unanswered >= self.policy.max_unanswered or row["attempts"] >= self.policy.max_attempts:
                with self.store.write() as conn:
                    if rq.give_up_event(conn, row, error=row["error"] or "the worker stopped while sending it"):
                        self.failed += 1
                        self._given_up(row["post_id"], row["kind"], row["attempts"], row["error"])
                continue
            with self.store.write() as conn:
                if not rq.reclaim_event(conn, row, claim_until=self._claim_until(self.policy.clock()),
                                        unanswered=unanswered):
                    continue
            self._deliver(row["post_id"], row["kind"], row["key"], row["text"], attempts=row["attempts"] + 1,
                          unanswered=unanswered)

    def _claim_until(self, now: datetime) -> str:
        return _stamp(now + timedelta(seconds=self.policy.claim_seconds))

    def _deliver(self, post_id: str, kind: str, key: str, text: str, *, attempts: int, unanswered: int) -> None:
        """POST a claimed notice and record how it went."""
        started = time.monotonic()
        attempt = post_notice(self.url, text, notice_id(post_id, kind, key), self.policy.timeout_seconds)
        self._spent += time.monotonic() - started
        if self._spent >= self.policy.run_budget_seconds and not self._halted:
            self._halted = f"{self._spent:.0f} s of this run went to sending notices already"
        if attempt.outcome is Outcome.DELIVERED:
            with self.store.write() as conn:
                rq.finish_event(conn, post_id, kind, key, status=NoticeStatus.SENT, unanswered=unanswered)
            self.sent += 1
            log.info("webhook: sent the %s notice for %s to %s", kind, post_id, url_origin(self.url))
            return
        self.failed += 1
        if attempt.outcome in (Outcome.UNREACHABLE, Outcome.UNANSWERED) and not self._halted:
            self._halted = f"earlier in this run: {attempt.error}"
        unanswered += attempt.outcome is Outcome.UNANSWERED
        if unanswered >= self.policy.max_unanswered or attempts >= self.policy.max_attempts:
            with self.store.write() as conn:
                rq.finish_event(conn, post_id, kind, key, status=NoticeStatus.GIVEN_UP, error=attempt.error,
                                unanswered=unanswered)
            self._given_up(post_id, kind, attempts, attempt.error)
            return
        wait = self.policy.wait_after(attempts)
        retry_at = self.policy.clock() + timedelta(seconds=wait)
        with self.store.write() as conn:
            rq.finish_event(conn, post_id, kind, key, status=NoticeStatus.FAILED, error=attempt.error,
                            next_attempt_at=_stamp(retry_at), unanswered=unanswered)
        when = f"from {retry_at:%Y-%m-%d %H:%M:%S} UTC" if wait else "on the next run"
        log.warning("webhook: %s notice for %s not sent (%s); tried again %s", kind, post_id, attempt.error, when)

    def _given_up(self, post_id: str, kind: str, attempts: int, error: str | None) -> None:
        why = f"{attempts} sends; last: {error}" if error else f"{attempts} sends"
        self.given_up.append(f"{kind} notice for {post_id} ({why})")
        log.warning("webhook: gave up the %s notice for %s after %s", kind, post_id, why)
