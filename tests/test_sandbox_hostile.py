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
