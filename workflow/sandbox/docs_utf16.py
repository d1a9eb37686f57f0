"""Text rules of Google Docs: UTF-16 widths, stripped characters, grapheme boundaries."""

from __future__ import annotations

import re
import unicodedata

# Characters insertText silently drops (docs.v1.json, InsertTextRequest.text).
_STRIPPED = re.compile("[\x00-\x08\x0c-\x1f\ue000-\uf8ff]")

_ZWJ = "\u200d"
_KEYCAP = "\u20e3"


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of every Docs index."""
    return len(text.encode("utf-16-le")) // 2


def strip_disallowed(text: str) -> str:
    """`text` without the control and private-use characters Docs strips on insertion."""
    return _STRIPPED.sub("", text)


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _extends_previous(char: str) -> bool:
    """True if `char` cannot start a grapheme cluster (it attaches to the one before it)."""
    if char in (_ZWJ, _KEYCAP) or "\ufe00" <= char <= "\ufe0f":
        return True
    if "\U0001f3fb" <= char <= "\U0001f3ff":  # skin-tone modifiers
        return True
    if "\U000e0020" <= char <= "\U000e007f":  # emoji tag sequences (subdivision flags)
        return True
    return unicodedata.category(char) in ("Mn", "Me")


def splits_grapheme(chars: list[str | None], position: int) -> bool:
    """True if a boundary before chars[position] falls inside a grapheme cluster.

    `chars` holds one code point per element (None for non-text elements such as images).
    """
    if position <= 0 or position >= len(chars):
        return False
    before, after = chars[position - 1], chars[position]
    if before is None or after is None or after == "\n" or before == "\n":
        return False
    if before == _ZWJ or _extends_previous(after):
        return True
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        run = 0
        index = position - 1
        while index >= 0 and chars[index] is not None and _is_regional_indicator(chars[index]):
            run += 1
            index -= 1
        return run % 2 == 1  # an odd run before us means we sit inside a flag pair
    return False
