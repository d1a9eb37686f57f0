"""`workflow assign` through the CLI: drafts for writers with room, balanced, never overwriting."""

from __future__ import annotations

import unicodedata

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from workflow.queue import assign as assign_module
from workflow.queue.drafts import create_draft, slugify

TWO_WRITERS = """
[[writers]]
name = "sam"
email = "sam@example.com"
capacity = {sam}

[[writers]]
name = "ana"
email = "ana@example.com"
capacity = {ana}
"""


def writers(site, sam=1, ana=1):
    site.write_config(TWO_WRITERS.format(sam=sam, ana=ana))


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def set_status(path, status):
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: draft", f"status: {status}", 1), encoding="utf-8")


def drafts_on_disk(site):
    return sorted(p.name for p in site.drafts.iterdir())


def test_two_writers_of_capacity_one_take_two_of_five_topics(site, cli):
    writers(site)
    for number in range(1, 6):
        cli("topics", "add", f"Topic number {number}")
    result = cli("assign")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [
        '#1 "Topic number 1" -> sam (drafts/topic-number-1.md)',
        '#2 "Topic number 2" -> ana (drafts/topic-number-2.md)',
    ]
    assert "assigned 2 topics; 3 still queued" in result.out
    assert drafts_on_disk(site) == ["topic-number-1.md", "topic-number-2.md"]
    assert [t["id"] for t in cli("topics", "list", "--json").json] == [3, 4, 5]

    again = cli("assign", "--json")
    assert again.json == {"assigned": [], "queued": 3, "finished": [], "skipped": [], "dry_run": False,
                          "writers": {"sam": {"open": 1, "capacity": 1}, "ana": {"open": 1, "capacity": 1}}}
    assert len(drafts_on_disk(site)) == 2


def test_draft_file_has_front_matter_and_an_outline(site, cli):
    writers(site)
    title = 'Love: a "field guide" — part 1'
    cli("topics", "add", title, "--due", "2026-12-24", "--notes", "Mention the five languages")
    assert cli("assign").code == 0
    [name] = drafts_on_disk(site)
    path = site.drafts / name
    meta = front_matter(path)
    assert meta["title"] == title and meta["topic"] == 1 and meta["author"] == "sam"
    assert meta["status"] == "draft" and str(meta["due"]) == "2026-12-24"
    assert str(meta["assigned"])[:2] == "20"
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert f"# {title}\n" in body
    for heading in ["## Introduction", "## Section 1", "## Section 2", "## Section 3", "## Conclusion"]:
        assert heading in body
    assert "Mention the five languages" in body

    topic = cli("topics", "show", "1", "--json").json
    assert topic["status"] == "assigned"
    assert topic["assignment"]["writer"] == "sam"
    assert topic["assignment"]["draft_path"] == f"drafts/{name}"


def test_topic_without_due_date_has_an_empty_due(site, cli):
    writers(site)
    cli("topics", "add", "No deadline")
    cli("assign")
    assert front_matter(site.drafts / "no-deadline.md")["due"] is None


def test_an_existing_file_is_never_overwritten(site, cli):
    writers(site, sam=3)
    (site.drafts / "quiet-evenings.md").write_text("my own notes\n", encoding="utf-8")
    (site.drafts / "quiet-evenings-2.md").write_text("more notes\n", encoding="utf-8")
    cli("topics", "add", "Quiet evenings")
    result = cli("assign")
    assert "drafts/quiet-evenings-3.md" in result.out
    assert (site.drafts / "quiet-evenings.md").read_text(encoding="utf-8") == "my own notes\n"
    assert front_matter(site.drafts / "quiet-evenings-3.md")["title"] == "Quiet evenings"
    assert not [p for p in site.drafts.iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_draft_left_by_a_run_killed_before_it_recorded_the_assignment_is_adopted(site, cli):
    """A worker killed between writing a topic's draft and committing leaves the file and a queued topic:
    the next run gives the topic that very draft, not a second one, and does not call it a duplicate."""
    writers(site, sam=1, ana=1)
    cli("topics", "add", "Quiet evenings")
    cli("topics", "add", "Slow mornings")
    (site.drafts / "quiet-evenings.md").write_text(
        "---\ntitle: Quiet evenings\ntopic: 1\nauthor: ana\nassigned: 2026-11-29\ndue:\nstatus: draft\n---\n"
        "# Quiet evenings\n\nOutline\n", encoding="utf-8")

    result = cli("assign", "--json")

    assert result.code == 0, result.err
    assert [(a["topic_id"], a["writer"], a["draft_path"]) for a in result.json["assigned"]] == [
        (1, "ana", "drafts/quiet-evenings.md"), (2, "sam", "drafts/slow-mornings.md")]
    assert result.json["skipped"] == []
    assert drafts_on_disk(site) == ["quiet-evenings.md", "slow-mornings.md"]


def test_load_is_balanced_and_ties_rotate(site, cli):
    writers(site, sam=5, ana=5)
    cli("topics", "add", "First")
    assert "-> sam" in cli("assign").out
    set_status(site.drafts / "first.md", "review")  # sam is free again: both have 0 open
    cli("topics", "add", "Second")
    assert "-> ana" in cli("assign").out  # the tie goes to the writer after the last served

    for title in ["Third", "Fourth", "Fifth"]:
        cli("topics", "add", title)
    # ana has 1 open, sam 0: sam first, then a tie (1-1) rotates to ana, then sam.
    lines = cli("assign").out.splitlines()
    assert [line.split(" -> ")[1].split()[0] for line in lines[:3]] == ["sam", "ana", "sam"]


def test_finished_drafts_free_the_writer(site, cli):
    writers(site)
    for title in ["One", "Two", "Three", "Four"]:
        cli("topics", "add", title)
    cli("assign")
    set_status(site.drafts / "one.md", "review")   # sam sent it for review
    (site.drafts / "two.md").unlink()               # ana's moved to posts/
    result = cli("assign", "--json").json
    assert result["finished"] == [1, 2]
    assert [(a["topic_id"], a["writer"]) for a in result["assigned"]] == [(3, "sam"), (4, "ana")]
    assert result["queued"] == 0
    statuses = {t["id"]: t["assignment"]["status"] for t in cli("topics", "list", "--all", "--json").json}
    assert statuses == {1: "done", 2: "done", 3: "open", 4: "open"}


def test_nobody_goes_over_capacity(site, cli):
    writers(site, sam=2, ana=1)
    for number in range(6):
        cli("topics", "add", f"Idea {number}")
    report = cli("assign", "--json").json
    assert [a["writer"] for a in report["assigned"]].count("sam") == 2
    assert [a["writer"] for a in report["assigned"]].count("ana") == 1
    assert report["queued"] == 3
    assert cli("assign", "--json").json["assigned"] == []


def test_high_priority_topics_are_assigned_first(site, cli):
    writers(site)
    cli("topics", "add", "Ordinary")
    cli("topics", "add", "Pressing", "--priority", "high")
    cli("topics", "add", "Someday", "--priority", "low")
    report = cli("assign", "--json").json
    assert [a["title"] for a in report["assigned"]] == ["Pressing", "Ordinary"]


def test_dry_run_changes_nothing(site, cli):
    writers(site)
    for title in ["One", "Two", "Three"]:
        cli("topics", "add", title)
    result = cli("assign", "--dry-run")
    assert result.code == 0
    assert '#1 "One" -> sam (drafts/one.md)' in result.out
    assert "would assign 2 topics; 1 still queued" in result.out and "dry run" in result.out
    assert drafts_on_disk(site) == []
    assert len(cli("topics", "list", "--json").json) == 3
    as_json = cli("assign", "--dry-run", "--json").json
    assert as_json["dry_run"] is True and len(as_json["assigned"]) == 2
    assert drafts_on_disk(site) == []
    assert [a["draft_path"] for a in cli("assign", "--json").json["assigned"]] == ["drafts/one.md", "drafts/two.md"]


def test_an_empty_queue_assigns_nothing(site, cli):
    writers(site)
    empty = cli("assign")
    assert empty.code == 0 and "assigned 0 topics; 0 still queued" in empty.out


def test_no_writers_is_a_user_error(site, cli):
    cli("topics", "add", "Lonely topic")
    result = cli("assign")
    assert result.code == 2
    assert result.err.startswith("workflow: error: no writers to assign topics to: add [[writers]]")
    assert len(cli("topics", "list", "--json").json) == 1


def test_drafts_folder_that_is_a_file(site, cli):
    writers(site)
    site.drafts.rmdir()
    site.drafts.write_text("not a folder\n", encoding="utf-8")
    cli("topics", "add", "Stuck topic")
    result = cli("assign")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "is a file, not a folder ([content] drafts_dir)" in result.err
    assert cli("topics", "show", "1", "--json").json["status"] == "queued"
    assert site.drafts.read_text(encoding="utf-8") == "not a folder\n"


def test_drafts_folder_inside_a_file(site, cli):
    writers(site)
    (site.root / "blocker").write_text("", encoding="utf-8")
    site.write_config(TWO_WRITERS.format(sam=1, ana=1) + '\n[content]\ndrafts_dir = "blocker/drafts"\n')
    cli("topics", "add", "Stuck topic")
    result = cli("assign")
    assert result.code == 2 and "cannot create the drafts folder" in result.err
    assert cli("topics", "show", "1", "--json").json["status"] == "queued"


def test_a_failed_transaction_removes_the_drafts_it_wrote(site, cli, monkeypatch):
    writers(site)
    cli("topics", "add", "One")
    cli("topics", "add", "Two")

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(assign_module.q, "insert_assignment", fail)
    with pytest.raises(RuntimeError):
        cli("assign")
    assert drafts_on_disk(site) == []
    assert len(cli("topics", "list", "--json").json) == 2


def test_drafts_folder_is_created_when_missing(site, cli):
    writers(site)
    site.drafts.rmdir()
    cli("topics", "add", "Fresh start")
    assert cli("assign").code == 0
    assert drafts_on_disk(site) == ["fresh-start.md"]


@pytest.mark.parametrize("title, slug", [
    ("How to Build Emotional Intimacy Without Saying a Word", "how-to-build-emotional-intimacy-without-saying-a-word"),
    ("Don't panic: 5 tips 🔥", "dont-panic-5-tips"),
    ("Любовь и доверие 💞", "любовь-и-доверие"),
    ("日本語のタイトル", "日本語のタイトル"),
    ("../../etc/passwd", "etc-passwd"),
    ("🔥", "topic-7"),
    ("\u0301", "topic-7"),
])
def test_slugs(title, slug):
    assert slugify(title, 7) == slug


def test_long_titles_make_slugs_of_at_most_80_characters():
    slug = slugify("word " * 60, 1)
    assert len(slug) <= 80 and slug.startswith("word-word") and not slug.endswith("-")
    assert slugify("x" * 200, 1) == "x" * 80


@given(st.text(max_size=300), st.integers(min_value=1, max_value=10**6))
def test_any_title_gives_a_safe_file_name(title, topic_id):
    slug = slugify(title, topic_id)
    assert slug and len(slug) <= 80
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    assert all(char == "-" or unicodedata.category(char)[0] in "LNM" for char in slug)
    assert slug == slug.lower()


def test_create_draft_never_replaces_a_file(tmp_path):
    made = [create_draft(tmp_path, "same", f"draft {n}\n") for n in range(3)]
    assert [p.name for p in made] == ["same.md", "same-2.md", "same-3.md"]
    assert [p.read_text(encoding="utf-8") for p in made] == ["draft 0\n", "draft 1\n", "draft 2\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same-2.md", "same-3.md", "same.md"]


def test_a_title_of_astral_letters_gets_a_short_readable_name_and_stops_no_one(site, cli):
    """100 letters of 4 bytes each made a 400-byte name: "File name too long" for every topic after it."""
    writers(site, sam=3, ana=3)
    astral = "\U00020000\U00020001\U00020002\U00020003" * 25  # CJK Extension B letters, 4 bytes each in UTF-8
    cli("topics", "add", "First ordinary topic")
    assert cli("topics", "add", astral).code == 0
    assert cli("topics", "add", astral + " again").code == 0
    cli("topics", "add", "Last ordinary topic")

    dry = cli("assign", "--dry-run", "--json")
    assert dry.code == 0 and "Traceback" not in dry.err
    assert len(dry.json["assigned"]) == 4

    result = cli("assign")
    assert result.code == 0, result.err
    assert "assigned 4 topics; 0 still queued" in result.out
    names = drafts_on_disk(site)
    assert len(names) == 4 and "first-ordinary-topic.md" in names and "last-ordinary-topic.md" in names
    long_names = [name for name in names if name.startswith("\U00020000")]
    assert len(long_names) == 2 and len(set(long_names)) == 2
    for name in long_names:
        assert len(name.encode("utf-8")) <= 200
        assert front_matter(site.drafts / name)["title"].startswith(astral)


def test_a_name_the_file_system_refuses_falls_back_to_the_topic_number_else_the_topic_waits(site, cli, monkeypatch):
    """Some file systems take fewer bytes (eCryptfs 143) or refuse some characters."""
    import errno
    import os

    real_link = os.link

    def picky_link(source, target, *args, **kwargs):  # this file system refuses two names
        if os.path.basename(target) in ("a-refused-name.md", "topic-1.md", "another-refused-name.md"):
            raise OSError(errno.EILSEQ, "Invalid or incomplete multibyte or wide character")
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "link", picky_link)
    writers(site, sam=3, ana=3)
    for title in ("A refused name", "An ordinary one", "Another refused name"):
        cli("topics", "add", title)
    result = cli("assign")
    assert result.code == 1
    assert result.err.strip() == ('workflow: warning: #1 "A refused name" left queued: the file system refused '
                                  "its draft's name: Invalid or incomplete multibyte or wide character")
    assert drafts_on_disk(site) == ["an-ordinary-one.md", "topic-3.md"]
    assert "assigned 2 topics; 1 still queued" in result.out
    assert [t["id"] for t in cli("topics", "list", "--json").json] == [1]


def test_a_draft_whose_front_matter_is_an_alias_bomb_still_counts_as_open(site, cli):
    from test_content_posts import ALIAS_BOMB

    writers(site, sam=1, ana=1)
    cli("topics", "add", "First")
    assert cli("assign").code == 0
    [name] = drafts_on_disk(site)
    draft = site.drafts / name
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\n", f"---\n{ALIAS_BOMB}\n", 1), encoding="utf-8")
    cli("topics", "add", "Second")
    cli("topics", "add", "Third")
    result = cli("assign", "--json")
    assert result.code == 0, result.err
    assert result.json["finished"] == [] and len(result.json["assigned"]) == 1
