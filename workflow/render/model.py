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

# Paragraph kinds: "title", "heading" (level 1-6), "paragraph", "item" (level = nesting 0-2..),
# "code" (one paragraph per line), "quote" (level = depth 1..), "rule", "note" (a footnote text).
PARAGRAPH_KINDS = ("title", "heading", "paragraph", "item", "code", "quote", "rule", "note")


@dataclass
class Para:
    kind: str
    inlines: list[Inline] = field(default_factory=list)
    level: int = 0
    ordered: bool = False  # items: numbered list
    task: bool | None = None  # items: None = no checkbox, False = open, True = done
    group: int = 0  # paragraphs of one code block / list / quote share a group
    label: str | None = None  # notes: the footnote number
    source: int | None = None  # index of the SourceBlock this paragraph renders


@dataclass
class Table:
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    align: list[str | None]  # per column: None (start), "center" or "right"
    source: int | None = None


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
