"""Review notices over HTTP to a webhook on loopback, as a receiver (or a hostile reviewer) sees them.

The receiver is a small local HTTP server told how to answer each POST: redirects, slow answers,
errors, silence. Timeouts and waits are the policy's, shortened for the tests.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from site_fixtures import REVIEWER

from workflow.reviews import webhook
from workflow.reviews.webhook import DeliveryPolicy, Event, Notifier
from workflow.store import open_store
from workflow.store import review_queries as rq

SECRET = "/services/T0000/B0000/SECRETPATH"
FAST = DeliveryPolicy(timeout_seconds=0.2, backoff_seconds=0.0, run_budget_seconds=5.0)


class Receiver:
    """A webhook on loopback. `answers` says how to answer each POST in turn (then 200):
    a status, ("slow", status, seconds), or ("redirect", status)."""

    def __init__(self) -> None:
        self.answers: list = []
        self.received: list[dict] = []   # every POST body that reached the handler
        self.keys: list[str | None] = []  # the Idempotency-Key header of each POST
        self.redirect_hits = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.path == "/elsewhere":
                    receiver.redirect_hits += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append(body)
                receiver.keys.append(self.headers.get("Idempotency-Key"))
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if isinstance(answer, tuple) and answer[0] == "slow":
                    time.sleep(answer[2])
                    answer = answer[1]
                if isinstance(answer, tuple) and answer[0] == "redirect":
                    self.send_response(answer[1])
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}{SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def store(state_url):
    opened = open_store(state_url)
    yield opened
    opened.close()


def events(store) -> dict[str, dict]:
    with store.read() as conn:
        return {row.post_id: dict(row._mapping) for row in conn.execute(rq.tables.review_events.select())}


def run(store, url, *sent: Event, policy: DeliveryPolicy = FAST) -> Notifier:
    """One run of the reviews job as far as notices go: retries first, then this run's new notices."""
    notifier = Notifier(store, url, policy=policy)
    notifier.retry_failed()
    for event in sent:
        notifier.send(event)
    return notifier


def test_a_redirect_is_a_failure_not_followed_and_the_notice_comes_again_with_the_same_id(store, receiver):
    receiver.answers = [("redirect", 302)]
    first = run(store, receiver.url, Event("p1", "approved", "a1", "Approved"))
    assert (first.sent, first.failed) == (0, 1)
    assert receiver.redirect_hits == 0  # not followed as a GET (the notice would be lost)
    assert events(store)["p1"]["status"] == "failed"
    assert events(store)["p1"]["error"] == f"HTTP 302 from http://127.0.0.1:{receiver.server.server_port} " \
                                           "(redirects are not followed)"

    second = run(store, receiver.url)
    assert (second.sent, second.failed) == (1, 0)
    assert len(receiver.received) == 2
    assert receiver.received[0]["notice_id"] == receiver.received[1]["notice_id"]
    assert receiver.keys[1] == receiver.received[1]["notice_id"]
    assert events(store)["p1"]["status"] == "sent"
    run(store, receiver.url)
    assert len(receiver.received) == 2  # sent: never again


def test_a_slow_200_after_the_timeout_is_delivered_twice_at_most(store, receiver):
    receiver.answers = [("slow", 200, 0.5)] * 5
    for number in range(4):
        run(store, receiver.url, Event("p1", "declined", "a1", "Declined"))
    assert len(receiver.received) == 2  # at least once, and not again and again
    assert len({body["notice_id"] for body in receiver.received}) == 1
    row = events(store)["p1"]
    assert row["status"] == "given_up" and row["unanswered"] == 2
    assert "no answer from http://127.0.0.1" in row["error"] and SECRET not in row["error"]


def test_failing_notices_are_retried_with_growing_waits_then_given_up_and_reported(store, receiver, caplog):
    now = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    policy = replace(FAST, max_attempts=4, backoff_seconds=60.0, clock=lambda: now[0])
    receiver.answers = [500] * 10
    caplog.set_level(logging.INFO)

    run(store, receiver.url, Event("p1", "approved", "a1", "Approved"), policy=policy)
    run(store, receiver.url, policy=policy)  # the 2nd send goes on the next run
    assert len(receiver.received) == 2
    run(store, receiver.url, policy=policy)  # then it waits 60 s...
    assert len(receiver.received) == 2
    now[0] += timedelta(seconds=61)
    run(store, receiver.url, policy=policy)
    assert len(receiver.received) == 3
    now[0] += timedelta(seconds=61)  # ...then 120 s
    run(store, receiver.url, policy=policy)
    assert len(receiver.received) == 3
    now[0] += timedelta(seconds=60)
    last = run(store, receiver.url, policy=policy)
    assert len(receiver.received) == 4
    assert last.given_up == [f"approved notice for p1 (4 sends; last: HTTP 500 from "
                             f"http://127.0.0.1:{receiver.server.server_port})"]
    assert "gave up the approved notice for p1 after 4 sends" in caplog.text
    now[0] += timedelta(days=30)
    run(store, receiver.url, policy=policy)
    assert len(receiver.received) == 4 and events(store)["p1"]["status"] == "given_up"
    assert SECRET not in caplog.text


@pytest.fixture
def dead_url():
    """An endpoint that never answers a connection: its listen queue is full, so each SYN is dropped."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(server.getsockname())
        fillers.append(filler)
    yield f"http://127.0.0.1:{server.getsockname()[1]}{SECRET}"
    for sock in [*fillers, server]:
        sock.close()


def test_a_dead_endpoint_costs_one_timeout_per_run_and_nothing_is_lost(store, receiver, dead_url):
    """Each of many failed notices waited its own 10 s timeout, one after the other."""
    started = time.monotonic()
    first = run(store, dead_url, *[Event(f"p{n}", "approved", "a", f"Approved {n}") for n in range(20)])
    assert time.monotonic() - started < 2.0  # one 0.2 s timeout, not twenty
    assert (first.sent, first.failed) == (0, 20)
    assert [row["status"] for row in events(store).values()] == ["failed"] * 20
    assert [row["attempts"] for row in events(store).values()] == [1] + [0] * 19  # only one was tried
    started = time.monotonic()
    assert run(store, dead_url).failed == 20
    assert time.monotonic() - started < 2.0

    later = run(store, receiver.url)  # the endpoint is back: every notice goes, each once
    assert later.sent == 20
    assert sorted(body["text"] for body in receiver.received) == sorted(f"Approved {n}" for n in range(20))


def test_a_notice_left_sending_by_a_dead_worker_is_sent_again_once_its_claim_expires(store, receiver):
    past = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with store.write() as conn:  # a worker claimed the notice, then was killed before recording the POST
        rq.claim_event(conn, "p1", "overdue", "k", "Overdue review", now="2026-01-01T00:00:00.000000Z",
                       claim_until="2026-01-01T00:01:20.000000Z")
    early = replace(FAST, clock=lambda: past + timedelta(seconds=30))
    assert run(store, receiver.url, policy=early).sent == 0  # still claimed: maybe still being sent
    assert run(store, receiver.url).sent == 1  # at least once: sent again, with its id
    assert receiver.received == [{"text": "Overdue review", "notice_id": webhook.notice_id("p1", "overdue", "k")}]
    assert events(store)["p1"]["status"] == "sent"


def test_reviewer_text_is_inert_in_slack_and_the_url_path_never_shows(google_site, cli, receiver, caplog):
    """A reviewer declines with Slack markup and a terminal escape; the first POST is redirected."""
    google_site.configure(f'webhook_url = "{receiver.url}"')
    doc_id = google_site.exported_with_comment(cli, "hello.md", "---\ntitle: Hello\n---\n# Hello\n\nSome text.\n",
                                               "<!channel> <https://evil.example|Re-approve here> & \x1b]0;owned\x07")
    drive, _docs = google_site.reviewer()
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().decline(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    receiver.answers = [("redirect", 301)]
    caplog.set_level(logging.INFO)

    first = cli("reviews", "--sync")
    second = cli("reviews", "--sync", "--json")
    status = cli("status")

    assert first.code == 0 and second.code == 0, first.err + second.err
    assert second.json["sync"]["notices_sent"] == 1 and receiver.redirect_hits == 0
    [*_, delivered] = receiver.received
    assert delivered["text"].startswith("Declined: posts/hello.md")
    assert delivered["text"].endswith("&lt;!channel&gt; &lt;https://evil.example|Re-approve here&gt; &amp; "
                                      "\x1b]0;owned\x07")
    assert "<" not in delivered["text"]
    assert "\x1b" not in first.out + first.err and "]0;owned" in first.out  # the board shows it, inert
    shown = first.out + first.err + second.out + second.err + status.out + status.err + caplog.text
    assert "SECRETPATH" not in shown and f"127.0.0.1:{receiver.server.server_port}" in caplog.text
    assert REVIEWER in first.out
