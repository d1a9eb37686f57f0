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
QUOTE_INDENT_PT = 36
QUOTE_BORDER_COLOR = {"red": 0.8, "green": 0.8, "blue": 0.8}
NOTES_HEADING = "Notes"
TASK_GLYPHS = {False: "☐ ", True: "☑ "}

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


def _heading_style(para: Para) -> tuple[dict, str]:
    return {"namedStyleType": f"HEADING_{min(max(para.level, 1), 6)}"}, "namedStyleType"


def _title_style(para: Para) -> tuple[dict, str]:
    return {"namedStyleType": "TITLE"}, "namedStyleType"


def _code_style(para: Para) -> tuple[dict, str]:
    return {"shading": {"backgroundColor": _color(CODE_SHADING)}}, "shading"


def _quote_style(para: Para) -> tuple[dict, str]:
    indent = _points(QUOTE_INDENT_PT * max(para.level, 1))
    border = {"color": _color(QUOTE_BORDER_COLOR), "width": _points(3), "padding": _points(8), "dashStyle": "SOLID"}
    return {"indentStart": indent, "indentFirstLine": indent, "borderLeft": border}, "indentStart,indentFirstLine,borderLeft"


def _rule_style(para: Para) -> tuple[dict, str]:
    border = {"color": _color({"red": 0.6, "green": 0.6, "blue": 0.6}), "width": _points(1), "padding": _points(4), "dashStyle": "SOLID"}
    return {"borderBottom": border}, "borderBottom"


# Paragraph kind -> its paragraph style (kinds not listed keep NORMAL_TEXT).
PARAGRAPH_STYLES = {
    "title": _title_style,
    "heading": _heading_style,
    "code": _code_style,
    "quote": _quote_style,
    "rule": _rule_style,
}


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
    if span.link:
        style["link"] = {"url": span.link}
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
        if not paras:
            return
        start = self.cursor
        texts: list[str] = []
        position = start
        tabs_total = 0
        images: list[tuple[int, str]] = []  # (index after tab removal, uri)
        paragraph_styles: list[tuple[int, int, dict, str]] = []
        text_styles: list[dict] = []
        lists: list[tuple[int, int, bool]] = []  # (start, end, ordered) before tab removal
        code_ranges: list[list[int]] = []  # text of adjacent code lines, before tab removal
        previous: Para | None = None
        for para in paras:
            para_start = position
            final_start = para_start - tabs_total + len(images)
            tabs = para.level if para.kind == "item" else 0
            prefix = "\t" * tabs + (TASK_GLYPHS[para.task] if para.kind == "item" and para.task is not None else "")
            if prefix:
                texts.append(prefix)
                position += u16len(prefix)
            own_images = 0
            for inline in para.inlines:
                if isinstance(inline, Image):
                    images.append((position - tabs_total - tabs, inline.uri))
                    own_images += 1
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
            style_rule = PARAGRAPH_STYLES.get(para.kind)
            if style_rule:
                paragraph_styles.append((para_start, position, *style_rule(para)))
            if para.kind == "item":
                same_list = previous is not None and previous.kind == "item" and previous.group == para.group
                if same_list and lists[-1][1] == para_start:
                    lists[-1] = (lists[-1][0], position, para.ordered)
                else:
                    lists.append((para_start, position, para.ordered))
            tabs_total += tabs
            final_end = final_start + (position - para_start) - tabs + own_images
            self.placed.append(PlacedBlock(para.source, final_start, final_end))
            previous = para
        self.requests.append({"insertText": {"location": {"index": start}, "text": "".join(texts)}})
        self._paragraph_style_requests(paragraph_styles)
        self.requests.extend(self._text_style_request(start_, end_, MONOSPACE_STYLE) for start_, end_ in code_ranges)
        self.requests.extend(text_styles)
        for list_start, list_end, ordered in reversed(lists):
            preset = "NUMBERED_DECIMAL_ALPHA_ROMAN" if ordered else "BULLET_DISC_CIRCLE_SQUARE"
            self.requests.append(
                {"createParagraphBullets": {"range": _range(list_start, list_end), "bulletPreset": preset}}
            )
        for index, uri in reversed(images):
            self.requests.append({"insertInlineImage": {"location": {"index": index}, "uri": uri}})
        self.cursor = position - tabs_total + len(images)

    def _paragraph_style_requests(self, styles: list[tuple[int, int, dict, str]]) -> None:
        """One updateParagraphStyle per run of adjacent paragraphs with the same style."""
        merged: list[list] = []
        for start, end, style, fields in styles:
            if merged and merged[-1][1] == start and merged[-1][2] == style:
                merged[-1][1] = end
            else:
                merged.append([start, end, style, fields])
        for start, end, style, fields in merged:
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
