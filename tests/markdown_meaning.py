"""What a Markdown text means, read from the HTML Python-Markdown makes of it: an oracle for the
renderer and the reader that shares none of their code (only the parser's configuration).

`meaning(markdown)` converts with Python-Markdown and the extensions a post is parsed with, parses
the HTML with the standard library's HTMLParser and reduces it to what a reader of the page sees:
block kinds and their nesting, text (HTML whitespace collapsed), inline styles, link targets,
images (source and alt text), list kinds and start numbers, code text, table cells and alignment,
footnotes. Left out on purpose: link and image titles, code languages, tight vs loose lists,
heading ids (none of which a Google Doc can hold).

`compare(source, read_back)` gives None when both mean the same, else a `Difference`: a class
name and the first differing detail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin

import markdown
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.util import HTML_PLACEHOLDER

from workflow.render.parse import markdown_extensions

VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "param", "source", "track", "wbr"}
MARKDOWN_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "table"}
STYLES = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "del": "strike", "s": "strike"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
BREAK = ("<br>",)


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list  # Node | str

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    """Tolerant HTML -> Node tree (raw HTML from a post need not be well formed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), [])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs), []))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def handle_comment(self, data):
        self.stack[-1].children.append(Node("!comment", {}, [data]))


def html_tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


class _RawHtmlSeen(RawHtmlPostprocessor):
    """Python-Markdown's own raw-HTML restorer, noting which stashed pieces are raw HTML a post wrote:
    `blocks` (a paragraph of their own) and `inline` ones. Entities and fenced code, which
    Python-Markdown stashes too, are not raw HTML."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.blocks: list[str] = []
        self.inline: list[str] = []

    def run(self, text: str) -> str:
        wrapped = re.compile("<p>" + HTML_PLACEHOLDER % r"([0-9]+)" + "</p>")
        blocks = {int(m.group(1)) for m in wrapped.finditer(text)}
        for key, raw in enumerate(self.md.htmlStash.rawHtmlBlocks):
            raw = str(raw)
            if raw.startswith("&") or raw.startswith("<pre><code"):
                continue
            (self.blocks if key in blocks else self.inline).append(raw)
        return super().run(text)


def to_html(text: str) -> tuple[str, _RawHtmlSeen]:
    md = markdown.Markdown(extensions=markdown_extensions())
    seen = _RawHtmlSeen(md)
    md.postprocessors.register(seen, "raw_html", 30)
    return md.convert(text), seen


# -- reduction to meaning -----------------------------------------------------------------------
# A block is a tuple: ("p", inlines) ("h", level, inlines) ("list", "ul"|"ol", start, items)
# ("quote", blocks) ("code", text) ("hr",) ("table", align, rows) ("html", text) ("notes", notes).
# Inlines are a tuple of runs: (text, styles, link) or ("<img>", src, alt) or ("<fn>", n).


class _Reducer:
    def __init__(self) -> None:
        self.relative_images: list[str] = []

    def blocks(self, node: Node) -> list[tuple]:
        out: list[tuple] = []
        pending: list = []  # inline content between blocks (tight list items)

        def flush() -> None:
            inlines = self.inlines(pending)
            if inlines:
                out.append(("p", inlines))
            pending.clear()

        for child in node.children:
            if isinstance(child, Node) and (child.tag in MARKDOWN_BLOCKS or child.tag in ("div", "!comment") or _is_raw_block(child)):
                flush()
                out.extend(self.block(child))
            else:
                pending.append(child)
        flush()
        return out

    def block(self, node: Node) -> list[tuple]:
        tag = node.tag
        if tag == "p":
            inlines = self.inlines(node.children)
            return [("p", inlines)] if inlines else []
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return [("h", int(tag[1]), self.inlines(node.children))]
        if tag in ("ul", "ol"):
            start = int(node.attrs.get("start") or 1) if tag == "ol" else 1
            items = tuple(tuple(self.blocks(li)) for li in node.children if isinstance(li, Node) and li.tag == "li")
            return [("list", tag, start, items)]
        if tag == "blockquote":
            return [("quote", tuple(self.blocks(node)))]
        if tag == "pre":
            code = node.children[0] if len(node.children) == 1 and isinstance(node.children[0], Node) else node
            return [("code", code.text().removesuffix("\n"))]
        if tag == "hr":
            return [("hr",)]
        if tag == "table":
            return [self.table(node)]
        if tag == "div" and node.attrs.get("class") == "footnote":
            notes = []
            for ol in node.children:
                if isinstance(ol, Node) and ol.tag == "ol":
                    for li in ol.children:
                        if isinstance(li, Node) and li.tag == "li":
                            _drop_backrefs(li)
                            notes.append(tuple(self.blocks(li)))
            return [("notes", tuple(notes))]
        return [("html", _SPACE.sub(" ", node.text()).strip())]

    def table(self, node: Node) -> tuple:
        rows = []
        align: list = []
        for row in _descendants(node, "tr"):
            cells = [c for c in row.children if isinstance(c, Node) and c.tag in ("th", "td")]
            if not align:
                align = [_alignment(c) for c in cells]
            rows.append(tuple(self.inlines(c.children) for c in cells))
        return ("table", tuple(align), tuple(rows))

    def inlines(self, children: list) -> tuple:
        runs: list = []
        self._inline(children, frozenset(), None, runs)
        return _normalize_runs(runs)

    def _inline(self, children: list, styles: frozenset, link: str | None, runs: list) -> None:
        for child in children:
            if isinstance(child, str):
                runs.append([child, styles, link])
                continue
            tag = child.tag
            if tag in STYLES:
                self._inline(child.children, styles | {STYLES[tag]}, link, runs)
            elif tag == "code":
                runs.append([child.text(), styles | {"code"}, link])
            elif tag == "a":
                if child.attrs.get("class") == "footnote-ref":
                    runs.append(("<fn>", child.text()))
                else:
                    href = child.attrs.get("href")
                    self._inline(child.children, styles, _target(href) if href is not None else link, runs)
            elif tag == "sup" and child.attrs.get("id", "").startswith("fnref"):
                self._inline(child.children, styles, link, runs)
            elif tag == "img":
                src = child.attrs.get("src", "")
                if not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
                    self.relative_images.append(src)
                runs.append(("<img>", _target(src), _SPACE.sub(" ", child.attrs.get("alt", "")).strip()))
            elif tag == "br":
                runs.append(BREAK)
            elif tag != "!comment":
                self._inline(child.children, styles, link, runs)


def _is_raw_block(node: Node) -> bool:
    return node.tag not in STYLES and node.tag not in ("a", "code", "img", "br", "sup", "span", "abbr", "kbd", "u")


def _descendants(node: Node, tag: str):
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                yield child
            else:
                yield from _descendants(child, tag)


def _alignment(cell: Node) -> str | None:
    style = (cell.attrs.get("style") or "") + " " + (cell.attrs.get("align") or "")
    return "center" if "center" in style else "right" if "right" in style else None


def _drop_backrefs(node: Node) -> None:
    for child in list(node.children):
        if isinstance(child, Node):
            if child.attrs.get("class") == "footnote-backref":
                node.children.remove(child)
            else:
                _drop_backrefs(child)
    if node.children and isinstance(node.children[-1], str):
        node.children[-1] = node.children[-1].rstrip("\u00a0")


def _target(url: str | None) -> str:
    """A URL as a browser reads it: %-escapes decoded, tabs and line breaks dropped."""
    return re.sub(r"[\t\n\r]", "", unquote(url or "")).strip()


SPACE = (" ", (), None)


def _normalize_runs(runs: list) -> tuple:
    """Inline runs as a reader sees them: HTML whitespace collapsed (in code spans only line ends
    become spaces), a space takes the style of its neighbours when both share one (else none),
    no spaces around line breaks or at the ends, equal neighbours merged."""
    tokens: list = []
    for run in runs:
        if isinstance(run, tuple):
            tokens.append(run)
            continue
        text, styles, link = run
        styles = tuple(sorted(styles))
        code = "code" in styles
        text = text.replace("\n", " ") if code else _SPACE.sub(" ", text)
        for char in text:
            tokens.append(SPACE if char == " " and not code else (char, styles, link))
    collapsed: list = []
    for token in tokens:
        if token == SPACE and (not collapsed or collapsed[-1] in (SPACE, BREAK)):
            continue
        if token == BREAK and collapsed and collapsed[-1] == SPACE:
            collapsed.pop()
        collapsed.append(token)
    while collapsed and collapsed[-1] in (SPACE, BREAK):
        collapsed.pop()
    for index, token in enumerate(collapsed):
        if token == SPACE and 0 < index < len(collapsed) - 1:
            before, after = collapsed[index - 1], collapsed[index + 1]
            if len(before) == 3 and len(after) == 3 and before[0] != "<img>" and after[0] != "<img>" and before[1:] == after[1:]:
                collapsed[index] = (" ", *before[1:])
    merged: list = []
    for token in collapsed:
        text_like = len(token) == 3 and token[0] != "<img>"
        if text_like and merged and isinstance(merged[-1], list) and tuple(merged[-1][1:]) == token[1:]:
            merged[-1][0] += token[0]
        else:
            merged.append(list(token) if text_like else token)
    return tuple(tuple(t) if isinstance(t, list) else t for t in merged)


@dataclass
class Meaning:
    blocks: tuple
    raw_html_blocks: list[str]
    inline_html: list[str]
    relative_images: list[str]


def meaning(text: str) -> Meaning:
    reducer = _Reducer()
    html, seen = to_html(text)
    blocks = tuple(reducer.blocks(html_tree(html)))
    return Meaning(blocks, seen.blocks, seen.inline, reducer.relative_images)


# -- comparison -----------------------------------------------------------------------------------


@dataclass
class Difference:
    kind: str  # the class of the mismatch
    path: str  # where: block path, e.g. "2/list/item 1/p"
    expected: object
    actual: object

    def __str__(self) -> str:
        return f"{self.kind} at {self.path}: expected {self.expected!r}, got {self.actual!r}"


def compare(source: str, read_back: str, *, site_url: str | None = None) -> Difference | None:
    """None when `read_back` means what `source` means; with `site_url`, the source's relative
    image paths are expected resolved against it."""
    expected = meaning(source).blocks
    if site_url:
        expected = _resolve_images(expected, site_url)
    return compare_blocks(expected, meaning(read_back).blocks)


def _resolve_images(value, site_url: str):
    if isinstance(value, tuple):
        if len(value) == 3 and value[0] == "<img>" and not re.match(r"^[a-z][a-z0-9+.-]*:", value[1], re.I):
            return ("<img>", urljoin(site_url, value[1]), value[2])
        return tuple(_resolve_images(v, site_url) for v in value)
    return value


def compare_blocks(expected: tuple, actual: tuple, path: str = "") -> Difference | None:
    for index in range(max(len(expected), len(actual))):
        here = f"{path}/{index}"
        if index >= len(expected) or index >= len(actual):
            extra = actual[index] if index < len(actual) else expected[index]
            kind = "block missing" if index >= len(actual) else "block added"
            return Difference(kind, here, expected[index] if index < len(expected) else None,
                              actual[index] if index < len(actual) else None) if extra else None
        found = _compare_block(expected[index], actual[index], here)
        if found:
            return found
    return None


def _compare_block(expected: tuple, actual: tuple, path: str) -> Difference | None:
    kind = expected[0]
    if kind != actual[0]:
        return Difference(f"{kind} became {actual[0]}", path, expected, actual)
    path = f"{path}/{kind}"
    if kind == "p":
        return _compare_inlines(expected[1], actual[1], path)
    if kind == "h":
        if expected[1] != actual[1]:
            return Difference("heading level", path, expected[1], actual[1])
        return _compare_inlines(expected[2], actual[2], path)
    if kind == "list":
        if expected[1] != actual[1]:
            return Difference("list kind", path, expected[1], actual[1])
        if expected[2] != actual[2]:
            return Difference("list start", path, expected[2], actual[2])
        return _compare_each(expected[3], actual[3], "list items", f"{path}/item")
    if kind == "quote":
        return compare_blocks(expected[1], actual[1], path)
    if kind == "code":
        return None if expected[1] == actual[1] else Difference("code text", path, expected[1], actual[1])
    if kind == "table":
        if expected[1] != actual[1]:
            return Difference("table alignment", path, expected[1], actual[1])
        if len(expected[2]) != len(actual[2]):
            return Difference("table rows", path, len(expected[2]), len(actual[2]))
        for r, (a, b) in enumerate(zip(expected[2], actual[2])):
            if len(a) != len(b):
                return Difference("table cells", f"{path}/row {r}", len(a), len(b))
            for c, (x, y) in enumerate(zip(a, b)):
                found = _compare_inlines(x, y, f"{path}/row {r}/cell {c}")
                if found:
                    return found
        return None
    if kind == "notes":
        return _compare_each(expected[1], actual[1], "footnote count", f"{path}/note")
    if kind == "html":
        return None if expected == actual else Difference("raw HTML", path, expected, actual)
    return None if expected == actual else Difference(kind, path, expected, actual)


def _compare_each(expected: tuple, actual: tuple, count_kind: str, path: str) -> Difference | None:
    """Block sequences pairwise (list items, footnotes), after their counts."""
    if len(expected) != len(actual):
        return Difference(count_kind, path, len(expected), len(actual))
    for number, (a, b) in enumerate(zip(expected, actual)):
        found = compare_blocks(a, b, f"{path} {number}")
        if found:
            return found
    return None


def _compare_inlines(expected: tuple, actual: tuple, path: str) -> Difference | None:
    if expected == actual:
        return None
    plain = lambda runs: "".join("\n" if r == BREAK else r[0] if len(r) == 3 and r[0] != "<img>" else f"[{r[0]}]" for r in runs)  # noqa: E731
    if plain(expected) != plain(actual):
        return Difference("text", path, plain(expected), plain(actual))
    images = lambda runs: [r for r in runs if r[0] == "<img>"]  # noqa: E731
    if images(expected) != images(actual):
        return Difference("image", path, images(expected), images(actual))
    links = lambda runs: [(r[0], r[2]) for r in runs if len(r) == 3 and r[0] != "<img>" and r[2]]  # noqa: E731
    if links(expected) != links(actual):
        return Difference("link target", path, links(expected), links(actual))
    return Difference("inline style", path, expected, actual)
