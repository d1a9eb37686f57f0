"""Chatter at the end of a pasted post (content/chatter.py), through clean_markdown: the text that
goes to the Doc, the lines reported removed, the topics offered."""

from __future__ import annotations

from workflow.content import clean_markdown

POST = "Some advice for tonight.\n\n"


def test_a_question_to_the_reader_that_opens_the_posts_last_list_keeps_it():
    text = POST + "Want to try these tonight:\n- Put your phone away at dinner\n- Ask one open question\n"

    result = clean_markdown(text)

    assert (result.text, result.removed, result.suggested_topics) == (text, [], [])


def test_an_offer_of_mine_whose_options_are_no_work_is_kept():
    text = POST + "I can also:\n- Hold your hand\n- Listen first\n"

    assert clean_markdown(text).text == text


def test_a_question_to_the_reader_whose_options_are_about_the_work_is_chatter():
    text = POST + "Do you want:\n- A Google Doc version\n- The next post: “Small Repairs”\n\nHappy to help!\n"

    result = clean_markdown(text, first_line=3)

    assert result.text == POST.rstrip("\n") + "\n"
    assert result.removed == [{"line": 5, "text": "Do you want:"}, {"line": 6, "text": "- A Google Doc version"},
                              {"line": 7, "text": "- The next post: “Small Repairs”"},
                              {"line": 9, "text": "Happy to help!"}]
    assert result.suggested_topics == ["Small Repairs"]


def test_an_offer_introducing_topics_queues_its_options():
    text = POST + "Shall I write one of these next topics:\n- “Small Repairs”\n- Money Talks\n"

    result = clean_markdown(text)

    assert result.text == POST.rstrip("\n") + "\n"
    assert result.suggested_topics == ["Small Repairs", "Money Talks"]


def padded(start: str, length: int, end: str = "?") -> str:
    """`start`, then words, then `end`, exactly `length` characters long."""
    filler = (" and more" * length)[: length - len(start) - len(end)]
    return start + filler + end


def test_an_offer_of_up_to_1000_characters_is_chatter_a_longer_line_is_post():
    offer = padded("Want me to export this to a Google Doc", 1000)
    longer = padded("Want me to export this to a Google Doc", 1001)

    kept = clean_markdown(POST + longer + "\n")
    removed = clean_markdown(POST + offer + "\n")

    assert (kept.text, kept.removed) == (POST + longer + "\n", [])
    assert (removed.text, removed.removed) == (POST.rstrip("\n") + "\n", [{"line": 3, "text": offer}])


def test_options_of_up_to_1000_characters_belong_to_the_offer_a_longer_one_ends_it():
    option = padded("- Write the next post", 1000, ".")
    longer = padded("- Write the next post", 1001, ".")

    within = clean_markdown(POST + "Would you like me to:\n" + option + "\n")
    beyond = clean_markdown(POST + "Would you like me to:\n" + longer + "\n")

    assert within.text == POST.rstrip("\n") + "\n"
    assert [line["text"] for line in within.removed] == ["Would you like me to:", option]
    assert (beyond.text, beyond.removed) == (POST + "Would you like me to:\n" + longer + "\n", [])


def test_a_line_over_1000_characters_is_post_even_when_it_reads_like_a_sign_off():
    offer = "Want me to export this to a Google Doc?\n"
    kept = POST + offer + "!" * 1001 + "\n"

    assert clean_markdown(kept).text == kept
    assert clean_markdown(POST + offer + "!" * 1000 + "\n").text == POST.rstrip("\n") + "\n"


def test_topics_in_straight_quotes_empty_quotes_and_an_unclosed_quote():
    text = POST + 'Or shall we queue up the next topic: "" or "Love Maps" or "Bids for Connection" or “Unclosed\n'

    result = clean_markdown(text)

    assert result.text == POST.rstrip("\n") + "\n"
    assert result.suggested_topics == ["Love Maps", "Bids for Connection"]


def test_an_offer_that_is_itself_an_option_line_offers_no_topic():
    result = clean_markdown(POST + "- Want me to export this to a Google Doc?\n")

    assert (result.text, result.suggested_topics) == (POST.rstrip("\n") + "\n", [])


def test_only_an_offer_ending_in_a_colon_introduces_options():
    text = POST + "Shall I go on?\n- Export to Google Docs\n"

    assert clean_markdown(text).text == text
