"""Find the chat assistant's closing offers at the end of a pasted post, and the topics they suggest.

A line is chatter when it opens the way an assistant addresses its user and mentions the work
itself. Openers that speak of the assistant ("Want me to…", "Shall I…", "I can also…", "If you'd
like, I can…") need any cue about the writing (write, edit, polish, version, tone, next topic,
…). Openers that could also address the post's reader ("Would you like…", "Shall we…", "Do you
want…", "Let me know if…") need a cue that only makes sense about the work (export, Google Doc,
format, draft, next topic/post, queue, turn this into, this post). So "Would you like to feel
closer to your partner? Start tonight." stays.

Only the trailing block of the post is considered: read upwards from the last line over chatter
lines, sign-offs ("Let me know!", "Happy to help 😊") and option lists ("- Write the next post"),
stopping at the first other line; the block removed starts at its topmost chatter line. Lines
inside a fenced code block are never chatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chatter is a sentence or two; longer lines are post content.
_MAX_CHATTER_CHARS = 1000
_LEAD = r"[\W_]*(?:(?:or|and|also|so|next)[,\s]+)?"
_SELF_OPENER = re.compile(
    _LEAD
    + r"(?:would you like me to|do you want me to|want me to|need me to|shall i|should i|"
    r"i can also|i could also|i(?:'|’)m happy to|happy to|just let me know|"
    r"let me know if you(?:'|’)?d like me|let me know if you want me|"
    r"(?:if you(?:'|’)?d like|if you want|if you prefer)[^.?!]{0,40}?\bi(?:'|’)?(?:ll|d)?\b)",
    re.IGNORECASE,
)
_READER_OPENER = re.compile(
    _LEAD + r"(?:would you like|do you want|want|shall we|should we|let me know|ready for)\b",
    re.IGNORECASE,
)
_WORK_CUE = (
    r"export|google\s*docs?|\.?docx|pdf|format(?:ted|ting)?|draft|next\s+(?:topic|post|one|article|"
    r"piece|part|blog|installment|entry)|queue|line\s+up|turn\s+(?:this|it)\s+into|this\s+post|"
    r"the\s+post|blog\s+post|word\s+doc|markdown|copy[-\s]?paste"
)
_WORK_CUES = re.compile(rf"\b(?:{_WORK_CUE})\b", re.IGNORECASE)
_ANY_CUES = re.compile(
    rf"\b(?:{_WORK_CUE}|write|rewrite|edit|revise|polish|tweak|adjust|expand|shorten|continue|"
    r"outline|version|headline|title|seo|meta\s+description|caption|newsletter|social|article|"
    r"series|section|tone)\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"[\W_]*(?:(?:let me know[^.?!]{0,40}|just say the word|happy to help|hope (?:this|that) helps"
    r"|your call|up to you)[\W_]*)?$",
    re.IGNORECASE,
)
_OPTION = re.compile(r"^\s*(?:[-*+•◦▪]|\d{1,2}[.)])\s+\S")
_TOPIC_CUE = re.compile(
    r"\b(?:next\s+(?:topic|post|one|article|piece|part|blog\s+post|installment|entry)|line\s+up|"
    r"queue(?:\s+up)?|up\s+next|topics?)\b",
    re.IGNORECASE,
)
_QUOTE_PAIRS = (("“", "”"), ('"', '"'), ("«", "»"), ("„", "“"), ("„", "”"), ("‘", "’"))
_MARKUP = re.compile(r"^\s*(?:[-*+•◦▪]|\d{1,2}[.)])\s+|[*_`]+")


@dataclass(frozen=True)
class TrailingChatter:
    """Index of the first removed line (len(lines) when nothing is removed) and the topics offered."""

    start: int
    suggested_topics: list[str]


def is_chatter_line(line: str) -> bool:
    """Whether one line is an assistant's offer about the work rather than post content."""
    if len(line) > _MAX_CHATTER_CHARS:
        return False
    if _SELF_OPENER.match(line):
        return bool(_ANY_CUES.search(line))
    return bool(_READER_OPENER.match(line) and _WORK_CUES.search(line))


def find_trailing_chatter(lines: list[str], in_code: list[bool]) -> TrailingChatter:
    """Locate the chatter block at the end of the lines (blank lines may sit between and after)."""
    topmost_chatter = len(lines)
    options_below: list[str] = []
    index = len(lines) - 1
    while index >= 0:
        line = lines[index]
        if not line.strip():
            index -= 1
            continue
        if in_code[index]:
            break
        if is_chatter_line(line) or _introduces_chatter_options(line, options_below):
            topmost_chatter = index
            options_below = []
        elif _OPTION.match(line) and len(line) <= _MAX_CHATTER_CHARS:
            options_below.append(line)
        elif len(line) > _MAX_CHATTER_CHARS or not _SIGN_OFF.match(line):
            break
        index -= 1
    if topmost_chatter == len(lines):
        return TrailingChatter(len(lines), [])
    return TrailingChatter(topmost_chatter, _suggested_topics(lines[topmost_chatter:]))


def _introduces_chatter_options(line: str, options: list[str]) -> bool:
    """An offer ending in ":" ("Would you like me to:") followed by options about the work."""
    if not options or not line.rstrip().endswith(":"):
        return False
    if _SELF_OPENER.match(line):
        return any(_ANY_CUES.search(option) for option in options)
    return bool(_READER_OPENER.match(line)) and any(_WORK_CUES.search(option) for option in options)


def _suggested_topics(block: list[str]) -> list[str]:
    """Quoted titles after a topic cue, and the items of an option list introduced by one."""
    topics: list[str] = []
    intro_offers_topics = False
    for line in block:
        if not line.strip():
            continue
        if _OPTION.match(line) and intro_offers_topics:
            quoted = _quoted_texts(line)
            topics.extend(quoted or [_MARKUP.sub("", line).strip().rstrip("?.!,;:").strip()])
            continue
        cue = _TOPIC_CUE.search(line)
        intro_offers_topics = bool(cue) and line.rstrip().endswith(":")
        if cue:
            topics.extend(_quoted_texts(line[cue.start() :]))
    unique: list[str] = []
    for topic in topics:
        if topic and topic not in unique:
            unique.append(topic)
    return unique


def _quoted_texts(text: str) -> list[str]:
    """Texts between typographic or straight quotes, in order of appearance."""
    found: list[tuple[int, str]] = []
    for opening, closing in _QUOTE_PAIRS:
        start = text.find(opening)
        while start != -1:
            end = text.find(closing, start + 1)
            if end == -1:
                break
            quoted = text[start + 1 : end]
            if quoted.strip() and "\n" not in quoted:
                found.append((start, quoted.strip().rstrip(",;:").strip()))
            start = text.find(opening, end + 1)
    return [quoted for _, quoted in sorted(found)]
