"""Give chat-pasted text Markdown structure.

Outside fenced code blocks:

- "•", "◦", "▪", "‣", "●", "○", "■" and "·" bullets (a bullet character at the start of a
  line, then a space) become "- " list items. Nesting follows the relative indentation of the bullet
  lines (tabs count as 4 columns) and is written with 4 spaces per level. A wrapped line indented
  under a bullet stays part of that item. A blank line is put before and after the list so it
  parses as one.
- An emoji-led line of at most 100 characters that stands alone between blank lines (or the start
  or end of the text) and does not end in ".", ",", ":" or ";" becomes a heading: "# " when it is
  the first line of a post that has no level-1 heading (the title), "## " otherwise. The emoji
  stays in the heading text.
- Emoji-led lines with no blank line between them (a "🚫 Keeping score" / "🚫 Bringing up old
  fights" run) are a list, not headings: each becomes a "- " item with its emoji kept, so they do
  not run together into one paragraph.
- A numbered line ("1. They Feel Overwhelmed…") at the left margin that stands alone and is
  followed by a paragraph or a list at the left margin heads a section when the post has another
  such line numbered one before or after it ("2. They Fear Conflict"): it becomes
  "### 1. They Feel Overwhelmed…" (the heading marker keeps Markdown from reading it as a
  one-item list). A lone "1. Only item" between paragraphs stays a list item.

Lines that already start with "#" and everything inside code fences are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workflow.content.emoji import starts_with_emoji

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H1 = re.compile(r"^ {0,3}#(?:[ \t]|$)")
_BULLET = re.compile(r"^([ \t]*)[•◦▪‣●○■·][ \t]+(?=\S)")
_MARKDOWN_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_NUMBERED = re.compile(r"^\d{1,3}[.)][ \t]+\S")
_NUMBER = re.compile(r"^(\d{1,3})")
_CLOSING_HASHES = re.compile(r"([ \t])(#+)$")
_HEADING_MAX_CHARS = 100
_NOT_HEADING_ENDINGS = (".", ",", ":", ";")
_NOT_NUMBERED_HEADING_ENDINGS = (",", ":", ";")
_LEVEL_INDENT = "    "

BLANK, CODE, BULLET, EMOJI, NUMBERED, OTHER = "blank", "code", "bullet", "emoji", "numbered", "other"


def code_mask(lines: list[str]) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (fence lines included)."""
    mask: list[bool] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line) if line[:1] in (" ", "`", "~") else None
        if fence is None:
            if match and not (match.group(1)[0] == "`" and "`" in line[match.end() :]):
                fence = match.group(1)
            mask.append(fence is not None)
        else:
            mask.append(True)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line[match.end() :].strip():
                    fence = None
    return mask


def _indent_width(line: str) -> int:
    """Columns of leading whitespace, a tab counting as up to 4."""
    leading = line[: len(line) - len(line.lstrip(" \t"))]
    return len(leading.expandtabs(4))


def _classify(line: str, in_code: bool) -> str:
    if in_code:
        return CODE
    if line[:1].isalpha() and line[0].isascii():
        return OTHER
    if not line.strip():
        return BLANK
    if _BULLET.match(line):
        return BULLET
    if _indent_width(line) <= 3 and starts_with_emoji(line.lstrip(" \t")):
        return EMOJI
    if _NUMBERED.match(line):
        return NUMBERED
    return OTHER


@dataclass
class Restructured:
    """The new lines and one ``{"line", "before", "after", "kind"}`` record per changed line."""

    lines: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)


def restructure(lines: list[str], line_numbers: list[int], in_code: list[bool]) -> Restructured:
    """Apply the bullet, heading and emoji-list rules to lines.

    line_numbers are the lines' file line numbers, in_code their code_mask.
    """
    return _Restructuring(lines, line_numbers, in_code).run()


class _Restructuring:
    """One pass over the lines of a post, writing the restructured lines to ``result``."""

    def __init__(self, lines: list[str], line_numbers: list[int], in_code: list[bool]) -> None:
        self.lines = lines
        self.line_numbers = line_numbers
        self.kinds = [_classify(line, code) for line, code in zip(lines, in_code)]
        self.result = Restructured()

    def run(self) -> Restructured:
        lines, kinds = self.lines, self.kinds
        has_h1 = any(kind == OTHER and _H1.match(line) for line, kind in zip(lines, kinds))
        first_content = next((index for index, kind in enumerate(kinds) if kind != BLANK), None)
        section_heads = _numbered_section_heads(lines, kinds)
        index = 0
        while index < len(lines):
            kind = kinds[index]
            if kind == BULLET:
                index = self._bullet_group(index)
                continue
            if kind == EMOJI and _stands_alone(kinds, index):
                if _is_heading_text(lines[index], _NOT_HEADING_ENDINGS):
                    marker = "# " if index == first_content and not has_h1 else "## "
                    self._emit(index, marker + _escape_closing_hashes(lines[index].strip()), "heading")
                else:
                    self.result.lines.append(lines[index])
            elif kind == EMOJI and _in_emoji_run(kinds, index):
                if index == 0 or kinds[index - 1] != EMOJI:
                    self._blank_line_before()
                self._emit(index, "- " + lines[index].strip(), "emoji list item")
                if index + 1 >= len(lines) or kinds[index + 1] != EMOJI:
                    self._blank_line_after(index)
            elif kind == NUMBERED and index in section_heads:
                heading = "### " + _escape_closing_hashes(lines[index].strip())
                self._emit(index, heading, "numbered heading")
            else:
                self.result.lines.append(lines[index])
            index += 1
        return self.result

    def _emit(self, index: int, new_line: str, kind: str) -> None:
        if new_line != self.lines[index]:
            before = self.lines[index]
            line = self.line_numbers[index]
            self.result.changes.append({"line": line, "before": before, "after": new_line, "kind": kind})
        self.result.lines.append(new_line)

    def _blank_line_before(self) -> None:
        if self.result.lines and self.result.lines[-1].strip():
            self.result.lines.append("")

    def _blank_line_after(self, last_index: int) -> None:
        if last_index + 1 < len(self.lines) and self.kinds[last_index + 1] != BLANK:
            self.result.lines.append("")

    def _bullet_group(self, start: int) -> int:
        """Rewrite the bullet lines from start as a Markdown list; return the index after the group."""
        lines, kinds = self.lines, self.kinds
        base = _nesting_base(lines, kinds, start)
        if not base:
            self._blank_line_before()
        indents: list[int] = []
        level = 0
        index = start
        last = start
        while index < len(lines):
            kind = kinds[index]
            if kind == BULLET:
                width = _indent_width(lines[index])
                while indents and indents[-1] > width:
                    indents.pop()
                if not indents or indents[-1] < width:
                    indents.append(width)
                level = len(indents) - 1
                text = lines[index][_BULLET.match(lines[index]).end() :]
                self._emit(index, base + _LEVEL_INDENT * level + "- " + text, "bullet")
            elif kind == BLANK:
                following = next((i for i in range(index, len(lines)) if kinds[i] != BLANK), None)
                if following is None or kinds[following] != BULLET:
                    break
                self.result.lines.extend(lines[index:following])
                index = following
                continue
            elif kind != CODE and _indent_width(lines[index]) > indents[-1]:
                continued = base + _LEVEL_INDENT * level + "  " + lines[index].strip(" \t")
                self._emit(index, continued, "bullet")
            else:
                break
            last = index
            index += 1
        self._blank_line_after(last)
        return last + 1


def _stands_alone(kinds: list[str], index: int) -> bool:
    before = index == 0 or kinds[index - 1] == BLANK
    after = index == len(kinds) - 1 or kinds[index + 1] == BLANK
    return before and after


def _in_emoji_run(kinds: list[str], index: int) -> bool:
    return (index > 0 and kinds[index - 1] == EMOJI) or (
        index + 1 < len(kinds) and kinds[index + 1] == EMOJI
    )


def _is_heading_text(line: str, bad_endings: tuple[str, ...]) -> bool:
    text = line.strip()
    return len(text) <= _HEADING_MAX_CHARS and not text.endswith(bad_endings)


def _heads_section(lines: list[str], kinds: list[str], index: int) -> bool:
    if not _stands_alone(kinds, index):
        return False
    if not _is_heading_text(lines[index], _NOT_NUMBERED_HEADING_ENDINGS):
        return False
    following = next((i for i in range(index + 1, len(kinds)) if kinds[i] != BLANK), None)
    if following is None:
        return False
    if kinds[following] == BULLET:
        return True
    return kinds[following] in (OTHER, EMOJI) and _indent_width(lines[following]) == 0 and not (
        _MARKDOWN_LIST_ITEM.match(lines[following])
    )


def _numbered_section_heads(lines: list[str], kinds: list[str]) -> set[int]:
    """Indexes of the numbered lines that head sections: each stands alone, is followed by a
    paragraph or list, and has a neighbour in numbering (n - 1 or n + 1) that does the same."""
    candidates = {index: int(_NUMBER.match(lines[index]).group(1)) for index, kind in enumerate(kinds)
                  if kind == NUMBERED and _heads_section(lines, kinds, index)}
    numbers = set(candidates.values())
    return {index for index, number in candidates.items() if number - 1 in numbers or number + 1 in numbers}


def _escape_closing_hashes(text: str) -> str:
    """Keep trailing " #" in heading text from being read as a closing sequence."""
    return _CLOSING_HASHES.sub(lambda match: match.group(1) + "\\#" * len(match.group(2)), text)


def _nesting_base(lines: list[str], kinds: list[str], start: int) -> str:
    """Indentation for a bullet group written directly under a Markdown list item, else ""."""
    if start == 0 or kinds[start - 1] != OTHER:
        return ""
    parent = _MARKDOWN_LIST_ITEM.match(lines[start - 1])
    if parent is None:
        return ""
    parent_width = _indent_width(lines[start - 1])
    if _indent_width(lines[start]) <= parent_width:
        return ""
    return " " * (parent_width + len(_LEVEL_INDENT))
