"""`workflow export` as a user reads it: the lines it prints, the posts a folder argument picks,
and the invitation reviewers get."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sandbox_fixtures import control
from site_fixtures import REVIEWER

from workflow.render import read_document


def doc_text(google_site, doc_id: str) -> str:
    _, docs = google_site.owner()
    return read_document(docs.documents().get(documentId=doc_id).execute())


def due_messages(title: str, author: str, days: int = 3) -> set[str]:
    """The invitation a post gets, with the due date of today or (past midnight) tomorrow."""
    now = datetime.now(timezone.utc)
    return {f"Please review “{title}” by {author}. Due {moment + timedelta(days=days):%Y-%m-%d}."
            for moment in (now - timedelta(minutes=5), now)}


def simple_post(number: int) -> str:
    return f"# Post number {number}\n\nFirst paragraph of post {number}.\n\nSecond paragraph of post {number}.\n"


def test_dry_run_says_what_a_real_run_would_do_for_each_post(google_site, cli):
    site = google_site.site
    site.post("changed.md", simple_post(1))
    touched = site.post("touched.md", simple_post(2))
    site.post("same.md", simple_post(3))
    site.post("old-name.md", simple_post(6))
    first = cli("export", "--json").json
    urls = {p["path"]: p["url"] for p in first["posts"]}
    (site.posts / "changed.md").write_text(simple_post(1).replace("First", "New first"), encoding="utf-8")
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # saved again, same text
    site.post("new.md", simple_post(4))
    site.post("draft.md", "---\nstatus: draft\n---\n" + simple_post(5))
    (site.posts / "old-name.md").rename(site.posts / "new-name.md")  # keeps its Doc
    calls = len(google_site.api_calls())

    result = cli("export", "--dry-run")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "  updated    posts/changed.md (dry run: nothing sent)",
        "  skipped    posts/draft.md (draft)",
        "  created    posts/new.md (dry run: nothing sent)",
        "Dry run: 1 created, 1 updated, 0 suggested, 3 unchanged, 1 skipped, 0 failed",
    ]
    assert len(google_site.api_calls()) == calls, "a dry run sends nothing"
    after = cli("export").out.splitlines()  # and records nothing: the real run does it all
    assert after[1:] == [
        f"  updated    posts/changed.md  {urls['posts/changed.md']}",
        "  skipped    posts/draft.md (draft)",
        f"  created    posts/new.md  {after[3].split('  ')[-1]}",
        "1 created, 1 updated, 0 suggested, 3 unchanged, 1 skipped, 0 failed",
    ]
    docs = {p["path"]: p["url"] for p in cli("status", "--json").json["docs"]}
    assert docs["posts/new-name.md"] == urls["posts/old-name.md"]


def test_a_folder_argument_exports_the_posts_under_it_and_no_others(google_site, cli):
    site = google_site.site
    for name in ("top.md", "sub/a.md", "sub/deeper/b.md", "subway.md", "other/c.md"):
        site.post(name, simple_post(len(name)))

    result = cli("export", "--json", "posts/sub/")

    assert result.code == 0, result.err
    assert [(p["path"], p["state"]) for p in result.json["posts"]] == [
        ("posts/sub/a.md", "created"), ("posts/sub/deeper/b.md", "created")]
    whole = cli("export", "--json", "posts")
    assert [(p["path"], p["state"]) for p in whole.json["posts"]] == [
        ("posts/other/c.md", "created"), ("posts/sub/a.md", "unchanged"), ("posts/sub/deeper/b.md", "unchanged"),
        ("posts/subway.md", "created"), ("posts/top.md", "created")]


def test_a_path_outside_the_posts_folder_is_one_line(google_site, cli):
    (google_site.site.root / "notes").mkdir()
    (google_site.site.root / "notes" / "x.md").write_text(simple_post(1), encoding="utf-8")

    result = cli("export", "notes/x.md")

    assert result.code == 2
    assert result.error_line == f"workflow: error: notes/x.md: not inside the posts folder {google_site.site.posts}"
    assert google_site.api_calls() == []


def invitations(google_site, kind: str) -> list[tuple[str, str, str]]:
    return [(n["to"], n["fileName"], n["message"]) for n in control(google_site.sandbox, "GET", "notifications")
            if n["kind"] == kind]


def test_reviewers_are_invited_with_the_title_the_author_and_the_due_date(google_site, cli):
    site = google_site.site
    site.post("a.md", "---\ntitle: Trust After a Fight\nauthor: Priya\n---\n" + simple_post(1))
    site.post("b.md", "---\ntitle: No Author\nreviewers: [ann@example.com]\n---\n" + simple_post(2))

    assert cli("export").code == 0

    shared, asked = invitations(google_site, "share"), invitations(google_site, "approval")
    assert sorted(shared) == sorted(asked)
    [(to_a, name_a, message_a), (to_b, name_b, message_b)] = sorted(shared, key=lambda n: n[1], reverse=True)
    assert (to_a, name_a, to_b, name_b) == (REVIEWER, "Trust After a Fight", "ann@example.com", "No Author")
    assert message_a in due_messages("Trust After a Fight", "Priya")
    assert message_b in due_messages("No Author", "the author")


def test_without_a_due_date_the_invitation_names_none(google_site, cli):
    google_site.configure("due_days = 0")
    google_site.site.post("a.md", "---\ntitle: Undated\nauthor: Priya\n---\n" + simple_post(1))

    assert cli("export").code == 0

    expected = [(REVIEWER, "Undated", "Please review “Undated” by Priya.")]
    assert invitations(google_site, "share") == invitations(google_site, "approval") == expected


def test_a_named_post_sharing_its_id_with_a_post_not_named_is_refused(google_site, cli):
    google_site.site.post("a.md", "---\nid: same\ntitle: First\n---\n" + simple_post(1))
    google_site.site.post("b.md", "---\nid: same\ntitle: Second\n---\n" + simple_post(2))

    result = cli("export", "posts/a.md")

    assert result.code == 1
    assert result.out.splitlines()[1:] == [
        "  failed     posts/a.md: post id 'same' is also the id of posts/b.md; give one of them another `id` in "
        "its front matter (neither is exported until then)",
        "0 created, 0 updated, 0 suggested, 0 unchanged, 0 skipped, 1 failed"]
    assert google_site.api_calls() == []


def test_a_write_that_landed_though_its_answer_was_lost_is_recognised_not_repeated(google_site, cli):
    google_site.site.post("a.md", simple_post(1))
    google_site.fault(method="docs.documents.batchUpdate", kind="commit_then_fail", times=1)

    first = cli("export", "--json")

    assert [(p["state"], p["error"]) for p in first.json["posts"]] == [("created", None)]
    doc_id = first.json["posts"][0]["doc_id"]
    writes = [c for c in google_site.api_calls() if c["method"] == "docs.documents.batchUpdate"]
    assert len(writes) == 2, "the write, and its retry (refused: the Doc moved on)"
    assert doc_text(google_site, doc_id) == "# Post number 1\n\nFirst paragraph of post 1.\n\nSecond paragraph of post 1.\n"
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]


def test_a_post_written_but_never_handed_to_reviewers_is_created_on_the_next_run(google_site, cli):
    google_site.site.post("a.md", simple_post(1))
    google_site.fault(method="drive.permissions.create", kind="status", status=500, times=9)
    first = cli("export", "--json").json["posts"][0]
    assert (first["state"], first["error"]) == (
        "failed", "posts/a.md: could not share with editor@example.com: HTTP 500 backendError: Internal error encountered.")
    google_site.clear_faults()

    second = cli("export")

    assert second.code == 0, second.err
    assert second.out.splitlines()[1:] == [f"  created    posts/a.md  {first['url']}",
                                           "1 created, 0 updated, 0 suggested, 0 unchanged, 0 skipped, 0 failed"]
    [(to, _name, message)] = invitations(google_site, "approval")
    assert to == REVIEWER and message in due_messages("Post number 1", "the author")


def test_force_with_a_named_post_re_renders_that_post_alone(google_site, cli):
    site = google_site.site
    for number in (1, 2, 3):
        site.post(f"p{number}.md", simple_post(number))
    urls = {p["path"]: p["url"] for p in cli("export", "--json").json["posts"]}

    named = cli("export", "--force", "posts/p3.md")

    assert named.out.splitlines()[1:] == [f"  updated    posts/p3.md  {urls['posts/p3.md']}",
                                          "0 created, 1 updated, 0 suggested, 0 unchanged, 0 skipped, 0 failed"]


def test_an_unexpected_failure_is_reported_as_its_kind_and_first_line():
    from workflow.export.decide import one_line_error

    assert one_line_error(ValueError("  first line\nsecond line\n")) == "ValueError: first line"
    assert one_line_error(RecursionError("maximum recursion depth exceeded")) == \
        "RecursionError: maximum recursion depth exceeded"
    assert one_line_error(KeyError()) == "KeyError"
    assert one_line_error(OSError("   \n  ")) == "OSError"


def test_a_post_that_renders_to_nothing_still_gets_its_one_doc(google_site, cli):
    google_site.site.post("links.md", "[home]: https://example.com/\n")  # a link definition and nothing else

    result = cli("export", "--json")

    assert [(p["path"], p["state"], p["error"]) for p in result.json["posts"]] == [("posts/links.md", "created", None)]
    assert doc_text(google_site, result.json["posts"][0]["doc_id"]) == ""
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]


def api_methods(google_site) -> list[str]:
    return [call["method"] for call in google_site.api_calls()]


def test_a_new_post_costs_these_api_calls_and_no_more(google_site, cli):
    google_site.site.post("a.md", simple_post(1))

    assert cli("export").code == 0

    assert api_methods(google_site) == [
        "drive.files.generateIds", "drive.files.create",   # the review folder, made once
        "drive.files.create", "docs.documents.get", "docs.documents.batchUpdate", "docs.documents.get",
        "drive.permissions.create", "batch",  # the sharing, one batch (its calls are logged before it)
        "drive.approvals.start"]


def test_an_approval_started_though_its_answer_was_lost_is_found_not_started_twice(google_site, cli):
    google_site.site.post("a.md", simple_post(1))
    google_site.fault(method="drive.approvals.start", kind="commit_then_fail", times=1)

    result = cli("export", "--json")

    assert [(p["state"], p["error"]) for p in result.json["posts"]] == [("created", None)]
    drive, _ = google_site.reviewer(REVIEWER)
    doc_id = result.json["posts"][0]["doc_id"]
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId,status)").execute()["items"]
    assert approval["status"] == "IN_PROGRESS"
    assert cli("reviews", "--sync").code == 0
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    synced = cli("reviews", "--sync", "--json").json["sync"]
    assert synced["approved_posts"] == [result.json["posts"][0]["post_id"]], "the approval it found is followed"


def test_an_approval_in_progress_is_not_started_again_when_the_author_changes_the_post(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    cli("export")
    path.write_text(simple_post(1).replace("First", "New first"), encoding="utf-8")

    result = cli("export", "--json")

    assert [p["state"] for p in result.json["posts"]] == ["updated"]
    assert api_methods(google_site).count("drive.approvals.start") == 1
    assert "asking again" not in result.err


def test_without_restart_on_change_a_declined_review_is_not_asked_again(google_site, cli):
    google_site.configure("restart_approval_on_change = false")
    path = google_site.site.post("a.md", simple_post(1))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    drive, _ = google_site.reviewer(REVIEWER)
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().decline(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    path.write_text(simple_post(1).replace("First", "New first"), encoding="utf-8")

    result = cli("export", "--json")

    assert [p["state"] for p in result.json["posts"]] == ["suggested"]
    items = drive.approvals().list(fileId=doc_id, fields="items(status)").execute()["items"]
    assert [a["status"] for a in items] == ["DECLINED"]


def test_a_reviewer_whose_invitation_failed_is_invited_on_the_next_run(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    assert cli("export").code == 0
    path.write_text("---\nreviewers: [editor@example.com, new@example.com]\n---\n" + simple_post(1), encoding="utf-8")
    google_site.fault(method="drive.permissions.create", kind="status", status=500, times=9)
    failed = cli("export", "--json").json["posts"][0]
    assert (failed["state"], failed["error"]) == (
        "failed", "posts/a.md: could not share with new@example.com: HTTP 500 backendError: Internal error encountered.")
    assert cli("status", "--json").json["exports"] == {"in_review": 1}, "the first reviewer still reviews it"
    google_site.clear_faults()

    again = cli("export", "--json")

    assert [(p["state"], p["error"]) for p in again.json["posts"]] == [("unchanged", None)]
    assert [to for to, _name, _message in invitations(google_site, "share")] == [REVIEWER, "new@example.com"]
    calls = len(google_site.api_calls())
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]
    assert len(google_site.api_calls()) == calls, "once handed off, an unchanged post costs no API call"


def test_a_review_folder_that_cannot_be_made_fails_the_post_with_googles_words(google_site, cli):
    google_site.site.post("a.md", simple_post(1))
    google_site.fault(method="drive.files.create", kind="status", status=500, times=9)

    failed = cli("export", "--json").json["posts"][0]

    assert (failed["state"], failed["error"]) == ("failed", "posts/a.md: HTTP 500 backendError: Internal error encountered.")
    google_site.clear_faults()
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["created"]


def test_posts_kept_outside_the_site_folder_are_named_by_their_full_path(google_site, cli, tmp_path):
    outside = tmp_path / "elsewhere" / "posts"
    outside.mkdir(parents=True)
    (outside / "a.md").write_text(simple_post(1), encoding="utf-8")
    config = google_site.site.root / "config" / "workflow.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[content]\nposts_dir = "{outside}"\n', encoding="utf-8")

    first = cli("export", "--json")

    assert [(p["path"], p["state"]) for p in first.json["posts"]] == [(f"{outside}/a.md", "created")]
    assert [(p["path"], p["state"]) for p in cli("export", "--json").json["posts"]] == [(f"{outside}/a.md", "unchanged")]


@pytest.mark.parametrize("method, state, error", [
    ("docs.documents.batchUpdate", "failed", "posts/a.md: HTTP 500 backendError: Internal error encountered."),
    ("drive.permissions.create", "written",  # the post is in its Doc; nobody was invited
     f"posts/a.md: could not share with {REVIEWER}: HTTP 500 backendError: Internal error encountered."),
])
def test_a_post_whose_first_export_failed_is_in_status_with_its_state_and_error(google_site, cli, method, state, error):
    google_site.site.post("a.md", simple_post(1))
    google_site.fault(method=method, kind="status", status=500, times=9)

    assert cli("export").code == 1

    status = cli("status", "--json").json
    assert status["exports"] == {state: 1}
    assert [(d["state"], d["error"], d["failed_runs"]) for d in status["docs"]] == [(state, error, 1)]

def test_status_says_why_a_post_failed_and_for_how_many_runs_in_a_row(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    google_site.fault(method="docs.documents.batchUpdate", kind="status", status=500, times=18)
    error = "posts/a.md: HTTP 500 backendError: Internal error encountered."

    assert cli("export").code == 1 and cli("export").code == 1

    assert [(d["error"], d["failed_runs"]) for d in cli("status", "--json").json["docs"]] == [(error, 2)]
    lines = cli("status").out.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("  failed ") and "a.md" in line)
    assert lines[failed + 1] == f"             ! {error} (2 runs in a row)"

    google_site.clear_faults()
    assert cli("export").code == 0
    assert [(d["state"], d["error"], d["failed_runs"]) for d in cli("status", "--json").json["docs"]] == [
        ("in_review", None, 0)]
    assert not any(line.strip().startswith("! posts/a.md") for line in cli("status").out.splitlines())

    path.write_text(simple_post(1).replace("First", "Changed first"), encoding="utf-8")
    google_site.fault(method="docs.documents.batchUpdate", kind="status", status=500, times=9)
    assert cli("export").code == 1
    lines = cli("status").out.splitlines()
    failed = next(i for i, line in enumerate(lines) if "a.md  http" in line)
    assert (lines[failed].split()[0], lines[failed + 1]) == ("in_review", f"             ! {error}")  # the first again
    assert [d["failed_runs"] for d in cli("status", "--json").json["docs"]] == [1]


def test_an_export_asked_to_stop_leaves_the_rest_for_the_next_run(google_site, caplog):
    import logging
    import threading

    from workflow.config import load_config
    from workflow.export import export_posts
    from workflow.store import open_store

    for number in range(4):
        google_site.site.post(f"p{number}.md", simple_post(number))
    config = load_config(google_site.site.root / "config" / "workflow.toml")
    stop = threading.Event()

    def stop_after_the_first(items, total):
        for item in items:
            yield item
            stop.set()  # SIGTERM arrives while the first post is exported

    caplog.set_level(logging.INFO, logger="workflow.export")
    store = open_store(config.state_url)
    try:
        report = export_posts(config, store, None, stop=stop, progress=stop_after_the_first)
    finally:
        store.close()

    assert ([p.path for p in report.posts], report.left, report.interrupted) == (["posts/p0.md"], 3, True)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("stopping")] == [
        "stopping: 3 posts left for the next run"]


def test_without_a_google_session_nothing_is_sent_and_each_post_says_so(google_site):
    from workflow.config import load_config
    from workflow.export import export_posts
    from workflow.store import open_store

    google_site.site.post("a.md", simple_post(1))
    config = load_config(google_site.site.root / "config" / "workflow.toml")

    store = open_store(config.state_url)
    try:
        report = export_posts(config, store, None)  # as bench/ runs it: no session, no dry-run flag
    finally:
        store.close()

    assert [(p.path, str(p.state), p.note, p.error) for p in report.posts] == [
        ("posts/a.md", "created", "dry run: nothing sent", None)]
    assert google_site.api_calls() == []


def test_a_suggested_topic_an_editor_took_off_the_queue_stays_off_when_the_post_changes(google_site, cli):
    chatter = ("\n\nWould you like me to export this to Google Docs? Or should we queue up the next topic: "
               "“Listening Without Fixing”?\n")
    path = google_site.site.post("a.md", simple_post(1) + chatter)
    assert cli("export").code == 0
    [topic] = cli("topics", "list", "--json").json
    assert (topic["title"], topic["source"]) == ("Listening Without Fixing", "post:path:a.md")

    assert cli("topics", "remove", str(topic["id"])).code == 0
    path.write_text(simple_post(1).replace("First", "Changed first") + chatter, encoding="utf-8")
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["updated"]

    assert cli("topics", "list", "--json").json == []


def test_with_start_approval_off_reviewers_are_invited_and_no_approval_is_asked(google_site, cli):
    google_site.configure("start_approval = false")
    google_site.site.post("a.md", simple_post(1))

    [post] = cli("export", "--json").json["posts"]

    assert (post["state"], post["error"]) == ("created", None)
    assert [to for to, _name, _message in invitations(google_site, "share")] == [REVIEWER]
    assert "drive.approvals.start" not in api_methods(google_site)
    assert "drive.comments.create" not in api_methods(google_site), "nor asked in a comment"
    drive, _ = google_site.reviewer(REVIEWER)
    assert drive.approvals().list(fileId=post["doc_id"]).execute().get("items", []) == []


def test_a_forced_export_of_an_approved_post_does_not_ask_for_a_second_approval(google_site, cli):
    google_site.site.post("a.md", simple_post(1))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    drive, _ = google_site.reviewer(REVIEWER)
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    assert cli("reviews", "--sync").code == 0

    forced = cli("export", "--force", "--json").json["posts"]

    assert [(p["state"], p["error"]) for p in forced] == [("unchanged", None)]
    items = drive.approvals().list(fileId=doc_id, fields="items(status)").execute()["items"]
    assert [a["status"] for a in items] == ["APPROVED"]
    assert [row["state"] for row in cli("reviews", "--json").json["board"]] == ["approved"]


def test_a_post_edited_with_its_modification_time_kept_is_still_exported(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    before = path.stat()
    path.write_text(simple_post(1).replace("First", "Edited first"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or an editor keeping the time leaves it

    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["updated"]
    assert doc_text(google_site, doc_id) == "# Post number 1\n\nEdited first paragraph of post 1.\n\nSecond paragraph of post 1.\n"


def test_an_update_whose_run_died_after_its_write_landed_is_recorded_not_taken_for_a_reviewers_edit(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    path.write_text(simple_post(1).replace("First", "Second version, first"), encoding="utf-8")

    google_site.export_killed_at("docs.documents.batchUpdate")

    assert doc_text(google_site, doc_id).startswith("# Post number 1\n\nSecond version, first paragraph")

    again = cli("export", "--json")

    assert [(p["state"], p["error"]) for p in again.json["posts"]] == [("updated", None)]
    assert "reviewers have touched" not in again.err
    assert doc_text(google_site, doc_id) == (
        "# Post number 1\n\nSecond version, first paragraph of post 1.\n\nSecond paragraph of post 1.\n")
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]


def test_only_the_posts_nobody_reviews_are_named_in_the_warning(google_site, cli):
    google_site.configure(reviewers=())
    google_site.site.post("a.md", "---\nreviewers: [ann@example.com]\n---\n" + simple_post(1))
    google_site.site.post("b.md", simple_post(2))
    google_site.site.post("c.md", simple_post(3))

    result = cli("export", "--json")

    assert result.json["warnings"] == [
        "nobody will review posts/b.md, posts/c.md: [review] reviewers is empty and the post names no `reviewers` "
        "in its front matter, so its Doc is shared with nobody and no approval starts"]
    google_site.configure()
    google_site.site.post("d.md", simple_post(4))
    assert cli("export", "--json").json["warnings"] == []


def test_a_relative_image_goes_into_the_doc_from_the_site_url(google_site, cli):
    from sandbox_fixtures import publish_images

    publish_images(google_site.sandbox, "https://blog.example.com/")
    google_site.configure('[content]\nsite_url = "https://blog.example.com/posts"')
    google_site.site.post("a.md", "# Bench\n\n![A bench](images/bench.png)\n")

    [post] = cli("export", "--json").json["posts"]

    assert (post["state"], post["warnings"]) == ("created", [])
    _, docs = google_site.owner()
    document = docs.documents().get(documentId=post["doc_id"]).execute()
    sources = [o["inlineObjectProperties"]["embeddedObject"]["imageProperties"].get("sourceUri")
               for o in document.get("inlineObjects", {}).values()]
    assert sources == ["https://blog.example.com/posts/images/bench.png"]


def test_a_post_the_loader_fails_on_unexpectedly_fails_alone_and_the_rest_goes_on(google_site, cli, monkeypatch):
    import workflow.export.decide as decide

    real_load = decide.load_post

    def load_post(path, **kwargs):
        if str(path).endswith("b.md"):
            raise RecursionError("maximum recursion depth exceeded\nwhile parsing")  # a bug, not a bad post
        return real_load(path, **kwargs)

    monkeypatch.setattr(decide, "load_post", load_post)
    for name in ("a.md", "b.md", "c.md"):
        google_site.site.post(name, simple_post(ord(name[0])))

    result = cli("export", "--json")

    assert [(p["path"], p["state"], p["error"]) for p in result.json["posts"]] == [
        ("posts/a.md", "created", None),
        ("posts/b.md", "failed", "posts/b.md: cannot read the post: RecursionError: maximum recursion depth exceeded"),
        ("posts/c.md", "created", None)]


def test_a_surprise_while_sending_one_post_fails_it_in_one_line_with_the_trace_under_verbose(google_site, cli,
                                                                                            monkeypatch):
    from workflow.export.write import DocWriter

    real_send = DocWriter.send

    def send(self, prepared, export):
        if prepared.post.rel_path.endswith("b.md"):
            return 1 / 0  # a bug met by one post
        return real_send(self, prepared, export)

    monkeypatch.setattr(DocWriter, "send", send)
    for name in ("a.md", "b.md", "c.md"):
        google_site.site.post(name, simple_post(ord(name[0])))

    quiet = cli("export", "--json")

    assert [(p["path"], p["state"], p["error"]) for p in quiet.json["posts"]] == [
        ("posts/a.md", "created", None), ("posts/b.md", "failed", "posts/b.md: ZeroDivisionError: division by zero"),
        ("posts/c.md", "created", None)]
    assert "Traceback" not in quiet.err
    verbose = cli("export", "-v")
    assert "posts/b.md: ZeroDivisionError: division by zero" in verbose.out
    trace = verbose.err[verbose.err.index("export of posts/b.md failed"):]
    assert "Traceback (most recent call last)" in trace and "return 1 / 0" in trace


def test_posts_sharing_an_id_are_refused_though_a_post_with_its_own_id_comes_first(google_site, cli):
    google_site.site.post("a.md", "---\nid: alone\n---\n" + simple_post(1))
    google_site.site.post("b.md", "---\nid: same\n---\n" + simple_post(2))
    google_site.site.post("c.md", "---\nid: same\n---\n" + simple_post(3))

    result = cli("export", "--json")

    assert [(p["path"], p["state"]) for p in result.json["posts"]] == [
        ("posts/a.md", "created"), ("posts/b.md", "failed"), ("posts/c.md", "failed")]


def test_a_post_that_ended_with_a_list_and_now_ends_with_a_paragraph_reads_so_in_its_doc(google_site, cli):
    path = google_site.site.post("a.md", "An opening.\n\n- first item\n- last item\n")
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    path.write_text("A new opening.\n\nA closing paragraph.\n", encoding="utf-8")

    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["updated"]

    assert doc_text(google_site, doc_id) == "A new opening.\n\nA closing paragraph.\n"
