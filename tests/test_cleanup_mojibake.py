"""Mojibake repair: fixes UTF-8 read as Windows-1252/1250, never touches correct text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.content.mojibake import repair_mojibake


def as_cp1252(text: str) -> str:
    """What a Windows-1252 reader shows for UTF-8 text (undefined bytes as C1 controls)."""
    return "".join(
        chr(byte) if byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([byte]).decode("cp1252")
        for byte in text.encode("utf-8")
    )


def as_cp1250(text: str) -> str:
    return "".join(
        chr(byte) if byte in (0x81, 0x83, 0x88, 0x90, 0x98) else bytes([byte]).decode("cp1250")
        for byte in text.encode("utf-8")
    )


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("ðŸŒ± Growth", "🌱 Growth"),
        ("đź’” Heartbreak", "💔 Heartbreak"),
        ("âœ… Done", "✅ Done"),
        ("weâ€™ll see", "we’ll see"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("cafÃ© crÃ¨me", "café crème"),
        ("â\x9d¤ï¸\x8f Final Words", "❤️ Final Words"),
        ("âť¤ď¸Ź Final Words", "❤️ Final Words"),
        ("Ã°Å¸Å’Â± twice", "🌱 twice"),
    ],
)
def test_known_mojibake_is_repaired(broken, fixed):
    assert repair_mojibake(broken) == fixed


SAMPLE_TEXTS = [
    "Family 👨‍👩‍👧‍👦, flags 🇵🇱🇨🇿, keycap 1️⃣, love ❤️, thumbs 👍🏽",
    "“Curly” ‘quotes’ — dashes – and… ellipses €5 ™ © ® ° ± « » „Polish”",
    "Zażółć gęślą jaźń. WSPÓŁPRACA, ŹRÓDŁO, ŁÓDŹ",
    "Příliš žluťoučký kůň úpěl ďábelské ódy. ŽLUŤOUČKÝ",
    "Größe, Ärger, Übermut; ÄRGER",
    "Château, pâté, cœur, sœur, œuvre, Noël, façade, naïve",
    "Með því, þú, ñandú, São Paulo, ação",
]


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_correct_text_is_left_alone_and_its_mojibake_is_repaired(text):
    assert repair_mojibake(text) == text
    assert repair_mojibake(as_cp1252(text)) == text
    assert repair_mojibake(as_cp1250(text)) == text


def test_mixed_line_repairs_only_the_broken_run():
    line = "“Correct” 🌱 and Zażółć, then broken ðŸ’” and weâ€™ll"
    assert repair_mojibake(line) == "“Correct” 🌱 and Zażółć, then broken 💔 and we’ll"


# Building blocks of correct text: whole words (which may hold any letter), words made of the
# lower-case letters of one language, emoji, punctuation.
WORDS = [word for text in SAMPLE_TEXTS for word in text.replace(",", " ").split()]
ALPHABETS = [
    "aąbcćdeęfghijklłmnńoóprsśtuwyzźż",
    "aábcčdďeéěfghiíjklmnňoópqrřsštťuúůvwxyýzž",
    "aäbcdefghijklmnoöpqrsßtuüvwxyz",
    "aàâæbcçdeéèêëfghiîïjklmnoôpqrstuùûüvwxyÿz",
    "aáðeéiíoóuúyýþæöñ",
]
EMOJI = ["🌱", "💔", "✅", "❤️", "🚫", "🧩", "👍🏽", "👨‍👩‍👧", "🇵🇱", "1️⃣", "⚡", "☕", "✨", "🫶"]
PUNCTUATION = ["’", "‘", "“", "”", "—", "–", "…", "«", "»", "„", "€", "°", "©", "™", "·", "•", "!", "?", ","]

letter_words = st.sampled_from(ALPHABETS).flatmap(lambda alphabet: st.text(alphabet, min_size=1, max_size=10))
# A capital alone is left out: "Â" or "Ä" then a no-break space is exactly the mojibake of a
# no-break space or "Ġ", which no real sentence holds.
capitalized_words = letter_words.filter(lambda word: len(word) > 1).map(str.capitalize)
tokens = st.one_of(
    st.sampled_from(WORDS),
    letter_words,
    capitalized_words,
    st.sampled_from(EMOJI),
    st.sampled_from(PUNCTUATION),
)
separators = st.sampled_from([" ", " ", " ", "", "\u00a0", "\t"])
correct_text = st.lists(st.tuples(tokens, separators), max_size=40).map(
    lambda pairs: "".join(token + separator for token, separator in pairs)
)


@settings(max_examples=300, deadline=None)
@given(correct_text)
def test_random_correct_text_passes_unchanged(text):
    assert repair_mojibake(text) == text
