"""The topic queue through the CLI: add, list, show, remove, move, import, and their bad input."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.store import open_store
from workflow.queue.topics import normalize_title, queue_suggested_topics

TITLE = "How to Build Emotional Intimacy Without Saying a Word"


def queue_titles(cli) -> list[str]:
    return [topic["title"] for topic in cli("topics", "list", "--json").json]


def test_add_then_list_shows_the_topic_with_its_details(site, cli):
    added = cli("topics", "add", TITLE, "--priority", "high", "--notes", "Touch, eye contact",
                "--due", "2026-12-01", "--by", "eve")
    assert added.code == 0, added.err
    assert f'#1 "{TITLE}"' in added.out

    listing = cli("topics", "list")
    assert TITLE in listing.out and "2026-12-01" in listing.out and "high" in listing.out

    [topic] = cli("topics", "list", "--json").json
    assert topic == {
        "id": 1, "title": TITLE, "priority": "high", "position": 1, "notes": "Touch, eye contact",
        "due": "2026-12-01", "added_by": "eve", "source": "cli", "status": "queued",
        "created_at": topic["created_at"], "assignment": None,
    }
    assert topic["created_at"].startswith("20")


def test_adding_the_same_title_twice_reports_the_existing_topic(site, cli):
    assert cli("topics", "add", TITLE).code == 0
    again = cli("topics", "add", TITLE)
    assert again.code == 2
    assert again.err.strip() == f'workflow: error: topic already queued as #1: "{TITLE}"'
    assert len(queue_titles(cli)) == 1


@pytest.mark.parametrize("variant", [
    "how to build emotional intimacy without saying a word",
    "  How to   Build Emotional Intimacy\tWithout Saying a Word!!  ",
    "“How to Build Emotional Intimacy” — Without Saying a Word 💬",
    "HOW TO BUILD EMOTIONAL INTIMACY WITHOUT SAYING A WORD?",
    "How to Build Emotional Intimacy Without Saying a Word",  # fullwidth letters (NFKC)
])
def test_duplicates_ignore_case_punctuation_quotes_emoji_and_whitespace(site, cli, variant):
    assert cli("topics", "add", TITLE).code == 0
    result = cli("topics", "add", variant)
    assert result.code == 2
    assert "already queued as #1" in result.err


def test_different_letters_are_not_duplicates():
    assert normalize_title("Café culture") != normalize_title("Cafe culture")
    assert normalize_title("Don’t panic!") == normalize_title("dont panic")
    assert normalize_title("Любовь и доверие 💞") == "любовь и доверие"


def test_near_duplicate_is_added_with_a_warning(site, cli):
    cli("topics", "add", TITLE)
    result = cli("topics", "add", "How to Build Emotional Intimacy Without Saying Words")
    assert result.code == 0
    assert 'looks like #1 "How to Build Emotional Intimacy Without Saying a Word"' in result.err
    contained = cli("topics", "add", "How to build emotional intimacy without saying a word: for new parents")
    assert contained.code == 0 and "looks like #1" in contained.err
    unrelated = cli("topics", "add", "Budgeting as a couple")
    assert unrelated.code == 0 and unrelated.err == ""
    assert len(queue_titles(cli)) == 4


def test_a_title_exactly_as_close_as_the_threshold_is_a_near_duplicate(site, cli):
    cli("topics", "add", "Gratitude Journal")  # 17 characters, all inside the next title's 23: ratio 34/40 = 0.85
    result = cli("topics", "add", "Gratitude Journaling OK")
    assert result.code == 0 and 'looks like #1 "Gratitude Journal"' in result.err


def test_notes_may_be_5000_characters_long_and_no_longer(site, cli):
    assert cli("topics", "add", "Long notes", "--notes", "n" * 5000).code == 0
    result = cli("topics", "add", "Longer notes", "--notes", "n" * 5001)
    assert result.code == 2 and result.error_line.endswith("notes are 5001 characters long (at most 5000)")
    assert queue_titles(cli) == ["Long notes"]


def test_queue_order_is_priority_then_position_then_age(site, cli):
    for title, priority in [("Low one", "low"), ("Normal one", "normal"), ("High one", "high"),
                            ("Normal two", "normal"), ("High two", "high")]:
        assert cli("topics", "add", title, "--priority", priority).code == 0
    assert queue_titles(cli) == ["High one", "High two", "Normal one", "Normal two", "Low one"]
    assert [t["position"] for t in cli("topics", "list", "--json").json] == [1, 2, 3, 4, 5]


def test_move_to_top_bottom_and_before(site, cli):
    for title in ["First", "Second", "Third"]:
        cli("topics", "add", title)
    cli("topics", "add", "Urgent", "--priority", "high")

    moved = cli("topics", "move", "3", "--top")
    assert moved.code == 0 and "place 2" in moved.out  # top of normal, behind the high one
    assert queue_titles(cli) == ["Urgent", "Third", "First", "Second"]

    assert cli("topics", "move", "3", "--bottom").code == 0
    assert queue_titles(cli) == ["Urgent", "First", "Second", "Third"]

    before = cli("topics", "move", "2", "--before", "4")  # takes the high priority of #4
    assert before.code == 0 and "now high, place 1" in before.out
    assert queue_titles(cli) == ["Second", "Urgent", "First", "Third"]
    assert cli("topics", "show", "2", "--json").json["priority"] == "high"


def test_show_prints_one_topic(site, cli):
    cli("topics", "add", TITLE, "--notes", "Mention touch")
    shown = cli("topics", "show", "1")
    assert shown.code == 0 and TITLE in shown.out and "Mention touch" in shown.out
    assert cli("topics", "show", "1", "--json").json["notes"] == "Mention touch"


def test_remove_takes_a_topic_off_the_queue_and_lets_it_come_back(site, cli):
    cli("topics", "add", TITLE)
    removed = cli("topics", "remove", "1")
    assert removed.code == 0 and "removed #1" in removed.out
    assert queue_titles(cli) == []
    everything = cli("topics", "list", "--all", "--json").json
    assert [(t["id"], t["status"], t["position"]) for t in everything] == [(1, "removed", None)]
    assert "removed" in cli("topics", "list", "--all").out

    again = cli("topics", "add", TITLE)
    assert again.code == 0 and "#2" in again.out
    second = cli("topics", "remove", "1")
    assert second.code == 2 and "cannot remove topic #1: it was removed from the queue already" in second.err


@pytest.mark.parametrize("command", [["show", "42"], ["remove", "42"], ["move", "42", "--top"]])
def test_unknown_topic_id(site, cli, command):
    cli("topics", "add", TITLE)
    result = cli("topics", *command)
    assert result.code == 2
    assert result.err.strip() == "workflow: error: no topic #42 (see `workflow topics list --all`)"


def test_move_before_an_unknown_topic(site, cli):
    cli("topics", "add", TITLE)
    result = cli("topics", "move", "1", "--before", "7")
    assert result.code == 2 and "no topic #7" in result.err


@pytest.mark.parametrize("title, message", [
    ("", "title is empty"),
    ("   ", "title is empty"),
    ("x" * 499 + "y", "title is 500 characters long (at most 200): " + "x" * 40 + "..."),
    ("🔥 💬 !!", "has no letters or digits"),
])
def test_bad_titles_are_refused(site, cli, title, message):
    result = cli("topics", "add", title)
    assert result.code == 2
    assert result.err.count("\n") == 1 and message in result.err
    assert result.error_line.endswith(message) and "x" * 41 not in result.err
    assert queue_titles(cli) == []


def test_a_200_character_title_is_fine(site, cli):
    assert cli("topics", "add", "y" * 200).code == 0


@pytest.mark.parametrize("due", ["12/01/2026", "tomorrow"])
def test_due_date_must_be_yyyy_mm_dd(site, cli, due):
    result = cli("topics", "add", TITLE, "--due", due)
    assert result.code == 2
    assert f"due date must be YYYY-MM-DD (got '{due}')" in result.err
    assert queue_titles(cli) == []


@pytest.mark.parametrize("due, why", [("2026-02-30", "2026-02 has 28 days"), ("2028-02-30", "2028-02 has 29 days"),
                                      ("2026-13-01", "there is no month 13"), ("2026-04-31", "2026-04 has 30 days")])
def test_a_due_date_that_does_not_exist_is_named_so(site, cli, due, why):
    result = cli("topics", "add", TITLE, "--due", due)
    assert result.error_line == f"workflow: error: due date {due} does not exist: {why}"
    assert queue_titles(cli) == []


def test_empty_queue_says_so(site, cli):
    result = cli("topics", "list")
    assert result.code == 0 and "empty" in result.out
    assert cli("topics", "list", "--json").json == []


# --- import ---

def test_import_one_title_a_line_reports_duplicates_per_line(site, cli):
    cli("topics", "add", TITLE)
    path = site.root / "ideas.txt"
    path.write_text("Love languages\n\nhow to build emotional intimacy without saying a word\n"
                    "Budgeting as a couple\r\nLove Languages!\n", encoding="utf-8")
    result = cli("topics", "import", "ideas.txt")
    assert result.code == 0, result.err
    assert "queued 2 topics" in result.out and "2 duplicates" in result.out
    assert 'ideas.txt line 3: topic already queued as #1' in result.err
    assert 'ideas.txt line 5: topic already queued as #2: "Love languages"' in result.err
    assert queue_titles(cli) == [TITLE, "Love languages", "Budgeting as a couple"]
    assert cli("topics", "show", "2", "--json").json["source"] == "import:ideas.txt"


def test_import_csv_with_optional_columns(site, cli):
    path = site.root / "ideas.csv"
    path.write_text('title,priority,due,notes,by\n'
                    '"Trust, after a fight",high,2026-12-24,"Keep it kind",eve\n'
                    'Quiet evenings,,,,\n'
                    f'"{TITLE}",low,,,\n', encoding="utf-8")
    result = cli("topics", "import", str(path), "--json")
    assert result.code == 0, result.err
    report = result.json
    assert [t["title"] for t in report["added"]] == ["Trust, after a fight", "Quiet evenings", TITLE]
    first = report["added"][0]
    assert (first["priority"], first["due"], first["notes"], first["added_by"]) == ("high", "2026-12-24", "Keep it kind", "eve")
    assert report["duplicates"] == []
    assert queue_titles(cli) == ["Trust, after a fight", "Quiet evenings", TITLE]


def test_import_detects_csv_by_its_header_whatever_the_file_name(site, cli):
    path = site.root / "ideas.txt"
    path.write_text("Title;x\n", encoding="utf-8")  # not a header: one title a line
    assert cli("topics", "import", "ideas.txt").code == 0
    path.write_text("priority,title\nlow,Slow mornings\n", encoding="utf-8")
    assert cli("topics", "import", "ideas.txt").code == 0
    assert cli("topics", "list", "--json").json[-1]["priority"] == "low"
    assert queue_titles(cli) == ["Title;x", "Slow mornings"]


def test_import_csv_without_a_title_column_is_refused(site, cli):
    path = site.root / "ideas.csv"
    path.write_text("name,priority\nSomething,high\n", encoding="utf-8")
    result = cli("topics", "import", "ideas.csv")
    assert result.code == 2
    assert result.err.strip() == ("workflow: error: ideas.csv line 1: CSV header has no title column "
                                  "(found: name, priority; allowed: title, priority, notes, due, by)")
    assert queue_titles(cli) == []


def test_import_non_utf8_file_names_file_and_line(site, cli):
    path = site.root / "ideas.txt"
    path.write_bytes("Fine title\nCaf\xe9 culture\n".encode("latin-1"))
    result = cli("topics", "import", "ideas.txt")
    assert result.code == 2
    assert "ideas.txt line 2: not UTF-8 text (byte 0xe9 at column 4)" in result.err
    assert queue_titles(cli) == []  # nothing half-imported


@pytest.mark.parametrize("content, message", [
    ("title,due\nA topic,next week\n", "ideas.csv line 2: due date must be YYYY-MM-DD (got 'next week')"),
    ("title,priority\nA topic,urgent\n", "ideas.csv line 2: priority must be one of high, normal, low (got 'urgent')"),
    ("title\nA topic\n" + "z" * 500 + "\n",
     "ideas.csv line 3: title is 500 characters long (at most 200): " + "z" * 40 + "..."),
    ("title,notes\n,some notes\n", "ideas.csv line 2: title is empty"),
    ("title,colour,size\nA topic,red,big\n",
     "ideas.csv line 1: unknown CSV column 'colour' (allowed: title, priority, notes, due, by)"),
])
def test_import_with_a_bad_line_imports_nothing(site, cli, content, message):
    (site.root / "ideas.csv").write_text(content, encoding="utf-8")
    result = cli("topics", "import", "ideas.csv")
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert result.error_line.endswith(message)
    assert queue_titles(cli) == []


def test_import_a_missing_file(site, cli):
    result = cli("topics", "import", "nope.txt")
    assert result.code == 2 and "nope.txt: file not found" in result.err


# --- the function export calls ---

def test_queue_suggested_topics_is_idempotent(site, cli):
    cli("topics", "add", TITLE)
    store = open_store(f"sqlite:///{site.root}/.workflow/state.db")
    try:
        first = queue_suggested_topics(store, ["Love languages", TITLE.upper(), "", "Love Languages!"],
                                       source="post:love")
        again = queue_suggested_topics(store, ["Love languages"], source="post:love")
    finally:
        store.close()
    assert first == [2] and again == []
    topic = cli("topics", "show", "2", "--json").json
    assert (topic["title"], topic["source"]) == ("Love languages", "post:love")
    assert len(queue_titles(cli)) == 2


def test_a_lost_race_on_the_unique_index_leaves_the_transaction_usable(site):
    from workflow.store import topic_queries

    store = open_store(f"sqlite:///{site.root}/.workflow/state.db")
    try:
        with store.write() as conn:
            values = dict(title="Same", normalized="same", priority=1, notes="", due=None, added_by="", source="t")
            first = topic_queries.insert_topic(conn, **values)
            second = topic_queries.insert_topic(conn, **values)
            third = topic_queries.insert_topic(conn, **dict(values, title="Other", normalized="other"))
        with store.read() as conn:
            live = [row.title for row in topic_queries.live_topics(conn)]
    finally:
        store.close()
    assert (first, second, third) == (1, None, 2)
    assert live == ["Same", "Other"]


def test_import_by_applies_unless_the_file_names_someone(site, cli):
    (site.root / "ideas.csv").write_text("title,by\nOne,eve\nTwo,\n", encoding="utf-8")
    report = cli("topics", "import", "ideas.csv", "--by", "max", "--json").json
    assert [t["added_by"] for t in report["added"]] == ["eve", "max"]


def test_a_too_long_name_is_refused(site, cli):
    result = cli("topics", "add", TITLE, "--by", "n" * 101)
    assert result.code == 2 and "at most 100" in result.err
    assert queue_titles(cli) == []


def test_a_title_that_grows_when_folded_still_fits():
    assert len(normalize_title("ß" * 200)) == 200


_words = st.lists(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8), min_size=1, max_size=8)
_decoration = st.sampled_from(["", " ", "  ", "!", "?", ",", ":", " — ", "“", "”", "'", "\"", " 💬 ", "🔥", "\t", "..."])


@given(_words, st.lists(_decoration, min_size=9, max_size=9), st.booleans())
def test_decorated_titles_are_duplicates_of_the_plain_one(words, decorations, shout):
    plain = " ".join(words)
    decorated = decorations[0] + "".join(f"{word} {decorations[i + 1]}" for i, word in enumerate(words))
    if shout:
        decorated = decorated.upper()
    assert normalize_title(decorated) == normalize_title(plain)
