"""Element tree -> document model: one small method per construct, looked up in a rules table.

Like markdown-it's renderer: `BlockRules.rules` maps a tag to the method that turns that
element into model blocks, `InlineRules.rules` does the same for inline elements. Blocks are
walked recursively with `Where` they sit (blockquotes, list items), so nested constructs keep
their kind: a code block in a list item stays a code block, indented to the item.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlparse

from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER
from markdown.util import AMP_SUBSTITUTE

from .model import DocumentModel, Image, Inline, Para, SourceBlock, Span, Table, merge_spans, plain_text
from .parse import FLATTENED, MAX_NESTING, STASH_PLACEHOLDER, ParsedMarkdown, list_item_lines, stashed_block, unstash
from .targets import unsafe_target

_CODE_BLOCK = re.compile(r'^<pre[^>]*><code(?: class="language-([^"]*)")?>(.*)</code></pre>\s*$', re.S)
_TASK = re.compile(r"^\[([ xX])\] ")
_LINE_END = re.compile(r"[ \t]*\n[ \t]*")  # a soft line break (and the indentation around it) reads as a space
_LINE_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.I)
# An entity Python-Markdown's serializer leaves alone (so a browser shows the character): its
# pattern matches case-insensitively, while its inline entity pattern stashes only some forms.
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.I)
_BROWSER_IGNORED = re.compile("[\t\n\r]")  # a browser drops these from a URL (WHATWG URL parsing)
MAX_IMAGE_URI_BYTES = 2000
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "table", "div"}


def is_public_image_uri(uri: str) -> bool:
    parsed = urlparse(uri)
    host = (parsed.hostname or "").lower()
    return (
        parsed.scheme in ("http", "https")
        and bool(host)
        and host not in ("localhost", "127.0.0.1", "0.0.0.0", "::1")
        and len(uri.encode("utf-8")) <= MAX_IMAGE_URI_BYTES
    )


def decode_text(text: str) -> str:
    """Text as a browser shows Python-Markdown's output of it: its `&` placeholder restored and
    the character references its serializer leaves alone decoded."""
    text = text.replace(AMP_SUBSTITUTE, "&")
    return _ENTITY.sub(lambda match: html.unescape(match.group(0)), text) if "&" in text else text


class InlineRules:
    """Inline elements -> spans. Styles accumulate down the tree."""

    def __init__(self, stash: list[str], warn: Callable[[str], None], site_url: str | None = None):
        self.stash = stash
        self.warn = warn
        self.site_url = site_url
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
            inlines.extend(self.element(child, style))
            inlines.extend(self.text(child.tail, style))
        return inlines

    def element(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.rules.get(element.tag, self.unknown)(element, style)

    def text(self, text: str | None, style: Span) -> list[Inline]:
        if not text:
            return []
        if "\x02" in text:
            text = text.replace(FN_BACKLINK_TEXT, "").replace(NBSP_PLACEHOLDER, "")
        if "\n" in text:
            text = _LINE_END.sub(" ", text)
        key = style.style_key()
        if "\x02" not in text:
            return [Span(decode_text(text), *key)]
        pieces: list[Inline] = []
        position = 0
        for match in STASH_PLACEHOLDER.finditer(text):
            pieces.append(Span(decode_text(text[position : match.start()]), *key))
            raw = unstash(match.group(0), self.stash)
            if _LINE_BREAK_TAG.match(raw.strip()):
                pieces.append(Span("\u000b", *key))
            else:
                if not raw.startswith("&"):
                    self.warn(f"inline HTML kept as text: {raw[:40]}")
                pieces.append(Span(html.unescape(raw) if raw.startswith("&") else raw, *key))
            position = match.end()
        pieces.append(Span(decode_text(text[position:]), *key))
        return [piece for piece in pieces if piece.text]

    def strong(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, bold=True))

    def emphasis(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, italic=True))

    def strikethrough(self, element: etree.Element, style: Span) -> list[Inline]:
        return self.render(element, replace(style, strike=True))

    def code(self, element: etree.Element, style: Span) -> list[Inline]:
        text = html.unescape(unstash(element.text or "", self.stash))
        return [replace(style, text=text.replace("\n", " "), code=True)] if text else []

    def link(self, element: etree.Element, style: Span) -> list[Inline]:
        href = _BROWSER_IGNORED.sub("", decode_text(element.get("href", "")))
        problem = unsafe_target(href)
        if problem:
            self.warn(f"link {href[:80]!r} {problem}: kept as text")
            return self.render(element, style)
        return self.render(element, replace(style, link=href))

    def image(self, element: etree.Element, style: Span) -> list[Inline]:
        uri, alt = _BROWSER_IGNORED.sub("", decode_text(element.get("src", ""))), decode_text(element.get("alt", ""))
        if self.site_url and uri and not urlparse(uri).scheme and not uri.startswith("//"):
            uri = urljoin(self.site_url, uri)
        if is_public_image_uri(uri):
            return [Image(uri=uri, alt=alt)]
        if not urlparse(uri).scheme and not uri.startswith("//"):
            hint = " (set [content] site_url to resolve relative images)" if not self.site_url else ""
            self.warn(f"image {uri!r} is a relative path: kept as a link{hint}")
        else:
            self.warn(f"image {uri!r} is not a public http(s) URL: kept as a link")
        placeholder = alt or uri or "image"
        return [replace(style, text=placeholder, link=uri if not unsafe_target(uri) and uri else None)]

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


@dataclass(frozen=True)
class Where:
    """Where a block sits: `quote` blockquotes, then the list item of depth `indent` (1 = an
    item of level 0), then `inner_quote` blockquotes inside that item; `group` is the list."""

    quote: int = 0
    indent: int = 0
    inner_quote: int = 0
    group: int = 0

    def fields(self) -> dict:
        return {"quote": self.quote, "indent": self.indent, "inner_quote": self.inner_quote,
                **({"group": self.group} if self.indent else {})}

    def into_quote(self) -> Where:
        if self.indent:
            return replace(self, inner_quote=self.inner_quote + 1)
        return replace(self, quote=self.quote + 1)

    @property
    def depth(self) -> int:
        return self.quote + self.indent + self.inner_quote


class BlockRules:
    """Elements -> paragraphs and tables of the model, with their source lines."""

    def __init__(self, parsed: ParsedMarkdown, first_line: int, site_url: str | None = None):
        self.parsed = parsed
        self.first_line = first_line
        self.model = DocumentModel()
        self.inline = InlineRules(parsed.stash, self._warn_current, site_url)
        self.current_line = first_line
        self.group = 0
        self.source: int | None = None
        self.item_lines = None  # source lines of the items of a top-level list, in order
        self.list_range = (0, 0)
        self.flattened = False
        self.rules: dict[str, Callable[[etree.Element, Where], None]] = {
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
        if para.source is None:
            para.source = self.source
        self.model.blocks.append(para)

    # -- construction -------------------------------------------------------------------------
    def build(self) -> DocumentModel:
        if self.parsed.flattened_line is not None:
            self.flattened = True
            self.model.warnings.append({"line": self.parsed.flattened_line + self.first_line, "message": FLATTENED})
        flow = [child for child in self.parsed.root if not _is_footnote_div(child)]
        for element, lines in zip(flow, self.parsed.ranges):
            self.current_line = lines[0] + self.first_line
            self.source = self._source(self._source_kind(element), lines)
            if element.tag in ("ul", "ol"):
                self.model.sources.pop()
                self.source = None
                self.item_lines = iter(list_item_lines(self.parsed.lines, *lines))
                self.list_range = lines
            self.block(element, Where())
            self.item_lines = None
        for element in self.parsed.root:
            if _is_footnote_div(element):
                self.footnotes(element)
        return self.model

    def _source_kind(self, element: etree.Element) -> str:
        if element.tag == "p":
            raw = stashed_block(element, self.parsed.stash)
            if raw is not None:
                return "code" if _CODE_BLOCK.match(raw) else "paragraph"
            if len(element) == 1 and element[0].tag == "img" and not (element.text or "").strip() and not (element[0].tail or "").strip():
                return "image"
            return "paragraph"
        return {"blockquote": "quote", "pre": "code", "hr": "rule", "table": "table"}.get(
            element.tag, "heading" if element.tag in self.rules and element.tag.startswith("h") else "paragraph")

    def block(self, element: etree.Element, where: Where) -> None:
        if where.depth > MAX_NESTING and element.tag in ("ul", "ol", "blockquote"):
            self._flatten(element, where)
            return
        self.rules.get(element.tag, self.unknown_block)(element, where)

    def _flatten(self, element: etree.Element, where: Where) -> None:
        """Content nested deeper than MAX_NESTING: one paragraph per text block, at this level."""
        if not self.flattened:
            self.flattened = True
            self._warn_current(FLATTENED)
        for child in element.iter():
            if child.tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
                inlines = [i for i in self._leading_inlines(child)]
                if inlines:
                    self._add(Para("paragraph", inlines, **where.fields()))

    def _leading_inlines(self, element: etree.Element) -> list[Inline]:
        """The inline content of an element up to its first block child."""
        inlines = self.inline.text(element.text, Span(""))
        for child in element:
            if child.tag in BLOCK_TAGS:
                break
            inlines.extend(self.inline.element(child, Span("")))
            inlines.extend(self.inline.text(child.tail, Span("")))
        return inlines

    def heading(self, element: etree.Element, where: Where) -> None:
        self._add(Para("heading", self.inline.render(element), level=int(element.tag[1]), **where.fields()))

    def paragraph(self, element: etree.Element, where: Where) -> None:
        raw = stashed_block(element, self.parsed.stash)
        if raw is not None:
            code = _CODE_BLOCK.match(raw)
            if code:
                self.code_block(html.unescape(code.group(2)), where)
            else:
                self.raw_html(raw, where)
            return
        self._add(Para("paragraph", self.inline.render(element), **where.fields()))

    def raw_html(self, raw: str, where: Where) -> None:
        self._warn_current("raw HTML block kept as text")
        for line in raw.strip("\n").split("\n"):
            self._add(Para("paragraph", [Span(line)], **where.fields()))

    def code_block(self, code: str, where: Where) -> None:
        fields = {**where.fields(), "code_block": self._next_group()}
        for line in code.removesuffix("\n").split("\n"):
            self._add(Para("code", [Span(line.replace("\t", "    "))], **fields))

    def indented_code(self, element: etree.Element, where: Where) -> None:
        code = element.find("code")
        text = code.text if code is not None and code.text else ""
        self.code_block(html.unescape(unstash(text, self.parsed.stash)).rstrip("\n") + "\n", where)

    def rule(self, element: etree.Element, where: Where) -> None:
        self._add(Para("rule", **where.fields()))

    def quote(self, element: etree.Element, where: Where) -> None:
        inside = where.into_quote()
        before = len(self.model.blocks)
        for child in element:
            self.block(child, inside)
        if len(self.model.blocks) == before:  # an empty quote keeps its place
            self._add(Para("paragraph", **inside.fields()))

    # -- lists --------------------------------------------------------------------------------
    def list(self, element: etree.Element, where: Where) -> None:
        if where.inner_quote:  # a list in a quote in a list item: its items as quote paragraphs
            for item in element.iter("li"):
                self._add(Para("paragraph", self._leading_inlines(item), **where.fields()))
            return
        ordered = element.tag == "ol"
        start = _start_number(element) if ordered else 1
        # Docs numbers a list from 1, and a table inside it splits it in two lists: such a
        # numbered list shows its numbers as text instead.
        literal = ordered and (start != 1 or element.find(".//table") is not None)
        group = where.group if where.indent else self._next_group()
        items = element.findall("li")
        for position, item in enumerate(items):
            number = start + position if literal else None
            self.list_item(item, ordered, number, replace(where, group=group))

    def list_item(self, item: etree.Element, ordered: bool, number: int | None, where: Where) -> None:
        if self.item_lines is not None:
            self.source = self._source("list item", next(self.item_lines, self.list_range))
            self.current_line = self.model.sources[self.source].start
        level = where.indent
        children = list(item)
        inlines = self._leading_inlines(item)
        heading = 0
        first_block = next((i for i, c in enumerate(children) if c.tag in BLOCK_TAGS), len(children))
        rest = children[first_block:]
        if not _has_text(inlines) and rest and rest[0].tag == "p" and stashed_block(rest[0], self.parsed.stash) is None:
            inlines = self.inline.render(rest.pop(0))
        elif not _has_text(inlines) and rest and rest[0].tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            heading = int(rest[0].tag[1])
            inlines = self.inline.render(rest.pop(0))
        task = None
        first = merge_spans(inlines)[:1]
        if first and isinstance(first[0], Span) and (match := _TASK.match(first[0].text)) and not ordered:
            task = match.group(1)
            inlines = [replace(first[0], text=first[0].text[match.end() :]), *merge_spans(inlines)[1:]]
        self._add(Para("item", inlines, level=level, ordered=ordered, task=task, group=where.group,
                       quote=where.quote, number=number, heading=heading))
        inside = Where(quote=where.quote, indent=level + 1, group=where.group)
        for child in rest:
            self.block(child, inside)
            if child.tail and child.tail.strip():
                self._add(Para("paragraph", self.inline.text(child.tail.strip(), Span("")), **inside.fields()))

    # -- tables and footnotes ---------------------------------------------------------------------
    def table(self, element: etree.Element, where: Where) -> None:
        if where.quote or where.inner_quote:
            self._warn_current("a table inside a quote is shown outside the quote")
        header_row = element.find("thead/tr")
        body_rows = element.findall("tbody/tr")
        header_cells = header_row.findall("th") if header_row is not None else []
        align = [_cell_alignment(cell) for cell in header_cells]
        header = [[_unbold(i) for i in merge_spans(self.inline.render(cell))] for cell in header_cells]
        rows = [[merge_spans(self._cell_inlines(cell)) for cell in row.findall("td")] for row in body_rows]
        columns = len(header)
        rows = [(row + [[] for _ in range(columns)])[:columns] for row in rows]
        self.model.blocks.append(Table(header, rows, align, source=self.source, indent=where.indent,
                                       group=where.group if where.indent else 0))

    def _cell_inlines(self, cell: etree.Element) -> list[Inline]:
        inlines = self.inline.render(cell)
        return [Span(i.alt or i.uri, link=i.uri) if isinstance(i, Image) else i for i in inlines]

    def footnotes(self, element: etree.Element) -> None:
        notes = element.find("ol")
        for number, item in enumerate(notes.findall("li") if notes is not None else [], start=1):
            label = item.get("id", "").removeprefix("fn:")
            lines = self.parsed.footnote_ranges.get(label, (0, 0))
            self.current_line = lines[0] + self.first_line
            self.source = self._source("footnote", lines)
            _drop_backrefs(item)
            paragraphs: list[list[Inline]] = []
            for child in item:
                if child.tag in ("ul", "ol"):
                    self._warn_current("a list inside a footnote is shown as its paragraphs")
                    paragraphs.extend(self._leading_inlines(li) for li in child.iter("li"))
                elif child.tag == "pre":
                    paragraphs.append([Span(html.unescape(unstash("".join(child.itertext()), self.parsed.stash)).strip("\n"), code=True)])
                else:
                    paragraphs.append(self.inline.render(child))
            paragraphs = [p for p in paragraphs if _has_text(p)] or [[]]
            for inlines in paragraphs:
                self._add(Para("note", inlines, label=str(number)))

    def unknown_block(self, element: etree.Element, where: Where) -> None:
        text = plain_text(self.inline.render(element))
        self._add(Para("paragraph", [Span(text)], **where.fields()))


def _has_text(inlines: list[Inline]) -> bool:
    return any(isinstance(i, Image) or i.text.strip() for i in inlines)


def _start_number(element: etree.Element) -> int:
    try:
        return int(element.get("start", "1"))
    except ValueError:
        return 1


def _drop_backrefs(element: etree.Element) -> None:
    for parent in element.iter():
        for child in list(parent):
            if child.tag == "a" and child.get("class") == "footnote-backref":
                if child.tail:
                    previous = list(parent).index(child)
                    if previous:
                        sibling = parent[previous - 1]
                        sibling.tail = (sibling.tail or "") + child.tail
                    else:
                        parent.text = (parent.text or "") + child.tail
                parent.remove(child)


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


def build_model(parsed: ParsedMarkdown, first_line: int, site_url: str | None = None) -> DocumentModel:
    return BlockRules(parsed, first_line, site_url).build()
