"""Text for a terminal: what others wrote (titles, comments, file names) without control characters.

`ESC ] 0 ; … BEL` in a topic title retitles the terminal that lists it; other sequences move the
cursor, rewrite what is on screen, or change what a later paste runs. The CLI (`cli/context.py`)
and the text log lines print through `printable`.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL, except tab and newline (the CLI lays its output out with them).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates: bytes that were not UTF-8 (a file name, an argument), which no terminal can be sent.
_SURROGATES = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` without control characters (newlines and tabs kept) and with undecodable bytes as U+FFFD."""
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


class StatusLine:
    """One line at the bottom of a terminal that is redrawn in place (a progress display).

    Log lines share the terminal: the log handler calls `clear()` before writing, and the next
    `show()` draws the line again under them.
    """

    def __init__(self) -> None:
        self.stream = None  # the stream the line is drawn on, while one is shown

    def show(self, stream, text: str) -> None:
        import shutil

        width = max(20, shutil.get_terminal_size().columns - 1)
        line = printable(text).replace("\n", " ").replace("\t", " ")
        if len(line) > width:
            line = line[:width - 1] + "…"
        stream.write("\r\x1b[K" + line)
        stream.flush()
        self.stream = stream

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.stream = None


status_line = StatusLine()


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 topic`, `2 topics` (`plural` for nouns that do not just take an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
