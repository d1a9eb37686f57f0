"""Comment threads placed on the post's source lines, through the block map kept at export.

A thread maps to a line when its quoted text is found in the source lines of a block:
- anchored threads: the block whose Doc range holds the anchor's start, if that block's lines
  (in the post file as it is now) contain the quote;
- otherwise (no anchor, or the Doc was edited so the anchor moved): the one block whose lines
  contain the quote. Found in no block, or in several, the thread does not map and says so.
Matching ignores Markdown markup (emphasis, link targets, list and heading markers) and spacing.
Drive gives a quote as HTML (`quotedFileContent.mimeType` text/html: a comment made in Google's
editor quotes `Tom & <Jerry>` as `Tom &amp; &lt;Jerry&gt;`), so it is unescaped before it is
matched or shown; character references in the source (`&amp;`) count as the characters they show.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from workflow.reviews.reading import Thread

NO_LONGER_MAPS = "anchor no longer maps to the source"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LINE_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)")
_MARKUP = re.compile(r"[*_`~\\|]")
_SPACE = re.compile(r"\s+")


@dataclass
class PlacedThread:
    thread: Thread
    line: int | None  # file line number; None = does not map

    def to_json(self) -> dict[str, Any]:
        return {**self.thread.to_json(), "quote": quote_text(self.thread), "line": self.line}


def quote_text(thread: Thread) -> str:
    """The thread's quote as the text the reviewer selected (Drive gives it as HTML)."""
    return html.unescape(thread.quote)


def _plain(text: str) -> str:
    text = html.unescape(_LINK.sub(r"\1", text))
    text = _MARKUP.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def _block_text(lines: list[str], start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of file lines start..end (1-based, inclusive) and (offset, line number) of each line."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    for number in range(start, min(end, len(lines)) + 1):
        plain = _plain(_LINE_MARKER.sub("", lines[number - 1]))
        if not plain:
            continue
        offsets.append((position, number))
        parts.append(plain)
        position += len(plain) + 1
    return " ".join(parts), offsets


def _line_in_block(lines: list[str], block: dict, quote: str) -> int | None:
    text, offsets = _block_text(lines, block["source_start"], block["source_end"])
    found = text.find(quote)
    if found < 0:
        return None
    return max((number for offset, number in offsets if offset <= found), default=block["source_start"])


def place_thread(thread: Thread, block_map: list[dict], lines: list[str]) -> PlacedThread:
    quote = _plain(quote_text(thread))
    if not quote:
        return PlacedThread(thread, None)
    if thread.anchor is not None:
        start = thread.anchor[0]
        for block in block_map:
            if block["doc_start"] <= start < block["doc_end"]:
                line = _line_in_block(lines, block, quote)
                if line is not None:
                    return PlacedThread(thread, line)
                break
    found = {line for block in block_map if (line := _line_in_block(lines, block, quote)) is not None}
    return PlacedThread(thread, found.pop() if len(found) == 1 else None)


def place_threads(threads: list[Thread], block_map: list[dict], source: str) -> list[PlacedThread]:
    lines = source.split("\n")
    placed = [place_thread(thread, block_map, lines) for thread in threads]
    return sorted(placed, key=lambda p: (p.line is None, p.line or 0))


def format_thread(placed: PlacedThread, rel_path: str) -> list[str]:
    """`posts/x.md:42: “quote” — comment (author, open)` and its replies, indented."""
    thread = placed.thread
    status = "resolved" if thread.resolved else "open"
    quote = f"“{quote_text(thread)}” — " if thread.quote else ""
    if placed.line is not None:
        head = f"{rel_path}:{placed.line}: {quote}{thread.content} ({thread.author}, {status})"
    elif thread.quote:
        head = f"{rel_path}: {quote}{thread.content} ({thread.author}, {status}; {NO_LONGER_MAPS})"
    else:
        head = f"{rel_path}: {thread.content} ({thread.author}, {status}; on the whole Doc)"
    lines = [head]
    for reply in thread.replies:
        action = f" [{reply['action']}]" if reply.get("action") else ""
        text = reply["content"] or ""
        lines.append(f"    {reply['author']}: {text}{action}".rstrip())
    return lines
