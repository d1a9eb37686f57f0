"""Which part of the sandbox answers a path: the token endpoint, the test controls, the Drive
batch endpoint, the HTML viewer, or (everything else) a Drive/Docs/Sheets discovery method."""

from __future__ import annotations

import re

TOKEN = "token"
CONTROL = "control"
BATCH = "batch"
VIEW_INDEX = "view_index"
VIEW_DOCUMENT = "view_document"
VIEW_SPREADSHEET = "view_spreadsheet"
API = "api"

_ROUTES = [
    (("POST",), re.compile(r"^/token$"), TOKEN),
    (("GET", "POST", "DELETE"), re.compile(r"^/_sandbox/(?P<control>.+)$"), CONTROL),
    (("POST",), re.compile(r"^/batch/drive/v3/?$"), BATCH),
    (("GET",), re.compile(r"^/$"), VIEW_INDEX),
    (("GET",), re.compile(r"^/document/d/(?P<file_id>[^/]+)(/edit)?/?$"), VIEW_DOCUMENT),
    (("GET",), re.compile(r"^/spreadsheets/d/(?P<file_id>[^/]+)(/edit)?/?$"), VIEW_SPREADSHEET),
]


def route(http_method: str, path: str) -> tuple[str, dict[str, str]]:
    """(kind, path variables) for a request; API calls are matched to discovery later."""
    for methods, pattern, kind in _ROUTES:
        found = pattern.match(path)
        if found and http_method in methods:
            return kind, found.groupdict()
    return API, {}
