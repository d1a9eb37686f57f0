"""Repair text whose UTF-8 bytes were decoded as Windows-1252 or Windows-1250 ("mojibake").

``ðŸŒ±`` is the UTF-8 of 🌱 read as Windows-1252, ``đź§©`` that of 🧩 read as Windows-1250,
``â€™`` that of ’. Each line is scanned for a character that maps back to a UTF-8 lead byte
(0xC2-0xF4) in one code page, followed by as many characters mapping to continuation bytes
(0x80-0xBF) in the same code page as the lead byte asks for. When those bytes decode as UTF-8,
the decoded character replaces them, but only if it is one that text pasted from a chat
assistant plausibly holds (so correct text is left alone):

- 4-byte sequences: emoji and their tags (U+1F000-U+1FAFF, U+E0020-U+E007F);
- 3-byte sequences: punctuation, symbols and dingbats (U+2000-U+27BF: ’ “ ” — … → ✅ ❤ ⚡),
  the emoji arrows and shapes of U+2934-U+2935 and U+2B05-U+2B55 (⬅ ⭐), variation selectors
  (U+FE00-U+FE0F) and the few emoji in U+3030-U+3299 (Braille and the mathematical blocks are
  left out: their mojibake starts "â" + no-break space, ¡ … «, which correct text may hold);
- 2-byte sequences led by Â Ã Ä Å (or Ă Ĺ in Windows-1250): Latin-1 and Latin Extended-A
  (U+00A0-U+017F: é ö ą ł, the no-break space, ©).

The five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D), and those Windows-1250
leaves undefined, are commonly decoded to the C1 control characters of the same number; those
map back too (C1 controls are never correct text). Text doubly mis-decoded is repaired by
repeating the pass while it changes something (at most three times).

Known limits: correct text that is itself exactly such a sequence (``IRMÃ”`` in upper-case
Portuguese followed by a closing quote) is "repaired"; mojibake of other scripts (Cyrillic,
CJK) is not.
"""

from __future__ import annotations

import re

_CODE_PAGES = ("cp1252", "cp1250")
_MAX_PASSES = 3


def _byte_map(code_page: str) -> dict[str, int]:
    """Each non-ASCII character the code page decodes to, mapped to its byte."""
    mapping: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            mapping[bytes([byte]).decode(code_page)] = byte
        except UnicodeDecodeError:
            mapping[chr(byte)] = byte
    for byte in range(0x80, 0xA0):
        mapping.setdefault(chr(byte), byte)
    return mapping


_BYTE_MAPS = [_byte_map(code_page) for code_page in _CODE_PAGES]


def _char_class(predicate) -> str:
    chars = {char for byte_map in _BYTE_MAPS for char, byte in byte_map.items() if predicate(byte)}
    return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"


# A character that can lead a UTF-8 sequence, followed by one that can continue it.
_CANDIDATE = re.compile(
    _char_class(lambda byte: 0xC2 <= byte <= 0xF4) + "(?=" + _char_class(lambda byte: byte <= 0xBF) + ")"
)


def _sequence_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _plausible(decoded: str, lead: int) -> bool:
    code_point = ord(decoded)
    if lead >= 0xF0:
        return 0x1F000 <= code_point <= 0x1FAFF or 0xE0020 <= code_point <= 0xE007F
    if lead >= 0xE0:
        return (
            0x2000 <= code_point <= 0x27BF
            or 0x2934 <= code_point <= 0x2935
            or 0x2B05 <= code_point <= 0x2B55
            or 0xFE00 <= code_point <= 0xFE0F
            or code_point in (0x3030, 0x303D, 0x3297, 0x3299)
        )
    return 0xC2 <= lead <= 0xC5 and 0xA0 <= code_point <= 0x17F


def _decode_at(line: str, start: int) -> tuple[str, int] | None:
    """The character whose mojibake starts at line[start], and the mojibake's length; or None."""
    for byte_map in _BYTE_MAPS:
        lead = byte_map.get(line[start])
        length = _sequence_length(lead) if lead is not None else 0
        if not length or start + length > len(line):
            continue
        raw = bytearray([lead])
        for char in line[start + 1 : start + length]:
            byte = byte_map.get(char)
            if byte is None or not 0x80 <= byte <= 0xBF:
                break
            raw.append(byte)
        else:
            try:
                decoded = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _plausible(decoded, lead):
                return decoded, length
    return None


def _repair_once(line: str) -> str:
    pieces: list[str] = []
    copied_up_to = 0
    for candidate in _CANDIDATE.finditer(line):
        start = candidate.start()
        if start < copied_up_to:
            continue
        found = _decode_at(line, start)
        if found is not None:
            pieces.append(line[copied_up_to:start])
            pieces.append(found[0])
            copied_up_to = start + found[1]
    pieces.append(line[copied_up_to:])
    return "".join(pieces)


def repair_mojibake(line: str) -> str:
    """The line with each mojibake sequence replaced by the character it stands for."""
    for _ in range(_MAX_PASSES):
        if line.isascii():
            return line
        repaired = _repair_once(line)
        if repaired == line:
            return line
        line = repaired
    return line
