"""Images as Google's Docs handles them: what `insertInlineImage` can fetch, and the copies it keeps.

- Fetching: `insertInlineImage` downloads its URI while the request runs. The sandbox reaches no
  internet, so what it can fetch is an image registered for a URL (`POST /_sandbox/images
  {"url", "mimeType", "bytes"?}`, bytes in base64: the public web of a test) or a loopback
  URL, fetched for real with a short timeout (a test's own web server). Anything else is
  unreachable (a URL registered with a trailing `*` stands for every URL it begins). Only PNG,
  JPEG and GIF under 50 MB and 25 megapixels are taken, told apart by their bytes (a registered
  image without bytes by its mimeType); otherwise Google refuses the whole batch
  (exceptions.image_not_retrievable).
- Copies: Google keeps its own copy of every image (content-addressed here: `blobs`, saved
  beside the sandbox's data) and hands out `contentUri` links to it that expire (about 30
  minutes): `link()` makes one, `GET /content/<token>` serves it while it lives.

Fetches run before the sandbox takes its lock (`prefetch`), so a slow or self-hosted image
never holds up other calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import secrets
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 25_000_000
SUPPORTED = ("image/png", "image/jpeg", "image/gif")
FETCH_SECONDS = 5
CONTENT_LINK_SECONDS = 30 * 60


@dataclass(frozen=True)
class Picture:
    """What Google made of a fetched image: its format and pixel size (None when unknown)."""

    mime_type: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Fetched:
    """The outcome of fetching one URI: `data` (and `mime_type` as served), or why not (`problem`)."""

    data: bytes | None = None
    mime_type: str = ""
    problem: str = ""


def sniff(data: bytes) -> Picture | None:
    """PNG, JPEG or GIF (with its size in pixels) from its bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return Picture("image/png", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return Picture("image/gif", width, height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> Picture | None:
    """A JPEG's size from its first start-of-frame marker."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:   # markers without a length
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return Picture("image/jpeg", width, height)
        position += 2 + length
    return None


def acceptable(fetched: Fetched) -> Picture | None:
    """The picture Google would keep from `fetched`, or None when it refuses it."""
    if fetched.problem:
        return None
    if fetched.data is None:   # registered without bytes: its declared type decides
        return Picture(fetched.mime_type) if fetched.mime_type in SUPPORTED else None
    if len(fetched.data) > MAX_BYTES:
        return None
    picture = sniff(fetched.data)
    if picture is None or (picture.width or 0) * (picture.height or 0) > MAX_PIXELS:
        return None
    return picture


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is a loopback address or `localhost` (no name is looked up)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _LoopbackOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects as Google would, but never off this machine."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_loopback_url(newurl):
            raise urllib.error.URLError(f"redirected off this machine to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _LoopbackOnly)


def fetch_loopback(url: str, timeout: float = FETCH_SECONDS) -> Fetched:
    """GET a loopback URL as Google's fetcher would: at most MAX_BYTES (+1, to see it is more)."""
    try:
        with _OPENER.open(urllib.request.Request(url, headers={"User-Agent": "Google-Docs-Sandbox"}),
                          timeout=timeout) as answer:
            declared = answer.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                return Fetched(problem=f"{declared} bytes")
            data = answer.read(MAX_BYTES + 1)
            return Fetched(data, (answer.headers.get_content_type() or ""))
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Fetched(problem=str(getattr(error, "reason", error)))


def image_uris(method_id: str, payload: bytes) -> list[str]:
    """The URIs a call would make Google fetch (insertInlineImage of a documents.batchUpdate)."""
    if method_id != "docs.documents.batchUpdate" or b"insertInlineImage" not in payload:
        return []
    try:
        body = json.loads(payload)
    except ValueError:
        return []
    requests = body.get("requests") if isinstance(body, dict) else None
    uris = []
    for request in requests if isinstance(requests, list) else []:
        inserted = request.get("insertInlineImage") if isinstance(request, dict) else None
        if isinstance(inserted, dict) and isinstance(inserted.get("uri"), str):
            uris.append(inserted["uri"])
    return list(dict.fromkeys(uris))


@dataclass
class _Link:
    blob: str
    expires: float


class ImageLibrary:
    """Registered URLs (test controls, never saved), Google's copies and their links.
    Callers hold the sandbox lock, except around `prefetch`'s loopback GETs."""

    def __init__(self, base_url: str, blobs_dir: Path | None) -> None:
        self.base_url = base_url
        self.blobs_dir = blobs_dir
        self.registered: dict[str, Fetched] = {}
        self.blobs: dict[str, tuple[str, bytes]] = {}     # sha256 -> (mime type, bytes)
        self.links: dict[str, _Link] = {}
        self.link_seconds = CONTENT_LINK_SECONDS

    def clear(self) -> None:
        self.registered.clear()
        self.blobs.clear()
        self.links.clear()
        self.link_seconds = CONTENT_LINK_SECONDS

    # -- the public web of a test -------------------------------------------------------------
    def register(self, body: dict) -> dict:
        """POST /_sandbox/images {"url", "mimeType", "bytes"?}; ValueError with a one-line reason."""
        url, mime_type, encoded = body.get("url"), body.get("mimeType"), body.get("bytes")
        if set(body) - {"url", "mimeType", "bytes"}:
            raise ValueError('body must be {"url", "mimeType", "bytes"?} (bytes in base64)')
        if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("url must be an http(s) URL")
        if not isinstance(mime_type, str) or not mime_type:
            raise ValueError("mimeType must be a media type such as image/png")
        data = None
        if encoded is not None:
            try:
                data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
            except (binascii.Error, ValueError):
                data = None
            if data is None:
                raise ValueError("bytes must be base64")
        self.registered[url] = Fetched(data, mime_type)
        picture = acceptable(self.registered[url])
        return {"url": url, "mimeType": mime_type, "bytes": len(data) if data is not None else None,
                "fetchable": picture is not None}

    def lookup(self, url: str) -> Fetched | None:
        """A registered image (a URL registered with a trailing `*` stands for every URL it
        begins: the longest such wins), or None (a loopback URL is then fetched for real)."""
        if url in self.registered:
            return self.registered[url]
        prefixes = [key for key in self.registered if key.endswith("*") and url.startswith(key[:-1])]
        return self.registered[max(prefixes, key=len)] if prefixes else None

    # -- Google's copies ----------------------------------------------------------------------
    def keep(self, fetched: Fetched, picture: Picture) -> str | None:
        """Keep Google's copy of a fetched image; its blob id (None for one registered without bytes)."""
        if fetched.data is None:
            return None
        blob = hashlib.sha256(fetched.data).hexdigest()
        if blob not in self.blobs:
            self.blobs[blob] = (picture.mime_type, fetched.data)
            if self.blobs_dir is not None:
                self.blobs_dir.mkdir(parents=True, exist_ok=True)
                path = self.blobs_dir / blob
                if not path.exists():
                    temporary = path.with_name(f".{blob}.tmp")
                    temporary.write_bytes(json.dumps({"mimeType": picture.mime_type}).encode() + b"\n"
                                          + fetched.data)
                    temporary.replace(path)
        return blob

    def _blob(self, blob: str) -> tuple[str, bytes] | None:
        if blob not in self.blobs and self.blobs_dir is not None and (self.blobs_dir / blob).is_file():
            header, _, data = (self.blobs_dir / blob).read_bytes().partition(b"\n")
            self.blobs[blob] = (json.loads(header)["mimeType"], data)
        return self.blobs.get(blob)

    def link(self, blob: str, now: float | None = None) -> str:
        """A fresh contentUri for a kept image: it works for `link_seconds`."""
        now = time.time() if now is None else now
        self.links = {token: link for token, link in self.links.items() if link.expires > now}
        token = secrets.token_urlsafe(24)
        self.links[token] = _Link(blob, now + self.link_seconds)
        return f"{self.base_url}content/{token}"

    def serve(self, token: str, now: float | None = None) -> tuple[int, str, bytes]:
        """(status, content type, bytes) of GET /content/<token>: 403 once the link expired."""
        now = time.time() if now is None else now
        link = self.links.get(token)
        if link is None or link.expires <= now:
            return 403, "text/plain; charset=UTF-8", b"This link has expired or is not valid.\n"
        kept = self._blob(link.blob)
        if kept is None:
            return 404, "text/plain; charset=UTF-8", b"Not found.\n"
        return 200, kept[0], kept[1]


def prefetch(library: ImageLibrary, lock, uris: list[str]) -> dict[str, Fetched]:
    """What fetching each URI gives: a registered image, else a loopback GET (made without
    holding `lock`), else unreachable."""
    fetched: dict[str, Fetched] = {}
    for uri in uris:
        with lock:
            found = library.lookup(uri)
        if found is None:
            found = fetch_loopback(uri) if is_loopback_url(uri) else Fetched(
                problem="not reachable from the sandbox (register it with POST /_sandbox/images)")
        fetched[uri] = found
    return fetched
