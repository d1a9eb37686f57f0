"""clean_markdown: what a writer's pasted post turns into, and what is reported."""

from __future__ import annotations

import textwrap

import markdown
import pytest

from workflow.content import clean_markdown
from workflow.content.chatter import is_chatter_line


def clean(text: str, first_line: int = 1):
    return clean_markdown(textwrap.dedent(text).lstrip("\n"), first_line=first_line)


def html(text: str) -> str:
    return markdown.markdown(text, extensions=["fenced_code"])


# --- the pasted sample ---------------------------------------------------------------------


@pytest.fixture
def pasted(samples):
    return clean_markdown((samples / "pasted-with-mojibake.md").read_text(encoding="utf-8"))


def test_pasted_sample_has_no_mojibake_left(pasted):
    for marker in ("ðŸ", "đź", "â€", "âœ", "Ã", "Ÿ"):
        assert marker not in pasted.text
    assert "🌱" in pasted.text and "🧩" in pasted.text and "✅" in pasted.text
    assert "- 🚫 Bringing up old fights" in pasted.text
    assert {repair["line"] for repair in pasted.repairs if repair["kind"] == "mojibake"} == {1, 3, 13, 29}


def test_pasted_sample_bullets_become_list_items(pasted):
    rendered = html(pasted.text)
    assert "<li>Why repair matters more than “winning”</li>" in rendered
    assert "<li>Follow through on chores you offered to do</li>" in rendered
    assert "•" not in pasted.text


def test_pasted_sample_emoji_lines_become_headings(pasted):
    lines = pasted.text.split("\n")
    assert lines[0] == "# 🌱 5 Small Habits That Rebuild Trust After a Fight"
    for heading in (
        "## 🧩 Why Trust Feels Fragile Afterwards",
        "## ✅ Habit 1: Say What You Heard",
        "## ✅ Habit 2: Keep Small Promises",
        "## 🚫 What NOT to Do",
        "## ❤️ Final Words",
    ):
        assert heading in lines
    assert sum(line.startswith("# ") for line in lines) == 1
    # the two consecutive emoji lines are list items, not headings
    assert "<li>🚫 Keeping score</li>" in html(pasted.text)


def test_pasted_sample_chatter_removed_and_topic_suggested(pasted):
    assert pasted.text.endswith("Trust comes back the way it left: one small moment at a time.\n")
    assert "Google Doc" not in pasted.text
    assert [entry["line"] for entry in pasted.removed] == [36]
    assert pasted.suggested_topics == ["Love Languages in Long-Distance Relationships"]
    assert pasted.warnings == []


def test_rich_sample_body_is_unchanged(samples):
    text = (samples / "front-matter-and-rich-markdown.md").read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    result = clean_markdown(body, first_line=9)
    assert result.text == body
    assert result.repairs == result.removed == result.warnings == []


# --- bullets ---------------------------------------------------------------------------------


def test_bullets_get_blank_line_before_and_keep_nesting():
    result = clean(
        """\
        Things to try:
        • Listen
            ◦ Nod
            ◦ Ask
                ▪ gently
        • Wait
        Then carry on.
        """
    )
    assert result.text == (
        "Things to try:\n\n- Listen\n    - Nod\n    - Ask\n        - gently\n- Wait\n\nThen carry on.\n"
    )
    rendered = html(result.text)
    assert rendered.count("<ul>") == 3
    assert "<p>Then carry on.</p>" in rendered


def test_tab_indented_bullets_nest():
    result = clean("• top\n\t• child\n• next\n")
    assert result.text == "- top\n    - child\n- next\n"


def test_two_space_nesting_is_relative():
    result = clean("  • a\n    • b\n  • c\n")
    assert result.text == "- a\n    - b\n- c\n"


def test_middle_dot_only_counts_at_line_start():
    result = clean("Tea · coffee · water\n\n· first\n· second\n")
    assert result.text == "Tea · coffee · water\n\n- first\n- second\n"


def test_bullets_inside_code_fences_are_left_alone():
    text = "```\n• not a list\n🌱 not a heading\n```\n"
    assert clean(text).text == text


def test_wrapped_bullet_line_stays_in_its_item():
    result = clean("• a long item\n   that wraps\n• next\n")
    assert result.text == "- a long item\n  that wraps\n- next\n"
    assert html(result.text).count("<li>") == 2


# --- emoji and numbered headings -------------------------------------------------------------


def test_emoji_heading_rules():
    result = clean(
        """\
        # Existing title

        🔥 Why it matters

        💡 This line ends with a period.

        ❓ What would you do?

        🎯 Steps:

        1️⃣ Start small

        🇵🇱 Notes from Kraków
        """
    )
    lines = result.text.split("\n")
    assert "## 🔥 Why it matters" in lines
    assert "💡 This line ends with a period." in lines
    assert "## ❓ What would you do?" in lines
    assert "🎯 Steps:" in lines
    assert "## 1️⃣ Start small" in lines
    assert "## 🇵🇱 Notes from Kraków" in lines
    assert lines[0] == "# Existing title"


def test_emoji_line_in_a_paragraph_or_long_is_not_a_heading():
    long_line = "🌿 " + "word " * 30
    result = clean(f"Intro text\n✅ done today\n\n{long_line}\n")
    assert not any(line.startswith("#") for line in result.text.split("\n"))


def test_consecutive_emoji_lines_become_a_list():
    result = clean("Avoid these:\n🚫 Keeping score\n🚫 Sulking\nThat is all.\n")
    assert result.text == "Avoid these:\n\n- 🚫 Keeping score\n- 🚫 Sulking\n\nThat is all.\n"


def test_numbered_section_lines_become_headings():
    result = clean(
        """\
        Why people pull away:

        1. They Feel Overwhelmed…

        Stress piles up until silence feels safer.

        2. They Fear Conflict

        Some grew up where every talk was a fight.
        """
    )
    lines = result.text.split("\n")
    assert "### 1. They Feel Overwhelmed…" in lines
    assert "### 2. They Fear Conflict" in lines
    assert "<h3>1. They Feel Overwhelmed…</h3>" in html(result.text)
    assert "<ol>" not in html(result.text)


def test_real_numbered_lists_stay_lists():
    text = "1. one\n2. two\n\n1. loose\n\n2. loose too\n\n3. and three\n"
    assert clean(text).text == text


# --- chatter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Would you like me to export this to a Google Doc?",
        "Want me to format this for Medium?",
        "Shall I write the next post?",
        "Should I turn this into a newsletter?",
        "Let me know if you want me to tweak the tone.",
        "I can also create a shorter version for Instagram.",
        "Or should we queue up the next topic: “Jealousy”?",
        "Do you want a Google Doc version too?",
        "If you'd like, I can write a follow-up on apologies.",
        "👉 Shall we line up the next post?",
    ],
)
def test_chatter_lines(line):
    assert is_chatter_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Would you like to feel closer to your partner? Start tonight.",
        "Do you want to write your partner a letter tonight?",
        "Shall we begin?",
        "Let me know in the comments what you think!",
        "If you want to write better, read more.",
        "I can make this work, and so can you.",
    ],
)
def test_reader_questions_are_not_chatter(line):
    assert not is_chatter_line(line)


def test_post_ending_with_rhetorical_question_keeps_it():
    text = "Some advice.\n\nWould you like to feel closer to your partner? Start tonight.\n"
    result = clean(text)
    assert result.text == text
    assert result.removed == []


def test_several_chatter_lines_with_option_list_and_sign_off():
    result = clean(
        """\
        The post ends here.

        Would you like me to:
        - Export this as a Google Doc
        - Write the next post: “Apologies That Work”

        Or shall we queue up one of these next topics:
        - “Jealousy Without Drama”
        - Money Talks for Couples

        Let me know! 😊
        """,
        first_line=5,
    )
    assert result.text == "The post ends here.\n"
    assert result.removed[0] == {"line": 7, "text": "Would you like me to:"}
    assert result.removed[-1] == {"line": 15, "text": "Let me know! 😊"}
    assert result.suggested_topics == ["Apologies That Work", "Jealousy Without Drama", "Money Talks for Couples"]


def test_chatter_in_the_middle_is_kept():
    text = "Want me to format this as a Google Doc?\n\nThe real post continues here.\n"
    assert clean(text).text == text


def test_post_of_only_chatter_is_empty_with_warning():
    result = clean("Want me to turn this into a Google Doc?\n\n")
    assert result.text == ""
    assert len(result.removed) == 1
    assert "only assistant chatter" in result.warnings[0]["message"]


def test_empty_post_warns():
    result = clean_markdown("\n\n", first_line=4)
    assert result.text == ""
    assert result.warnings == [{"line": 4, "message": "post is empty"}]


# --- line endings and line numbers -----------------------------------------------------------


def test_crlf_and_line_numbers_account_for_front_matter():
    result = clean_markdown("Hello\r\n\r\nâ€œhiâ€\x9d\r\n", first_line=6)
    assert result.text == "Hello\n\n“hi”\n"
    assert result.repairs == [{"line": 8, "before": "â€œhiâ€\x9d", "after": "“hi”", "kind": "mojibake"}]


def test_megabyte_post_is_cleaned():
    paragraph = "A line of text with “quotes”, emoji 🌱 and donâ€™t mojibake.\n\n• item\n  • nested\n\n"
    text = paragraph * (1_000_000 // len(paragraph))
    result = clean_markdown(text + "Want me to export this to a Google Doc?\n")
    assert "â€™" not in result.text
    assert result.text.count("- item\n    - nested\n") == text.count("• item")
    assert len(result.removed) == 1


@pytest.mark.parametrize(
    ("text", "expected_start"),
    [
        ("!" * 1_000_000 + "a\n", "!!!"),
        ("Want me to write the next post: " + "“" * 300_000 + "\n", "Want me to"),
        ("•" + " " * 1_000_000 + "x\n", "- x"),
        ("Ã" * 1_000_000 + "\n", "ÃÃÃ"),
        ("# a" + " " * 300_000 + "b ##\n", "# a"),
        ("• x\n" + "\n" * 300_000 + "• y\n", "- x\n\n\n"),
        ("1. x\n" + "\n" * 300_000 + "para\n\n2. y\n\nmore\n", "### 1. x\n\n"),
    ],
)
def test_huge_inputs_are_handled(text, expected_start):
    # Patterns that would backtrack quadratically on one long line must not hang here.
    assert clean_markdown(text).text.startswith(expected_start)


def test_a_lone_numbered_line_between_paragraphs_stays_a_one_item_list():
    text = "Before the list.\n\n1. Only item\n\nA paragraph after it.\n"
    result = clean(text)
    assert result.text == text and result.repairs == []
    assert "<ol>" in html(result.text) and "<h3>" not in html(result.text)
