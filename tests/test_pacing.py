"""Pacing and retry of Google calls (workflow.google.pacing): the token bucket on a fake clock, the
retry rules through the real client against the sandbox's faults and a tiny server that sends
Retry-After, and the Docs write limit felt by a whole export."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from sandbox_fixtures import control

from workflow.google import clients
from workflow.google.pacing import Caller, RateLimiter, describe


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# --- the token bucket -------------------------------------------------------------------------

def test_rate_limiter_lets_a_minute_of_calls_through_at_once_then_spaces_them_evenly():
    clock = FakeClock()
    limiter = RateLimiter(6, clock=clock, sleep=clock.sleep)

    assert [limiter.acquire() for _ in range(6)] == [0.0] * 6
    assert clock.sleeps == []

    assert limiter.acquire() == pytest.approx(10.0)   # 60 s / 6 calls
    assert limiter.acquire() == pytest.approx(10.0)
    assert clock.sleeps == pytest.approx([10.0, 10.0])


def test_rate_limiter_refills_while_idle_but_never_beyond_one_minute_of_calls():
    clock = FakeClock()
    limiter = RateLimiter(6, clock=clock, sleep=clock.sleep)
    for _ in range(6):
        limiter.acquire()

    clock.now += 25.0                                   # 2.5 calls' worth
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire() == pytest.approx(5.0)      # the half call still missing

    clock.now += 3600.0                                 # an idle hour refills one minute, not sixty
    assert [limiter.acquire() for _ in range(6)] == [0.0] * 6
    assert limiter.acquire() == pytest.approx(10.0)


# --- retries through the real client against the sandbox --------------------------------------

def caller(max_retries: int = 3) -> tuple[Caller, list[float]]:
    waits: list[float] = []
    return Caller({}, max_retries=max_retries, backoff_base=0.5, sleep=waits.append), waits


def calls_of(sandbox, method: str) -> list[dict]:
    return [r for r in control(sandbox, "GET", "requests") if r["method"] == method]


@pytest.fixture
def file_id(drive) -> str:
    return drive.files().create(body={"name": "paced"}, fields="id").execute()["id"]


@pytest.mark.parametrize("fault", [
    {"kind": "status", "status": 429},
    {"kind": "status", "status": 500},
    {"kind": "status", "status": 502},
    {"kind": "status", "status": 503},
    {"kind": "status", "status": 504},
    {"kind": "rate_limit"},                         # 403 userRateLimitExceeded
], ids=lambda fault: f"{fault['kind']}-{fault.get('status', '')}".rstrip("-"))
def test_caller_retries_transient_failures_and_returns_the_answer(sandbox, drive, file_id, fault):
    control(sandbox, "POST", "faults", {"method": "drive.files.get", "times": 2, **fault})
    paced, waits = caller()

    found = paced.execute(drive.files().get(fileId=file_id, fields="id,name"), api="drive")

    assert found == {"id": file_id, "name": "paced"}
    assert len(calls_of(sandbox, "drive.files.get")) == 3
    assert paced.stats.retries == 2 and paced.stats.calls == 3
    # Backoff grows: attempt n waits base * 2**n, with jitter between half and all of it.
    assert 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0


def test_caller_gives_up_after_max_retries_and_raises_the_last_error(sandbox, drive, file_id):
    control(sandbox, "POST", "faults", {"method": "drive.files.get", "kind": "status", "status": 503, "times": 10})
    paced, waits = caller(max_retries=2)

    with pytest.raises(HttpError) as raised:
        paced.execute(drive.files().get(fileId=file_id), api="drive")

    assert raised.value.resp.status == 503
    assert len(calls_of(sandbox, "drive.files.get")) == 3
    assert len(waits) == 2


def test_caller_retries_a_dropped_connection(sandbox, drive, file_id):
    # httplib2 itself re-sends once on a dropped connection; the second drop reaches the Caller.
    control(sandbox, "POST", "faults", {"method": "drive.files.get", "kind": "drop", "times": 2})
    paced, waits = caller()

    assert paced.execute(drive.files().get(fileId=file_id, fields="id"), api="drive") == {"id": file_id}
    assert paced.stats.retries == 1 and len(waits) == 1


# 401 is left out: the client refreshes the token and repeats the call by itself.
@pytest.mark.parametrize("status", [400, 403, 404])
def test_caller_never_retries_a_client_error(sandbox, drive, file_id, status):
    # Armed once: a retry would succeed, so the error proves there was none.
    control(sandbox, "POST", "faults", {"method": "drive.files.get", "kind": "status", "status": status})
    paced, waits = caller()

    with pytest.raises(HttpError) as raised:
        paced.execute(drive.files().get(fileId=file_id), api="drive")

    assert raised.value.resp.status == status
    assert len(calls_of(sandbox, "drive.files.get")) == 1
    assert waits == [] and paced.stats.retries == 0


def test_caller_does_not_retry_a_missing_file(sandbox, drive):
    paced, waits = caller()
    with pytest.raises(HttpError) as raised:
        paced.execute(drive.files().get(fileId="no-such-file"), api="drive")
    assert raised.value.resp.status == 404
    assert len(calls_of(sandbox, "drive.files.get")) == 1 and waits == []


def test_caller_waits_for_the_limiter_of_the_api_it_calls(sandbox, drive, file_id):
    clock = FakeClock()
    paced = Caller({"drive": RateLimiter(2, clock=clock, sleep=clock.sleep),
                    "docs_write": RateLimiter(1, clock=clock, sleep=clock.sleep)}, sleep=clock.sleep)
    for _ in range(3):
        paced.execute(drive.files().get(fileId=file_id), api="drive")
    assert clock.sleeps == pytest.approx([30.0])


# --- Retry-After, through a tiny server that sends it (the sandbox does not) -------------------

class ScriptedServer:
    """Answers each request with the next (status, headers, body) of `script`, then 200 {"id": "f1"}."""

    def __init__(self, script: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.script = list(script)
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.paths.append(self.path)
                status, headers, body = server.script.pop(0) if server.script else \
                    (200, {"Content-Type": "application/json"}, b'{"id": "f1"}')
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def drive(self):
        return build("drive", "v3", http=httplib2.Http(timeout=5), static_discovery=True,
                     client_options={"api_endpoint": self.url + "drive/v3/"}, cache_discovery=False)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted():
    servers: list[ScriptedServer] = []

    def start(*script: tuple[int, dict[str, str], bytes]) -> ScriptedServer:
        servers.append(ScriptedServer(list(script)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def quota_error(status: int = 429) -> bytes:
    return json.dumps({"error": {"code": status, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED",
                                 "errors": [{"reason": "rateLimitExceeded", "domain": "global",
                                             "message": "Quota exceeded."}]}}).encode()


def test_caller_waits_as_long_as_retry_after_says(scripted):
    server = scripted((429, {"Content-Type": "application/json", "Retry-After": "2"}, quota_error()))
    paced, waits = caller()

    assert paced.execute(server.drive().files().get(fileId="f1"), api="drive") == {"id": "f1"}
    assert waits == [2.0]
    assert len(server.paths) == 2


def test_caller_caps_a_very_long_retry_after(scripted):
    server = scripted((503, {"Content-Type": "application/json", "Retry-After": "86400"}, quota_error(503)))
    waits: list[float] = []
    paced = Caller({}, backoff_cap=32.0, sleep=waits.append)

    paced.execute(server.drive().files().get(fileId="f1"), api="drive")
    assert waits == [64.0]


@pytest.mark.parametrize(("reason", "retried"), [
    ("rateLimitExceeded", True), ("userRateLimitExceeded", True),
    ("insufficientFilePermissions", False), ("dailyLimitExceeded", False),
])
def test_a_403_is_retried_only_for_a_rate_limit(scripted, reason, retried):
    body = json.dumps({"error": {"code": 403, "message": "No.", "errors": [{"reason": reason, "message": "No."}]}})
    server = scripted((403, {"Content-Type": "application/json"}, body.encode()))
    paced, waits = caller()
    request = server.drive().files().get(fileId="f1")

    if retried:
        assert paced.execute(request, api="drive") == {"id": "f1"}
    else:
        with pytest.raises(HttpError):
            paced.execute(request, api="drive")
    assert len(server.paths) == (2 if retried else 1) and len(waits) == (1 if retried else 0)


# --- describe(): what logs and error messages show of a failure -------------------------------

def test_describe_gives_the_status_reason_and_message_on_one_line(sandbox, drive, file_id):
    control(sandbox, "POST", "faults", {"method": "drive.files.get", "kind": "rate_limit"})
    with pytest.raises(HttpError) as raised:
        drive.files().get(fileId=file_id).execute()
    assert describe(raised.value) == "HTTP 403 userRateLimitExceeded: User rate limit exceeded."


def test_describe_leaves_out_an_html_error_page_and_multi_line_messages(scripted):
    page = b"<html><body><h1>502 Bad Gateway</h1><p>upstream said:\nsecret detail</p></body></html>"
    multi_line = json.dumps({"error": {"code": 500, "message": "Internal error.\nTrace: frame 1\nframe 2"}}).encode()
    server = scripted((502, {"Content-Type": "text/html"}, page),
                      (500, {"Content-Type": "application/json"}, multi_line))
    drive = server.drive()
    descriptions = []
    for _ in range(2):
        with pytest.raises(HttpError) as raised:
            drive.files().get(fileId="f1").execute()
        descriptions.append(describe(raised.value))

    assert descriptions[0] == "HTTP 502: Bad Gateway"
    assert descriptions[1] == "HTTP 500: Internal error."
    for text in descriptions:
        assert "\n" not in text and "<html>" not in text and "secret" not in text


def test_describe_a_transport_failure_in_one_line():
    assert describe(ConnectionRefusedError(111, "Connection refused")) == \
        "ConnectionRefusedError: [Errno 111] Connection refused"
    assert describe(TimeoutError()) == "TimeoutError"


# --- the Docs write limit felt by an export ----------------------------------------------------

def test_export_waits_for_the_docs_write_limit_after_the_first_minute_of_writes(google_site, cli, monkeypatch):
    """docs_writes_per_minute = 2 and four new posts: two writes go at once, the next wait 30 s and
    60 s (recorded, not slept), and every post is still exported."""
    waits: dict[float, list[float]] = {}

    class RecordingLimiter(RateLimiter):
        def __init__(self, per_minute: int) -> None:
            super().__init__(per_minute, sleep=waits.setdefault(per_minute, []).append)

    monkeypatch.setattr(clients, "RateLimiter", RecordingLimiter)
    path = google_site.site.root / "config" / "workflow.toml"
    path.write_text(path.read_text().replace("docs_writes_per_minute = 100000", "docs_writes_per_minute = 2"))
    for number in range(4):
        google_site.site.post(f"post-{number}.md", f"# Post {number}\n\nText of post {number}.\n")

    result = cli("export", "--json")

    assert result.code == 0, result.err
    assert result.json["created"] == 4
    assert len([c for c in google_site.api_calls() if c["method"] == "docs.documents.batchUpdate"]) == 4
    assert waits[2] == pytest.approx([30.0, 60.0], abs=1.0)
    assert waits[100000] == []          # Drive calls were not held back
