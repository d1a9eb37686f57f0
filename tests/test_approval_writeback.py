"""Approved text home: the exact post file an author finds after a reviewer approves.

End to end (export, approve in the Doc, `workflow reviews --sync`) for what an author writes at the
top of a post; front matter forms and the write-back's own outcomes through `write_back` itself.
"""

from __future__ import annotations

import stat

import pytest

from workflow.config import load_config
from workflow.content import load_post
from workflow.reviews.approval import WriteBack, write_back, write_side_file
from workflow.reviews.posts import load_current_post

REVIEWER = "editor@example.com"
BODY = "# Hello\n\nFirst paragraph.\n"


def export_post(google_site, cli, name: str, text: str) -> dict:
    google_site.site.post(name, text)
    exported = cli("export", "--json")
    assert exported.code == 0, exported.err
    [post] = [p for p in exported.json["posts"] if p["path"] == f"posts/{name}"]
    return post


def approve(google_site, doc_id: str) -> str:
    """The reviewer approves the Doc; returns the approval's time as Drive reports it."""
    drive, _docs = google_site.reviewer()
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    return drive.approvals().get(fileId=doc_id, approvalId=approval["approvalId"],
                                  fields="completeTime").execute()["completeTime"]


def approved_keys(approved_at: str, url: str) -> str:
    return f'approved_by: ["{REVIEWER}"]\napproved_at: "{approved_at}"\ndoc: "{url}"\n'


def test_a_status_the_author_wrote_is_replaced_in_place_and_the_post_still_loads(google_site, cli):
    site = google_site.site
    post = export_post(google_site, cli, "hello.md",
                       '---\ntitle: Hello\n"status": ready for review\ntags:\n  - love\n\n  - trust\n---\n' + BODY)
    approved_at = approve(google_site, post["doc_id"])

    synced = cli("reviews", "--sync")

    assert synced.code == 0, synced.err
    assert (site.posts / "hello.md").read_text(encoding="utf-8") == (
        "---\ntitle: Hello\nstatus: approved\ntags:\n  - love\n\n  - trust\n"
        + approved_keys(approved_at, post["url"]) + "---\n" + BODY)
    again = cli("export", "--json")  # our own loader reads the written post, and finds nothing new to send
    assert again.code == 0, again.err
    assert [(p["path"], p["state"], p["error"]) for p in again.json["posts"]] == [("posts/hello.md", "unchanged", None)]


def test_a_post_without_front_matter_gets_one(google_site, cli):
    site = google_site.site
    post = export_post(google_site, cli, "plain.md", BODY)
    approved_at = approve(google_site, post["doc_id"])

    assert cli("reviews", "--sync").code == 0

    assert (site.posts / "plain.md").read_text(encoding="utf-8") == (
        "---\nstatus: approved\n" + approved_keys(approved_at, post["url"]) + "---\n" + BODY)
    assert sorted(p.name for p in site.posts.iterdir()) == ["plain.md"]


def test_a_post_that_cannot_be_read_is_reported_and_written_on_the_next_sync(google_site, cli):
    site = google_site.site
    post = export_post(google_site, cli, "hello.md", "---\ntitle: Hello\n---\n" + BODY)
    approved_at = approve(google_site, post["doc_id"])
    (site.posts / "hello.md").unlink()
    (site.posts / "hello.md").mkdir()  # whatever it is, it cannot be read as a file

    failed = cli("reviews", "--sync")

    assert failed.code == 1
    assert "workflow: warning: posts/hello.md: cannot read hello.md: Is a directory" in failed.err.splitlines()
    (site.posts / "hello.md").rmdir()
    site.post("hello.md", "---\ntitle: Hello\n---\n" + BODY)

    assert cli("reviews", "--sync").code == 0
    assert (site.posts / "hello.md").read_text(encoding="utf-8") == (
        "---\ntitle: Hello\nstatus: approved\n" + approved_keys(approved_at, post["url"]) + "---\n" + BODY)


# --- the write-back itself, on a site without Google ---

UPDATES = {"status": "approved", "approved_by": ["ann@example.com", "bo@example.com"],
           "approved_at": "2026-03-04T05:06:07Z", "doc": "https://docs.google.com/document/d/DOC"}
KEYS = ('status: approved\napproved_by: ["ann@example.com", "bo@example.com"]\n'
        'approved_at: "2026-03-04T05:06:07Z"\ndoc: "https://docs.google.com/document/d/DOC"\n')


def write(site, text: str, markdown: str = "# Hello\n\nApproved paragraph.\n") -> tuple[WriteBack, str]:
    """Write `text` as posts/hello.md, export-hash it, write the approval back; (outcome, file text)."""
    path = site.post("hello.md", text)
    config = load_config(None, root=site.root)
    exported_hash = load_current_post(config, path).content_hash
    result = write_back(config, path, exported_hash, markdown, UPDATES)
    return result, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("front_matter, expected", [
    ("title: Hello\nstatus: ready\n", "title: Hello\n" + KEYS),
    ("title: Hello\n'status' : ready  # set by Ann\nauthor: Ann\n",
     "title: Hello\nstatus: approved\nauthor: Ann\n" + KEYS.split("\n", 1)[1]),
    ("status:\ntitle: Hello\n", "status: approved\ntitle: Hello\n" + KEYS.split("\n", 1)[1]),
    # an earlier approval's keys, written by hand with a blank line in the list
    ('approved_by:\n  - old@example.com\n\n  - older@example.com\nstatus: approved\ndoc: >\n  https://old\n'
     'approved_at: "2025-01-01T00:00:00Z"\ntitle: Hello\n',
     'approved_by: ["ann@example.com", "bo@example.com"]\nstatus: approved\n'
     'doc: "https://docs.google.com/document/d/DOC"\napproved_at: "2026-03-04T05:06:07Z"\ntitle: Hello\n'),
    ('status: "ready for\n"\ntitle: Hello\n', "status: approved\ntitle: Hello\n" + KEYS.split("\n", 1)[1]),
    ("{title: Hello, status: ready}\n", "title: Hello\n" + KEYS),
    ("{title: Zoë, author: %s}\n" % ("Ann " * 30).strip(), "title: Zoë\nauthor: %s\n" % ("Ann " * 30).strip() + KEYS),
    ("", KEYS),
], ids=["plain", "quoted-with-comment", "empty-status", "earlier-approval", "two-line-quoted-status",
        "flow-mapping", "flow-mapping-long-and-accented", "empty"])
def test_front_matter_keys_are_set_once_whatever_their_form(site, front_matter, expected):
    result, text = write(site, f"---\n{front_matter}---\n# Hello\n\nFirst paragraph.\n")

    assert result == WriteBack("written", site.posts / "hello.md", "approved text written into the post")
    assert text == f"---\n{expected}---\n# Hello\n\nApproved paragraph.\n"
    assert load_post(site.posts / "hello.md", root=site.posts).meta["status"] == "approved"


def test_an_empty_front_matter_before_a_post_with_a_horizontal_rule(site):
    _result, text = write(site, "---\n---\nFirst.\n\n---\n\nAfter the rule.\n",
                          markdown="Approved.\n\n---\n\nAfter the rule.\n")
    assert text == "---\n" + KEYS + "---\nApproved.\n\n---\n\nAfter the rule.\n"


def test_accented_reviewer_addresses_are_written_as_they_are(site):
    path = site.post("hello.md", "---\ntitle: Hello\n---\nFirst paragraph.\n")
    config = load_config(None, root=site.root)
    exported_hash = load_current_post(config, path).content_hash

    write_back(config, path, exported_hash, "Approved.\n", {"approved_by": ["zoë@exämple.com"]})

    assert path.read_text(encoding="utf-8") == '---\ntitle: Hello\napproved_by: ["zoë@exämple.com"]\n---\nApproved.\n'


def test_a_post_closed_with_dots_keeps_its_keys(site):
    _result, text = write(site, "---\ntitle: Hello\n...\nFirst paragraph.\n")
    assert text == "---\ntitle: Hello\n" + KEYS + "---\n# Hello\n\nApproved paragraph.\n"


def test_writing_the_same_approval_twice_changes_nothing(site):
    first, text = write(site, "---\ntitle: Hello\n---\nFirst paragraph.\n")
    path = site.posts / "hello.md"
    config = load_config(None, root=site.root)

    second = write_back(config, path, "the hash export recorded before the first write", "# Hello\n\nApproved paragraph.\n",
                        UPDATES)

    assert first.note == "approved text written into the post"
    assert second == WriteBack("written", path, "already written")
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in site.posts.iterdir()) == ["hello.md"]


def test_a_post_changed_since_export_keeps_the_authors_text_and_gets_a_side_file(site):
    path = site.post("notes.2026.md", "---\ntitle: Hello\n---\nFirst paragraph.\n")
    config = load_config(None, root=site.root)
    exported_hash = load_current_post(config, path).content_hash
    site.post("notes.2026.md", "---\ntitle: Hello\n---\nThe author's new paragraph.\n")
    path.chmod(0o600)  # a post only its author may read: so is the approved text beside it

    result = write_back(config, path, exported_hash, "Approved paragraph.\n", {"status": "approved"})

    assert result == WriteBack("conflict", site.posts / "notes.2026.approved.md",
                               "the post changed since it was exported: the approved text is in "
                               "notes.2026.approved.md; merge it by hand")
    assert path.read_text(encoding="utf-8") == "---\ntitle: Hello\n---\nThe author's new paragraph.\n"
    assert (site.posts / "notes.2026.approved.md").read_text(encoding="utf-8") == (
        "---\ntitle: Hello\nstatus: approved\n---\nApproved paragraph.\n")
    assert stat.S_IMODE((site.posts / "notes.2026.approved.md").stat().st_mode) == 0o600
    # the same approval again (its outcome was not recorded): the side file is not written twice
    assert write_back(config, path, exported_hash, "Approved paragraph.\n", {"status": "approved"}) == result
    assert sorted(p.name for p in site.posts.iterdir()) == ["notes.2026.approved.md", "notes.2026.md"]


def test_a_post_whose_front_matter_broke_since_export_gets_a_side_file_with_its_lines_kept(site):
    path = site.post("hello.md", "---\ntitle: Hello\n---\nFirst paragraph.\n")
    config = load_config(None, root=site.root)
    exported_hash = load_current_post(config, path).content_hash
    site.post("hello.md", "---\ntitle: [Hello\n---\nFirst paragraph.\n")

    result = write_back(config, path, exported_hash, "Approved paragraph.\n", {"status": "approved"})

    assert result.outcome == "conflict" and result.path == site.posts / "hello.approved.md"
    assert result.note.startswith(f"{path.as_posix()}:2: front matter is not valid YAML: ")
    assert result.note.endswith(": the approved text is in hello.approved.md; merge it by hand")
    assert (site.posts / "hello.approved.md").read_text(encoding="utf-8") == (
        "---\ntitle: [Hello\nstatus: approved\n---\nApproved paragraph.\n")


def test_a_side_file_for_a_post_deleted_meanwhile_is_still_written(site):
    side = write_side_file(site.posts / "gone.md", "---\nstatus: approved\n---\nApproved.\n")

    assert side == site.posts / "gone.approved.md"
    assert side.read_text(encoding="utf-8") == "---\nstatus: approved\n---\nApproved.\n"
    assert stat.S_IMODE(side.stat().st_mode) == 0o644


def test_a_post_that_links_to_a_file_outside_the_posts_folder_is_not_written(site, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntitle: Hello\n---\nFirst paragraph.\n", encoding="utf-8")
    (site.posts / "hello.md").symlink_to(outside)
    config = load_config(None, root=site.root)

    result = write_back(config, site.posts / "hello.md", None, "Approved paragraph.\n", UPDATES)

    assert result == WriteBack("failed", None, f"not written: the post's file is really {outside.resolve()}, "
                                               f"outside the posts folder {site.posts.resolve()} (a symlink?)")
    assert outside.read_text(encoding="utf-8") == "---\ntitle: Hello\n---\nFirst paragraph.\n"
    assert sorted(p.name for p in site.posts.iterdir()) == ["hello.md"]
