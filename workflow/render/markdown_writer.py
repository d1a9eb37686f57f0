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
from urllib.parse import urlsplit

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
    """Inlines -> Markdown, collecting warnings about targets that were left out. With
    `site_url`, images on the blog are written relative to it again (as the post had them)."""

    def __init__(self, warnings: list[dict], site_url: str | None = None) -> None:
        self.warnings = warnings
        self.site_url = site_url

    def _target(self, url: str, what: str, text: str) -> str | None:
        problem = unsafe_target(url)
        if problem:
            self.warnings.append({"message": f"{what} {url[:200]!r} {problem}: kept as plain text", "text": text[:200]})
            return None
        return markdown_target(url)

    def span(self, span: Span, in_table: bool) -> str:
        if span.footnote:
            return f"[^{span.footnote}]"
        if not span.text.replace("\u000b", "").strip():  # spaces and breaks carry no style or link
            return "  \n".join(span.text.split("\u000b"))
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
        lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")) :]
        return f"{lead}[{text.strip(' ')}]({target}){trail}"  # spaces at a link's edges stay outside it

    def image(self, image: Image) -> str:
        uri = relative_to_site(image.uri, self.site_url) if self.site_url else image.uri
        target = self._target(uri, "image", image.alt)
        if target is None:
            return _escape(image.alt)
        return f"![{_escape(image.alt)}]({target})"

    def _safe(self, inlines: list[Inline]) -> list[Inline]:
        """Links with a target that may not be written lose it (a warning says so); then the spans
        are merged again, as the Markdown will read them."""
        kept: list[Inline] = []
        for inline in merge_spans(inlines):
            if isinstance(inline, Span) and inline.link and not inline.footnote and unsafe_target(inline.link):
                self._target(inline.link, "link", inline.text)
                inline = replace(inline, link=None)
            kept.append(inline)
        return _join_code_spans(merge_spans(kept))

    def inlines(self, inlines: list[Inline], in_table: bool = False) -> str:
        out: list[str] = []
        for inline in self._safe(inlines):
            piece = self.image(inline) if isinstance(inline, Image) else self.span(inline, in_table)
            if out and out[-1].endswith("!") and piece.startswith("[") and not out[-1].endswith("\\!"):
                out[-1] = out[-1][:-1] + "\\!"  # "!" then a link would read as an image
            out.append(piece)
        return "".join(out)

    def paragraph(self, inlines: list[Inline]) -> str:
        """A paragraph's Markdown: no leading spaces (they would make code), and plain text that
        would start a block construct escaped at the start of every line."""
        text = _edge_nbsp(_trim_breaks(self.inlines(inlines)))
        return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _join_code_spans(inlines: list[Inline]) -> list[Inline]:
    """Adjacent code spans (differing in another style) as one: their backticks would run together."""
    joined: list[Inline] = []
    for inline in inlines:
        last = joined[-1] if joined else None
        if isinstance(inline, Span) and isinstance(last, Span) and inline.code and last.code and not (inline.footnote or last.footnote):
            joined[-1] = replace(last, text=last.text + inline.text)
        else:
            joined.append(inline)
    return joined


def _empty(block: Block) -> bool:
    """An empty paragraph outside any quote: it writes nothing."""
    return block.kind == "paragraph" and not block.quote and not _has_text(block.inlines)


def _has_text(inlines: list[Inline]) -> bool:
    return any(isinstance(i, Image) or i.text.strip() for i in inlines)


def _trim_breaks(text: str) -> str:
    """Spaces and line breaks at a paragraph's edges mean nothing (and leading spaces make code)."""
    while True:
        trimmed = text.strip(" ").removeprefix("  \n").removesuffix("  \n")
        if trimmed == text:
            return text
        text = trimmed


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

    def __init__(self, site_url: str | None = None) -> None:
        self.warnings: list[dict] = []
        self.inline = InlineWriter(self.warnings, site_url)
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
        # empty paragraphs (separators in the Doc) write nothing; what they kept apart in the Doc
        # is apart in Markdown by its own syntax, or one construct there anyway
        blocks = [b for b in blocks if not _empty(b)]
        chunks: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            end = index + 1
            if block.quote > 0:
                while end < len(blocks) and blocks[end].quote > 0:
                    end += 1
                chunks.append(self.quote(blocks[index:end]))
            elif block.list_content:  # adjacent lists of one kind are one list in Markdown anyway
                while end < len(blocks) and blocks[end].quote == 0 and blocks[end].list_content:
                    end += 1
                chunks.append(self.list(blocks[index:end]))
            elif isinstance(block, Table):
                chunks.append(self.table(block))
            elif block.kind == "code":
                while end < len(blocks) and _same_code(blocks[end], block):
                    end += 1
                code = self.code(blocks[index:end], nested)
                if code.strip():  # blank indented code is no code block at all
                    chunks.append(code)
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
        base = min((b.level for b in blocks if b.kind == "item"), default=0)
        if base:  # a list that starts nested (a Doc can): its first level is level 0
            blocks = [replace(b, level=b.level - base) if b.kind == "item" else replace(b, indent=max(1, b.indent - base))
                      for b in blocks]
        out: list[str] = []
        counter = 0
        previous: Para | None = None
        previous_loose = False
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
            first_child = children[0] if children else None
            if (not _has_text(item.inlines) and item.task is None and not item.heading and isinstance(first_child, Para)
                    and not first_child.quote and (first_child.kind == "heading" or (first_child.kind == "paragraph" and _has_text(first_child.inlines)))):
                # an item whose first block is a paragraph or heading: that block is the item's text
                item = replace(item, inlines=first_child.inlines, heading=first_child.level if first_child.kind == "heading" else 0)
                children = children[1:]
            kind_changed = previous is not None and previous.ordered != item.ordered
            if previous is None or kind_changed:
                counter = 0
                start = item.number if item.number is not None else 1  # Markdown reads only the first number
            counter += 1
            heading_level = item.heading if item.task is None else 0  # "- [ ] ## x" is no heading
            text = self._heading_text(item.inlines) if heading_level else self.inline.paragraph(item.inlines)
            # "-" alone under an item would underline it as a heading: an empty bullet item is "*"
            bullet = "*" if not text and item.task is None and not heading_level else "-"
            marker = f"{start + counter - 1}." if item.ordered else bullet
            task = "" if item.task is None else f"[{item.task}] "
            heading = ("#" * heading_level + " ") if heading_level else ""
            first = f"{marker} {task}{heading}{text}"
            first = first.replace("\n", "\n" + INDENT)
            body = self.blocks(children, nested=True)
            loose = bool(body) and any(c.kind != "item" and not _empty(c) for c in children)
            if body:
                joined = ("\n\n" if loose else "\n").join(body)
                first += ("\n\n" if loose else "\n") + "\n".join(INDENT + line if line else "" for line in joined.split("\n"))
            if out:  # a list of the other kind right after this one must not read as its continuation
                out.append("\n\n" if loose or previous_loose or kind_changed else "\n")
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


def relative_to_site(uri: str, site_url: str) -> str:
    """`uri` relative to the blog: under `site_url` as a path below it, on the blog's host as a
    path from its root; any other URL as it is."""
    if uri.startswith(site_url):
        return uri[len(site_url):] or "./"
    site, target = urlsplit(site_url), urlsplit(uri)
    if (target.scheme, target.netloc) == (site.scheme, site.netloc) and target.path.startswith("/"):
        return uri[len(f"{target.scheme}://{target.netloc}"):]
    return uri


def write_markdown(blocks: list[Block], site_url: str | None = None) -> str:
    return MarkdownWriter(site_url).write(blocks)
