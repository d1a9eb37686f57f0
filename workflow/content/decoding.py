"""Bytes of a post file -> text: byte order marks, invalid UTF-8, line endings."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

INVALID_UTF8_WARNING = "invalid UTF-8 bytes replaced with \N{REPLACEMENT CHARACTER}"


@dataclass(frozen=True)
class DecodedText:
    """The text of a file with LF line endings and no BOM, plus warnings as ``{"line", "message"}``."""

    text: str
    warnings: list[dict] = field(default_factory=list)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_post_bytes(data: bytes) -> DecodedText:
    """Decode a post file: UTF-8 (BOM stripped), or UTF-16 when it starts with a UTF-16 BOM.

    Invalid UTF-8 is decoded with U+FFFD and reported once per affected line.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        warnings = []
        if "\ufffd" in text:
            warnings = [
                {"line": number, "message": "invalid UTF-16 replaced with \N{REPLACEMENT CHARACTER}"}
                for number, line in enumerate(normalize_newlines(text).split("\n"), 1)
                if "\ufffd" in line
            ]
        return DecodedText(normalize_newlines(text), warnings)

    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # CR and LF bytes never occur inside a multi-byte UTF-8 sequence, so lines can be split as bytes.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        return DecodedText(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    warnings: list[dict] = []
    for number, raw_line in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw_line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw_line.decode("utf-8", errors="replace"))
            warnings.append({"line": number, "message": INVALID_UTF8_WARNING})
    return DecodedText("\n".join(lines), warnings)
