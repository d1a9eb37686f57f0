"""Element tree -> document model: one small method per construct, looked up in a rules table.

Like markdown-it's renderer: `BlockRules.rules` maps a tag to the method that turns that
element into model blocks, `InlineRules.rules` does the same for inline elements.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlparse

from .model import DocumentModel, Image, Inline, Para, SourceBlock, Span, Table, merge_spans, plain_text
from .parse import ParsedMarkdown, list_item_lines, stashed_block

_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
_FOOTNOTE_MARKS = re.compile("\x02(?:qq3936677670287331zz|zz1337820767766393qq)\x03")
_CODE_BLOCK = re.compile(r'^<pre[^>]*><code(?: class="language-([^"]*)")?>(.*)</code></pre>\s*$', re.S)
_TASK = re.compile(r"^\[([ xX])\] ")
MAX_IMAGE_URI_BYTES = 2000


def is_public_image_uri(uri: str) -> bool:
    parsed = urlparse(uri)
    host = (parsed.hostname or "").lower()
    return (
        parsed.scheme in ("http", "https")
        and bool(host)
        and host not in ("localhost", "127.0.0.1", "0.0.0.0", "::1")
        and len(uri.encode("utf-8")) <= MAX_IMAGE_URI_BYTES
    )


class InlineRules:
    """Inline elements -> spans. Styles accumulate down the tree."""

    def __init__(self, stash: list[str], warn: Callable[[str], None]):
        self.stash = stash
        self.warn = warn
        self.rules: dict[str, Callable[[etree.Element, Span], list[Inline]]] = {
            "strong": self.strong,
            "b": self.strong,
            "em": self.emphasis,
            "i": self.emphasis,
            "del": self.strikethrough,
            "code": self.code,
            "a": self.link,
            "img": self.image,
            "br": self.line_break,
            "sup": self.footnote_reference,
        }

    def render(self, element: etree.Element, style: Span | None = None) -> list[Inline]:
        """The inlines of `element`'s content (text, children and their tails)."""
        style = style or Span("")
        inlines = self.text(element.text, style)
        for child in element:
            rule = self.rules.get(child.tag, self.unknown)
            inlines.extend(rule(child, style))
            inlines.extend(self.text(child.tail, style))
        return inlines

    def text(self, text: str | None, style: Span) -> list[Inline]:
        if not text:
            return []
        text = _FOOTNOTE_MARKS.sub("", text).replace("\n", " ")
        pieces: list[Inline] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            pieces.append(replace(style, text=text[position : match.start()]))
            raw = self.stash[int(match.group(1))]
            if not raw.startswith("&"):
                self.warn(f"inline HTML kept as text: {raw[:40]}")
            pieces.append(replace(style, text=html.unescape(raw)))
            position = match.end()
        pieces.append(replace(style, text=text[position:]))
        return [piece for piece in pieces if piece.text]

    def strong(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, bold=True))

    def emphasis(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, italic=True))

    def strikethrough(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, strike=True))

    def code(self, element: etree.Element, style: Span) -> list[Inline]:
        text = html.unescape(_PLACEHOLDER.sub(lambda m: self.stash[int(m.group(1))], element.text or ""))
        return [replace(style, text=text.replace("\n", " "), code=True)] if text else []

    def link(self, element: etree.Element, style: Span) -> list[Inline]:
        href = element.get("href", "")
        if not href:
            return self.render(element, style)
        return self.render(element, replace(style, link=href))

    def image(self, element: etree.Element, style: Span) -> list[Inline]:
        uri, alt = element.get("src", ""), element.get("alt", "")
        if is_public_image_uri(uri):
            return [Image(uri=uri, alt=alt)]
        self.warn(f"image {uri!r} is not a public http(s) URL: kept as a link")
        placeholder = alt or uri or "image"
        return [replace(style, text=placeholder, link=uri if urlparse(uri).scheme in ("http", "https") else None)]

    def line_break(self, element: etree.Element, style: Span) -> list[Inline]:
        return [replace(style, text="\u000b")]

    def footnote_reference(self, element: etree.Element, style: Span) -> list[Inline]:
        anchor = element.find("a")
        if element.get("id", "").startswith("fnref") and anchor is not None and anchor.text:
            number = anchor.text.strip()
            return [Span(f"[{number}]", footnote=number)]
        return self.render(element, style)

    def unknown(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, style)


class BlockRules:
    """Top-level elements -> paragraphs and tables of the model, with their source lines."""

    def __init__(self, parsed: ParsedMarkdown, first_line: int):
        self.parsed = parsed
        self.first_line = first_line
        self.model = DocumentModel()
        self.inline = InlineRules(parsed.stash, self._warn_current)
        self.current_line = first_line
        self.group = 0
        self.rules: dict[str, Callable[[etree.Element, tuple[int, int]], None]] = {
            **{f"h{level}": self.heading for level in range(1, 7)},
            "p": self.paragraph,
            "ul": self.list,
            "ol": self.list,
            "blockquote": self.quote,
            "pre": self.indented_code,
            "hr": self.rule,
            "table": self.table,
        }

    # -- bookkeeping ------------------------------------------------------------------------
    def _warn_current(self, message: str) -> None:
        self.model.warnings.append({"line": self.current_line, "message": message})

    def _source(self, kind: str, lines: tuple[int, int]) -> int:
        self.model.sources.append(SourceBlock(kind, lines[0] + self.first_line, lines[1] + self.first_line))
        return len(self.model.sources) - 1

    def _next_group(self) -> int:
        self.group += 1
        return self.group

    def _add(self, para: Para) -> None:
        para.inlines = merge_spans(para.inlines)
        self.model.blocks.append(para)

    # -- construction -------------------------------------------------------------------------
    def build(self) -> DocumentModel:
        flow = [child for child in self.parsed.root if not _is_footnote_div(child)]
        for element, lines in zip(flow, self.parsed.ranges):
            self.current_line = lines[0] + self.first_line
            self.rules.get(element.tag, self.unknown_block)(element, lines)
        for element in self.parsed.root:
            if _is_footnote_div(element):
                self.footnotes(element)
        return self.model

    def heading(self, element: etree.Element, lines: tuple[int, int]) -> None:
        level = int(element.tag[1])
        self._add(Para("heading", self.inline.render(element), level=level, source=self._source("heading", lines)))

    def paragraph(self, element: etree.Element, lines: tuple[int, int]) -> None:
        raw = stashed_block(element, self.parsed.stash)
        if raw is not None:
            code = _CODE_BLOCK.match(raw)
            if code:
                self.code_block(html.unescape(code.group(2)), lines)
            else:
                self.raw_html(raw, lines)
            return
        inlines = self.inline.render(element)
        only_image = len(inlines) == 1 and isinstance(inlines[0], Image)
        self._add(Para("paragraph", inlines, source=self._source("image" if only_image else "paragraph", lines)))

    def raw_html(self, raw: str, lines: tuple[int, int]) -> None:
        self.model.warnings.append({"line": lines[0] + self.first_line, "message": "raw HTML block kept as text"})
        source = self._source("paragraph", lines)
        for line in raw.strip("\n").split("\n"):
            self._add(Para("paragraph", [Span(line)], source=source))

    def code_block(self, code: str, lines: tuple[int, int]) -> None:
        source = self._source("code", lines)
        group = self._next_group()
        for line in code.removesuffix("\n").split("\n"):
            self._add(Para("code", [Span(line.replace("\t", "    "))], group=group, source=source))

    def indented_code(self, element: etree.Element, lines: tuple[int, int]) -> None:
        code = element.find("code")
        text = code.text if code is not None and code.text else ""
        self.code_block(html.unescape(_PLACEHOLDER.sub(lambda m: self.parsed.stash[int(m.group(1))], text)), lines)

    def rule(self, element: etree.Element, lines: tuple[int, int]) -> None:
        self._add(Para("rule", source=self._source("rule", lines)))

    def list(self, element: etree.Element, lines: tuple[int, int]) -> None:
        item_lines = iter(list_item_lines(self.parsed.lines, *lines))
        self._list_items(element, element.tag == "ol", 0, self._next_group(), item_lines, lines)

    def _list_items(self, element, ordered: bool, level: int, group: int, item_lines, list_lines) -> None:
        for item in element.findall("li"):
            inlines: list[Inline] = []
            nested: list[etree.Element] = []
            if item.text and item.text.strip():
                inlines.extend(self.inline.text(item.text.strip("\n"), Span("")))
            for child in item:
                if child.tag in ("ul", "ol"):
                    nested.append(child)
                    continue
                if inlines:
                    inlines.append(Span("\u000b"))
                inlines.extend(self.inline.rules.get(child.tag, self._item_block)(child, Span("")))
                inlines.extend(self.inline.text(child.tail.strip("\n") if child.tail else None, Span("")))
            task = None
            first = inlines[0] if inlines else None
            if isinstance(first, Span) and (match := _TASK.match(first.text)) and not ordered:
                task = match.group(1) != " "
                inlines[0] = replace(first, text=first.text[match.end() :])
            item_range = next(item_lines, list_lines)
            source = self._source("list item", item_range)
            self._add(Para("item", inlines, level=level, ordered=ordered, task=task, group=group, source=source))
            for sublist in nested:
                self._list_items(sublist, ordered, level + 1, group, item_lines, list_lines)

    def _item_block(self, element: etree.Element, style: Span) -> list[Inline]:
        """A block inside a list item (paragraph of a loose list, ...): its inline content."""
        return self.inline.render(element, style)

    def quote(self, element: etree.Element, lines: tuple[int, int]) -> None:
        self._quote_children(element, 1, self._next_group(), self._source("quote", lines))

    def _quote_children(self, element: etree.Element, depth: int, group: int, source: int) -> None:
        for child in element:
            if child.tag == "blockquote":
                self._quote_children(child, depth + 1, group, source)
            else:
                inlines = self.inline.render(child) if child.tag not in ("ul", "ol") else self._flat_list(child)
                self._add(Para("quote", inlines, level=depth, group=group, source=source))

    def _flat_list(self, element: etree.Element) -> list[Inline]:
        inlines: list[Inline] = []
        for item in element.iter("li"):
            if inlines:
                inlines.append(Span("\u000b"))
            inlines.extend(self.inline.text(item.text, Span("")))
        return inlines

    def table(self, element: etree.Element, lines: tuple[int, int]) -> None:
        header_row = element.find("thead/tr")
        body_rows = element.findall("tbody/tr")
        header_cells = header_row.findall("th") if header_row is not None else []
        align = [_cell_alignment(cell) for cell in header_cells]
        header = [[_unbold(i) for i in merge_spans(self.inline.render(cell))] for cell in header_cells]
        rows = [[merge_spans(self._cell_inlines(cell)) for cell in row.findall("td")] for row in body_rows]
        columns = len(header)
        rows = [(row + [[] for _ in range(columns)])[:columns] for row in rows]
        self.model.blocks.append(Table(header, rows, align, source=self._source("table", lines)))

    def _cell_inlines(self, cell: etree.Element) -> list[Inline]:
        inlines = self.inline.render(cell)
        return [Span(i.alt or i.uri, link=i.uri) if isinstance(i, Image) else i for i in inlines]

    def footnotes(self, element: etree.Element) -> None:
        for number, item in enumerate(element.iter("li"), start=1):
            label = item.get("id", "").removeprefix("fn:")
            inlines: list[Inline] = []
            for child in item:
                if inlines:
                    inlines.append(Span(" "))
                inlines.extend(self._footnote_text(child))
            lines = self.parsed.footnote_ranges.get(label, (0, 0))
            self.current_line = lines[0] + self.first_line
            self._add(Para("note", inlines, label=str(number), source=self._source("footnote", lines)))

    def _footnote_text(self, element: etree.Element) -> list[Inline]:
        backrefs = [a for a in element.iter("a") if a.get("class") == "footnote-backref"]
        for parent in element.iter():
            for child in list(parent):
                if child in backrefs:
                    parent.remove(child)
        return self.inline.render(element)

    def unknown_block(self, element: etree.Element, lines: tuple[int, int]) -> None:
        text = plain_text(self.inline.render(element))
        self._add(Para("paragraph", [Span(text)], source=self._source("paragraph", lines)))


def _is_footnote_div(element: etree.Element) -> bool:
    return element.tag == "div" and element.get("class") == "footnote"


def _cell_alignment(cell: etree.Element) -> str | None:
    style = cell.get("style", "") + " " + (cell.get("align") or "")
    if "center" in style:
        return "center"
    if "right" in style:
        return "right"
    return None


def _unbold(inline: Inline) -> Inline:
    """Header cells are bold in the Doc anyway: the model keeps them unbolded."""
    return replace(inline, bold=False) if isinstance(inline, Span) else inline


def build_model(parsed: ParsedMarkdown, first_line: int) -> DocumentModel:
    return BlockRules(parsed, first_line).build()
