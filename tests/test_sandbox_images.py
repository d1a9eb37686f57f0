"""Images as Google's Docs handles them, through the real client: insertInlineImage fetches its URI
(a loopback web server, or an image registered with /_sandbox/images), takes only PNG, JPEG and GIF
under 50 MB and 25 megapixels and refuses the whole batch otherwise; Google's copy is read through a
contentUri that expires; an image pasted in the editor has no sourceUri."""

from __future__ import annotations

import base64
import http.server
import struct
import threading
import urllib.error
import urllib.request

import pytest
from googleapiclient.errors import HttpError
from sandbox_fixtures import PNG, control, reviewer_clients

DOC = "application/vnd.google-apps.document"
GIF = b"GIF89a" + struct.pack("<HH", 40, 20) + b"\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
HUGE_PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 6000, 5000) + b"\x08\x06\x00\x00\x00"
REFUSED = ("There was a problem retrieving the image. The provided image should be publicly accessible, "
           "within size limit, and in supported formats.")


@pytest.fixture
def web():
    """A loopback web server: path -> (content type, bytes); "/big.png" declares 60 MB."""
    pages = {"/dot.png": ("image/png", PNG), "/logo.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
             "/photo.webp": ("image/webp", WEBP)}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/big.png":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(60 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(PNG)
                return
            found = pages.get(self.path)
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", found[0] if found else "text/plain")
            self.end_headers()
            self.wfile.write(found[1] if found else b"no such image")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _doc(drive, docs) -> str:
    doc_id = drive.files().create(body={"name": "Post", "mimeType": DOC}, fields="id").execute()["id"]
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "Before after\n"}}]}).execute()
    return doc_id


def _insert(docs, doc_id: str, uri: str) -> dict:
    return docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "More "}},
        {"insertInlineImage": {"location": {"index": 8}, "uri": uri}}]}).execute()


def _images(docs, doc_id: str) -> list[dict]:
    document = docs.documents().get(documentId=doc_id).execute()
    return [o["inlineObjectProperties"]["embeddedObject"] for o in document.get("inlineObjects", {}).values()]


def _read(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_an_image_is_fetched_from_its_url_and_read_back_through_an_expiring_content_link(sandbox, drive, docs, web):
    doc_id = _doc(drive, docs)
    control(sandbox, "POST", "images", {"url": "https://blog.example/wide.gif", "mimeType": "image/gif",
                                        "bytes": base64.b64encode(GIF).decode()})

    _insert(docs, doc_id, f"{web}/dot.png")
    _insert(docs, doc_id, "https://blog.example/wide.gif")

    dot, wide = _images(docs, doc_id)
    assert dot["imageProperties"]["sourceUri"] == f"{web}/dot.png"
    assert wide["size"] == {"width": {"magnitude": 30.0, "unit": "PT"}, "height": {"magnitude": 15.0, "unit": "PT"}}
    link = dot["imageProperties"]["contentUri"]
    assert link.startswith(sandbox.url) and link != dot["imageProperties"]["sourceUri"]
    assert _read(link) == (200, PNG)
    control(sandbox, "POST", "content-links", {"seconds": 0})
    stale = _images(docs, doc_id)[1]["imageProperties"]["contentUri"]
    assert _read(stale)[0] == 403 and _read(link) == (200, PNG)  # links given before keep their 30 minutes


REFUSED_IMAGES = [  # (uri, how it is registered or None: served by the loopback web server, or nowhere)
    ("{web}/photo.webp", None),
    ("{web}/logo.svg", None),
    ("{web}/missing.png", None),
    ("{web}/big.png", None),
    ("https://unpublished.example/draft.png", None),
    ("https://blog.example/huge.png", {"mimeType": "image/png", "bytes": base64.b64encode(HUGE_PNG).decode()}),
    ("https://blog.example/photo.webp", {"mimeType": "image/webp"}),
    ("https://blog.example/fake.png", {"mimeType": "image/png", "bytes": base64.b64encode(WEBP).decode()}),
]


def test_an_image_google_cannot_take_refuses_the_whole_batch(sandbox, drive, docs, web):
    doc_id = _doc(drive, docs)
    before = docs.documents().get(documentId=doc_id).execute()
    for uri, registered in REFUSED_IMAGES:
        uri = uri.format(web=web)
        if registered:
            control(sandbox, "POST", "images", {"url": uri, **registered})

        with pytest.raises(HttpError) as refused:
            _insert(docs, doc_id, uri)

        assert refused.value.status_code == 400, uri
        assert refused.value.reason == f"Invalid requests[1].insertInlineImage: {REFUSED}", uri
    after = docs.documents().get(documentId=doc_id).execute()
    assert after["revisionId"] == before["revisionId"] and after["body"] == before["body"]  # nothing applied


def test_an_image_pasted_in_the_editor_has_no_source_uri(sandbox, drive, docs):
    doc_id = _doc(drive, docs)
    drive.permissions().create(fileId=doc_id, sendNotificationEmail=False,
                               body={"type": "user", "role": "writer", "emailAddress": "ed@example.com"}).execute()
    version = drive.files().get(fileId=doc_id, fields="version").execute()["version"]
    _reviewer_drive, reviewer_docs = reviewer_clients(sandbox, "ed@example.com")

    pasted = control(sandbox, "POST", f"files/{doc_id}/paste-image",
                     {"email": "ed@example.com", "index": 7, "bytes": base64.b64encode(PNG).decode()})

    document = reviewer_docs.documents().get(documentId=doc_id).execute()
    [image] = document["inlineObjects"].values()
    properties = image["inlineObjectProperties"]["embeddedObject"]["imageProperties"]
    assert image["objectId"] == pasted["objectId"] and document["revisionId"] == pasted["revisionId"]
    assert "sourceUri" not in properties and _read(properties["contentUri"]) == (200, PNG)
    paragraph = document["body"]["content"][1]["paragraph"]
    assert [e.get("inlineObjectElement", {}).get("inlineObjectId") for e in paragraph["elements"]] == [
        None, pasted["objectId"], None]
    assert int(drive.files().get(fileId=doc_id, fields="version").execute()["version"]) > int(version)
    with pytest.raises(urllib.error.HTTPError) as refused:  # only people who can edit paste
        control(sandbox, "POST", f"files/{doc_id}/paste-image",
                {"email": "stranger@example.com", "index": 1, "bytes": base64.b64encode(PNG).decode()})
    assert refused.value.code == 400
