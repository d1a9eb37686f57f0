"""The sandbox against hostile callers (issue 11, items 2 and 7), over raw HTTP as an attacker sends it:
a web page on another origin, a DNS-rebinding name, forged framing headers, bursts and huge bodies."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections import Counter

from sandbox_fixtures import OWNER, control, reviewer_clients

FOLDER = "application/vnd.google-apps.folder"


def address(sandbox) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(sandbox.url)
    return parts.hostname, parts.port


def send(sandbox, method: str, path: str, *, headers: dict[str, str] | None = None,
         body: bytes = b"", host: str | None = None) -> tuple[int, bytes]:
    """One request with exactly these headers (Host included, no Content-Length added)."""
    hostname, port = address(sandbox)
    connection = http.client.HTTPConnection(hostname, port, timeout=20)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host if host is not None else f"{hostname}:{port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def exchange(sandbox, raw: bytes) -> tuple[int, bytes]:
    """Bytes as written, on one socket; the status and body of the answer (no answer fails)."""
    with socket.create_connection(address(sandbox), timeout=20) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def file_names(sandbox) -> list[str]:
    drive, _docs = reviewer_clients(sandbox, OWNER)
    return sorted(f["name"] for f in drive.files().list(fields="files(name)").execute()["files"])


def google_error(payload: bytes) -> dict:
    error = json.loads(payload)["error"]
    assert {"code", "message", "status", "errors"} <= set(error)
    return error


# --- item 2: a web page on another origin -------------------------------------------------------

def test_a_web_page_on_another_origin_cannot_reset_or_take_over_the_sandbox(sandbox):
    drive, _docs = reviewer_clients(sandbox, OWNER)
    drive.files().create(body={"name": "Kept", "mimeType": FOLDER}).execute()
    hostname, port = address(sandbox)

    # What a <form> or fetch() without a preflight can send: text/plain, a form, no type at all.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        status, payload = send(sandbox, "POST", "/_sandbox/reset", body=b"{}",
                               headers={"Content-Type": content_type, "Content-Length": "2",
                                        "Origin": "http://evil.example"})
        assert status in (403, 415), payload
    status, payload = send(sandbox, "POST", "/_sandbox/reset", body=b"{}",
                           headers={"Content-Type": "text/plain", "Content-Length": "2"})
    assert status == 415 and "application/json" in json.loads(payload)["error"]
    body = json.dumps({"email": "attacker@evil.example"}).encode()
    status, _ = send(sandbox, "POST", "/_sandbox/users", body=body,
                     headers={"Content-Type": "text/plain;charset=UTF-8", "Content-Length": str(len(body))})
    assert status == 415
    # JSON with a foreign (or opaque) Origin: a page that got past the preflight somehow.
    for origin in ("http://evil.example", "null", f"http://evil.example:{port}", f"https://{hostname}:{port}"):
        status, payload = send(sandbox, "POST", "/_sandbox/users", body=body,
                               headers={"Content-Type": "application/json", "Content-Length": str(len(body)),
                                        "Origin": origin})
        assert status == 403, (origin, payload)
        assert "origin" in json.loads(payload)["error"]
    assert file_names(sandbox) == ["Kept"]
    assert not [r for r in control(sandbox, "GET", "requests") if r["method"] == "oauth2.token"]

    # The sandbox's own page (or a script with no Origin) with JSON still works.
    status, payload = send(sandbox, "POST", "/_sandbox/users", body=body,
                           headers={"Content-Type": "application/json", "Content-Length": str(len(body)),
                                    "Origin": f"http://{hostname}:{port}"})
    assert status == 200 and json.loads(payload)["email"] == "attacker@evil.example"
    assert control(sandbox, "POST", "reset") == {"reset": True}


def test_only_the_sandbox_own_host_names_are_served(sandbox):
    """DNS rebinding: evil.example resolves to 127.0.0.1, so its page talks to the sandbox by that name."""
    drive, _docs = reviewer_clients(sandbox, OWNER)
    drive.files().create(body={"name": "Secret plans", "mimeType": FOLDER}).execute()
    token = control(sandbox, "POST", "users", {"email": OWNER})["token"]
    _hostname, port = address(sandbox)

    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", f"127.0.0.1.evil.example:{port}",
                 f"localhost:{port}@evil.example", ""):
        for method, path, headers in (("GET", "/", {}),
                                      ("GET", "/_sandbox/requests", {}),
                                      ("GET", "/drive/v3/files", {"Authorization": f"Bearer {token}"})):
            status, payload = send(sandbox, method, path, headers=headers, host=host)
            assert status == 421, (host, path, status)
            assert b"Secret plans" not in payload
            assert "does not answer to Host" in google_error(payload)["message"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, payload = send(sandbox, "GET", "/", host=host)
        assert status == 200 and b"Secret plans" in payload


def test_the_viewer_makes_links_live_only_for_http_https_and_mailto(sandbox, drive, docs):
    document_id = drive.files().create(body={"name": "Links", "mimeType": "application/vnd.google-apps.document"},
                                       fields="id").execute()["id"]
    targets = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", " javascript:alert(2)",
               "java\tscript:alert(3)", "data:text/html,<script>alert(4)</script>", "vbscript:msgbox(5)",
               "http://x/'><script>alert(6)</script>", "https://example.com/ok", "mailto:editor@example.com"]
    text = "".join(f"link{number} " for number in range(len(targets)))
    requests = [{"insertText": {"location": {"index": 1}, "text": text}}]
    position = 1
    for number, target in enumerate(targets):
        length = len(f"link{number}")
        requests.append({"updateTextStyle": {"range": {"startIndex": position, "endIndex": position + length},
                                             "textStyle": {"link": {"url": target}}, "fields": "link"}})
        position += length + 1
    docs.documents().batchUpdate(documentId=document_id, body={"requests": requests}).execute()

    status, page = send(sandbox, "GET", f"/document/d/{document_id}/edit")

    assert status == 200
    html = page.decode("utf-8")
    hrefs = [part.split("'", 1)[0] for part in html.split("href='")[1:]]
    assert hrefs == ["http://x/&#x27;&gt;&lt;script&gt;alert(6)&lt;/script&gt;", "https://example.com/ok",
                     "mailto:editor@example.com"]
    assert "<script" not in html.lower()
    assert html.count("<span class='link-refused'") == 6   # the refused ones are still shown, as text
    assert all(f"link{number}" in html for number in range(len(targets)))


def test_cli_serve_on_a_non_loopback_host_warns_and_answers_allowed_names(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", "sandbox", "serve", "--host", "0.0.0.0", "--port", "0",
         "--allow-host", "sandbox.lan", "--data", str(tmp_path / "d")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        url = process.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0]
        port = urllib.parse.urlsplit(url).port
        for host, expected in ((f"sandbox.lan:{port}", 200), (f"127.0.0.1:{port}", 200),
                               (f"evil.example:{port}", 421)):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                response = http.client.HTTPResponse(sock)
                response.begin()
                assert response.status == expected, host
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        err = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workflow: warning: serving on 0.0.0.0"), err
    assert "login" in lines[0]


# --- item 7: the server itself --------------------------------------------------------------------

def test_a_burst_of_200_concurrent_requests_is_answered(sandbox):
    hostname, port = address(sandbox)
    count = 200
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def one() -> None:
        barrier.wait()
        try:
            with socket.create_connection((hostname, port), timeout=10) as sock:
                sock.sendall(f"GET /_sandbox/faults HTTP/1.1\r\nHost: {hostname}:{port}\r\n"
                             "Connection: close\r\n\r\n".encode())
                response = http.client.HTTPResponse(sock)
                response.begin()
                outcomes.append(str(response.status))
        except OSError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == {"200": count}


def test_request_bodies_over_the_limit_get_413_in_google_shape_and_change_nothing(sandbox):
    token = control(sandbox, "POST", "users", {"email": OWNER})["token"]
    name = "x" * (11 * 1024 * 1024)
    body = json.dumps({"name": name, "mimeType": FOLDER}).encode()

    status, payload = send(sandbox, "POST", "/drive/v3/files", body=body,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                    "Content-Length": str(len(body))})

    assert status == 413
    assert google_error(payload)["message"] == "Request payload size exceeds the limit: 10485760 bytes."
    # Declared, not sent: refused at once, without waiting for a body that never comes.
    status, payload = exchange(sandbox, b"POST /token HTTP/1.1\r\nHost: %s\r\nContent-Length: 999999999999\r\n"
                                        b"Content-Type: application/x-www-form-urlencoded\r\n\r\ngrant_type="
                               % urllib.parse.urlsplit(sandbox.url).netloc.encode())
    assert status == 413
    for path, size in (("/token", 65 * 1024), ("/_sandbox/users", 2 * 1024 * 1024)):
        status, _ = send(sandbox, "POST", path, body=b" " * size,
                         headers={"Content-Type": "application/json", "Content-Length": str(size)})
        assert status == 413, path
    assert file_names(sandbox) == []


def test_malformed_framing_gets_400_with_an_answer_never_a_traceback(sandbox, capfd):
    netloc = urllib.parse.urlsplit(sandbox.url).netloc.encode()
    head = b"POST /_sandbox/reset HTTP/1.1\r\nHost: " + netloc + b"\r\nContent-Type: application/json\r\n"
    for framing, expected in ((b"Content-Length: abc\r\n", 400), (b"Content-Length: -1\r\n", 400),
                              (b"Content-Length: +2\r\n", 400), (b"Content-Length: 1e3\r\n", 400),
                              (b"Content-Length: \xd9\xa2\r\n", 400),   # an Arabic-Indic digit 2
                              (b"Content-Length: 2\r\nContent-Length: 3\r\n", 400),
                              (b"Transfer-Encoding: chunked\r\n", 411)):
        status, payload = exchange(sandbox, head + framing + b"\r\n{}")
        assert status == expected, framing
        assert google_error(payload)["code"] == expected
    # A /token body that is not UTF-8: OAuth's own error shape.
    form = b"grant_type=refresh_token&refresh_token=\xff\xfe"
    status, payload = send(sandbox, "POST", "/token", body=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Content-Length": str(len(form))})
    assert status == 400 and json.loads(payload)["error"] == "invalid_request"
    # The same with a long GET sent as POST (X-HTTP-Method-Override), and a control body that is no object.
    status, payload = send(sandbox, "POST", "/drive/v3/files", body=b"q=\xff",
                           headers={"X-HTTP-Method-Override": "GET", "Content-Length": "3",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and google_error(payload)["code"] == 400
    status, payload = send(sandbox, "POST", "/_sandbox/oauth-clients", body=b"[1]",
                           headers={"Content-Type": "application/json", "Content-Length": "3"})
    assert status == 400 and json.loads(payload) == {"error": "body must be a JSON object"}
    assert control(sandbox, "GET", "faults") == []   # still serving
    assert "Traceback" not in capfd.readouterr().err
