"""The documents.get JSON of a document state (see docs_structure for the state's shape)."""

from __future__ import annotations

import json

from .docs_chips import chip_element
from .docs_comments import display_name, thread_json
from .docs_structure import BODY_START, atom_width, block_size, row_spans
from .docs_styles import (TEXT_WIDTH_PT, copy_json, default_paragraph_style, document_style,
                          named_styles, section_style)

TAB_ID = "t.0"


def _text_style_change(change: dict) -> dict:
    return {"textStyle": copy_json(change["style"]),
            "textStyleSuggestionState": {f"{name}Suggested": True for name in change["fields"]}}


def _paragraph_style_change(change: dict) -> dict:
    return {"paragraphStyle": copy_json(change["style"]),
            "paragraphStyleSuggestionState": {f"{name}Suggested": True for name in change["fields"]
                                              if name != "shading"}}


def _atom_marks(atom: dict) -> dict:
    """The suggestion fields Docs shows on an element (SUGGESTIONS_INLINE)."""
    marks = {}
    if atom.get("ins"):
        marks["suggestedInsertionIds"] = list(atom["ins"])
    if atom.get("del"):
        marks["suggestedDeletionIds"] = list(atom["del"])
    if atom.get("tss"):
        marks["suggestedTextStyleChanges"] = {sid: _text_style_change(change)
                                              for sid, change in atom["tss"].items()}
    return marks


_KEY_ENCODER = json.JSONEncoder(sort_keys=True, check_circular=False)   # made once: one per atom is slow


def _run_key(atom: dict) -> str:
    return _KEY_ENCODER.encode([atom.get("ts"), atom.get("ins"), atom.get("del"), atom.get("tss")])


def render_paragraph_elements(paragraph: dict, start: int) -> list[dict]:
    """ParagraphElements: runs of equally styled text merge, other atoms stand alone."""
    elements: list[dict] = []
    run_key = None
    position = start
    for atom in paragraph["atoms"]:
        width = atom_width(atom)
        if "c" in atom:
            key = _run_key(atom)
            if key == run_key:
                elements[-1]["textRun"]["content"] += atom["c"]
                elements[-1]["endIndex"] += width
            else:
                run = {"content": atom["c"], **_atom_marks(atom),
                       "textStyle": copy_json(atom.get("ts", {}))}
                elements.append({"startIndex": position, "endIndex": position + width,
                                 "textRun": run})
                run_key = key
        else:
            run_key = None
            element = {"textStyle": copy_json(atom.get("ts", {})), **_atom_marks(atom)}
            if "image" in atom:
                element["inlineObjectId"] = atom["image"]
                kind = "inlineObjectElement"
            elif "chip" in atom:
                kind, properties = chip_element(atom)
                element.update(properties)
            else:
                kind = "pageBreak"
            elements.append({"startIndex": position, "endIndex": position + width, kind: element})
        position += width
    return elements


def render_paragraph_style(style: dict) -> dict:
    rendered = default_paragraph_style()
    rendered.update(copy_json(style))
    return rendered


def render_bullet(bullet: dict) -> dict:
    rendered = {"listId": bullet["listId"], "textStyle": {}}
    if bullet.get("nestingLevel"):
        rendered["nestingLevel"] = bullet["nestingLevel"]
    return rendered


def render_blocks(blocks: list[dict], start: int) -> list[dict]:
    """StructuralElements for `blocks`, the first starting at `start`."""
    content = []
    position = start
    for block in blocks:
        size = block_size(block)
        if block["kind"] == "paragraph":
            paragraph = {"elements": render_paragraph_elements(block, position),
                         "paragraphStyle": render_paragraph_style(block["style"])}
            if block["bullet"]:
                paragraph["bullet"] = render_bullet(block["bullet"])
            if block["styleSuggestions"]:
                paragraph["suggestedParagraphStyleChanges"] = {
                    sid: _paragraph_style_change(change)
                    for sid, change in block["styleSuggestions"].items()}
            content.append({"startIndex": position, "endIndex": position + size,
                            "paragraph": paragraph})
        else:
            content.append({"startIndex": position, "endIndex": position + size,
                            "table": render_table(block, position)})
        position += size
    return content


def _cell_style(style: dict) -> dict:
    """A TableCellStyle as live Google gives it: every field explicit (zero-width borders, 5 pt
    padding, top alignment) unless an update set it."""
    border = {"color": {"color": {"rgbColor": {}}}, "width": {"unit": "PT"}, "dashStyle": "SOLID"}
    padding = {"magnitude": 5, "unit": "PT"}
    full = {"rowSpan": 1, "columnSpan": 1, "backgroundColor": {},
            **{f"border{side}": copy_json(border) for side in ("Left", "Right", "Top", "Bottom")},
            **{f"padding{side}": dict(padding) for side in ("Left", "Right", "Top", "Bottom")},
            "contentAlignment": "TOP"}
    full.update(copy_json(style))
    return full


def _columns(properties: list[dict]) -> list[dict]:
    """TableColumnProperties as live Google gives them: evenly distributed columns come back as
    FIXED_WIDTH with their share of the page's width."""
    share = round(TEXT_WIDTH_PT / max(len(properties), 1), 2)
    return [{"widthType": "FIXED_WIDTH", "width": {"magnitude": share, "unit": "PT"}}
            if column.get("widthType") == "EVENLY_DISTRIBUTED" else copy_json(column) for column in properties]


def render_table(table: dict, start: int) -> dict:
    rows = []
    for row, (row_start, row_end, cell_spans) in zip(table["rows"], row_spans(table, start)):
        cells = []
        for cell, (cell_start, cell_end) in zip(row["cells"], cell_spans):
            cells.append({"startIndex": cell_start, "endIndex": cell_end,
                          "content": render_blocks(cell["content"], cell_start + 1),
                          "tableCellStyle": _cell_style(cell["style"])})
        rows.append({"startIndex": row_start, "endIndex": row_end, "tableCells": cells,
                     "tableRowStyle": {"minRowHeight": {"unit": "PT"}, **copy_json(row["style"])}})
    return {"rows": len(table["rows"]),
            "columns": max((len(row["cells"]) for row in table["rows"]), default=0),
            "tableRows": rows,
            "tableStyle": {"tableColumnProperties": _columns(table["columnProperties"])}}


def render_body(blocks: list[dict]) -> dict:
    section = {"endIndex": BODY_START, "sectionBreak": {"sectionStyle": section_style()}}
    return {"content": [section] + render_blocks(blocks, BODY_START)}


def _range_json(anchor: dict, with_tab: bool) -> dict:
    result = {"startIndex": anchor["start"], "endIndex": anchor["end"]}
    if with_tab:
        result["tabId"] = TAB_ID
    return result


def render_named_ranges(named_ranges: list[dict], with_tab: bool) -> dict:
    by_name: dict[str, dict] = {}
    for named in named_ranges:
        group = by_name.setdefault(named["name"], {"name": named["name"], "namedRanges": []})
        group["namedRanges"].append({"namedRangeId": named["namedRangeId"], "name": named["name"],
                                     "ranges": [_range_json(a, with_tab) for a in named["ranges"]]})
    return by_name


def render_inline_objects(state: dict, content_uri) -> dict:
    """InlineObjects; an image Google keeps a copy of gets a fresh `content_uri(copy id)` link."""
    rendered = copy_json(state["inlineObjects"])
    blobs = state.get("imageBlobs", {})
    for object_id, inline in rendered.items():
        properties = inline["inlineObjectProperties"]["embeddedObject"].get("imageProperties")
        if properties is not None and object_id in blobs and content_uri is not None:
            properties["contentUri"] = content_uri(blobs[object_id])
    return rendered


def render_tab_content(state: dict, *, with_tab: bool, content_uri=None) -> dict:
    """The fields a DocumentTab has (and the legacy top-level Document repeats)."""
    content = {"body": render_body(state["body"]),
               "documentStyle": document_style(),
               "namedStyles": named_styles()}
    if state["lists"]:
        content["lists"] = {list_id: {"listProperties": copy_json(entry["listProperties"])}
                            for list_id, entry in state["lists"].items()}
    if state["inlineObjects"]:
        content["inlineObjects"] = render_inline_objects(state, content_uri)
    if state["namedRanges"]:
        content["namedRanges"] = render_named_ranges(state["namedRanges"], with_tab)
    return content


def render_comment_fields(state: dict, viewer: str | None, names: dict[str, str] | None = None) -> dict:
    """Document.comments and Document.suggestions, plus the tab's commentAnchors."""
    live = [thread for thread in state["comments"] if not thread["deleted"]]
    anchors = {thread["anchorId"]: {"anchorId": thread["anchorId"],
                                    "ranges": [_range_json(thread["anchor"], True)]}
               for thread in live if thread["anchor"] is not None}
    suggestions = []
    for record in state["suggestions"].values():
        head = {"postId": record["suggestionId"],
                "author": {"displayName": display_name(record["author"], names),
                           "me": viewer == record["author"]},
                "createTime": record["created"], "updateTime": record["created"]}
        suggestions.append({"suggestionId": record["suggestionId"], "headPost": head,
                            "replies": [], "status": record["status"]})
    return {"comments": [thread_json(thread, viewer, names) for thread in live],
            "suggestions": suggestions,
            "commentAnchors": anchors}
