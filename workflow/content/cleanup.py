"""Clean-up of chat-pasted Markdown: mojibake, trailing assistant chatter, then structure.

Each step is reported with file line numbers: ``repairs`` (mojibake fixed, bullets, headings and
emoji lists rewritten; each with ``kind``), ``removed`` (chatter lines), ``suggested_topics``
(titles the chatter offered to write next) and ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.content.chatter import find_trailing_chatter
from workflow.content.decoding import normalize_newlines
from workflow.content.mojibake import repair_mojibake
from workflow.content.structure import code_mask, restructure

ONLY_CHATTER_WARNING = "post holds only assistant chatter; nothing is left to export"
EMPTY_WARNING = "post is empty"


@dataclass
class CleanResult:
    """Cleaned Markdown and what was changed to get it (line = file line number)."""

    text: str
    removed: list[dict] = field(default_factory=list)  # {"line", "text"}
    repairs: list[dict] = field(default_factory=list)  # {"line", "before", "after", "kind"}
    suggested_topics: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # {"line", "message"}


def clean_markdown(text: str, *, first_line: int = 1) -> CleanResult:
    """Clean a post body; first_line is the file line number of the body's first line."""
    text = normalize_newlines(text).removeprefix("\ufeff")
    lines = text.split("\n")
    numbers = list(range(first_line, first_line + len(lines)))
    result = CleanResult(text="")

    if not text.strip():
        result.warnings.append({"line": first_line, "message": EMPTY_WARNING})
        return result

    for index, line in enumerate([] if text.isascii() else lines):
        repaired = repair_mojibake(line)
        if repaired != line:
            result.repairs.append(
                {"line": numbers[index], "before": line, "after": repaired, "kind": "mojibake"}
            )
            lines[index] = repaired

    in_code = code_mask(lines)
    chatter = find_trailing_chatter(lines, in_code)
    if chatter.start < len(lines):
        result.removed = [
            {"line": numbers[index], "text": lines[index]}
            for index in range(chatter.start, len(lines))
            if lines[index].strip()
        ]
        result.suggested_topics = chatter.suggested_topics
        kept = chatter.start
        while kept > 0 and not lines[kept - 1].strip():
            kept -= 1
        if kept == 0:
            result.warnings.append({"line": first_line, "message": ONLY_CHATTER_WARNING})
            return result
        lines, numbers = lines[:kept] + [""], numbers[:kept] + [numbers[kept - 1] + 1]
        in_code = in_code[:kept] + [in_code[kept - 1]]

    structured = restructure(lines, numbers, in_code)
    result.repairs.extend(structured.changes)
    result.repairs.sort(key=lambda change: change["line"])
    result.text = "\n".join(structured.lines)
    return result
