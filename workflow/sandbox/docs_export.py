"""Drive files.export of a Google Doc: text/plain, text/markdown and text/html.

Each function takes a document state (see docs_structure) whose suggestions are already
resolved, so atoms carry only their text style.
"""

from __future__ import annotations

import html
from typing import Callable

from .docs_chips import chip_link, chip_text
from .docs_styles import HEADING_LEVELS, is_ordered_level

MONOSPACE_FONTS = {"courier new", "courier", "consolas", "roboto mono", "source code pro",
                   "inconsolata", "ubuntu mono", "fira code", "jetbrains mono", "monospace"}
_ALPHA = "abcdefghijklmnopqrstuvwxyz"


def _is_code(style: dict) -> bool:
    family = style.get("weightedFontFamily", {}).get("fontFamily", "")
    return family.lower() in MONOSPACE_FONTS


def _roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    result = ""
    for value, numeral in numerals:
        while number >= value:
            result += numeral
            number -= value
    return result


def _glyph(nesting: dict, number: int) -> str:
    kind = nesting.get("glyphType")
    if kind == "ALPHA":
        return _ALPHA[(number - 1) % 26]
    if kind == "UPPER_ALPHA":
        return _ALPHA[(number - 1) % 26].upper()
    if kind == "ROMAN":
        return _roman(number)
    if kind == "UPPER_ROMAN":
        return _roman(number).upper()
    if kind == "ZERO_DECIMAL":
        return f"{number:02d}"
    return str(number)


class _ListCounter:
    """Numbers of list items: per list and level, restarting below a shallower item."""

    def __init__(self, lists: dict) -> None:
        self.lists = lists
        self.counts: dict[str, list[int]] = {}

    def marker(self, bullet: dict, *, markdown: bool) -> tuple[int, str, bool]:
        """(nesting level, marker text, ordered) for the next item of `bullet`'s list."""
        level = bullet.get("nestingLevel", 0)
        counts = self.counts.setdefault(bullet["listId"], [0] * 9)
        counts[level] += 1
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        levels = self.lists.get(bullet["listId"], {}).get("listProperties", {}).get("nestingLevels", [])
        nesting = levels[level] if level < len(levels) else {}
        if not is_ordered_level(nesting):
            return level, "-" if markdown else "*", False
        if markdown:
            return level, f"{counts[level]}.", True
        return level, f"{_glyph(nesting, counts[level])}.", True


def _paragraphs_text(blocks: list[dict], on_paragraph: Callable[[dict], None],
                     on_table: Callable[[dict], None]) -> None:
    for block in blocks:
        (on_paragraph if block["kind"] == "paragraph" else on_table)(block)


def _plain(paragraph: dict) -> str:
    text = "".join(chip_text(atom) if "chip" in atom else atom.get("c", "") for atom in paragraph["atoms"])
    return text.rstrip("\n").replace("\x0b", "\n")


# --- text/plain ------------------------------------------------------------------------------

def export_plain(state: dict) -> str:
    """Docs' text/plain export: a BOM, CRLF line ends, list markers, tables cell by cell."""
    counter = _ListCounter(state["lists"])
    lines: list[str] = []

    def paragraph_line(paragraph: dict) -> None:
        text = _plain(paragraph)
        if paragraph["bullet"]:
            level, marker, _ = counter.marker(paragraph["bullet"], markdown=False)
            text = "    " * level + f"{marker} {text}"
        lines.append(text)

    def table_lines(table: dict) -> None:
        for row in table["rows"]:
            for cell in row["cells"]:
                _paragraphs_text(cell["content"], paragraph_line, table_lines)

    _paragraphs_text(state["body"], paragraph_line, table_lines)
    return "\ufeff" + "\r\n".join(lines)


# --- text/markdown ---------------------------------------------------------------------------

def _wrap(text: str, marker: str) -> str:
    """`text` between markers, keeping surrounding spaces outside them."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def _runs(paragraph: dict) -> list[tuple[dict, str]]:
    """(text style, text) runs of a paragraph without its newline; images as ({"image": id}, ""),
    smart chips as their text."""
    runs: list[tuple[dict, str]] = []
    for atom in paragraph["atoms"]:
        if "image" in atom:
            runs.append(({"image": atom["image"]}, ""))
        elif "chip" in atom:   # shown as its text, linked where it leads somewhere
            link = chip_link(atom)
            runs.append((dict(atom.get("ts", {}), **({"link": {"url": link}} if link else {})), chip_text(atom)))
        elif "c" in atom and atom["c"] != "\n":
            style = atom.get("ts", {})
            if runs and runs[-1][0] == style and "image" not in style:
                runs[-1] = (style, runs[-1][1] + atom["c"])
            else:
                runs.append((style, atom["c"]))
    return runs


def _image_uri(inline_objects: dict, object_id: str) -> str:
    image = inline_objects.get(object_id, {})
    return (image.get("inlineObjectProperties", {}).get("embeddedObject", {})
            .get("imageProperties", {}).get("sourceUri", ""))


def _markdown_inline(paragraph: dict, inline_objects: dict) -> str:
    pieces: list[str] = []
    for style, text in _runs(paragraph):
        if "image" in style:
            pieces.append(f"![]({_image_uri(inline_objects, style['image'])})")
            continue
        text = text.replace("\x0b", "  \n")
        if _is_code(style):
            text = _wrap(text, "`")
        else:
            if style.get("bold") and style.get("italic"):
                text = _wrap(text, "***")
            elif style.get("bold"):
                text = _wrap(text, "**")
            elif style.get("italic"):
                text = _wrap(text, "*")
            if style.get("strikethrough"):
                text = _wrap(text, "~~")
        url = style.get("link", {}).get("url")
        if url:
            text = f"[{text}]({url})"
        pieces.append(text)
    return "".join(pieces)


def export_markdown(state: dict) -> str:
    """Markdown: # headings, - / 1. lists indented 4 spaces a level, emphasis, links, pipe tables."""
    counter = _ListCounter(state["lists"])
    blocks_out: list[tuple[str, bool]] = []  # (markdown, is list item)

    def paragraph_block(paragraph: dict) -> None:
        text = _markdown_inline(paragraph, state["inlineObjects"])
        if not text.strip():
            return
        named = paragraph["style"].get("namedStyleType", "NORMAL_TEXT")
        if paragraph["bullet"]:
            level, marker, _ = counter.marker(paragraph["bullet"], markdown=True)
            blocks_out.append(("    " * level + f"{marker} {text}", True))
        elif named in ("TITLE", "HEADING_1"):
            blocks_out.append((f"# {text}", False))
        elif named in HEADING_LEVELS:
            blocks_out.append(("#" * HEADING_LEVELS[named] + f" {text}", False))
        elif named == "SUBTITLE":
            blocks_out.append((f"## {text}", False))
        else:
            blocks_out.append((text, False))

    def table_block(table: dict) -> None:
        rows = []
        for row in table["rows"]:
            cells = []
            for cell in row["cells"]:
                texts = [_markdown_inline(block, state["inlineObjects"])
                         for block in cell["content"] if block["kind"] == "paragraph"]
                cells.append(" ".join(t for t in texts if t).replace("|", "\\|"))
            rows.append("| " + " | ".join(cells) + " |")
        columns = max(len(row["cells"]) for row in table["rows"])
        rows.insert(1, "| " + " | ".join(["---"] * columns) + " |")
        blocks_out.append(("\n".join(rows), False))

    _paragraphs_text(state["body"], paragraph_block, table_block)
    lines: list[str] = []
    previous_was_item = False
    for text, is_item in blocks_out:
        if lines and not (is_item and previous_was_item):
            lines.append("")
        lines.append(text)
        previous_was_item = is_item
    return "\n".join(lines) + "\n" if lines else ""


# --- text/html -------------------------------------------------------------------------------

def _html_inline(paragraph: dict, inline_objects: dict) -> str:
    pieces = []
    for style, text in _runs(paragraph):
        if "image" in style:
            uri = _image_uri(inline_objects, style["image"])
            pieces.append(f'<img src="{html.escape(uri)}" alt="">')
            continue
        text = html.escape(text).replace("\x0b", "<br>")
        if _is_code(style):
            text = f"<code>{text}</code>"
        for flag, tag in (("bold", "strong"), ("italic", "em"), ("strikethrough", "s"),
                          ("underline", "u")):
            if style.get(flag) and not (flag == "underline" and style.get("link")):
                text = f"<{tag}>{text}</{tag}>"
        if style.get("link", {}).get("url"):
            text = f'<a href="{html.escape(style["link"]["url"])}">{text}</a>'
        pieces.append(text)
    return "".join(pieces)


def export_html(state: dict, title: str) -> str:
    """A complete HTML document: h1-h6, p, ul/ol with nesting, inline styles, links, tables."""
    counter = _ListCounter(state["lists"])
    out: list[str] = []
    open_lists: list[str] = []

    def close_lists(to_depth: int) -> None:
        while len(open_lists) > to_depth:
            out.append(f"</{open_lists.pop()}>")

    def paragraph_html(paragraph: dict) -> None:
        text = _html_inline(paragraph, state["inlineObjects"])
        if paragraph["bullet"]:
            level, _, ordered = counter.marker(paragraph["bullet"], markdown=True)
            close_lists(level + 1)
            while len(open_lists) < level + 1:
                open_lists.append("ol" if ordered else "ul")
                out.append(f"<{open_lists[-1]}>")
            out.append(f"<li>{text}</li>")
            return
        close_lists(0)
        if not text:
            return
        named = paragraph["style"].get("namedStyleType", "NORMAL_TEXT")
        tag = {"TITLE": "h1", "SUBTITLE": "h2"}.get(named) or (
            f"h{HEADING_LEVELS[named]}" if named in HEADING_LEVELS else "p")
        out.append(f"<{tag}>{text}</{tag}>")

    def table_html(table: dict) -> None:
        close_lists(0)
        out.append("<table>")
        for row in table["rows"]:
            cells = "".join(
                "<td>" + "".join(f"<p>{_html_inline(block, state['inlineObjects'])}</p>"
                                 for block in cell["content"] if block["kind"] == "paragraph")
                + "</td>" for cell in row["cells"])
            out.append(f"<tr>{cells}</tr>")
        out.append("</table>")

    _paragraphs_text(state["body"], paragraph_html, table_html)
    close_lists(0)
    body = "\n".join(out)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title></head>\n<body>\n{body}\n</body></html>\n")


def plain_text(state: dict) -> str:
    """The document's text as Docs holds it: every paragraph with its newline, tables included."""
    pieces: list[str] = []

    def paragraph_text(paragraph: dict) -> None:
        pieces.append("".join(atom.get("c", "") for atom in paragraph["atoms"]))

    def table_text(table: dict) -> None:
        for row in table["rows"]:
            for cell in row["cells"]:
                _paragraphs_text(cell["content"], paragraph_text, table_text)

    _paragraphs_text(state["body"], paragraph_text, table_text)
    return "".join(pieces)
