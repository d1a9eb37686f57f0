"""Link and image targets: which ones a post may carry, and how to write one into Markdown.

Allowed: `http`, `https` and `mailto` URLs and relative references (a path, `?query` or
`#fragment`). The scheme is judged as a browser would read the `href` Python-Markdown writes:
character references decoded, tabs and line breaks removed, case ignored; so `java&#x09;script:`
and `JaVaScRiPt:` are refused like `javascript:`.
"""
from __future__ import annotations

import html
import re

ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")  # stripped or ignored around/inside a URL scheme
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Characters written %-encoded inside <...>: they would end the target or be read as Markdown
# (escapes, code spans, HTML) before the link is parsed.
_ENCODE = {"<": "%3C", ">": "%3E", "\\": "%5C", "`": "%60", '"': "%22", "\n": "%0A", "\r": "%0D", "\t": "%09"}


def unsafe_target(url: str) -> str | None:
    """Why `url` may not be a link or image target, or None when it may."""
    as_read = _IGNORED_BY_BROWSERS.sub("", html.unescape(url))
    if as_read.startswith("//"):
        return "is a network-path reference (no scheme)"
    scheme = _SCHEME.match(as_read)
    if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
        return f"uses the scheme {scheme.group(1).lower()!r} (only http, https, mailto and relative paths)"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "holds control characters"
    return None


def markdown_target(url: str) -> str:
    """`url` as a Markdown link target that Python-Markdown reads back as exactly `url`:
    in angle brackets, with the characters that could end it or be read as Markdown %-encoded
    and `&` that would start a character reference written as `&amp;`."""
    encoded = "".join(_ENCODE.get(c, c) for c in url)
    encoded = _ENTITY_LIKE.sub("&amp;", encoded)
    if encoded and re.fullmatch(r"[A-Za-z0-9._~:/?#@!$&'*+,;=%\-\[\]]+", encoded):
        return encoded
    return f"<{encoded}>"
