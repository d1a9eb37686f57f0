"""Python-Markdown -> element tree, plus the source line range of every top-level block.

Python-Markdown does not report source positions, so the top-level elements are matched back to
the source in order with a forward-only line scanner (`locate_blocks`): it knows where each kind
of block ends (a heading is one line, a fence runs to its closing fence, a list to the first
blank line not followed by more of the list, ...). The preprocessing here never adds or
removes lines, so line numbers stay those of the file.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.util import HTML_PLACEHOLDER
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.preprocessors import Preprocessor

# Characters Google Docs strips from inserted text (and surrogates, which cannot be encoded):
# removing them first keeps every computed index right. \t and \n stay; \v is a line break in
# Docs, so a literal one in the source is dropped too.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ue000-\uf8ff\ud800-\udfff]")

_LIST_MARKER = re.compile(r"^( *)([-+*]|\d+\.)( +|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^#{1,6}")  # Python-Markdown: hashes at the margin, no space needed
_RULE = re.compile(r"^ {0,3}(?:(?:-+ {0,2}){3,}|(?:_+ {0,2}){3,}|(?:\*+ {0,2}){3,}) *$")
_QUOTE = re.compile(r"^ {0,3}>")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]]+)\]:")
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:\s*\S")


def strip_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


class _StrikethroughExtension(Extension):
    """`~~text~~` -> <del>; Python-Markdown has no strikethrough of its own."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.ESCAPED_CHARS.append("~")
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~{2})(.+?)~{2}", "del"), "strikethrough", 55)


MAX_NESTING = 9  # list and quote levels kept (Docs lists have nine: 0-8); deeper ones are flattened
FLATTENED = f"lists or quotes nested deeper than {MAX_NESTING} levels: the deeper levels are flattened"
_QUOTE_MARKERS = re.compile(r"^(?: {0,3}> ?)+")


class _ListIndentPreprocessor(Preprocessor):
    """Re-indent nested list items to 4 spaces per level (posts often nest by 2 or 3), and bound
    the nesting (Python-Markdown parses each level recursively: a few hundred levels exhaust the
    stack). The first line that had to be flattened is noted in `md.flattened_line` (0-based).

    Keeps the number of lines. Lines inside fenced code are left alone.
    """

    def run(self, lines: list[str]) -> list[str]:
        lines, flattened = normalize_list_indentation(lines)
        self.md.flattened_line = flattened  # type: ignore[attr-defined]
        return lines


class _ListIndentExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_ListIndentPreprocessor(md), "list_indent", 35)


def _bound_line(line: str) -> str:
    """At most MAX_NESTING quote markers, and indentation (after them) of at most what
    MAX_NESTING list levels plus an indented code block take."""
    markers = _QUOTE_MARKERS.match(line)
    prefix, rest = (markers.group(0), line[markers.end():]) if markers else ("", line)
    if prefix.count(">") > MAX_NESTING:
        prefix = "> " * MAX_NESTING
    limit = 4 * (MAX_NESTING + 2)
    indent = len(rest) - len(rest.lstrip(" \t"))
    if len(rest[:indent].expandtabs(4)) > limit:
        rest = " " * limit + rest[indent:]
    return prefix + rest


def normalize_list_indentation(lines: list[str]) -> tuple[list[str], int | None]:
    """The lines with nested list items re-indented (see _ListIndentPreprocessor) and the index of
    the first line whose nesting was bounded, if any."""
    flattened: int | None = None
    out: list[str] = []
    open_markers: list[int] = []  # source indents of the open list items, outermost first
    content: dict[int, int] = {}  # an open item's indent -> the column its text starts at
    fence: str | None = None
    previous_blank = True
    for line in lines:
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if fence_match and not open_markers:
            fence = fence_match.group(1)
            out.append(line)
            continue
        if not line.strip():
            out.append(line)
            previous_blank = True
            continue
        bounded = _bound_line(line)
        if bounded != line:
            flattened = len(out) if flattened is None else flattened
            line = bounded
        indent = len(line) - len(line.lstrip(" "))
        marker = _LIST_MARKER.match(line) if (open_markers or indent < 4) and not _RULE.match(line) else None
        parents = [i for i in open_markers if i < indent]
        if marker and parents and indent >= content[parents[-1]] + 4:
            marker = None  # indented four past its item's text: code inside the item, not an item
        if marker:
            spaces = len(marker.group(3))
            content[indent] = marker.end(2) + (spaces if 0 < spaces <= 4 else 1)
            if indent == 0 or not open_markers:
                open_markers = [indent]
                out.append(line.lstrip(" ") if indent < 4 else line)
            else:
                while open_markers and open_markers[-1] >= indent:
                    open_markers.pop()
                depth = len(open_markers)
                if depth >= MAX_NESTING:
                    flattened = len(out) if flattened is None else flattened
                    depth = MAX_NESTING - 1
                open_markers.append(indent)
                out.append(" " * (4 * depth) + line.lstrip(" "))
        elif open_markers and indent > 0:
            # Content of the innermost item it is indented under; deeper indentation (an
            # indented code block in the item) is kept.
            deeper = min(len([i for i in open_markers if i < indent]), MAX_NESTING)
            out.append(" " * max(4 * max(deeper, 1), min(indent, 4 * (MAX_NESTING + 2))) + line.lstrip(" "))
        else:
            if previous_blank:
                open_markers = []
            out.append(line)
        previous_blank = False
    return out, flattened


@dataclass
class ParsedMarkdown:
    root: etree.Element
    lines: list[str]  # the body lines after control-character removal
    stash: list[str]  # Python-Markdown's raw-HTML stash (its placeholders: markdown.util.HTML_PLACEHOLDER)
    ranges: list[tuple[int, int]]  # 0-based inclusive line range per top-level element
    footnote_ranges: dict[str, tuple[int, int]]  # footnote label -> its definition's lines
    flattened_line: int | None = None  # first line (0-based) whose nesting was bounded


def markdown_extensions() -> list:
    """The Python-Markdown extensions a post is parsed with (what its Markdown means to us)."""
    return ["tables", "fenced_code", "footnotes", "sane_lists", _StrikethroughExtension(), _ListIndentExtension()]


def _new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=markdown_extensions())
    md.treeprocessors.deregister("prettify")
    return md


def parse_markdown(text: str) -> ParsedMarkdown:
    """Run Python-Markdown's block and inline parsers (no HTML serialization) on `text`."""
    text = strip_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    md = _new_markdown()
    lines = text.split("\n")
    pre_lines = lines
    for preprocessor in md.preprocessors:
        pre_lines = preprocessor.run(pre_lines)
    root = md.parser.parseDocument(pre_lines).getroot()
    for treeprocessor in md.treeprocessors:
        replaced = treeprocessor.run(root)
        if replaced is not None:
            root = replaced
    stash = [str(item) for item in md.htmlStash.rawHtmlBlocks]
    flow = [child for child in root if not _is_footnote_div(child)]
    return ParsedMarkdown(
        root=root,
        lines=lines,
        stash=stash,
        ranges=locate_blocks(lines, flow, stash),
        footnote_ranges=locate_footnotes(lines),
        flattened_line=getattr(md, "flattened_line", None),
    )


def _is_footnote_div(element: etree.Element) -> bool:
    return element.tag == "div" and element.get("class") == "footnote"


_BEFORE, _AFTER = HTML_PLACEHOLDER.split("%s")
STASH_PLACEHOLDER = re.compile(re.escape(_BEFORE) + r"(\d+)" + re.escape(_AFTER))


def unstash(text: str, stash: list[str]) -> str:
    """`text` with every stash placeholder replaced by what it stands for (placeholders nest: a raw
    HTML block can hold a fenced code block's placeholder)."""
    def substitute(match: re.Match) -> str:
        number = int(match.group(1))
        return unstash(stash[number], stash[:number]) if number < len(stash) else ""
    return STASH_PLACEHOLDER.sub(substitute, text)


def stashed_block(element: etree.Element, stash: list[str]) -> str | None:
    """The raw HTML (or fenced code) a paragraph stands for, if it is only a stash placeholder.
    A paragraph that is only a character reference ("&copy;") is text, not raw HTML."""
    if element.tag != "p" or len(element):
        return None
    match = STASH_PLACEHOLDER.fullmatch((element.text or "").strip())
    raw = unstash(match.group(0), stash) if match else None
    return None if raw is not None and raw.startswith("&") else raw


def locate_blocks(lines: list[str], elements: list[etree.Element], stash: list[str]) -> list[tuple[int, int]]:
    """The 0-based inclusive source line range of each top-level element, in order."""
    scanner = _LineScanner(lines)
    ranges = []
    for element in elements:
        start = scanner.next_block_start()
        raw = stashed_block(element, stash)
        if raw is not None and raw.startswith("<pre><code"):
            end = scanner.fence_end(start)
        else:
            end = scanner.block_end(start, element.tag)
        ranges.append((start, end))
        scanner.position = end + 1
    return ranges


class _LineScanner:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.position = 0

    def _blank(self, index: int) -> bool:
        return not self.lines[index].strip()

    def _last(self) -> int:
        return len(self.lines) - 1

    def _skip_blank(self, index: int) -> int:
        """The first line at or after `index` that is not blank (past the end if none is)."""
        while index <= self._last() and self._blank(index):
            index += 1
        return index

    def next_block_start(self) -> int:
        """Skip blank lines and the definitions Python-Markdown takes out of the flow."""
        index = self.position
        while index <= self._last():
            line = self.lines[index]
            if not line.strip() or _REFERENCE_DEF.match(line):
                index += 1
            elif _FOOTNOTE_DEF.match(line):
                index = self._indented_block_end(index) + 1
            else:
                break
        return min(index, max(self._last(), 0))

    def _indented_block_end(self, start: int) -> int:
        """End of a block that continues over blank lines while the next line is indented."""
        end = start
        index = start + 1
        while index <= self._last():
            if self._blank(index):
                index += 1
                continue
            if self.lines[index].startswith((" ", "\t")) or not self._blank(index - 1):
                end = index
                index += 1
                continue
            break
        return end

    def fence_end(self, start: int) -> int:
        opening = _FENCE.match(self.lines[start])
        if not opening:
            return start
        fence = opening.group(1)
        for index in range(start + 1, len(self.lines)):
            closing = _FENCE.match(self.lines[index])
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                return index
        return self._last()

    def block_end(self, start: int, tag: str) -> int:
        if tag == "hr" or (tag.startswith("h") and tag[1:].isdigit() and _HEADING.match(self.lines[start])):
            return start
        if tag in ("h1", "h2"):  # setext heading: text line + underline
            return min(start + 1, self._last())
        if tag in ("ul", "ol"):
            return self._list_end(start)
        if tag == "blockquote":
            return self._quote_end(start)
        if tag == "pre":
            return self._indented_block_end(start)
        return self._paragraph_end(start)

    def _paragraph_end(self, start: int) -> int:
        end = start
        for index in range(start + 1, len(self.lines)):
            line = self.lines[index]
            if not line.strip() or _HEADING.match(line) or _QUOTE.match(line) or _FENCE.match(line) or _RULE.match(line):
                break
            end = index
        return end

    def _quote_end(self, start: int) -> int:
        end = start
        index = start + 1
        while index <= self._last():
            if not self._blank(index):
                end = index
                index += 1
                continue
            following = self._skip_blank(index)
            if following <= self._last() and _QUOTE.match(self.lines[following]):
                index = following
                continue
            break
        return end

    def _list_end(self, start: int) -> int:
        ordered = self.lines[start].lstrip()[:1].isdigit()
        end = start
        index = start + 1
        while index <= self._last():
            line = self.lines[index]
            if line.strip():
                marker = _LIST_MARKER.match(line)
                if marker and not marker.group(1) and marker.group(2)[0].isdigit() != ordered:
                    break
                if _HEADING.match(line) or _FENCE.match(line) or (_RULE.match(line) and not line.startswith("    ")):
                    break
                end = index
                index += 1
                continue
            following = self._skip_blank(index)
            if following > self._last():
                break
            nxt = self.lines[following]
            marker = _LIST_MARKER.match(nxt)
            same_list = marker and (marker.group(1) or marker.group(2)[0].isdigit() == ordered)
            if nxt.startswith((" ", "\t")) or same_list:
                index = following
                continue
            break
        return end


def list_item_lines(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Line ranges of the list items (all nesting levels, in order) within a list's range."""
    markers = [i for i in range(start, end + 1) if _LIST_MARKER.match(lines[i])]
    ranges = []
    for position, first in enumerate(markers):
        last = (markers[position + 1] - 1) if position + 1 < len(markers) else end
        while last > first and not lines[last].strip():
            last -= 1
        ranges.append((first, last))
    return ranges


def locate_footnotes(lines: list[str]) -> dict[str, tuple[int, int]]:
    scanner = _LineScanner(lines)
    found: dict[str, tuple[int, int]] = {}
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            fence = None if fence else fence_match.group(1)
            continue
        match = None if fence else _FOOTNOTE_DEF.match(line)
        if match:
            found.setdefault(match.group(1), (index, scanner._indented_block_end(index)))
    return found
