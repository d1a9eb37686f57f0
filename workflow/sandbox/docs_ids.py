"""Identifiers shaped like the ones Google Docs hands out."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def _token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def kix_id() -> str:
    """Lists, inline objects, named ranges and comment anchors: "kix.xxxxxxxxxxxx"."""
    return f"kix.{_token(12)}"


def suggestion_id() -> str:
    return f"suggest.{_token(12)}"


def heading_id() -> str:
    return f"h.{_token(12)}"


def comment_id() -> str:
    """Drive-style comment and reply ids ("AAAB" followed by letters and digits)."""
    return "AAAB" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


def revision_id() -> str:
    """An opaque revision id, like Docs' "ALBJ4Lt..." strings."""
    return "ALBJ4L" + secrets.token_urlsafe(48)[:64]
