"""Google Doc (documents.get JSON) -> document model -> Markdown.

Reads what the renderer writes (TITLE/HEADING_n, lists by their glyphs and nesting level, shaded
paragraphs as code, left-bordered paragraphs as quotes, bottom-bordered empty paragraphs as
rules, tables, inline images with their alt text, "[n]" superscripts plus a trailing "Notes"
section as footnotes) and anything a reviewer typed by hand. Suggestions are not resolved: the
text is read as returned.

Nesting is read from indentation (`docs_builder.Geometry`): a paragraph indented past a list
item's bullet, right after the item, belongs to that item (a code block, a quote, a second
paragraph, a table whose leading empty paragraph is indented); a bulleted paragraph with a left
border is a list inside a quote. A non-bulleted paragraph with a hanging indent that starts with
"N. " is an item of a numbered list that does not start at 1 (Docs cannot set a list's start).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .docs_builder import ALT_TEXT_PREFIX, EMPTY_LINK_URL, INDENT_PT, NOTES_HEADING, TASK_GLYPHS
from .markdown_writer import MarkdownWriter
from .parse import MAX_NESTING
from .model import Block, Image, Inline, Para, Span, Table, merge_spans, plain_text

MONOSPACE_FONTS = {"roboto mono", "courier new", "courier", "consolas", "source code pro", "inconsolata", "menlo", "monaco", "fira code", "jetbrains mono", "ubuntu mono"}
ORDERED_GLYPHS = {"DECIMAL", "ZERO_DECIMAL", "UPPER_ALPHA", "ALPHA", "UPPER_ROMAN", "ROMAN"}
_FOOTNOTE_MARK = re.compile(r"^\[(\d+)\]$")
_NOTE_PREFIX = re.compile(r"^\[(\d+)\] ")
_LITERAL_NUMBER = re.compile(r"^(\d{1,9})\. ")
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


@dataclass
class ReadBack:
    """A Doc read back: its Markdown, and what could not be kept (`{"message", "text"}` each:
    link or image targets that are not http(s), mailto or relative, kept as plain text)."""

    markdown: str
    warnings: list[dict] = field(default_factory=list)


@dataclass
class _ListContext:
    """The list item the next paragraphs may belong to."""

    quote: int
    level: int
    group: int


class DocumentReader:
    def __init__(self, document: dict):
        self.document = document
        self.lists = document.get("lists", {})
        self.inline_objects = document.get("inlineObjects", {})
        self.native_footnotes = document.get("footnotes", {})
        self.alt_texts = _alt_texts(document.get("namedRanges", {}))
        self.group = 0
        self.notes: list[Para] = []
        self.context: _ListContext | None = None

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
                if para.kind == "code":
                    continuing = isinstance(previous, Para) and previous.kind == "code" and (
                        previous.quote, previous.indent, previous.inner_quote) == (para.quote, para.indent, para.inner_quote)
                    para.code_block = previous.code_block if continuing else self._new_group()
                blocks.append(para)
            elif "table" in element:
                table = self._table(element["table"])
                previous = blocks[-1] if blocks else None
                if isinstance(previous, Para) and previous.kind == "paragraph" and not previous.inlines and previous.indent and self.context:
                    table.indent, table.group = previous.indent, self.context.group
                else:
                    self.context = None
                blocks.append(table)
        return blocks

    # -- paragraphs ---------------------------------------------------------------------------
    def _paragraph(self, paragraph: dict) -> Para:
        style = paragraph.get("paragraphStyle", {})
        inlines = self._inlines(paragraph.get("elements", []))
        named = style.get("namedStyleType", "NORMAL_TEXT")
        bordered = _has_border(style.get("borderLeft"))
        units = _dimension(style.get("indentStart")) / INDENT_PT
        bullet = paragraph.get("bullet")
        if bullet:
            return self._item(bullet, inlines, named, bordered, units)
        literal = _LITERAL_NUMBER.match(inlines[0].text) if inlines and isinstance(inlines[0], Span) else None
        hanging = _dimension(style.get("indentFirstLine")) < _dimension(style.get("indentStart"))
        if literal and hanging and named != "TITLE" and units >= 1:
            item = self._literal_item(int(literal.group(1)), literal.end(), inlines, bordered, units)
            item.heading = int(named.removeprefix("HEADING_")) if named.startswith("HEADING_") else 0
            return item
        where = self._where(bordered, units, empty=not plain_text(inlines).strip() and not any(isinstance(i, Image) for i in inlines))
        if named == "TITLE" and not any(where.values()):
            return Para("title", inlines)
        if named.startswith("HEADING_"):
            return Para("heading", inlines, level=int(named.removeprefix("HEADING_")), **where)
        if _is_shaded(style):
            return Para("code", [Span(plain_text(inlines))], **where)
        is_rule_element = any(e.get("horizontalRule") is not None for e in paragraph.get("elements", []))
        if is_rule_element or (_has_border(style.get("borderBottom")) and not plain_text(inlines).strip()):
            return Para("rule", **where)
        return Para("paragraph", inlines, **where)

    def _where(self, bordered: bool, units: float, empty: bool) -> dict:
        """quote / indent / inner_quote (and list group) of a paragraph that is not a list item."""
        steps = min(round(units), MAX_NESTING)
        context = self.context
        if context is not None and steps > context.quote:
            rest = steps - context.quote
            deepest = context.level + 1
            own_border = bordered and context.quote == 0
            indent = min(deepest, rest - 1 if own_border else rest)
            if indent >= 1:
                return {"quote": context.quote, "indent": indent, "inner_quote": rest - indent, "group": context.group}
        self.context = None
        if bordered:
            return {"quote": max(steps, 1)}
        return {}

    def _item(self, bullet: dict, inlines: list[Inline], named: str, bordered: bool, units: float) -> Para:
        list_id = bullet.get("listId", "")
        level = int(bullet.get("nestingLevel", 0) or 0)
        levels = self.lists.get(list_id, {}).get("listProperties", {}).get("nestingLevels", [])
        glyph = levels[level].get("glyphType", "") if level < len(levels) else ""
        quote = min(max(1, round(units) - 1 - level), MAX_NESTING) if bordered else 0
        ordered = glyph in ORDERED_GLYPHS
        task, inlines = _task(inlines) if not ordered else (None, inlines)
        heading = int(named.removeprefix("HEADING_")) if named.startswith("HEADING_") else 0
        group = self._list_group(quote)
        self.context = _ListContext(quote, level, group)
        return Para("item", merge_spans(inlines), level=level, ordered=ordered, task=task, group=group,
                    quote=quote, heading=heading)

    def _literal_item(self, number: int, prefix: int, inlines: list[Inline], bordered: bool, units: float) -> Para:
        quote = (self.context.quote if self.context else min(max(1, round(units) - 1), MAX_NESTING)) if bordered else 0
        level = min(max(0, round(units) - 1 - quote), MAX_NESTING - 1)
        first = inlines[0]
        inlines = [Span(first.text[prefix:], *first.style_key()), *inlines[1:]]
        group = self._list_group(quote)
        self.context = _ListContext(quote, level, group)
        return Para("item", merge_spans(inlines), level=level, ordered=True, group=group, quote=quote, number=number)

    def _list_group(self, quote: int) -> int:
        if self.context is not None and self.context.quote == quote:
            return self.context.group
        return self._new_group()

    def _inlines(self, elements: list[dict]) -> list[Inline]:
        inlines: list[Inline] = []
        for element in elements:
            if "textRun" in element:
                run = element["textRun"]
                text = run.get("content", "").replace("\n", "")
                if text:
                    inlines.append(self._span(text, run.get("textStyle", {})))
            elif "inlineObjectElement" in element:
                image = self._image(element["inlineObjectElement"].get("inlineObjectId", ""), element.get("startIndex"))
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
            link="" if link == EMPTY_LINK_URL else link,
        )

    def _image(self, object_id: str, start: int | None) -> Image | None:
        embedded = self.inline_objects.get(object_id, {}).get("inlineObjectProperties", {}).get("embeddedObject", {})
        properties = embedded.get("imageProperties", {})
        uri = properties.get("sourceUri") or properties.get("contentUri")
        if not uri:
            return None
        alt = embedded.get("description") or embedded.get("title") or self.alt_texts.get(start, "")
        return Image(uri=uri, alt=alt)

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
        """A final "Notes" heading followed by "[n] text" paragraphs (each maybe followed by more
        paragraphs of the same note) holds the footnotes."""
        for position in range(len(blocks) - 1, -1, -1):
            block = blocks[position]
            if isinstance(block, Para) and block.kind == "heading" and plain_text(block.inlines).strip() == NOTES_HEADING:
                tail = [b for b in blocks[position + 1 :] if not (isinstance(b, Para) and b.kind == "paragraph" and not b.inlines)]
                notes: list[Para] = []
                for b in tail:
                    note = self._note(b, notes[-1].label if notes else None)
                    if note is None:
                        return blocks
                    notes.append(note)
                return blocks[:position] + notes if notes else blocks
        return blocks

    @staticmethod
    def _note(block: Block, previous_label: str | None) -> Para | None:
        if not (isinstance(block, Para) and block.kind == "paragraph" and block.inlines):
            return None
        first = block.inlines[0]
        match = _NOTE_PREFIX.match(first.text) if isinstance(first, Span) else None
        if not match:
            return Para("note", block.inlines, label=previous_label) if previous_label else None
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


def _task(inlines: list[Inline]) -> tuple[str | None, list[Inline]]:
    first = inlines[0] if inlines else None
    if isinstance(first, Span):
        for mark, glyph in TASK_GLYPHS.items():
            if first.text.startswith(glyph):
                return mark, [Span(first.text[len(glyph) :], *first.style_key()[:-1]), *inlines[1:]]
    return None, inlines


def _alt_texts(named_ranges: dict) -> dict[int, str]:
    """Image alt texts the renderer keeps in named ranges: start index -> text."""
    found: dict[int, str] = {}
    for name, group in named_ranges.items():
        if not name.startswith(ALT_TEXT_PREFIX):
            continue
        for named in group.get("namedRanges", []):
            for piece in named.get("ranges", []):
                found.setdefault(int(piece.get("startIndex", 0) or 0), name[len(ALT_TEXT_PREFIX) :])
    return found


def _unbold(inline: Inline) -> Inline:
    if isinstance(inline, Span):
        return Span(inline.text, False, *inline.style_key()[1:])
    return inline


def read_blocks(document: dict) -> list[Block]:
    return DocumentReader(document).read()


def read_back(document: dict, *, site_url: str | None = None) -> ReadBack:
    """documents.get JSON -> canonical Markdown, with warnings about what was kept as text.
    With `site_url` ([content] site_url), images on the blog get their relative paths back."""
    writer = MarkdownWriter(site_url)
    markdown = writer.write(read_blocks(document))
    return ReadBack(markdown, writer.warnings)


def read_document(document: dict, *, site_url: str | None = None) -> str:
    """documents.get JSON -> canonical Markdown."""
    return read_back(document, site_url=site_url).markdown
