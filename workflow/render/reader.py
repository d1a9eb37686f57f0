"""Google Doc (documents.get JSON) -> document model -> Markdown.

Reads what the renderer writes (TITLE/HEADING_n, lists by their glyphs and nesting level, shaded
paragraphs as code, indented left-bordered paragraphs as quotes, bottom-bordered empty
paragraphs as rules, tables, inline images, "[n]" superscripts plus a trailing "Notes" section
as footnotes) and anything a reviewer typed by hand. Suggestions are not resolved: the text is
read as returned.
"""
from __future__ import annotations

import re

from .docs_builder import NOTES_HEADING, QUOTE_INDENT_PT, TASK_GLYPHS
from .markdown_writer import write_markdown
from .model import Block, Image, Inline, Para, Span, Table, merge_spans, plain_text

MONOSPACE_FONTS = {"roboto mono", "courier new", "courier", "consolas", "source code pro", "inconsolata", "menlo", "monaco", "fira code", "jetbrains mono", "ubuntu mono"}
ORDERED_GLYPHS = {"DECIMAL", "ZERO_DECIMAL", "UPPER_ALPHA", "ALPHA", "UPPER_ROMAN", "ROMAN"}
_FOOTNOTE_MARK = re.compile(r"^\[(\d+)\]$")
_NOTE_PREFIX = re.compile(r"^\[(\d+)\] ")
_WHITE = {"red": 1, "green": 1, "blue": 1}


def _dimension(value: dict | None) -> float:
    return float((value or {}).get("magnitude", 0) or 0)


def _has_border(border: dict | None) -> bool:
    return bool(border) and _dimension(border.get("width")) > 0 and border.get("dashStyle", "SOLID") != "DASH_STYLE_UNSPECIFIED"


def _is_shaded(style: dict) -> bool:
    rgb = style.get("shading", {}).get("backgroundColor", {}).get("color", {}).get("rgbColor")
    if not rgb:
        return False
    return any(float(rgb.get(c, 0)) != _WHITE[c] for c in _WHITE)


class DocumentReader:
    def __init__(self, document: dict):
        self.document = document
        self.lists = document.get("lists", {})
        self.inline_objects = document.get("inlineObjects", {})
        self.native_footnotes = document.get("footnotes", {})
        self.list_groups: dict[str, int] = {}
        self.group = 0
        self.notes: list[Para] = []

    def read(self) -> list[Block]:
        content = self.document.get("body", {}).get("content", [])
        blocks = self._blocks(content)
        blocks = self._collect_notes_section(blocks)
        return blocks + self.notes

    def _new_group(self) -> int:
        self.group += 1
        return self.group

    def _blocks(self, content: list[dict]) -> list[Block]:
        blocks: list[Block] = []
        for element in content:
            if "paragraph" in element:
                para = self._paragraph(element["paragraph"])
                previous = blocks[-1] if blocks else None
                if para.kind in ("code", "quote"):
                    continuing = isinstance(previous, Para) and previous.kind == para.kind
                    para.group = previous.group if continuing else self._new_group()
                blocks.append(para)
            elif "table" in element:
                blocks.append(self._table(element["table"]))
        return blocks

    # -- paragraphs ---------------------------------------------------------------------------
    def _paragraph(self, paragraph: dict) -> Para:
        style = paragraph.get("paragraphStyle", {})
        inlines = self._inlines(paragraph.get("elements", []))
        named = style.get("namedStyleType", "NORMAL_TEXT")
        bullet = paragraph.get("bullet")
        if bullet:
            return self._item(bullet, inlines)
        if named == "TITLE":
            return Para("title", inlines)
        if named.startswith("HEADING_"):
            return Para("heading", inlines, level=int(named.removeprefix("HEADING_")))
        if _is_shaded(style):
            return Para("code", [Span(plain_text(inlines))])
        if any(e.get("horizontalRule") is not None for e in paragraph.get("elements", [])):
            return Para("rule")
        if _has_border(style.get("borderBottom")) and not plain_text(inlines).strip():
            return Para("rule")
        if _has_border(style.get("borderLeft")):
            depth = max(1, round(_dimension(style.get("indentStart")) / QUOTE_INDENT_PT))
            return Para("quote", inlines, level=depth)
        return Para("paragraph", inlines)

    def _item(self, bullet: dict, inlines: list[Inline]) -> Para:
        list_id = bullet.get("listId", "")
        level = int(bullet.get("nestingLevel", 0) or 0)
        if list_id not in self.list_groups:
            self.list_groups[list_id] = self._new_group()
        levels = self.lists.get(list_id, {}).get("listProperties", {}).get("nestingLevels", [])
        glyph = levels[level].get("glyphType", "") if level < len(levels) else ""
        task = None
        first = inlines[0] if inlines else None
        if isinstance(first, Span):
            for done, glyph_text in TASK_GLYPHS.items():
                if first.text.startswith(glyph_text):
                    task = done
                    inlines = [Span(first.text[len(glyph_text) :], *first.style_key()[:-1]), *inlines[1:]]
                    break
        return Para("item", merge_spans(inlines), level=level, ordered=glyph in ORDERED_GLYPHS, task=task, group=self.list_groups[list_id])

    def _inlines(self, elements: list[dict]) -> list[Inline]:
        inlines: list[Inline] = []
        for element in elements:
            if "textRun" in element:
                run = element["textRun"]
                text = run.get("content", "").replace("\n", "")
                if text:
                    inlines.append(self._span(text, run.get("textStyle", {})))
            elif "inlineObjectElement" in element:
                image = self._image(element["inlineObjectElement"].get("inlineObjectId", ""))
                if image:
                    inlines.append(image)
            elif "footnoteReference" in element:
                inlines.append(self._native_footnote(element["footnoteReference"]))
        return merge_spans(inlines)

    @staticmethod
    def _span(text: str, style: dict) -> Span:
        family = style.get("weightedFontFamily", {}).get("fontFamily", "")
        link = style.get("link", {}).get("url")
        superscript = style.get("baselineOffset") == "SUPERSCRIPT"
        mark = _FOOTNOTE_MARK.match(text) if superscript else None
        if mark:
            return Span(text, footnote=mark.group(1))
        return Span(
            text,
            bold=bool(style.get("bold")),
            italic=bool(style.get("italic")),
            strike=bool(style.get("strikethrough")),
            code=family.lower() in MONOSPACE_FONTS,
            link=link,
        )

    def _image(self, object_id: str) -> Image | None:
        embedded = self.inline_objects.get(object_id, {}).get("inlineObjectProperties", {}).get("embeddedObject", {})
        properties = embedded.get("imageProperties", {})
        uri = properties.get("sourceUri") or properties.get("contentUri")
        if not uri:
            return None
        return Image(uri=uri, alt=embedded.get("description") or embedded.get("title") or "")

    def _native_footnote(self, reference: dict) -> Span:
        number = str(reference.get("footnoteNumber") or len(self.notes) + 1)
        footnote = self.native_footnotes.get(reference.get("footnoteId", ""), {})
        inlines: list[Inline] = []
        for element in footnote.get("content", []):
            if "paragraph" in element:
                if inlines:
                    inlines.append(Span(" "))
                inlines.extend(self._inlines(element["paragraph"].get("elements", [])))
        self.notes.append(Para("note", merge_spans(inlines), label=number))
        return Span(f"[{number}]", footnote=number)

    def _collect_notes_section(self, blocks: list[Block]) -> list[Block]:
        """A final "Notes" heading followed only by "[n] text" paragraphs holds the footnotes."""
        for position in range(len(blocks) - 1, -1, -1):
            block = blocks[position]
            if isinstance(block, Para) and block.kind == "heading" and plain_text(block.inlines).strip() == NOTES_HEADING:
                tail = [b for b in blocks[position + 1 :] if not (isinstance(b, Para) and b.kind == "paragraph" and not b.inlines)]
                notes = [self._note(b) for b in tail]
                if tail and all(notes):
                    return blocks[:position] + notes
                return blocks
        return blocks

    @staticmethod
    def _note(block: Block) -> Para | None:
        if not (isinstance(block, Para) and block.kind == "paragraph" and block.inlines and isinstance(block.inlines[0], Span)):
            return None
        match = _NOTE_PREFIX.match(block.inlines[0].text)
        if not match:
            return None
        first = block.inlines[0]
        rest = Span(first.text[match.end() :], *first.style_key())
        return Para("note", merge_spans([rest, *block.inlines[1:]]), label=match.group(1))

    # -- tables -------------------------------------------------------------------------------
    def _table(self, table: dict) -> Table:
        rows = []
        align: list[str | None] = []
        for row_number, row in enumerate(table.get("tableRows", [])):
            cells = []
            for cell in row.get("tableCells", []):
                inlines: list[Inline] = []
                for element in cell.get("content", []):
                    if "paragraph" not in element:
                        continue
                    if inlines:
                        inlines.append(Span("\u000b"))
                    inlines.extend(self._inlines(element["paragraph"].get("elements", [])))
                    if row_number == 0 and len(align) < len(cells) + 1:
                        alignment = element["paragraph"].get("paragraphStyle", {}).get("alignment")
                        align.append({"CENTER": "center", "END": "right"}.get(alignment or ""))
                cells.append(merge_spans(inlines))
            rows.append(cells)
        if not rows:
            return Table([], [], [])
        header = [merge_spans([_unbold(i) for i in cell]) for cell in rows[0]]
        columns = len(header)
        align = (align + [None] * columns)[:columns]
        body = [(r + [[] for _ in range(columns)])[:columns] for r in rows[1:]]
        return Table(header, body, align)


def _unbold(inline: Inline) -> Inline:
    if isinstance(inline, Span):
        return Span(inline.text, False, *inline.style_key()[1:])
    return inline


def read_blocks(document: dict) -> list[Block]:
    return DocumentReader(document).read()


def read_document(document: dict) -> str:
    """documents.get JSON -> canonical Markdown."""
    return write_markdown(read_blocks(document))
