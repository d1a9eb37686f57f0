"""Markdown -> Google Docs requests, the block map, and the reader (Docs JSON -> Markdown).

Pure functions: no network, no I/O.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .docs_builder import DocsBuilder
from .layout import doc_layout, promote_title
from .markdown_writer import write_markdown
from .model import Para, plain_text
from .parse import parse_markdown
from .reader import ReadBack, read_back, read_document
from .rules import build_model

__all__ = ["render_document", "read_document", "read_back", "ReadBack", "normalize_markdown", "build_model",
           "parse_markdown", "RenderedDocument", "BlockMapping"]

UNTITLED = "Untitled"


@dataclass
class BlockMapping:
    """A rendered block: its source lines (file line numbers, inclusive) and its Docs range."""

    kind: str
    source_start: int
    source_end: int
    doc_start: int
    doc_end: int


@dataclass
class RenderedDocument:
    title: str
    requests: list[dict] = field(default_factory=list)
    blocks: list[BlockMapping] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "requests": self.requests,
            "blocks": [asdict(b) for b in self.blocks],
            "warnings": self.warnings,
        }


def render_document(markdown: str, *, title: str | None = None, first_line: int = 1,
                    site_url: str | None = None) -> RenderedDocument:
    """The requests of one batchUpdate that builds `markdown` (a post body) in a new Doc.
    `site_url` (the blog's public base URL) resolves relative image paths."""
    model = build_model(parse_markdown(markdown), first_line, site_url)
    blocks = promote_title(model.blocks)
    heading = next((b for b in blocks if isinstance(b, Para) and b.kind in ("title", "heading")), None)
    doc_title = title or (plain_text(heading.inlines).strip() if heading else "") or UNTITLED
    builder = DocsBuilder()
    requests = builder.build(doc_layout(blocks))
    mappings: dict[int, BlockMapping] = {}
    for placed in builder.placed:
        if placed.source is None:
            continue
        source = model.sources[placed.source]
        mapping = mappings.get(placed.source)
        if mapping is None:
            mappings[placed.source] = BlockMapping(source.kind, source.start, source.end, placed.start, placed.end)
        else:
            mapping.doc_start = min(mapping.doc_start, placed.start)
            mapping.doc_end = max(mapping.doc_end, placed.end)
    ordered = sorted(mappings.values(), key=lambda m: m.doc_start)
    return RenderedDocument(title=doc_title, requests=requests, blocks=ordered, warnings=model.warnings)


def normalize_markdown(markdown: str, *, site_url: str | None = None) -> str:
    """The canonical Markdown of `markdown`: what read_document returns for its rendered Doc."""
    blocks = build_model(parse_markdown(markdown), 1, site_url).blocks
    return write_markdown(promote_title(blocks), site_url)
