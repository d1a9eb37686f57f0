"""Model blocks -> the sequence of paragraphs and tables the Doc will hold.

Adds what exists only in the Doc: the TITLE paragraph (from a leading H1), empty separator
paragraphs where two constructs would otherwise run together (Google joins adjacent paragraphs
with the same bullet preset into one list; two code blocks would read back as one; a quote right
after a list item would read back as part of it), and the "Notes" section with the footnote texts.
"""
from __future__ import annotations

from dataclasses import replace

from .docs_builder import NOTES_HEADING
from .model import Block, Para, Span


def promote_title(blocks: list[Block]) -> list[Block]:
    """A leading H1 becomes the TITLE paragraph (and is not repeated)."""
    first = blocks[0] if blocks else None
    if isinstance(first, Para) and first.kind == "heading" and first.level == 1 and not (first.quote or first.indent):
        return [replace(first, kind="title"), *blocks[1:]]
    return blocks


def _separator(previous: Block, block: Block) -> Para | None:
    """The empty paragraph that must stand between two adjacent blocks, if any."""
    if not isinstance(previous, Para) or not isinstance(block, Para):
        return None
    where = (previous.quote, previous.indent, previous.inner_quote)
    if block.kind == "code" and previous.kind == "code" and previous.code_block != block.code_block and where == (block.quote, block.indent, block.inner_quote):
        return Para("paragraph", quote=previous.quote, indent=previous.indent, inner_quote=previous.inner_quote, group=previous.group)
    if not previous.list_content:
        return None
    if block.kind == "item" and block.group != previous.group:
        return Para("paragraph", quote=min(previous.quote, block.quote))
    if not block.list_content and block.quote + block.inner_quote > previous.quote:
        return Para("paragraph", quote=previous.quote)
    return None


def doc_layout(blocks: list[Block]) -> list[Block]:
    laid_out: list[Block] = []
    notes = [b for b in blocks if isinstance(b, Para) and b.kind == "note"]
    for block in blocks:
        if isinstance(block, Para) and block.kind == "note":
            continue
        separator = _separator(laid_out[-1], block) if laid_out else None
        if separator is not None:
            laid_out.append(separator)
        laid_out.append(block)
    if notes:
        laid_out.append(Para("heading", [Span(NOTES_HEADING)], level=2))
        previous_label = None
        for note in notes:
            prefix = [Span(f"[{note.label}] ")] if note.label != previous_label else []
            laid_out.append(replace(note, kind="paragraph", inlines=[*prefix, *note.inlines]))
            previous_label = note.label
    return laid_out
