"""Document model -> canonical Markdown (what `normalize_markdown` and the reader produce).

Written for Python-Markdown with the extensions posts are parsed with: nested content is indented
four spaces per list level, code inside a list item or a quote is indented code (fences only work
at the margin), and every piece of text is escaped so that it reads back as the same text.
Link and image targets go through `targets`: a target that is not http(s), mailto or relative is
left out (its text stays) and reported in `warnings`.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .model import Block, Image, Inline, Para, Span, Table, merge_spans
from .targets import markdown_target, unsafe_target

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
# Plain text at the start of a line that Markdown would read as a block construct.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=|]|\d{1,9}[.)](?=\s|$))")
_SIMPLE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#@!$'*+,;=%\-]+$")
INDENT = "    "


def _escape(text: str, in_table: bool = False) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
    if in_table:
        text = text.replace("|", "\\|")
    return text


def _code_span(core: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", core)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if core.startswith("`") or core.endswith("`") else ""
    return f"{fence}{padding}{core}{padding}{fence}"


def _wrap(core: str, span: Span) -> str:
    if span.code:
        core = _code_span(core)
    if span.strike:
        core = f"~~{core}~~"
    if span.bold and span.italic:
        core = f"***{core}***"
    elif span.bold:
        core = f"**{core}**"
    elif span.italic:
        core = f"*{core}*"
    return core


def _escape_line_start(line: str) -> str:
    """Escape plain text at a line's start that Markdown would read as a block construct."""
    match = _BLOCK_START.match(line)
    if not match:
        return line
    marker = match.group(2)
    if marker[0].isdigit():
        cut = match.end(2) - 1
        return line[:cut] + "\\" + line[cut:]
    if marker == "|":
        return line[: match.start(2)] + "&#124;" + line[match.end(2) :]
    if marker == "=":
        return line[: match.start(2)] + "&#61;" + line[match.end(2) :]
    return line[: match.start(2)] + "\\" + line[match.start(2) :]


class InlineWriter:
    """Inlines -> Markdown, collecting warnings about targets that were left out."""

    def __init__(self, warnings: list[dict]) -> None:
        self.warnings = warnings

    def _target(self, url: str, what: str, text: str) -> str | None:
        problem = unsafe_target(url)
        if problem:
            self.warnings.append({"message": f"{what} {url[:200]!r} {problem}: kept as plain text", "text": text[:200]})
            return None
        return markdown_target(url)

    def span(self, span: Span, in_table: bool) -> str:
        if span.footnote:
            return f"[^{span.footnote}]"
        rendered = []
        for part in span.text.split("\u000b"):
            stripped = part.strip(" ")
            if not stripped:
                rendered.append(part if not span.code else _wrap(part, span))
                continue
            lead = part[: len(part) - len(part.lstrip(" "))]
            trail = part[len(part.rstrip(" ")) :]
            core = stripped if span.code else _escape(stripped, in_table)
            rendered.append(lead + _wrap(core, span) + trail)
        text = "  \n".join(rendered)
        if span.link is None:
            return text
        if span.link == span.text and _SIMPLE_URL.match(span.link) and not any(span.style_key()[:4]):
            return f"<{span.link}>"
        target = self._target(span.link, "link", span.text)
        if target is None:
            return text
        return f"[{text}]({target})"

    def image(self, image: Image) -> str:
        target = self._target(image.uri, "image", image.alt)
        if target is None:
            return _escape(image.alt)
        return f"![{_escape(image.alt)}]({target})"

    def inlines(self, inlines: list[Inline], in_table: bool = False) -> str:
        out: list[str] = []
        for inline in merge_spans(inlines):
            piece = self.image(inline) if isinstance(inline, Image) else self.span(inline, in_table)
            if out and out[-1].endswith("!") and piece.startswith("[") and not out[-1].endswith("\\!"):
                out[-1] = out[-1][:-1] + "\\!"  # "!" then a link would read as an image
            out.append(piece)
        return "".join(out)

    def paragraph(self, inlines: list[Inline]) -> str:
        """A paragraph's Markdown: no leading spaces (they would make code), and plain text that
        would start a block construct escaped at the start of every line."""
        inlines = merge_spans(inlines)
        if inlines and isinstance(inlines[0], Span) and not inlines[0].code:
            inlines = [replace(inlines[0], text=inlines[0].text.lstrip(" \u000b")), *inlines[1:]]
        text = _edge_nbsp(self.inlines(inlines))
        return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _edge_nbsp(text: str) -> str:
    """A no-break space at a paragraph's edge would be stripped as whitespace: write it as an entity."""
    if text.startswith("\u00a0"):
        text = "&nbsp;" + text[1:]
    if text.endswith("\u00a0"):
        text = text[:-1] + "&nbsp;"
    return text


def _lower(block: Block, quote: bool) -> Block:
    """The block as seen from inside its outermost container (a quote, or a list item of level 0)."""
    if quote:
        return replace(block, quote=block.quote - 1)
    if isinstance(block, Table):
        return replace(block, indent=block.indent - 1)
    if block.kind == "item":
        return replace(block, level=block.level - 1)
    if block.indent == 1:
        return replace(block, indent=0, quote=block.inner_quote, inner_quote=0)
    return replace(block, indent=block.indent - 1)


class MarkdownWriter:
    """One method per block kind; containers (quotes, list items) are written recursively."""

    def __init__(self) -> None:
        self.warnings: list[dict] = []
        self.inline = InlineWriter(self.warnings)
        self.rules = {
            "title": self.heading,
            "heading": self.heading,
            "paragraph": self.paragraph,
            "rule": self.rule,
        }

    def write(self, blocks: list[Block]) -> str:
        flow = [b for b in blocks if not (isinstance(b, Para) and b.kind == "note")]
        chunks = self.blocks(flow, nested=False)
        chunks.extend(self.notes([b for b in blocks if isinstance(b, Para) and b.kind == "note"]))
        return "\n\n".join(chunks) + "\n" if chunks else ""

    def blocks(self, blocks: list[Block], nested: bool) -> list[str]:
        chunks: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            end = index + 1
            if block.quote > 0:
                while end < len(blocks) and blocks[end].quote > 0:
                    end += 1
                chunks.append(self.quote(blocks[index:end]))
            elif block.list_content:
                while end < len(blocks) and blocks[end].quote == 0 and blocks[end].list_content and not (
                        blocks[end].kind == "item" and blocks[end].level == 0 and blocks[end].group != block.group):
                    end += 1
                chunks.append(self.list(blocks[index:end]))
            elif isinstance(block, Table):
                chunks.append(self.table(block))
            elif block.kind == "code":
                while end < len(blocks) and _same_code(blocks[end], block):
                    end += 1
                chunks.append(self.code(blocks[index:end], nested))
            else:
                text = self.rules[block.kind](block)
                if text:
                    chunks.append(text)
            index = end
        return chunks

    def heading(self, para: Para) -> str:
        level = 1 if para.kind == "title" else para.level
        return "#" * level + " " + self._heading_text(para.inlines)

    def _heading_text(self, inlines: list[Inline]) -> str:
        text = self.inline.inlines(inlines).replace("  \n", " ").strip()
        closing = re.search(r"#+$", text)
        if closing:  # trailing hashes would be read as the closing sequence
            text = text[: closing.start()] + "\\#" * len(closing.group(0))
        return text

    def paragraph(self, para: Para) -> str:
        return self.inline.paragraph(para.inlines)

    def rule(self, para: Para) -> str:
        return "---"

    def code(self, lines: list[Para], nested: bool) -> str:
        texts = ["".join(i.text for i in p.inlines if isinstance(i, Span)) for p in lines]
        if nested:  # fences are read only at the margin: indented code
            return "\n".join(INDENT + text if text.strip() else "" for text in texts)
        body = "\n".join(texts)
        fence = "```"
        while fence in body:
            fence += "`"
        return f"{fence}\n{body}\n{fence}"

    def quote(self, blocks: list[Block]) -> str:
        inner = self.blocks([_lower(b, quote=True) for b in blocks], nested=True)
        text = "\n\n".join(inner)
        if not text:
            return ">"
        return "\n".join("> " + line if line else ">" for line in text.split("\n"))

    def list(self, blocks: list[Block]) -> str:
        out: list[str] = []
        counter = 0
        previous: Para | None = None
        index = 0
        while index < len(blocks):
            item = blocks[index]
            end = index + 1
            while end < len(blocks) and not (blocks[end].kind == "item" and blocks[end].level == 0):
                end += 1
            children = [_lower(b, quote=False) for b in blocks[index + 1 : end]]
            if item.kind != "item":  # content of an item outside this run: write it as its own
                out.append(("\n\n" if out else "") + "\n\n".join(self.blocks([_lower(item, quote=False)] + children, nested=True)))
                index = end
                continue
            if previous is None or previous.ordered != item.ordered:
                counter = 0
            counter += 1
            marker = (f"{item.number if item.number is not None else counter}." if item.ordered else "-")
            task = "" if item.task is None else f"[{item.task}] "
            heading = ("#" * item.heading + " ") if item.heading else ""
            text = self._heading_text(item.inlines) if item.heading else self.inline.paragraph(item.inlines)
            first = f"{marker} {task}{heading}{text}"
            first = first.replace("\n", "\n" + INDENT)
            loose = any(c.kind != "item" for c in children)
            body = self.blocks(children, nested=True)
            if body:
                joined = ("\n\n" if loose else "\n").join(body)
                first += ("\n\n" if loose else "\n") + "\n".join(INDENT + line if line else "" for line in joined.split("\n"))
            if out:
                out.append("\n\n" if loose or (previous is not None and previous_loose) else "\n")
            out.append(first)
            previous, previous_loose = item, loose
            index = end
        return "".join(out)

    def table(self, table: Table) -> str:
        def row(cells: list[list[Inline]]) -> str:
            return "| " + " | ".join(self.inline.inlines(c, in_table=True).replace("  \n", " ") for c in cells) + " |"

        separator = {None: "---", "center": ":---:", "right": "---:"}
        lines = [row(table.header), "| " + " | ".join(separator[a] for a in table.align) + " |"]
        lines.extend(row(r) for r in table.rows)
        return "\n".join(lines)

    def notes(self, notes: list[Para]) -> list[str]:
        chunks: list[str] = []
        for note in notes:
            text = self.inline.paragraph(note.inlines)
            if chunks and chunks[-1].startswith(f"[^{note.label}]:"):
                chunks[-1] += "\n\n" + "\n".join(INDENT + line for line in text.split("\n"))
            else:
                chunks.append(f"[^{note.label}]: {text}".rstrip(" "))
        return chunks


def _same_code(block: Block, first: Para) -> bool:
    return isinstance(block, Para) and block.kind == "code" and block.code_block == first.code_block and (
        block.quote, block.indent, block.inner_quote) == (first.quote, first.indent, first.inner_quote)


def write_markdown(blocks: list[Block]) -> str:
    return MarkdownWriter().write(blocks)
