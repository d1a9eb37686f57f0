"""Quirks: switch off or alter one documented behaviour, to see that a client notices.

Each quirk makes the sandbox answer as a Google that broke one assumption of the worker would
(`workflow doctor --live` must report each in one line). All are off by default and after
`POST /_sandbox/reset`, and never saved with the data:

GET    quirks                    [{"name", "on", "what"}] for every quirk
POST   quirks {"name", "on"}     switch one on or off -> that quirk's entry
DELETE quirks                    switch all off

They act at the API boundary, around the model (`before_call` / `after_call` in
responses.answer_call, and the batch route in server.py), so the model itself stays Google's.
"""

from __future__ import annotations

import html
from bisect import bisect_right

from .exceptions import ApiError

REVISION_IGNORED = "revision_ignored"
TABLE_WITHOUT_END_UNIT = "table_without_end_unit"
SUGGEST_AS_EDIT = "suggest_as_edit"
NAMED_RANGES_DROPPED = "named_ranges_dropped"
UTF8_INDEXES = "utf8_indexes"
APPROVALS_UNAVAILABLE = "approvals_unavailable"
COMMENT_AUTHORS_WITHOUT_EMAIL = "comment_authors_without_email"
COMMENT_QUOTES_ESCAPED = "comment_quotes_escaped"
IMAGE_FETCH_REFUSED = "image_fetch_refused"
APP_PROPERTIES_SEARCH_IGNORED = "app_properties_search_ignored"
BATCH_MISSING = "batch_missing"

QUIRKS = {
    REVISION_IGNORED: "documents.batchUpdate ignores writeControl.requiredRevisionId",
    TABLE_WITHOUT_END_UNIT: "documents.get lays tables out without their end unit (2 + R(1+2C) units per "
                            "inserted table)",
    SUGGEST_AS_EDIT: "writeControl.writeMode SUGGEST is applied as a plain edit",
    NAMED_RANGES_DROPPED: "documents.get returns no namedRanges",
    UTF8_INDEXES: "documents.get counts indexes in UTF-8 bytes instead of UTF-16 code units",
    APPROVALS_UNAVAILABLE: "files have canStartApproval false and approvals.start is refused (an edition "
                           "without approvals, or an admin turned them off)",
    COMMENT_AUTHORS_WITHOUT_EMAIL: "comment and reply authors come without emailAddress and permissionId "
                                   "(live Google's shape)",
    COMMENT_QUOTES_ESCAPED: "comment quotes come back HTML-escaped (as for comments made in Google's editor)",
    IMAGE_FETCH_REFUSED: "insertInlineImage cannot fetch any image",
    APP_PROPERTIES_SEARCH_IGNORED: "files.list finds nothing by appProperties",
    BATCH_MISSING: "the HTTP batch endpoint answers 404",
}

# Google's words when insertInlineImage cannot fetch the URI (the whole batchUpdate is refused).
IMAGE_REFUSED = ("There was a problem retrieving the image. The provided image should be publicly accessible, "
                 "within size limit, and in supported formats.")


class Quirks:
    """The quirks switched on in one sandbox. Callers hold the sandbox lock."""

    def __init__(self) -> None:
        self.active: set[str] = set()

    def on(self, name: str) -> bool:
        return name in self.active

    def clear(self) -> None:
        self.active.clear()

    def listing(self) -> list[dict]:
        return [{"name": name, "on": name in self.active, "what": what} for name, what in QUIRKS.items()]

    def control(self, http_method: str, body) -> tuple[int, object]:
        """(status, JSON) of a /_sandbox/quirks call; a bad one is a 4xx {"error"}."""
        if http_method == "GET":
            return 200, self.listing()
        if http_method == "DELETE":
            self.clear()
            return 200, self.listing()
        if http_method != "POST":
            return 404, {"error": f"no sandbox control {http_method} /_sandbox/quirks"}
        name = body.get("name") if isinstance(body, dict) else None
        switch = body.get("on", True) if isinstance(body, dict) else None
        if name not in QUIRKS:
            return 400, {"error": f"unknown quirk {name!r}; one of {', '.join(QUIRKS)}"}
        if not isinstance(switch, bool) or set(body) - {"name", "on"}:
            return 400, {"error": 'body must be {"name": "<quirk>", "on": true|false}'}
        if switch:
            self.active.add(name)
        else:
            self.active.discard(name)
        return 200, {"name": name, "on": switch, "what": QUIRKS[name]}


# --- the hooks: one before the model answers a call, one after --------------------------------

def before_call(quirks: Quirks, method_id: str, body: object) -> None:
    """Refuse a call, or change what it asks, before the model sees it (ApiError to refuse)."""
    if not quirks.active:
        return
    if method_id == "docs.documents.batchUpdate" and isinstance(body, dict):
        write_control = body.get("writeControl")
        if isinstance(write_control, dict):
            if quirks.on(REVISION_IGNORED):
                write_control.pop("requiredRevisionId", None)
            if quirks.on(SUGGEST_AS_EDIT):
                write_control.pop("writeMode", None)
        if quirks.on(IMAGE_FETCH_REFUSED):
            for number, request in enumerate(body.get("requests") or []):
                if isinstance(request, dict) and "insertInlineImage" in request:
                    raise ApiError(400, f"Invalid requests[{number}].insertInlineImage: {IMAGE_REFUSED}")
    if method_id == "drive.approvals.start" and quirks.on(APPROVALS_UNAVAILABLE):
        raise ApiError(403, "The user does not have permission to start an approval on this file.",
                       reason="insufficientFilePermissions")


def after_call(quirks: Quirks, method_id: str, params: dict, result: object) -> object:
    """The model's answer as the quirky Google would give it."""
    if not quirks.active or not isinstance(result, dict):
        return result
    if method_id == "docs.documents.get":
        if quirks.on(NAMED_RANGES_DROPPED):
            result.pop("namedRanges", None)
            for tab in result.get("tabs") or []:
                tab.get("documentTab", {}).pop("namedRanges", None)
        if quirks.on(UTF8_INDEXES) or quirks.on(TABLE_WITHOUT_END_UNIT):
            _reindex(result, utf8=quirks.on(UTF8_INDEXES), table_end=not quirks.on(TABLE_WITHOUT_END_UNIT))
    elif method_id.startswith("drive.files."):
        if method_id == "drive.files.list" and quirks.on(APP_PROPERTIES_SEARCH_IGNORED) \
                and "appProperties" in (params.get("q") or ""):
            result["files"] = []
        if quirks.on(APPROVALS_UNAVAILABLE):
            for file in result.get("files") or [result]:
                if isinstance(file.get("capabilities"), dict):
                    file["capabilities"]["canStartApproval"] = False
    elif method_id.startswith(("drive.comments.", "drive.replies.")):
        listed = {"drive#commentList": "comments", "drive#replyList": "replies"}.get(result.get("kind", ""))
        for comment in result.get(listed) or [] if listed else [result]:
            _comment(quirks, comment)
            for reply in comment.get("replies") or []:
                _comment(quirks, reply)
    return result


def _comment(quirks: Quirks, comment: dict) -> None:
    author = comment.get("author")
    if quirks.on(COMMENT_AUTHORS_WITHOUT_EMAIL) and isinstance(author, dict):
        author.pop("emailAddress", None)
        author.pop("permissionId", None)
    quoted = comment.get("quotedFileContent")
    if quirks.on(COMMENT_QUOTES_ESCAPED) and isinstance(quoted, dict) and isinstance(quoted.get("value"), str):
        quoted["value"] = html.escape(quoted["value"])


# --- indexes counted another way --------------------------------------------------------------

def _reindex(document: dict, *, utf8: bool, table_end: bool) -> None:
    """Every startIndex/endIndex of the Document as a Google that counted UTF-8 bytes, or laid a
    table out without its end unit, would report it."""
    shifts: list[tuple[int, int]] = []  # (UTF-16 index, units added to every index at or after it)

    def collect(content: list) -> None:
        for element in content:
            for item in (element.get("paragraph") or {}).get("elements") or []:
                run = item.get("textRun")
                if utf8 and run and isinstance(item.get("startIndex"), int):
                    position = item["startIndex"]
                    for char in run.get("content", ""):
                        units = 2 if ord(char) > 0xFFFF else 1
                        position += units
                        if len(char.encode("utf-8")) != units:
                            shifts.append((position, len(char.encode("utf-8")) - units))
            table = element.get("table")
            if table:
                for row in table.get("tableRows") or []:
                    for cell in row.get("tableCells") or []:
                        collect(cell.get("content") or [])
                if not table_end and isinstance(element.get("endIndex"), int):
                    shifts.append((element["endIndex"], -1))

    bodies = [document.get("body")] + [tab.get("documentTab", {}).get("body") for tab in document.get("tabs") or []]
    for body in bodies:
        if isinstance(body, dict):
            collect(body.get("content") or [])
    if not shifts:
        return
    shifts.sort()
    positions = [position for position, _ in shifts]
    totals = []
    running = 0
    for _, delta in shifts:
        running += delta
        totals.append(running)

    def moved(index: int) -> int:
        found = bisect_right(positions, index)
        return index + (totals[found - 1] if found else 0)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("startIndex", "endIndex") and isinstance(value, int):
                    node[key] = moved(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)  # every index of the answer moves the same way: body, named ranges, anchors
