"""Reading an image over plain HTTP: Google's copy of an image pasted into a Doc, at its
`contentUri` (a link that works for about 30 minutes and needs no token), so the approved post
can keep a file of its own instead of the link. Nothing here knows about posts.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

MAX_IMAGE_BYTES = 50 * 1024 * 1024  # what Docs takes; a larger answer is not an image of a Doc
# The formats Docs holds, told apart by their first bytes, and the file name extension of each.
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"))


class ImageFetchFailed(Exception):
    """The image could not be read; the message is one line and holds no more of the URL than its host."""


def image_extension(data: bytes) -> str | None:
    """".png", ".jpg" or ".gif" for an image Docs holds, from its bytes; None for anything else."""
    return next((extension for signature, extension in SIGNATURES if data.startswith(signature)), None)


def fetch_image(url: str, *, timeout: float) -> tuple[bytes, str]:
    """(bytes, file extension) of the PNG, JPEG or GIF at `url`; ImageFetchFailed otherwise."""
    host = urllib.parse.urlsplit(url).hostname or "?"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ImageFetchFailed(f"not an http(s) link (host {host})")
    request = urllib.request.Request(url, headers={"User-Agent": "docs-workflow"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read(MAX_IMAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        why = " (the link expired)" if exc.code in (403, 404, 410) else ""
        raise ImageFetchFailed(f"HTTP {exc.code} from {host}{why}") from None
    except urllib.error.URLError as exc:
        raise ImageFetchFailed(f"cannot reach {host}: {exc.reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ImageFetchFailed(f"no answer from {host} within {timeout:g} s ({type(exc).__name__})") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageFetchFailed(f"the image from {host} is over {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    extension = image_extension(data)
    if extension is None:
        raise ImageFetchFailed(f"what {host} answered is not a PNG, JPEG or GIF image")
    return data, extension
