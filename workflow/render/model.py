"""The document model shared by the parser, the Docs builder, the reader and the Markdown writer.

Both directions meet here: Markdown is parsed into these blocks, a Google Doc is read back into
them, and one writer turns them into canonical Markdown. The model holds only what a Doc can
keep, so `parse -> Doc -> read` and `parse` give the same blocks.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Span:
    """A run of text with one style. A line break inside a paragraph is "\\u000b"."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    link: str | None = None
    footnote: str | None = None  # a footnote reference: text is "[n]", footnote is "n"

    def style_key(self) -> tuple:
        return (self.bold, self.italic, self.strike, self.code, self.link, self.footnote)


@dataclass
class Image:
    """An inline image with a public http(s) URL."""

    uri: str
    alt: str = ""


Inline = Span | Image

# Paragraph kinds: "title", "heading" (level 1-6), "paragraph", "item" (level = list nesting 0..),
# "code" (one paragraph per line), "rule", "note" (a footnote text).
PARAGRAPH_KINDS = ("title", "heading", "paragraph", "item", "code", "rule", "note")

# Where a paragraph sits: inside `quote` blockquotes, then (for a block that is not itself a list
# item) inside the list item of depth `indent` (1 = an item of level 0), then inside `inner_quote`
# blockquotes within that item. "> - a" is an item with quote=1; "- a\n\n  > b" puts b in a
# paragraph with indent=1, inner_quote=1.


@dataclass
class Para:
    kind: str
    inlines: list[Inline] = field(default_factory=list)
    level: int = 0  # headings: 1-6; items: list nesting 0..
    ordered: bool = False  # items: numbered list
    task: str | None = None  # items: None = no checkbox, else the box's mark: " ", "x" or "X"
    group: int = 0  # the list an item, or a block inside an item, belongs to
    label: str | None = None  # notes: the footnote number
    source: int | None = None  # index of the SourceBlock this paragraph renders
    quote: int = 0
    indent: int = 0
    inner_quote: int = 0
    number: int | None = None  # items of a numbered list that does not start at 1: the number shown
    heading: int = 0  # items: the heading level of the item's text ("- # Title"), 0 for none
    code_block: int = 0  # code: the lines of one code block share it

    @property
    def in_item(self) -> bool:
        """A block inside a list item (not the item's own first paragraph)."""
        return self.indent > 0 and self.kind != "item"

    @property
    def list_content(self) -> bool:
        return self.kind == "item" or self.in_item


@dataclass
class Table:
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    align: list[str | None]  # per column: None (start), "center" or "right"
    source: int | None = None
    indent: int = 0  # inside the list item of that depth (as Para.indent)
    group: int = 0  # the list it belongs to, when indent > 0

    kind = "table"
    quote = 0
    inner_quote = 0

    @property
    def in_item(self) -> bool:
        return self.indent > 0

    list_content = in_item


Block = Para | Table


@dataclass
class SourceBlock:
    """A construct of the Markdown source: its kind and file line range (inclusive)."""

    kind: str
    start: int
    end: int


@dataclass
class DocumentModel:
    blocks: list[Block] = field(default_factory=list)
    sources: list[SourceBlock] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def plain_text(inlines: list[Inline]) -> str:
    """The text of inlines without styles (images as their alt text)."""
    return "".join(i.text if isinstance(i, Span) else i.alt for i in inlines)


def merge_spans(inlines: list[Inline]) -> list[Inline]:
    """Join adjacent spans of the same style and drop empty ones (the canonical inline form)."""
    merged: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Span):
            if not inline.text:
                continue
            last = merged[-1] if merged else None
            if isinstance(last, Span) and last.style_key() == inline.style_key() and not inline.footnote:
                merged[-1] = Span(last.text + inline.text, *last.style_key())
                continue
        merged.append(inline)
    return merged
