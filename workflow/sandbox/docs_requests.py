"""documents.batchUpdate: one handler per Request kind, applied to a document's state dict.

The state dict (see documents.Document) holds "body" (blocks, see docs_structure), "lists",
"inlineObjects", "namedRanges", "comments" and "suggestions". Every change of indexes goes
through `_inserted` / `_deleted` so named ranges and comment anchors move with the text, and
tells `Editor.index` (docs_structure.BodyIndex, the block positions kept across the requests of
one batch) where the body changed.
"""

from __future__ import annotations

import re
from typing import Callable

from . import docs_chips as chips
from . import docs_comments as comments
from .docs_ids import heading_id, kix_id, suggestion_id
from .docs_structure import (BODY_START, BodyIndex, ParagraphRef, atom_starts, atom_width,
                             block_size, check_boundary, delete_range, insertion_point,
                             iter_paragraphs, iter_tables, new_table, row_spans, set_atoms,
                             split_paragraph)
from .docs_styles import (BULLET_PRESETS, MAX_NESTING_LEVEL, PARAGRAPH_STYLE_FIELDS, TEXT_WIDTH_PT,
                          TEXT_STYLE_FIELDS, apply_mask, copy_json, inherited_text_style,
                          list_indents, list_properties, parse_fields, update_text_style,
                          validate_paragraph_style)
from .docs_utf16 import strip_disallowed, utf16_len
from .exceptions import ApiError, image_not_retrievable

MAX_IMAGE_URI_BYTES = 2048
MAX_NAMED_RANGE_NAME = 256
TABLE_CELL_STYLE_FIELDS = (
    "backgroundColor", "borderBottom", "borderLeft", "borderRight", "borderTop", "contentAlignment",
    "paddingBottom", "paddingLeft", "paddingRight", "paddingTop",
)
# Requests of docs.v1.json this sandbox does not model (headers, footers, tabs, dropdowns...).
UNSUPPORTED = (
    "addDocumentTab", "createDropdownDefinition", "createFooter", "createFootnote", "createHeader",
    "deleteDropdownDefinition", "deleteFooter", "deleteHeader", "deletePositionedObject",
    "deleteTab", "deleteTableColumn", "deleteTableRow", "insertDropdown", "insertSectionBreak",
    "mergeTableCells", "pinTableHeaderRows", "replaceImage", "replaceNamedRangeContent", "unmergeTableCells", "updateDocumentStyle",
    "updateDocumentTabProperties", "updateDropdownDefinitionProperties", "updateDropdownProperties",
    "updateNamedStyle", "updateSectionStyle", "updateTableColumnProperties", "updateTableRowStyle",
)


DEFAULT_IMAGE_PT = (200, 150)  # width, height when the image's pixel size is unknown


def image_size(requested: dict | None, width_px: int | None, height_px: int | None) -> dict:
    """The size Docs gives an inline image (insertInlineImage's objectSize rules): from its pixels
    at 96 dpi, at most the page's width; one dimension given, the other keeps the aspect ratio;
    both given, the image fits inside them."""
    natural = (width_px * 0.75, height_px * 0.75) if width_px and height_px else DEFAULT_IMAGE_PT
    asked = {axis: (requested or {}).get(axis, {}).get("magnitude") for axis in ("width", "height")}
    width, height = natural
    if asked["width"] and asked["height"]:
        scale = min(asked["width"] / width, asked["height"] / height)
    elif asked["width"] or asked["height"]:
        scale = asked["width"] / width if asked["width"] else asked["height"] / height
    else:
        scale = min(1.0, TEXT_WIDTH_PT / width)
    return {"height": {"magnitude": round(height * scale, 2), "unit": "PT"},
            "width": {"magnitude": round(width * scale, 2), "unit": "PT"}}


class Editor:
    """Applies requests to `state` as `author`; in suggest mode edits become suggestions."""

    def __init__(self, state: dict, *, author: str, now: str, suggest: bool,
                 names: dict[str, str] | None = None, images: Callable | None = None) -> None:
        self.state = state
        self.names = names
        # insertInlineImage's fetch: uri -> (images.Picture, id of Google's copy or None), or None
        # when Google would refuse it; without one, every image is refused.
        self.images = images or (lambda uri: None)
        self.index = BodyIndex(state["body"])   # every change of sizes or blocks tells it
        self.author = author
        self.now = now
        self.suggest = suggest
        self.comments_touched = False
        self._handlers: dict[str, Callable[[dict, str], dict]] = {
            "insertText": self._insert_text,
            "deleteContentRange": self._delete_content_range,
            "updateTextStyle": self._update_text_style,
            "updateParagraphStyle": self._update_paragraph_style,
            "createParagraphBullets": self._create_paragraph_bullets,
            "deleteParagraphBullets": self._delete_paragraph_bullets,
            "insertTable": self._insert_table,
            "insertTableRow": self._insert_table_row,
            "insertTableColumn": self._insert_table_column,
            "updateTableCellStyle": self._update_table_cell_style,
            "insertInlineImage": self._insert_inline_image,
            "insertPerson": self._insert_chip,
            "insertRichLink": self._insert_chip,
            "insertDate": self._insert_chip,
            "insertPageBreak": self._insert_page_break,
            "replaceAllText": self._replace_all_text,
            "createNamedRange": self._create_named_range,
            "deleteNamedRange": self._delete_named_range,
            "insertComment": self._insert_comment,
            "addCommentReply": self._add_comment_reply,
            "updateCommentPost": self._update_comment_post,
            "deleteComment": self._delete_comment,
            "deleteCommentReply": self._delete_comment_reply,
            "acceptSuggestion": self._accept_suggestion,
            "rejectSuggestion": self._reject_suggestion,
            "deleteSuggestion": self._delete_suggestion,
        }
        self._suggestion: str | None = None
        self.suggestion_changes: dict[str, list[str]] = {}

    @property
    def body(self) -> list[dict]:
        return self.state["body"]

    # --- dispatch ---------------------------------------------------------------------------

    def apply(self, request: object, number: int) -> dict:
        """Apply requests[number]; returns its Response (empty dict when Docs returns nothing)."""
        if not isinstance(request, dict) or len(request) != 1:
            raise ApiError(400, f"Invalid requests[{number}]: exactly one request kind must be set.")
        (kind, body), = request.items()
        where = f"requests[{number}].{kind}"
        if kind in UNSUPPORTED:
            raise ApiError(400, f"Invalid {where}: the sandbox does not support {kind}.")
        handler = self._handlers.get(kind)
        if handler is None:
            raise ApiError(400, f"Invalid requests[{number}]: unknown request kind {kind!r}.")
        if not isinstance(body, dict):
            raise ApiError(400, f"Invalid {where}: the request must be an object.")
        self._suggestion = None
        self.suggestion_changes = {}
        return handler(body, where)

    def _suggestion_id(self) -> str:
        """The suggestion this request creates (one per request), registered on first use."""
        if self._suggestion is None:
            self._suggestion = suggestion_id()
            self.state["suggestions"][self._suggestion] = {
                "suggestionId": self._suggestion, "author": self.author, "created": self.now,
                "status": "OPEN"}
            self.suggestion_changes = {"createdSuggestionIds": [self._suggestion]}
        return self._suggestion

    # --- locations and ranges ---------------------------------------------------------------

    def body_end(self) -> int:
        return self.index.end()

    @staticmethod
    def _check_segment(value: dict, where: str) -> None:
        if value.get("segmentId"):
            raise ApiError(400, f"Invalid {where}: Segment {value['segmentId']!r} not found "
                                "(the sandbox models the body only).")
        if value.get("tabId") not in (None, "", "t.0"):
            raise ApiError(400, f"Invalid {where}: Tab {value['tabId']!r} not found.")

    def _location(self, request: dict, where: str) -> int:
        location, end_of_segment = request.get("location"), request.get("endOfSegmentLocation")
        if (location is None) == (end_of_segment is None):
            raise ApiError(400, f"Invalid {where}: exactly one of location or endOfSegmentLocation "
                                "must be set.")
        if end_of_segment is not None:
            self._check_segment(end_of_segment, where)
            return self.body_end() - 1
        self._check_segment(location, where)
        index = location.get("index", 0)
        if not isinstance(index, int):
            raise ApiError(400, f"Invalid {where}: location.index must be an integer.")
        return index

    def _range(self, request: dict, where: str, *, allow_empty: bool = False) -> tuple[int, int]:
        value = request.get("range")
        if not isinstance(value, dict):
            raise ApiError(400, f"Invalid {where}: range must be set.")
        self._check_segment(value, where)
        start, end = value.get("startIndex", 0), value.get("endIndex", 0)
        if not isinstance(start, int) or not isinstance(end, int):
            raise ApiError(400, f"Invalid {where}: range indexes must be integers.")
        return self._checked_range(start, end, where, allow_empty=allow_empty)

    def _checked_range(self, start: int, end: int, where: str, *,
                       allow_empty: bool = False) -> tuple[int, int]:
        body_end = self.body_end()
        if start < BODY_START:
            raise ApiError(400, f"Invalid {where}: Index {start} must be greater than or equal "
                                f"to {BODY_START}.")
        if end > body_end:
            raise ApiError(400, f"Invalid {where}: Index {end - 1} must be less than the end index "
                                f"of the referenced segment, {body_end}.")
        if start > end or (start == end and not allow_empty):
            raise ApiError(400, f"Invalid {where}: The range should not be empty "
                                f"(startIndex {start}, endIndex {end}).")
        check_boundary(self.index, start, where, graphemes=False)
        check_boundary(self.index, end, where, graphemes=False)
        return start, end

    def _paragraphs_in(self, start: int, end: int) -> list[ParagraphRef]:
        """Paragraphs overlapping [start, end) (the paragraph at `start` for an empty range)."""
        return [ref for ref in self.index.paragraphs(start, max(end, start + 1))
                if ref.start < max(end, start + 1) and ref.end > start]

    # --- index bookkeeping ------------------------------------------------------------------

    def _inserted(self, index: int, length: int) -> None:
        for named in self.state["namedRanges"]:
            for anchor in named["ranges"]:
                comments.shift_for_insert(anchor, index, length)
        for thread in self.state["comments"]:
            comments.shift_for_insert(thread["anchor"], index, length)

    def _deleted(self, start: int, end: int) -> None:
        for named in self.state["namedRanges"]:
            for anchor in named["ranges"]:
                comments.shift_for_delete(anchor, start, end)
            named["ranges"] = [a for a in named["ranges"] if a["start"] < a["end"]]
        self.state["namedRanges"] = [n for n in self.state["namedRanges"] if n["ranges"]]
        for thread in self.state["comments"]:
            if thread["anchor"] is not None:
                comments.shift_for_delete(thread["anchor"], start, end)
                if thread["anchor"]["start"] >= thread["anchor"]["end"]:
                    thread["anchor"] = None

    # --- text primitives --------------------------------------------------------------------

    def _neighbour_style(self, ref: ParagraphRef, offset: int) -> dict:
        atoms = ref.paragraph["atoms"]
        neighbour = atoms[offset - 1] if offset > 0 else atoms[offset]
        return inherited_text_style(neighbour.get("ts", {}))

    def _insert_atoms(self, index: int, atoms: list[dict], where: str) -> None:
        """Insert atoms at `index`; each newline atom among them ends a new paragraph."""
        ref, offset = insertion_point(self.index, index, where)
        paragraph = ref.paragraph
        set_atoms(paragraph, paragraph["atoms"][:offset] + atoms + paragraph["atoms"][offset:])
        split_paragraph(ref, *(offset + position + 1 for position, atom in enumerate(atoms)
                               if atom.get("c") == "\n"))
        self.index.changed_from(index)
        self._inserted(index, sum(atom_width(atom) for atom in atoms))

    def _text_atoms(self, text: str, style: dict) -> list[dict]:
        atoms = []
        for char in text:
            atom = {"c": char}
            if style:
                atom["ts"] = copy_json(style)
            if self.suggest:
                atom["ins"] = [self._suggestion_id()]
            atoms.append(atom)
        return atoms

    def _insert_plain(self, index: int, text: str, where: str, style: dict | None = None) -> None:
        ref, offset = insertion_point(self.index, index, where)
        if style is None:
            style = self._neighbour_style(ref, offset)
        self._insert_atoms(index, self._text_atoms(text, style), where)

    def _delete(self, start: int, end: int, where: str, *, as_edit: bool = False) -> None:
        check_boundary(self.index, start, where, graphemes=True)
        check_boundary(self.index, end, where, graphemes=True)
        first, first_start = self.index.block_at(start)
        if self.suggest and not as_edit:   # marks the atoms: no size changes
            delete_range(self.body, first_start, start, end, where, mark_as=self._suggestion_id(),
                         first=first)
            return
        delete_range(self.body, first_start, start, end, where, first=first)
        self.index.changed_from(start)
        self._deleted(start, end)

    # --- text requests ----------------------------------------------------------------------

    def _insert_text(self, request: dict, where: str) -> dict:
        text = request.get("text")
        if not isinstance(text, str):
            raise ApiError(400, f"Invalid {where}: text must be set.")
        index = self._location(request, where)
        text = strip_disallowed(text)
        insertion_point(self.index, index, where)
        if text:
            self._insert_plain(index, text, where)
        return {}

    def _delete_content_range(self, request: dict, where: str) -> dict:
        start, end = self._range(request, where)
        self._delete(start, end, where)
        return {}

    def _atoms_in(self, start: int, end: int):
        for ref in self.index.paragraphs(start, end):
            if ref.end > start and ref.start < end:
                yield from self.index.atoms_within(ref, start, end)

    def _update_text_style(self, request: dict, where: str) -> dict:
        start, end = self._range(request, where)
        fields = parse_fields(request.get("fields"), TEXT_STYLE_FIELDS, where)
        update = request.get("textStyle") or {}
        if not isinstance(update, dict):
            raise ApiError(400, f"Invalid {where}: textStyle must be an object.")
        if "link" in fields and update.get("link") and not isinstance(update["link"], dict):
            raise ApiError(400, f"Invalid {where}: textStyle.link must be an object.")
        for atom in self._atoms_in(start, end):
            if self.suggest:
                changed = {name: copy_json(update[name]) for name in fields if name in update}
                atom.setdefault("tss", {})[self._suggestion_id()] = {"style": changed,
                                                                      "fields": fields}
                continue
            styled = update_text_style(atom.get("ts", {}), update, fields,
                                       is_newline=atom.get("c") == "\n")
            if styled:
                atom["ts"] = styled
            else:
                atom.pop("ts", None)
        return {}

    def _update_paragraph_style(self, request: dict, where: str) -> dict:
        start, end = self._range(request, where)
        fields = parse_fields(request.get("fields"), PARAGRAPH_STYLE_FIELDS, where)
        update = request.get("paragraphStyle") or {}
        if not isinstance(update, dict):
            raise ApiError(400, f"Invalid {where}: paragraphStyle must be an object.")
        validate_paragraph_style(update, where)
        for ref in self._paragraphs_in(start, end):
            paragraph = ref.paragraph
            if self.suggest:
                changed = {name: copy_json(update[name]) for name in fields if name in update}
                paragraph["styleSuggestions"][self._suggestion_id()] = {"style": changed,
                                                                         "fields": fields}
                continue
            paragraph["style"] = styled_paragraph(paragraph["style"], update, fields)
        return {}

    # --- lists ------------------------------------------------------------------------------

    def _create_paragraph_bullets(self, request: dict, where: str) -> dict:
        start, end = self._range(request, where, allow_empty=True)
        preset = request.get("bulletPreset")
        if preset not in BULLET_PRESETS:
            raise ApiError(400, f"Invalid {where}: bulletPreset must be one of the "
                                f"BulletGlyphPreset values, got {preset!r}.")
        refs = self._paragraphs_in(start, end)
        if not refs:   # an empty range at the body's end, or on a table's own units
            raise ApiError(400, f"Invalid {where}: The range {start}-{end} must touch at least one "
                                "paragraph.")
        list_id = self._list_to_join(refs[0], preset) or self._new_list(preset)
        for ref in reversed(refs):  # removing tabs shifts only what follows
            atoms = ref.paragraph["atoms"]
            tabs = 0
            while atoms[tabs].get("c") == "\t":
                tabs += 1
            if tabs:
                set_atoms(ref.paragraph, atoms[tabs:])
                self.index.changed_from(ref.start)
                self._deleted(ref.start, ref.start + tabs)
            level = min(tabs, MAX_NESTING_LEVEL)
            ref.paragraph["bullet"] = {"listId": list_id, "nestingLevel": level}
            first_line, indent = list_indents(level)
            ref.paragraph["style"]["indentFirstLine"] = first_line
            ref.paragraph["style"]["indentStart"] = indent
        return {}

    def _list_to_join(self, first: ParagraphRef, preset: str) -> str | None:
        """The list of the paragraph just before `first`, if it uses the same preset."""
        if first.position == 0:
            return None
        previous = first.container[first.position - 1]
        if previous["kind"] != "paragraph" or not previous["bullet"]:
            return None
        list_id = previous["bullet"]["listId"]
        return list_id if self.state["lists"].get(list_id, {}).get("preset") == preset else None

    def _new_list(self, preset: str) -> str:
        list_id = kix_id()
        self.state["lists"][list_id] = {"preset": preset, "listProperties": list_properties(preset)}
        return list_id

    def _delete_paragraph_bullets(self, request: dict, where: str) -> dict:
        """Removes bullets; like Docs, the paragraph keeps its list indent (first line aligned)."""
        start, end = self._range(request, where, allow_empty=True)
        for ref in self._paragraphs_in(start, end):
            paragraph = ref.paragraph
            if not paragraph["bullet"]:
                continue
            _, indent = list_indents(paragraph["bullet"].get("nestingLevel", 0))
            paragraph["style"]["indentStart"] = paragraph["style"].get("indentStart", indent)
            paragraph["style"]["indentFirstLine"] = dict(paragraph["style"]["indentStart"])
            paragraph["bullet"] = None
        return {}

    # --- tables -----------------------------------------------------------------------------

    def _insert_table(self, request: dict, where: str) -> dict:
        rows, columns = request.get("rows"), request.get("columns")
        if not isinstance(rows, int) or not isinstance(columns, int) or rows < 1 or columns < 1:
            raise ApiError(400, f"Invalid {where}: rows and columns must be at least 1.")
        if columns > 20:
            raise ApiError(400, f"Invalid {where}: A table can have at most 20 columns.")
        index = self._location(request, where)
        ref, offset = insertion_point(self.index, index, where)
        newline = {"c": "\n"}
        style = self._neighbour_style(ref, offset)
        if style:
            newline["ts"] = style
        atoms = ref.paragraph["atoms"]
        set_atoms(ref.paragraph, atoms[:offset] + [newline] + atoms[offset:])
        split_paragraph(ref, offset + 1)
        table = new_table(rows, columns, {})
        ref.container.insert(ref.position, table)
        self.index.changed_from(index)
        self._inserted(index, 1 + block_size(table))  # the newline and the table: 3 + R(1 + 2C)
        return {}

    def _table_at(self, location: object, where: str):
        if not isinstance(location, dict):
            raise ApiError(400, f"Invalid {where}: tableStartLocation must be set.")
        self._check_segment(location, where)
        for table_ref in iter_tables(self.body):
            if table_ref.start == location.get("index"):
                return table_ref
        raise ApiError(400, f"Invalid {where}: No table found at index {location.get('index')}.")

    def _cell_location(self, request: dict, where: str):
        cell_location = request.get("tableCellLocation")
        if not isinstance(cell_location, dict):
            raise ApiError(400, f"Invalid {where}: tableCellLocation must be set.")
        table_ref = self._table_at(cell_location.get("tableStartLocation"), where)
        row, column = cell_location.get("rowIndex", 0), cell_location.get("columnIndex", 0)
        rows = table_ref.table["rows"]
        if not 0 <= row < len(rows) or not 0 <= column < len(rows[row]["cells"]):
            raise ApiError(400, f"Invalid {where}: The table cell location ({row}, {column}) is "
                                "outside the table.")
        return table_ref, row, column

    def _insert_table_row(self, request: dict, where: str) -> dict:
        table_ref, row, _ = self._cell_location(request, where)
        below = bool(request.get("insertBelow"))
        spans = row_spans(table_ref.table, table_ref.start)
        reference = table_ref.table["rows"][row]
        new_row = {"style": copy_json(reference["style"]),
                   "cells": new_table(1, len(reference["cells"]), {})["rows"][0]["cells"]}
        table_ref.table["rows"].insert(row + 1 if below else row, new_row)
        self.index.changed_from(table_ref.start)
        self._inserted(spans[row][1] if below else spans[row][0], 1 + 2 * len(new_row["cells"]))
        return {}

    def _insert_table_column(self, request: dict, where: str) -> dict:
        table_ref, _, column = self._cell_location(request, where)
        right = bool(request.get("insertRight"))
        spans = row_spans(table_ref.table, table_ref.start)
        rows = table_ref.table["rows"]
        for number in reversed(range(len(rows))):  # bottom-up keeps earlier indexes valid
            cells = rows[number]["cells"]
            at = min(column, len(cells) - 1)
            cell_start, cell_end = spans[number][2][at]
            cells.insert(at + 1 if right else at, new_table(1, 1, {})["rows"][0]["cells"][0])
            self.index.changed_from(table_ref.start)
            self._inserted(cell_end if right else cell_start, 2)
        table_ref.table["columnProperties"].insert(column + 1 if right else column,
                                                   {"widthType": "EVENLY_DISTRIBUTED"})
        return {}

    def _update_table_cell_style(self, request: dict, where: str) -> dict:
        fields = parse_fields(request.get("fields"), TABLE_CELL_STYLE_FIELDS, where)
        update = request.get("tableCellStyle") or {}
        table_range = request.get("tableRange")
        if table_range is not None and request.get("tableStartLocation") is not None:
            raise ApiError(400, f"Invalid {where}: set only one of tableRange or tableStartLocation.")
        if table_range is not None:
            table_ref, row, column = self._cell_location(table_range, where)
            row_span, column_span = table_range.get("rowSpan", 0), table_range.get("columnSpan", 0)
            if row_span < 1 or column_span < 1:
                raise ApiError(400, f"Invalid {where}: rowSpan and columnSpan must be at least 1.")
            cells = [cell for r in table_ref.table["rows"][row:row + row_span]
                     for cell in r["cells"][column:column + column_span]]
        else:
            table_ref = self._table_at(request.get("tableStartLocation"), where)
            cells = [cell for r in table_ref.table["rows"] for cell in r["cells"]]
        for cell in cells:
            cell["style"] = apply_mask(cell["style"], update, fields)
        return {}

    # --- objects ----------------------------------------------------------------------------

    def _insert_inline_image(self, request: dict, where: str) -> dict:
        uri = request.get("uri")
        if not isinstance(uri, str) or not re.match(r"https?://[^\s/]+", uri):
            raise ApiError(400, f"Invalid {where}: The URI must be a valid http or https URL.")
        if len(uri.encode("utf-8")) > MAX_IMAGE_URI_BYTES:
            raise ApiError(400, f"Invalid {where}: The URI must be at most 2 kB long.")
        index = self._location(request, where)
        fetched = self.images(uri)
        if fetched is None:
            raise image_not_retrievable(where)
        picture, blob = fetched
        object_id = self.insert_image(index, where, picture=picture, blob=blob, source_uri=uri,
                                      size=request.get("objectSize"))
        return {"insertInlineImage": {"objectId": object_id}}

    def insert_image(self, index: int, where: str, *, picture, blob: str | None, source_uri: str | None,
                     size: dict | None = None) -> str:
        """An inline image at `index`: Google's copy `blob` of `picture`, inserted from `source_uri`
        (None: pasted in the editor, which leaves sourceUri out). Returns the object id."""
        ref, offset = insertion_point(self.index, index, where)
        object_id = kix_id()
        atom = {"image": object_id}
        style = self._neighbour_style(ref, offset)
        if style:
            atom["ts"] = style
        if self.suggest:
            atom["ins"] = [self._suggestion_id()]
        properties = {"contentUri": "" if blob else (source_uri or ""), "cropProperties": {}}
        if source_uri is not None:
            properties["sourceUri"] = source_uri
        embedded = {
            "imageProperties": properties,
            "size": image_size(size, picture.width, picture.height),
            "embeddedObjectBorder": {"color": {"color": {"rgbColor": {}}},
                                     "width": {"unit": "PT"}, "dashStyle": "SOLID",
                                     "propertyState": "NOT_RENDERED"},
            "marginTop": {"magnitude": 9, "unit": "PT"},
            "marginBottom": {"magnitude": 9, "unit": "PT"},
            "marginRight": {"magnitude": 9, "unit": "PT"},
            "marginLeft": {"magnitude": 9, "unit": "PT"},
        }
        self.state["inlineObjects"][object_id] = {
            "objectId": object_id, "inlineObjectProperties": {"embeddedObject": embedded}}
        if blob:
            self.state.setdefault("imageBlobs", {})[object_id] = blob
        self._insert_atoms(index, [atom], where)
        return object_id

    def _insert_chip(self, request: dict, where: str) -> dict:
        """insertPerson, insertRichLink, insertDate: one smart-chip unit at the location."""
        kind = where.rsplit(".", 1)[1]
        index = self._location(request, where)
        ref, offset = insertion_point(self.index, index, where)
        if kind == "insertPerson":
            atom = chips.person(request, where, self.names)
        elif kind == "insertRichLink":
            atom = chips.rich_link(request, where)
        else:
            atom = chips.date(request, where)
        style = self._neighbour_style(ref, offset)
        if style:
            atom["ts"] = style
        if self.suggest:
            atom["ins"] = [self._suggestion_id()]
        self._insert_atoms(index, [atom], where)
        return {}

    def _insert_page_break(self, request: dict, where: str) -> dict:
        index = self._location(request, where)
        ref, offset = insertion_point(self.index, index, where)
        if ref.in_table:
            raise ApiError(400, f"Invalid {where}: Page breaks cannot be inserted inside a table.")
        style = self._neighbour_style(ref, offset)
        atoms = [{"pageBreak": True}, {"c": "\n"}]
        for atom in atoms:
            if style:
                atom["ts"] = copy_json(style)
            if self.suggest:
                atom["ins"] = [self._suggestion_id()]
        self._insert_atoms(index, atoms, where)
        return {}

    # --- replaceAllText and named ranges ----------------------------------------------------

    def _replace_all_text(self, request: dict, where: str) -> dict:
        criteria = request.get("containsText")
        if not isinstance(criteria, dict) or not criteria.get("text"):
            raise ApiError(400, f"Invalid {where}: containsText.text must not be empty.")
        replacement = strip_disallowed(request.get("replaceText") or "")
        flags = 0 if criteria.get("matchCase") else re.IGNORECASE
        pattern_text = criteria["text"] if criteria.get("searchByRegex") else re.escape(criteria["text"])
        try:
            pattern = re.compile(pattern_text, flags)
        except re.error as error:
            raise ApiError(400, f"Invalid {where}: invalid regular expression: {error}.") from None
        matches = []
        for ref in iter_paragraphs(self.body):
            text = "".join(atom.get("c", "\ue907") for atom in ref.paragraph["atoms"][:-1])
            starts = atom_starts(ref.paragraph, ref.start)
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    style = ref.paragraph["atoms"][match.start()].get("ts", {})
                    matches.append((starts[match.start()], starts[match.end()], style))
        for start, end, style in reversed(matches):
            self._delete(start, end, where)
            if replacement:
                self._insert_plain(start if not self.suggest else end, replacement, where,
                                   copy_json(style))
        return {"replaceAllText": {"occurrencesChanged": len(matches)}}

    def _create_named_range(self, request: dict, where: str) -> dict:
        name = request.get("name")
        if not isinstance(name, str) or not 1 <= utf16_len(name) <= MAX_NAMED_RANGE_NAME:
            raise ApiError(400, f"Invalid {where}: The name must be 1 to 256 UTF-16 code units.")
        start, end = self._range(request, where)
        range_id = kix_id()
        self.state["namedRanges"].append({"namedRangeId": range_id, "name": name,
                                          "ranges": [{"start": start, "end": end}]})
        return {"createNamedRange": {"namedRangeId": range_id}}

    def _delete_named_range(self, request: dict, where: str) -> dict:
        name, range_id = request.get("name"), request.get("namedRangeId")
        if (name is None) == (range_id is None):
            raise ApiError(400, f"Invalid {where}: exactly one of name or namedRangeId must be set.")
        kept = [n for n in self.state["namedRanges"]
                if not (n["name"] == name if name is not None else n["namedRangeId"] == range_id)]
        if range_id is not None and len(kept) == len(self.state["namedRanges"]):
            raise ApiError(400, f"Invalid {where}: The named range {range_id!r} does not exist.")
        self.state["namedRanges"] = kept
        return {}

    # --- comments ---------------------------------------------------------------------------

    def _insert_comment(self, request: dict, where: str) -> dict:
        content = comments.check_content(request.get("content"), where)
        start, end = self._range(request, where)
        thread = comments.new_thread(self.author, content, self.now, (start, end),
                                     text_between(self.index, start, end), quote_html=True)
        self.state["comments"].append(thread)
        self.comments_touched = True
        return {"insertComment": {"commentThread": comments.thread_json(thread, self.author, self.names)}}

    def _thread(self, request: dict, where: str) -> dict:
        if request.get("suggestionId"):
            raise ApiError(400, f"Invalid {where}: the sandbox supports posts on comment threads "
                                "only, not on suggestion threads.")
        try:
            return comments.find_thread(self.state["comments"], request.get("commentId"))
        except ApiError:
            raise ApiError(400, f"Invalid {where}: Comment {request.get('commentId')!r} not "
                                "found.") from None

    def _post(self, thread: dict, post_id: object, where: str) -> dict:
        for post in thread["posts"]:
            if post["id"] == post_id and not post["deleted"]:
                return post
        raise ApiError(400, f"Invalid {where}: Post {post_id!r} not found.")

    def _add_comment_reply(self, request: dict, where: str) -> dict:
        thread = self._thread(request, where)
        post = request.get("post") or {}
        action = {"RESOLVE": "resolve", "REOPEN": "reopen"}.get(post.get("commentAction"))
        content = comments.check_content(post.get("content", ""), where, required=action is None)
        reply = comments.add_reply(thread, self.author, content, self.now, action)
        self.comments_touched = True
        return {"addCommentReply": {"post": comments.post_json(reply, self.author, self.names)}}

    def _update_comment_post(self, request: dict, where: str) -> dict:
        thread = self._thread(request, where)
        post = self._post(thread, request.get("postId"), where)
        if post["author"] != self.author:
            raise ApiError(400, f"Invalid {where}: Only the author of a post can update it.")
        post["content"] = comments.check_content(request.get("content"), where)
        post["modified"] = thread["modified"] = self.now
        self.comments_touched = True
        return {}

    def _delete_comment(self, request: dict, where: str) -> dict:
        thread = self._thread(request, where)
        if thread["posts"][0]["author"] != self.author:
            raise ApiError(400, f"Invalid {where}: Only the author of a comment can delete it.")
        thread["deleted"] = True
        thread["modified"] = self.now
        self.comments_touched = True
        return {}

    def _delete_comment_reply(self, request: dict, where: str) -> dict:
        thread = self._thread(request, where)
        post = self._post(thread, request.get("postId"), where)
        if post is thread["posts"][0]:
            raise ApiError(400, f"Invalid {where}: The head post cannot be deleted as a reply.")
        if post["author"] != self.author or post["action"]:
            raise ApiError(400, f"Invalid {where}: Only the author can delete a reply, and not "
                                "one that resolved or reopened the thread.")
        post["deleted"] = True
        post["modified"] = thread["modified"] = self.now
        self.comments_touched = True
        return {}

    # --- suggestions ------------------------------------------------------------------------

    def _open_suggestion(self, request: dict, where: str) -> str:
        suggestion = request.get("suggestionId")
        record = self.state["suggestions"].get(suggestion)
        if record is None or record["status"] != "OPEN":
            raise ApiError(400, f"Invalid {where}: Suggestion {suggestion!r} not found.")
        return suggestion

    def _accept_suggestion(self, request: dict, where: str) -> dict:
        suggestion = self._open_suggestion(request, where)
        self.resolve_suggestion(suggestion, accept=True, where=where)
        self.suggestion_changes = {"acceptedSuggestionIds": [suggestion]}
        return {}

    def _reject_suggestion(self, request: dict, where: str) -> dict:
        suggestion = self._open_suggestion(request, where)
        self.resolve_suggestion(suggestion, accept=False, where=where)
        self.suggestion_changes = {"rejectedSuggestionIds": [suggestion]}
        return {}

    def _delete_suggestion(self, request: dict, where: str) -> dict:
        suggestion = self._open_suggestion(request, where)
        if self.state["suggestions"][suggestion]["author"] != self.author:
            raise ApiError(403, "Only the author of a suggestion can delete it.")
        self.resolve_suggestion(suggestion, accept=False, where=where)
        self.state["suggestions"].pop(suggestion)
        self.suggestion_changes = {"deletedSuggestionIds": [suggestion]}
        return {}

    def resolve_suggestion(self, suggestion: str, *, accept: bool, where: str) -> None:
        """Apply (accept) or discard (reject) everything suggestion `suggestion` changed."""
        removed_by = "del" if accept else "ins"
        kept_by = "ins" if accept else "del"
        doomed: list[tuple[int, int]] = []
        for ref in iter_paragraphs(self.body):
            paragraph = ref.paragraph
            style_change = paragraph["styleSuggestions"].pop(suggestion, None)
            if style_change and accept:
                paragraph["style"] = styled_paragraph(paragraph["style"], style_change["style"],
                                                      style_change["fields"])
            starts = atom_starts(paragraph, ref.start)
            for position, atom in enumerate(paragraph["atoms"]):
                text_change = atom.get("tss", {}).pop(suggestion, None)
                if text_change and accept:
                    styled = update_text_style(atom.get("ts", {}), text_change["style"],
                                               text_change["fields"], is_newline=atom.get("c") == "\n")
                    atom["ts"] = styled
                if "tss" in atom and not atom["tss"]:
                    del atom["tss"]
                _drop_id(atom, kept_by, suggestion)
                if suggestion in atom.get(removed_by, ()):
                    _drop_id(atom, removed_by, suggestion)
                    if doomed and doomed[-1][1] == starts[position]:
                        doomed[-1] = (doomed[-1][0], starts[position + 1])
                    else:
                        doomed.append((starts[position], starts[position + 1]))
        for start, end in reversed(doomed):
            self._delete(start, end, where, as_edit=True)
        self.state["suggestions"][suggestion]["status"] = "ACCEPTED" if accept else "REJECTED"


def _drop_id(atom: dict, key: str, suggestion: str) -> None:
    if suggestion in atom.get(key, ()):
        atom[key].remove(suggestion)
        if not atom[key]:
            del atom[key]


def styled_paragraph(current: dict, update: dict, fields: list[str]) -> dict:
    """A paragraph style after a masked update; named style first, heading ids follow it."""
    result = apply_mask(current, update, fields)
    named_before = current.get("namedStyleType", "NORMAL_TEXT")
    named_after = result.get("namedStyleType", "NORMAL_TEXT")
    if named_after == "NORMAL_TEXT":
        result.pop("headingId", None)
    elif named_after != named_before or "headingId" not in result:
        result["headingId"] = heading_id()
    return result


def text_between(body: BodyIndex, start: int, end: int) -> str:
    """The plain text of [start, end) (non-text elements omitted)."""
    pieces = []
    for ref in body.paragraphs(start, end):
        if ref.end > start and ref.start < end:
            pieces.extend(atom["c"] for atom in body.atoms_within(ref, start, end) if "c" in atom)
    return "".join(pieces)

