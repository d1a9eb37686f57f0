"""Document model -> canonical Markdown (what `normalize_markdown` and the reader produce)."""
from __future__ import annotations

import re

from .model import Block, Image, Inline, Para, Span, Table, merge_spans

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(\s*)([#>+\-]|\d+\.(?=\s|$))")


def _escape(text: str, in_table: bool = False) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
    if in_table:
        text = text.replace("|", "\\|")
    return text


def _wrap(core: str, span: Span) -> str:
    if span.code:
        fence = "``" if "`" in core else "`"
        padding = " " if core.startswith("`") or core.endswith("`") else ""
        core = f"{fence}{padding}{core}{padding}{fence}"
    if span.strike:
        core = f"~~{core}~~"
    if span.bold and span.italic:
        core = f"***{core}***"
    elif span.bold:
        core = f"**{core}**"
    elif span.italic:
        core = f"*{core}*"
    return core


def _span(span: Span, in_table: bool) -> str:
    if span.footnote:
        return f"[^{span.footnote}]"
    parts = span.text.split("\u000b")
    rendered = []
    for part in parts:
        stripped = part.strip(" ")
        if not stripped:
            rendered.append(part if not span.code else _wrap(part, span))
            continue
        lead = part[: len(part) - len(part.lstrip(" "))]
        trail = part[len(part.rstrip(" ")) :]
        core = stripped if span.code else _escape(stripped, in_table)
        rendered.append(lead + _wrap(core, span) + trail)
    text = "  \n".join(rendered)
    if span.link:
        if span.link == span.text and re.match(r"^https?://\S+$", span.link) and not (span.bold or span.italic or span.strike or span.code):
            return f"<{span.link}>"
        target = f"<{span.link}>" if re.search(r"[\s()]", span.link) else span.link
        return f"[{text}]({target})"
    return text


def inline_markdown(inlines: list[Inline], in_table: bool = False) -> str:
    out = []
    for inline in merge_spans(inlines):
        if isinstance(inline, Image):
            out.append(f"![{_escape(inline.alt)}]({inline.uri})")
        else:
            out.append(_span(inline, in_table))
    return "".join(out)


def _paragraph_text(inlines: list[Inline]) -> str:
    """Inline Markdown of a paragraph, escaping plain text that would start a block construct."""
    text = inline_markdown(inlines)
    first = merge_spans(inlines)[:1]
    plain_start = first and isinstance(first[0], Span) and not any(first[0].style_key())
    match = _BLOCK_START.match(text) if plain_start else None
    if match:
        marker = match.group(2)
        if marker[0].isdigit():
            text = text[: match.end(2) - 1] + "\\" + text[match.end(2) - 1 :]
        elif marker in "#>+-":
            text = text[: match.start(2)] + "\\" + text[match.start(2) :]
    return text


class MarkdownWriter:
    """One method per block kind; consecutive paragraphs of one group form one construct."""

    def __init__(self) -> None:
        self.rules = {
            "title": self.heading,
            "heading": self.heading,
            "paragraph": self.paragraph,
            "rule": self.rule,
        }

    def write(self, blocks: list[Block]) -> str:
        chunks: list[str] = []
        notes: list[str] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if isinstance(block, Table):
                chunks.append(self.table(block))
                index += 1
                continue
            if block.kind in ("code", "item", "quote"):
                end = index + 1
                while end < len(blocks) and _same_group(blocks[end], block):
                    end += 1
                group = blocks[index:end]
                chunks.append({"code": self.code, "item": self.list, "quote": self.quote}[block.kind](group))
                index = end
                continue
            if block.kind == "note":
                notes.append(f"[^{block.label}]: {inline_markdown(block.inlines)}")
            else:
                text = self.rules[block.kind](block)
                if text:
                    chunks.append(text)
            index += 1
        chunks.extend(notes)
        return "\n\n".join(chunks) + "\n" if chunks else ""

    def heading(self, para: Para) -> str:
        level = 1 if para.kind == "title" else para.level
        return "#" * level + " " + inline_markdown(para.inlines).replace("  \n", " ")

    def paragraph(self, para: Para) -> str:
        return _paragraph_text(para.inlines)

    def rule(self, para: Para) -> str:
        return "---"

    def code(self, lines: list[Para]) -> str:
        body = "\n".join("".join(i.text for i in p.inlines if isinstance(i, Span)) for p in lines)
        fence = "```"
        while fence in body:
            fence += "`"
        return f"{fence}\n{body}\n{fence}"

    def list(self, items: list[Para]) -> str:
        lines = []
        counters: list[int] = []
        for item in items:
            del counters[item.level + 1 :]
            while len(counters) <= item.level:
                counters.append(0)
            counters[item.level] += 1
            marker = f"{counters[item.level]}." if item.ordered else "-"
            task = "" if item.task is None else ("[x] " if item.task else "[ ] ")
            text = inline_markdown(item.inlines)
            indent = "    " * item.level
            lines.append(f"{indent}{marker} {task}{text}".rstrip(" ").replace("  \n", "  \n" + indent + "    "))
        return "\n".join(lines)

    def quote(self, paras: list[Para]) -> str:
        lines = []
        previous_depth = 0
        for para in paras:
            depth = max(para.level, 1)
            if previous_depth:
                lines.append(">" * min(depth, previous_depth))
            prefix = "> " * depth
            lines.append(prefix + _paragraph_text(para.inlines).replace("  \n", "  \n" + prefix))
            previous_depth = depth
        return "\n".join(lines)

    def table(self, table: Table) -> str:
        def row(cells: list[list[Inline]]) -> str:
            return "| " + " | ".join(inline_markdown(c, in_table=True).replace("  \n", " ") for c in cells) + " |"

        separator = {None: "---", "center": ":---:", "right": "---:"}
        lines = [row(table.header), "| " + " | ".join(separator[a] for a in table.align) + " |"]
        lines.extend(row(r) for r in table.rows)
        return "\n".join(lines)


def _same_group(block: Block, first: Para) -> bool:
    return isinstance(block, Para) and block.kind == first.kind and block.group == first.group


def write_markdown(blocks: list[Block]) -> str:
    return MarkdownWriter().write(blocks)
