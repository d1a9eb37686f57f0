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
