"""`workflow topics import FILE`: what an editor sees for the files they actually have.

Each test asserts the exact lines printed and the exact queue afterwards.
"""

from __future__ import annotations

import pytest

TITLE = "How to Build Emotional Intimacy Without Saying a Word"


def queue(cli) -> list[tuple[str, str, str]]:
    return [(t["title"], t["priority"], t["notes"]) for t in cli("topics", "list", "--json").json]


def import_file(site, cli, name: str, text: str, *args: str):
    (site.root / name).write_text(text, encoding="utf-8")
    return cli("topics", "import", name, *args)


def test_a_row_with_more_fields_than_the_header_is_refused_naming_the_line(site, cli):
    result = import_file(site, cli, "ideas.csv", "title,priority\nQuiet evenings,low\nTrust, after a fight,high\n")

    assert result.code == 2
    assert result.error_line == ("workflow: error: ideas.csv line 3: 3 fields, but the header has 2 (title, priority): "
                                 "put a field that contains a comma in double quotes")
    assert queue(cli) == []  # not "Trust" with the rest cut off, and not the lines before it either


def test_the_line_named_is_where_the_record_starts(site, cli):
    text = 'title,notes\n\n"Long notes",",\nsecond line"\n\nOne,"two\nlines",three\n'
    result = import_file(site, cli, "ideas.csv", text)

    assert result.error_line == ("workflow: error: ideas.csv line 6: 3 fields, but the header has 2 (title, notes): "
                                 "put a field that contains a comma in double quotes")


def test_a_quoted_comma_stays_in_the_title(site, cli):
    result = import_file(site, cli, "ideas.csv", 'title,notes\n"Trust, after a fight",kind\n\n"Two\nlines",\n')

    assert (result.code, result.err) == (0, "")
    assert result.out == "queued 2 topics from ideas.csv; 0 duplicates skipped\n"
    assert queue(cli) == [("Trust, after a fight", "normal", "kind"), ("Two lines", "normal", None)]


@pytest.mark.parametrize("first", ["Notes", "Due", "Notes, due dates and deadlines", "By the sea"])
def test_a_first_title_that_names_a_column_is_a_title(site, cli, first):
    result = import_file(site, cli, "ideas.txt", f"{first}\nQuiet evenings\n")

    assert (result.code, result.err) == (0, "")
    assert result.out == "queued 2 topics from ideas.txt; 0 duplicates skipped\n"
    assert queue(cli) == [(first, "normal", None), ("Quiet evenings", "normal", None)]


@pytest.mark.parametrize("header", ["title", "Title", "title,notes", " title , priority "])
def test_a_first_line_that_names_the_title_column_is_a_header(site, cli, header):
    result = import_file(site, cli, "ideas.txt", f"{header}\nQuiet evenings\n")

    assert (result.code, result.err) == (0, "")
    assert queue(cli) == [("Quiet evenings", "normal", None)]


def test_a_first_line_of_column_names_without_title_is_refused(site, cli):
    result = import_file(site, cli, "ideas.txt", "priority, notes\nQuiet evenings\n")

    assert result.error_line == ("workflow: error: ideas.txt line 1: CSV header has no title column "
                                 "(found: priority, notes; allowed: title, priority, notes, due, by)")
    assert queue(cli) == []


def test_a_csv_file_whose_first_line_is_a_title_is_refused(site, cli):
    result = import_file(site, cli, "ideas.csv", "Notes\nQuiet evenings\n")

    assert result.error_line == ("workflow: error: ideas.csv line 1: CSV header has no title column "
                                 "(found: notes; allowed: title, priority, notes, due, by)")


def test_near_duplicates_are_added_with_one_warning_each(site, cli):
    assert cli("topics", "add", TITLE).code == 0
    text = ("Budgeting as a couple\n"
            "How to Build Emotional Intimacy Without Saying Words\n"
            "Budgeting as a young couple\n")

    result = import_file(site, cli, "ideas.txt", text)

    assert result.code == 0
    assert result.err.splitlines() == [
        f'workflow: warning: ideas.txt line 2: "How to Build Emotional Intimacy Without Saying Words" looks like '
        f'#1 "{TITLE}" (added anyway)',
        'workflow: warning: ideas.txt line 3: "Budgeting as a young couple" looks like #2 "Budgeting as a couple" '
        '(added anyway)',
    ]
    assert result.out == "queued 3 topics from ideas.txt; 0 duplicates skipped\n"
    assert [t for t, _, _ in queue(cli)] == [TITLE, "Budgeting as a couple",
                                             "How to Build Emotional Intimacy Without Saying Words",
                                             "Budgeting as a young couple"]


def test_near_duplicates_in_the_json_report(site, cli):
    assert cli("topics", "add", TITLE).code == 0

    report = import_file(site, cli, "ideas.txt", "Budgeting\nHow to build emotional intimacy without saying words\n",
                         "--json").json

    assert report["similar"] == [{"line": 2, "title": "How to build emotional intimacy without saying words",
                                  "similar_to": {"id": 1, "title": TITLE}}]
    assert [t["title"] for t in report["added"]] == ["Budgeting", "How to build emotional intimacy without saying words"]


@pytest.mark.parametrize("name, text", [
    ("ideas.txt", ""), ("ideas.txt", "\n  \n\r\n"), ("ideas.csv", ""), ("ideas.csv", "\ufeff\n"),
], ids=["empty", "blank-lines", "empty-csv", "bom-only-csv"])
def test_an_empty_file_queues_nothing_and_says_so(site, cli, name, text):
    cli("topics", "add", TITLE)

    result = import_file(site, cli, name, text)

    assert (result.code, result.err) == (0, "")
    assert result.out == f"queued 0 topics from {name}; 0 duplicates skipped\n"
    assert [t for t, _, _ in queue(cli)] == [TITLE]


def test_a_file_with_only_a_header_queues_nothing(site, cli):
    result = import_file(site, cli, "ideas.csv", "title,priority\n")

    assert (result.code, result.out) == (0, "queued 0 topics from ideas.csv; 0 duplicates skipped\n")


def test_importing_a_folder_is_refused(site, cli):
    (site.root / "ideas").mkdir()

    result = cli("topics", "import", "ideas")

    assert result.error_line == "workflow: error: ideas: is a folder, not a file"


def test_windows_line_endings_and_a_byte_order_mark_are_not_part_of_titles(site, cli):
    (site.root / "ideas.csv").write_bytes("\ufefftitle,priority\r\nQuiet evenings,high\r\nSlow mornings,\r\n".encode())

    result = cli("topics", "import", "ideas.csv")

    assert (result.code, result.err) == (0, "")
    assert queue(cli) == [("Quiet evenings", "high", None), ("Slow mornings", "normal", None)]


def test_an_emoji_with_or_without_its_presentation_selector_is_the_same_title(site, cli):
    assert cli("topics", "add", "I \u2764 Mondays").code == 0

    result = import_file(site, cli, "ideas.txt", "I \u2764\ufe0f Mondays\nI \u2764\ufe0e Mondays\n")

    assert result.err.splitlines() == [
        'workflow: warning: ideas.txt line 1: topic already queued as #1: "I \u2764 Mondays" (skipped)',
        'workflow: warning: ideas.txt line 2: topic already queued as #1: "I \u2764 Mondays" (skipped)',
    ]
    assert result.out == "queued 0 topics from ideas.txt; 2 duplicates skipped\n"


def test_near_duplicates_are_found_among_the_longest_titles(site, cli):
    words = "small rituals that keep a marriage warm through the busy years of raising children together".split()
    title = " ".join(words * 3)[:200]
    assert len(title) == 200 and title[-1] != " "
    other = title.replace("warm", "kind", 1)

    result = import_file(site, cli, "ideas.txt", f"{title}\n{other}\n")

    assert result.err.splitlines() == [
        f'workflow: warning: ideas.txt line 2: "{other}" looks like #1 "{title}" (added anyway)']
