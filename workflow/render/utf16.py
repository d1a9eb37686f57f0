"""UTF-16 code-unit lengths: every Docs index counts these, not Python code points."""


def u16len(text: str) -> int:
    """Number of UTF-16 code units of `text` (an emoji outside the BMP counts 2)."""
    # Code points above U+FFFF take two units; counting them is faster than encoding.
    extra = 0
    if not text.isascii():
        extra = sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text) + extra
