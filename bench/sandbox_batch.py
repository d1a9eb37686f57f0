"""How fast the sandbox applies one long post's batchUpdate (goal: ratio <= 10x, in a few seconds).

The post: a generated 370 kB long read whose rendering is one batchUpdate of about 15,000
requests (text, emphasis, links, headings, lists, quotes, code, tables), the size that made the
client time out.

The ratio: the time the sandbox's Docs model (`Document.batch_update`, in process) takes to
apply the batch, divided by the time the same requests take on the plainest model that honours
the same indexes: a Python list with one entry per UTF-16 unit (`UnitList` below: text spliced
in, styles set unit by unit, tabs of new list items deleted, a table inserted as its 3 + R(1+2C)
units). Both end at the same body length (checked). The sandbox keeps a tree of paragraphs and
atoms, checks every index and keeps comment anchors in step, so a small constant factor is
expected; a ratio that grows with the post's length means per-request work that walks the
whole body again.

The same batch is also sent through the real client to a sandbox over HTTP (what an export
waits for), printed in seconds.

Run: .venv/bin/python bench/sandbox_batch.py [--kb 370] [--no-http]
"""

from __future__ import annotations

import argparse
import time
from bisect import bisect_right

from workflow.render import render_document
from workflow.sandbox import start
from workflow.sandbox.documents import Document

_WORDS = ("trust", "silence", "a shared glance", "patience", "the small rituals", "listening",
          "presence")


def long_post(kilobytes: int) -> str:
    """A long read of about `kilobytes` kB: prose dense with emphasis and links, lists, quotes,
    code, and a table every fourth section."""
    chunks: list[str] = []
    size = 0
    number = 0
    while size < kilobytes * 1000:
        word = _WORDS[number % len(_WORDS)]
        prose = (f"It starts with *{word}*: **noticing** needs 😅, *showing up*, keeping `promises` "
                 f"small. Read [study {number}](https://example.com/s/{number}), then **act** on it. ")
        chunk = (f"## {number + 1}. Why {word} matters 💞\n\n{prose * 2}\n\n{prose}\n\n"
                 f"- a first point about {word}\n- a second one, **bold**\n  - a nested note\n"
                 f"- the last point\n\n> A quote on {word}, to remember.\n\n"
                 f"```\nexample line {number}\n  indented line\n```\n\n")
        if number % 4 == 0:
            chunk += (f"| step | what | why |\n|---|:-:|--:|\n| {number} | *{word}* | because |\n"
                      "| next | more | **yes** |\n\n")
        chunks.append(chunk)
        size += len(chunk.encode("utf-8"))
        number += 1
    return "".join(chunks)


def _units(text: str) -> list[list]:
    units: list[list] = []
    for char in text:
        units.append([char, None])
        if ord(char) > 0xFFFF:
            units.append([None, None])   # the low surrogate
    return units


class UnitList:
    """The floor: the body as a list of [character, style] per UTF-16 unit (index 1 = item 0)."""

    def __init__(self) -> None:
        self.units: list[list] = [["\n", None]]

    def end(self) -> int:
        return 1 + len(self.units)

    def apply(self, request: dict) -> None:
        (kind, body), = request.items()
        getattr(self, kind)(body)

    def insertText(self, body: dict) -> None:
        at = body["location"]["index"] - 1
        self.units[at:at] = _units(body["text"])

    def insertInlineImage(self, body: dict) -> None:
        at = body["location"]["index"] - 1
        self.units[at:at] = [["\ufffc", None]]

    def insertTable(self, body: dict) -> None:
        at = body["location"]["index"] - 1
        rows, columns = body["rows"], body["columns"]
        row = [["\x1c", None]] + [["\x1c", None], ["\n", None]] * columns
        self.units[at:at] = [["\n", None], ["\x1c", None]] + row * rows + [["\x1c", None]]

    def _style(self, body: dict, key: str) -> None:
        start, end = body["range"]["startIndex"] - 1, body["range"]["endIndex"] - 1
        for unit in self.units[start:end]:
            unit[1] = dict(unit[1] or {}, **body[key])

    def updateTextStyle(self, body: dict) -> None:
        self._style(body, "textStyle")

    def updateParagraphStyle(self, body: dict) -> None:
        self._style(body, "paragraphStyle")

    def createParagraphBullets(self, body: dict) -> None:
        start, end = body["range"]["startIndex"] - 1, body["range"]["endIndex"] - 1
        starts = [start] + [i + 1 for i in range(start, end - 1) if self.units[i][0] == "\n"]
        for first in reversed(starts):   # delete each item's leading tabs, last item first
            tabs = 0
            while self.units[first + tabs][0] == "\t":
                tabs += 1
            del self.units[first:first + tabs]


def best_of(repeat: int, function) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def apply_in_sandbox_model(requests: list[dict]) -> Document:
    document = Document.new("bench", "Bench")
    document.batch_update(requests, write_control=None, author="bench@example.com",
                          now="2026-01-01T00:00:00.000Z")
    return document


def apply_to_unit_list(requests: list[dict]) -> UnitList:
    body = UnitList()
    for request in requests:
        body.apply(request)
    return body


def over_http(requests: list[dict]) -> float:
    """Seconds for documents.batchUpdate through the real client against a served sandbox."""
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    sandbox = start()
    try:
        credentials = Credentials(sandbox.user_token("bench@example.com"))
        docs = build("docs", "v1", credentials=credentials, static_discovery=True,
                     client_options={"api_endpoint": sandbox.url}, cache_discovery=False)
        document_id = docs.documents().create(body={"title": "Bench"}).execute()["documentId"]
        started = time.perf_counter()
        docs.documents().batchUpdate(documentId=document_id, body={"requests": requests}).execute()
        return time.perf_counter() - started
    finally:
        sandbox.stop()


def _body_end(document: Document) -> int:
    return document.to_json()["body"]["content"][-1]["endIndex"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kb", type=int, default=370, help="size of the generated post (default 370)")
    parser.add_argument("--repeat", type=int, default=3, help="best of how many runs (default 3)")
    parser.add_argument("--no-http", action="store_true", help="skip the round trip over HTTP")
    args = parser.parse_args()
    post = long_post(args.kb)
    requests = render_document(post).requests
    document = apply_in_sandbox_model(requests)
    floor = apply_to_unit_list(requests)
    assert _body_end(document) == floor.end(), (_body_end(document), floor.end())
    sandbox_seconds = best_of(args.repeat, lambda: apply_in_sandbox_model(requests))
    floor_seconds = best_of(args.repeat, lambda: apply_to_unit_list(requests))
    print(f"post {len(post.encode('utf-8')) / 1000:.0f} kB, {len(requests)} requests, "
          f"body end index {floor.end()}")
    print(f"sandbox model {sandbox_seconds:6.2f} s   unit list {floor_seconds:6.3f} s   "
          f"ratio {sandbox_seconds / floor_seconds:5.1f}x  (goal <= 10x)")
    if not args.no_http:
        print(f"batchUpdate over HTTP through the client: {over_http(requests):.2f} s")


if __name__ == "__main__":
    main()
