"""Which part of the sandbox answers a path: the token endpoint, the test controls, the Drive
batch endpoint, images' contentUri links, the HTML viewer, or (everything else) a method of a
discovery document (Drive, Docs, Sheets, and any API added to discovery.py and responses.py), and how
large a body each accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = "token"
CONTROL = "control"
BATCH = "batch"
CONTENT = "content"
VIEW_INDEX = "view_index"
VIEW_DOCUMENT = "view_document"
VIEW_SPREADSHEET = "view_spreadsheet"
API = "api"

# Google's API front end refuses larger JSON payloads ("Request payload size exceeds the limit:
# 10485760 bytes."); the token endpoint's form and the controls' JSON are small by nature.
API_MAX_BODY = 10 * 1024 * 1024
TOKEN_MAX_BODY = 64 * 1024
CONTROL_MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Route:
    kind: str
    methods: tuple[str, ...]
    pattern: re.Pattern
    max_body: int


_ROUTES = [
    Route(TOKEN, ("POST",), re.compile(r"^/token$"), TOKEN_MAX_BODY),
    Route(CONTROL, ("GET", "POST", "DELETE"), re.compile(r"^/_sandbox/(?P<control>.+)$"),
          CONTROL_MAX_BODY),
    Route(BATCH, ("POST",), re.compile(r"^/batch/drive/v3/?$"), API_MAX_BODY),
    Route(CONTENT, ("GET",), re.compile(r"^/content/(?P<token>[A-Za-z0-9_-]+)$"), CONTROL_MAX_BODY),
    Route(VIEW_INDEX, ("GET",), re.compile(r"^/$"), CONTROL_MAX_BODY),
    Route(VIEW_DOCUMENT, ("GET",), re.compile(r"^/document/d/(?P<file_id>[^/]+)(/edit)?/?$"),
          CONTROL_MAX_BODY),
    Route(VIEW_SPREADSHEET, ("GET",), re.compile(r"^/spreadsheets/d/(?P<file_id>[^/]+)(/edit)?/?$"),
          CONTROL_MAX_BODY),
]


def route(http_method: str, path: str) -> tuple[str, dict[str, str]]:
    """(kind, path variables) for a request; API calls are matched to discovery later."""
    for candidate in _ROUTES:
        found = candidate.pattern.match(path)
        if found and http_method in candidate.methods:
            return candidate.kind, found.groupdict()
    return API, {}


def max_body(path: str) -> int:
    """The largest request body (bytes) accepted on `path`, whatever the method."""
    for candidate in _ROUTES:
        if candidate.pattern.match(path):
            return candidate.max_body
    return API_MAX_BODY
