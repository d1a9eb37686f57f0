"""Review notifications to a webhook (Slack-compatible JSON `{"text": ...}`), each event at most once.

An event is claimed in `review_events` before the POST and marked sent or failed after it: a crash
in between leaves it claimed, so it is never sent twice; a POST that failed is retried on the next
run. Webhook URLs hold a secret in their path: only the host is ever logged.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from workflow.store import Store
from workflow.store import review_queries as rq

log = logging.getLogger(__name__)

TIMEOUT_S = 10


@dataclass
class Event:
    post_id: str
    kind: str  # approved, declined, overdue
    key: str
    text: str


def _host(url: str) -> str:
    return urlsplit(url).hostname or "the webhook"


def post_json(url: str, text: str) -> str | None:
    """POST {"text": text}; returns None on success, else a one-line error (without the URL)."""
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()
        return None
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} from {_host(url)}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"cannot reach {_host(url)}: {reason}"


class Notifier:
    def __init__(self, store: Store, url: str) -> None:
        self.store = store
        self.url = url
        self.sent = 0
        self.failed = 0

    def send(self, event: Event) -> None:
        """Send the event unless it was sent (or claimed) before; without a URL nothing is sent or recorded."""
        if not self.url:
            return
        with self.store.write() as conn:
            if not rq.claim_event(conn, event.post_id, event.kind, event.key, event.text):
                return
        self._post(event.post_id, event.kind, event.key, event.text)

    def retry_failed(self) -> None:
        if not self.url:
            return
        with self.store.read() as conn:
            failed = rq.failed_events(conn)
        for row in failed:
            with self.store.write() as conn:
                if not rq.claim_event(conn, row["post_id"], row["kind"], row["key"], row["text"]):
                    continue
            self._post(row["post_id"], row["kind"], row["key"], row["text"])

    def _post(self, post_id: str, kind: str, key: str, text: str) -> None:
        error = post_json(self.url, text)
        with self.store.write() as conn:
            rq.finish_event(conn, post_id, kind, key, error=error)
        if error:
            self.failed += 1
            log.warning("webhook: %s notice for %s not sent (%s); retried next run", kind, post_id, error)
        else:
            self.sent += 1
            log.info("webhook: sent the %s notice for %s to %s", kind, post_id, _host(self.url))
