"""Recognize an emoji (with its modifiers, joiners, keycap or flag pair) at the start of a string."""

from __future__ import annotations

_VARIATION_SELECTORS = ("\ufe0f", "\ufe0e")
_ZWJ = "\u200d"
_KEYCAP = "\u20e3"
_KEYCAP_BASES = "0123456789#*"

# Pictographs that are emoji without a variation selector (outside the two big blocks below).
_EXTRA_PICTOGRAPHS = frozenset(
    map(
        chr,
        [
            0x203C, 0x2049, 0x2139, 0x231A, 0x231B, 0x2328, 0x23CF, *range(0x23E9, 0x23F4),
            0x23F8, 0x23F9, 0x23FA, 0x24C2, 0x25B6, 0x25C0, 0x25FB, 0x25FC, 0x25FD, 0x25FE,
            0x2934, 0x2935, 0x2B05, 0x2B06, 0x2B07, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55, 0x3030,
            0x303D, 0x3297, 0x3299,
        ],
    )
)


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_skin_tone(char: str) -> bool:
    return 0x1F3FB <= ord(char) <= 0x1F3FF


def _is_tag(char: str) -> bool:
    return 0xE0020 <= ord(char) <= 0xE007F


def _is_pictograph(char: str) -> bool:
    code_point = ord(char)
    return (
        (0x1F000 <= code_point <= 0x1FAFF and not _is_skin_tone(char))
        or 0x2600 <= code_point <= 0x27BF
        or char in _EXTRA_PICTOGRAPHS
    )


def _pictograph_length(text: str, start: int) -> int:
    """Length of one pictograph with its selector, skin tone or tag sequence; 0 if none at start."""
    if start >= len(text):
        return 0
    char = text[start]
    followed_by_selector = text[start + 1 : start + 2] == "\ufe0f"
    # Symbols such as ©, ™ or ↔ are emoji only when a variation selector asks for it.
    symbol_as_emoji = followed_by_selector and ord(char) >= 0xA9 and not char.isalnum()
    if not _is_pictograph(char) and not symbol_as_emoji:
        return 0
    end = start + 1
    if end < len(text) and text[end] in _VARIATION_SELECTORS:
        end += 1
    if end < len(text) and _is_skin_tone(text[end]):
        end += 1
    while end < len(text) and _is_tag(text[end]):
        end += 1
    return end - start


def leading_emoji_length(text: str) -> int:
    """How many characters at the start of text form one emoji; 0 when it does not start with one."""
    if len(text) >= 2 and _is_regional_indicator(text[0]) and _is_regional_indicator(text[1]):
        return 2
    if text[:1] and text[0] in _KEYCAP_BASES:
        end = 2 if text[1:2] == "\ufe0f" else 1
        return end + 1 if text[end : end + 1] == _KEYCAP else 0
    end = _pictograph_length(text, 0)
    while end and text[end : end + 1] == _ZWJ:
        joined = _pictograph_length(text, end + 1)
        if not joined:
            break
        end += 1 + joined
    return end


def starts_with_emoji(text: str) -> bool:
    return leading_emoji_length(text) > 0
