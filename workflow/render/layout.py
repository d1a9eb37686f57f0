"""Model blocks -> the sequence of paragraphs and tables the Doc will hold.

Adds what exists only in the Doc: the TITLE paragraph (from a leading H1), empty separator
paragraphs between two code blocks / lists / quotes that would otherwise run together (Google
joins adjacent paragraphs with the same bullet preset into one list), and the "Notes" section
with the footnote texts.
"""
from __future__ import annotations

from dataclasses import replace

from .docs_builder import NOTES_HEADING
from .model import Block, Para, Span

_RUN_KINDS = ("code", "item", "quote")


def promote_title(blocks: list[Block]) -> list[Block]:
    """A leading H1 becomes the TITLE paragraph (and is not repeated)."""
    first = blocks[0] if blocks else None
    if isinstance(first, Para) and first.kind == "heading" and first.level == 1:
        return [replace(first, kind="title"), *blocks[1:]]
    return blocks


def doc_layout(blocks: list[Block]) -> list[Block]:
    laid_out: list[Block] = []
    notes = [b for b in blocks if isinstance(b, Para) and b.kind == "note"]
    for block in blocks:
        if isinstance(block, Para) and block.kind == "note":
            continue
        previous = laid_out[-1] if laid_out else None
        if (
            isinstance(block, Para)
            and isinstance(previous, Para)
            and block.kind in _RUN_KINDS
            and previous.kind == block.kind
            and previous.group != block.group
        ):
            laid_out.append(Para("paragraph"))
        laid_out.append(block)
    if notes:
        laid_out.append(Para("heading", [Span(NOTES_HEADING)], level=2))
        for note in notes:
            laid_out.append(replace(note, kind="paragraph", inlines=[Span(f"[{note.label}] "), *note.inlines]))
    return laid_out
