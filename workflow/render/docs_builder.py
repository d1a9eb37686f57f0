"""Document model -> the requests of one `documents.batchUpdate` on a new, empty document.

Build order (all indexes in UTF-16 code units):
- The document is built front to back. `cursor` is always the start of the document's last,
  empty paragraph (1 in a new document); it is never styled, so it stays NORMAL_TEXT without
  bullets, and every paragraph inserted before it starts as plain NORMAL_TEXT.
- Consecutive paragraphs form a segment, inserted with ONE insertText at `cursor`. Then, in
  the coordinates of that inserted text: paragraph styles, text styles, then one
  createParagraphBullets per list, last list first (each removes the leading tabs that give the
  nesting, which only shifts text after it), then inline images, last first, at their
  indexes after the tab removal.
- A table is inserted at `cursor` (insertTable adds a newline first, so the table starts at
  cursor + 1 and its first cell's paragraph at cursor + 4), its cells are filled from the last
  to the first, then styled. The table ends one unit after its last cell (the table end unit);
  the paragraph after it, the new `cursor`, starts there.
The block map records every paragraph's range in the final document.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Image, Para, Span, Table
from .utf16 import u16len

MONOSPACE_FONT = "Roboto Mono"
CODE_SHADING = {"red": 0.95, "green": 0.95, "blue": 0.95}
INDENT_PT = 36  # one step of nesting: a quote level, a list item's text (Docs' own list step)
QUOTE_INDENT_PT = INDENT_PT
HANGING_PT = 18  # a list item's first line starts this much before its text (Docs lists)
QUOTE_BORDER_COLOR = {"red": 0.8, "green": 0.8, "blue": 0.8}
NOTES_HEADING = "Notes"
TASK_GLYPHS = {" ": "☐ ", "x": "☑ ", "X": "☒ "}
EMPTY_LINK_URL = "#"  # a Markdown link with an empty target (Docs has no empty link)
ALT_TEXT_PREFIX = "alt:"  # image alt text rides in a named range over the image (Docs API cannot set it)
MAX_NAMED_RANGE_UNITS = 256
BULLET_PRESET = "BULLET_DISC_CIRCLE_SQUARE"
NUMBERED_PRESET = "NUMBERED_DECIMAL_ALPHA_ROMAN"

# Geometry of an empty table inserted at `location` (see google-api-notes.md: insertTable adds
# 3 + R(1 + 2C) units and the first cell's paragraph starts at location + 4).
TABLE_OFFSET = 1  # the newline insertTable adds before the table
FIRST_CELL_PARAGRAPH = 3  # table start -> first cell's paragraph (table start, row and cell units)


def table_size(rows: int, columns: int) -> int:
    """Units an empty table occupies (without the newline inserted before it): one for the
    table start, per row one for the row plus per cell one for the cell and its empty
    paragraph, and one for the table end."""
    return 1 + rows * (1 + 2 * columns) + 1


def _color(rgb: dict) -> dict:
    return {"color": {"rgbColor": rgb}}


def _points(value: float) -> dict:
    return {"magnitude": value, "unit": "PT"}


QUOTE_BORDER = {"color": _color(QUOTE_BORDER_COLOR), "width": _points(3), "padding": _points(8), "dashStyle": "SOLID"}
RULE_BORDER = {"color": _color({"red": 0.6, "green": 0.6, "blue": 0.6}), "width": _points(1), "padding": _points(4), "dashStyle": "SOLID"}
STYLE_FIELDS = ("namedStyleType", "shading", "indentStart", "indentFirstLine", "borderLeft", "borderBottom")


def has_left_border(para: Para) -> bool:
    """Inside a quote: the quote's left border (a list item in a quote too)."""
    return para.quote > 0 or (para.kind != "item" and para.inner_quote > 0)


def indentation(para: Para) -> tuple[float, float] | None:
    """(indentStart, indentFirstLine) in points, or None to leave it to Docs (plain text, lists)."""
    if para.kind == "item":
        if para.number is None and para.quote == 0:
            return None  # createParagraphBullets indents it
        start = INDENT_PT * (para.quote + 1 + para.level)
        return start, start - HANGING_PT
    steps = para.quote + para.indent + para.inner_quote
    return (INDENT_PT * steps, INDENT_PT * steps) if steps else None


def paragraph_style(para: Para, *, with_indent: bool) -> dict:
    """The paragraph style a model paragraph gets (fields as in STYLE_FIELDS)."""
    style: dict = {}
    if para.kind == "title":
        style["namedStyleType"] = "TITLE"
    elif para.kind == "heading" or (para.kind == "item" and para.heading):
        style["namedStyleType"] = f"HEADING_{min(max(para.heading or para.level, 1), 6)}"
    if para.kind == "code":
        style["shading"] = {"backgroundColor": _color(CODE_SHADING)}
    indent = indentation(para) if with_indent else None
    if indent:
        style["indentStart"], style["indentFirstLine"] = _points(indent[0]), _points(indent[1])
    if has_left_border(para):
        style["borderLeft"] = QUOTE_BORDER
    if para.kind == "rule":
        style["borderBottom"] = RULE_BORDER
    return style


MONOSPACE_STYLE = ({"weightedFontFamily": {"fontFamily": MONOSPACE_FONT, "weight": 400}}, "weightedFontFamily")


def text_style_of(span: Span) -> tuple[dict, str] | None:
    """The updateTextStyle body (style, fields) of a span, or None for plain text."""
    style: dict = {}
    if span.bold:
        style["bold"] = True
    if span.italic:
        style["italic"] = True
    if span.strike:
        style["strikethrough"] = True
    if span.code:
        style.update(MONOSPACE_STYLE[0])
    if span.link is not None:
        style["link"] = {"url": span.link or EMPTY_LINK_URL}
    if span.footnote:
        style["baselineOffset"] = "SUPERSCRIPT"
    return (style, ",".join(style)) if style else None


@dataclass
class PlacedBlock:
    """A model block's range in the final document."""

    source: int | None
    start: int
    end: int


def _range(start: int, end: int) -> dict:
    return {"startIndex": start, "endIndex": end}


@dataclass
class _Placed:
    """A paragraph of a segment: its range in the inserted text (with the tabs that give list
    nesting) and after createParagraphBullets removed them."""

    para: Para
    start: int
    end: int
    tabs: int
    after_start: int

    @property
    def after_end(self) -> int:
        return self.after_start + (self.end - self.start) - self.tabs

    @property
    def bulleted(self) -> bool:
        """A native list paragraph (not a block inside an item, not a literally numbered item)."""
        return self.para.kind == "item" and self.para.number is None


class DocsBuilder:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.cursor = 1
        self.placed: list[PlacedBlock] = []

    def build(self, blocks: list[Para | Table]) -> list[dict]:
        segment: list[Para] = []
        for block in blocks:
            if isinstance(block, Table):
                self._segment(segment)
                segment = []
                self._table(block)
            else:
                segment.append(block)
        self._segment(segment)
        return self.requests

    # -- text segments ------------------------------------------------------------------------
    def _segment(self, paras: list[Para]) -> None:
        """One insertText for the paragraphs, then (in the inserted text's coordinates) paragraph
        and text styles and the bullets of each list, last list first; then, in the coordinates
        after the bullets removed the nesting tabs: glyphs of nested lists of the other kind,
        list indents, inline images (last first) and the named ranges of their alt texts."""
        if not paras:
            return
        start = self.cursor
        texts: list[str] = []
        position = start
        tabs_total = 0
        images: list[tuple[int, Image]] = []  # (index after tab removal, image)
        styles: list[tuple[int, int, dict]] = []
        text_styles: list[dict] = []
        code_ranges: list[list[int]] = []
        placed: list[_Placed] = []
        for para in paras:
            para_start = position
            after_start = para_start - tabs_total
            tabs = para.level if para.kind == "item" and para.number is None else 0
            prefix = "\t" * tabs
            if para.kind == "item" and para.number is not None:
                prefix += f"{para.number}. "
            if para.kind == "item" and para.task is not None:
                prefix += TASK_GLYPHS.get(para.task, TASK_GLYPHS["x"])
            if prefix:
                texts.append(prefix)
                position += u16len(prefix)
            for inline in para.inlines:
                if isinstance(inline, Image):
                    images.append((position - tabs_total - tabs, inline))
                    continue
                text = inline.text.replace("\t", "    ").replace("\n", " ")
                length = u16len(text)
                style = text_style_of(inline)
                if style and length:
                    text_styles.append(self._text_style_request(position, position + length, style))
                texts.append(text)
                position += length
            if para.kind == "code" and position > para_start:  # code blocks are monospace, line after line
                if code_ranges and code_ranges[-1][1] + 1 == para_start:
                    code_ranges[-1][1] = position
                else:
                    code_ranges.append([para_start, position])
            texts.append("\n")
            position += 1
            style = paragraph_style(para, with_indent=not para.list_content)
            if style:
                styles.append((para_start, position, style))
            tabs_total += tabs
            placed.append(_Placed(para, para_start, position, tabs, after_start))
        self.requests.append({"insertText": {"location": {"index": start}, "text": "".join(texts)}})
        self._paragraph_style_requests(styles)
        self.requests.extend(self._text_style_request(start_, end_, MONOSPACE_STYLE) for start_, end_ in code_ranges)
        self.requests.extend(text_styles)
        runs = _list_runs(placed)
        for run in reversed(runs):
            main = _main_item(run)
            if main is not None:
                self.requests.append({"createParagraphBullets": {
                    "range": _range(run[0].start, run[-1].end), "bulletPreset": _preset(main.para.ordered)}})
        for run in runs:
            self._nested_glyphs(run)
            self._list_indents(run)
        for index, image in reversed(images):
            self.requests.append({"insertInlineImage": {"location": {"index": index}, "uri": image.uri}})
        for number, (index, image) in enumerate(images):
            if image.alt:
                name = _truncate_units(ALT_TEXT_PREFIX + image.alt, MAX_NAMED_RANGE_UNITS)
                self.requests.append({"createNamedRange": {"name": name, "range": _range(index + number, index + number + 1)}})
        images_before = 0
        for item in placed:
            while images_before < len(images) and images[images_before][0] < item.after_start:
                images_before += 1
            own_images = 0
            while images_before + own_images < len(images) and images[images_before + own_images][0] < item.after_end:
                own_images += 1
            final_start = item.after_start + images_before
            self.placed.append(PlacedBlock(item.para.source, final_start, final_start + item.after_end - item.after_start + own_images))
        self.cursor = position - tabs_total + len(images)

    def _nested_glyphs(self, run: list[_Placed]) -> None:
        """A nested list of the other kind than the list around it (bullets in a numbered list or
        the reverse) gets bullets of its own kind: its paragraphs get their nesting tabs back and
        one createParagraphBullets with its preset (the outer list keeps its numbering)."""
        main = _main_item(run)
        if main is None:
            return
        kind = {id(p): main.para.ordered for p in run}
        for position, first in enumerate(run):
            if not first.bulleted:
                continue
            previous = run[position - 1] if position else None
            starts_sublist = previous is None or not (
                (previous.para.kind == "item" and previous.para.level > first.para.level)
                or (previous.para.kind == "item" and previous.para.level == first.para.level and previous.para.ordered == first.para.ordered)
                or (previous.para.kind != "item" and previous.para.indent > first.para.level))
            if not starts_sublist or kind[id(first)] == first.para.ordered:
                continue
            end = position + 1
            while end < len(run) and not _ends_sublist(run[end].para, first.para.level):
                end += 1
            sublist = run[position:end]
            tabs = [p for p in sublist if p.bulleted and p.para.level]
            for p in reversed(tabs):
                self.requests.append({"insertText": {"location": {"index": p.after_start}, "text": "\t" * p.para.level}})
            added = sum(p.para.level for p in tabs)
            self.requests.append({"createParagraphBullets": {
                "range": _range(sublist[0].after_start, sublist[-1].after_end + added), "bulletPreset": _preset(first.para.ordered)}})
            for p in sublist:
                kind[id(p)] = first.para.ordered

    def _list_indents(self, run: list[_Placed]) -> None:
        """Blocks inside items and literally numbered items lose the bullet the list range gave
        them; they, and items inside a quote, get their indentation."""
        plain = [p for p in run if not p.bulleted]
        if any(p.bulleted for p in run):
            for group in _adjacent(plain):
                self.requests.append({"deleteParagraphBullets": {"range": _range(group[0].after_start, group[-1].after_end)}})
        styles = []
        for p in run:
            indent = indentation(p.para)
            if indent:
                styles.append((p.after_start, p.after_end, {"indentStart": _points(indent[0]), "indentFirstLine": _points(indent[1])}))
        self._paragraph_style_requests(styles)

    def _paragraph_style_requests(self, styles: list[tuple[int, int, dict]]) -> None:
        """One updateParagraphStyle per run of adjacent paragraphs with the same style."""
        merged: list[list] = []
        for start, end, style in styles:
            if merged and merged[-1][1] == start and merged[-1][2] == style:
                merged[-1][1] = end
            else:
                merged.append([start, end, style])
        for start, end, style in merged:
            fields = ",".join(name for name in STYLE_FIELDS if name in style)
            self.requests.append(
                {"updateParagraphStyle": {"range": _range(start, end), "paragraphStyle": style, "fields": fields}}
            )

    @staticmethod
    def _text_style_request(start: int, end: int, style: tuple[dict, str]) -> dict:
        return {"updateTextStyle": {"range": _range(start, end), "textStyle": style[0], "fields": style[1]}}

    # -- tables -------------------------------------------------------------------------------
    def _table(self, table: Table) -> None:
        columns = len(table.header)
        if not columns:
            return
        rows = [table.header, *table.rows]
        location = self.cursor
        table_start = location + TABLE_OFFSET
        self.requests.append(
            {"insertTable": {"rows": len(rows), "columns": columns, "location": {"index": location}}}
        )
        if table.indent:  # the paragraph insertTable puts before it marks the list item holding it
            steps = INDENT_PT * table.indent
            self._paragraph_style_requests([(location, location + 1, {"indentStart": _points(steps), "indentFirstLine": _points(steps)})])
        cells: list[tuple[int, list, int, int]] = []  # (empty-table index, inlines, row, column)
        for row_number, row in enumerate(rows):
            for column, inlines in enumerate(row):
                index = table_start + FIRST_CELL_PARAGRAPH + row_number * (1 + 2 * columns) + 2 * column
                cells.append((index, inlines, row_number, column))
        cell_texts = []
        for index, inlines, _, _ in cells:
            text = "".join(i.text if isinstance(i, Span) else (i.alt or i.uri) for i in inlines)
            cell_texts.append(text.replace("\t", "    ").replace("\n", " "))
        for (index, _, _, _), text in zip(reversed(cells), reversed(cell_texts)):
            if text:
                self.requests.append({"insertText": {"location": {"index": index}, "text": text}})
        shift = 0
        for (index, inlines, row_number, column), text in zip(cells, cell_texts):
            start = index + shift
            length = u16len(text)
            if row_number == 0 and length:
                self.requests.append(self._text_style_request(start, start + length, ({"bold": True}, "bold")))
            position = start
            for inline in inlines:
                piece = inline.text if isinstance(inline, Span) else (inline.alt or inline.uri)
                piece_length = u16len(piece.replace("\t", "    "))
                style = text_style_of(inline) if isinstance(inline, Span) else None
                if style and piece_length:
                    self.requests.append(self._text_style_request(position, position + piece_length, style))
                position += piece_length
            alignment = {"center": "CENTER", "right": "END"}.get(table.align[column] or "")
            if alignment:
                self.requests.append(
                    {"updateParagraphStyle": {"range": _range(start, start + length + 1), "paragraphStyle": {"alignment": alignment}, "fields": "alignment"}}
                )
            shift += length
        size = table_size(len(rows), columns) + shift
        self.placed.append(PlacedBlock(table.source, table_start, table_start + size))
        self.cursor = table_start + size


def _preset(ordered: bool) -> str:
    return NUMBERED_PRESET if ordered else BULLET_PRESET


def _main_item(run: list[_Placed]) -> _Placed | None:
    """The item whose kind the whole run's bullets take first: the first of the shallowest."""
    native = [p for p in run if p.bulleted]
    return min(native, key=lambda p: p.para.level) if native else None


def _list_runs(placed: list[_Placed]) -> list[list[_Placed]]:
    """Maximal runs of adjacent list paragraphs (items and the blocks inside them)."""
    runs: list[list[_Placed]] = []
    for item in placed:
        if not item.para.list_content:
            continue
        if runs and runs[-1][-1].end == item.start:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _adjacent(placed: list[_Placed]) -> list[list[_Placed]]:
    groups: list[list[_Placed]] = []
    for item in placed:
        if groups and groups[-1][-1].after_end == item.after_start:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _ends_sublist(para: Para, level: int) -> bool:
    """Whether `para` is past the sublist whose items are at `level` (an item of a shallower
    level, or a block of an item of a shallower level)."""
    if para.kind == "item":
        return para.level < level
    return para.indent <= level


def _truncate_units(text: str, limit: int) -> str:
    while u16len(text) > limit:
        text = text[:-1]
    return text
