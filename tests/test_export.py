"""`workflow export` end to end: the worker talks to the sandbox over HTTP through the real client."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from google.oauth2 import service_account
from sandbox_fixtures import OWNER, build_clients, publish_images
from site_fixtures import REVIEWER

from workflow.render import read_document

DOC_MIME = "application/vnd.google-apps.document"
SCOPES = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/documents"]

RICH_POST = """\
---
title: "Listening Without Fixing"
author: priya
---

# Listening Without Fixing

Most of us *want* to help 😅, and **helping** turns into fixing.

- Reflect what you heard
- Ask one open question 👨‍👩‍👧‍👦

| Habit | Fixing |
|-------|:------:|
| First | advice |

The end of the post.
"""


def app_clients(google_site):
    """The worker's own view (its app's files, with their appProperties)."""
    creds = service_account.Credentials.from_service_account_file(str(google_site.key), scopes=SCOPES)
    return build_clients(google_site.sandbox, creds.with_subject(OWNER))


def review_docs(google_site) -> list[dict]:
    drive, _ = app_clients(google_site)
    reply = drive.files().list(q=f"mimeType = '{DOC_MIME}' and trashed = false", pageSize=1000,
                               fields="files(id,name,appProperties,parents)").execute()
    return reply["files"]


def doc_text(google_site, doc_id: str) -> str:
    _, docs = app_clients(google_site)
    return read_document(docs.documents().get(documentId=doc_id).execute())


def simple_post(number: int) -> str:
    return f"# Post number {number}\n\nFirst paragraph of post {number}.\n\nSecond paragraph of post {number}.\n"


def assert_one_complete_doc_per_post(google_site, count: int) -> None:
    docs = review_docs(google_site)
    keys = [d["appProperties"]["workflowPostKey"] for d in docs]
    assert len(keys) == len(set(keys)) == count, f"{len(docs)} Docs for {count} posts"
    for doc in docs:
        text = doc_text(google_site, doc["id"])
        number = doc["name"].rsplit(" ", 1)[-1]
        assert text.count(f"First paragraph of post {number}.") == 1, text
        assert text.count(f"Second paragraph of post {number}.") == 1, text


def test_export_creates_one_shared_doc_per_finished_post(google_site, cli, samples):
    for name in ("pasted-with-mojibake.md", "front-matter-and-rich-markdown.md", "draft-in-progress.md"):
        (google_site.site.posts / name).write_bytes((samples / name).read_bytes())

    result = cli("export", "--json")

    assert result.code == 0, result.err
    report = result.json
    assert (report["created"], report["skipped"], report["failed"]) == (2, 1, 0)
    states = {p["path"]: p["state"] for p in report["posts"]}
    assert states["posts/draft-in-progress.md"] == "skipped"
    docs = review_docs(google_site)
    assert sorted(d["name"] for d in docs) == ["Listening Without Fixing: A Field Guide",
                                               "🌱 5 Small Habits That Rebuild Trust After a Fight"]
    folder = {p for d in docs for p in d["parents"]}
    assert len(folder) == 1, "all review Docs live in one review folder"
    pasted = next(d for d in docs if "5 Small" in d["name"])
    text = doc_text(google_site, pasted["id"])
    assert "Would you like" not in text and "Want me to" not in text and "Google Doc" not in text
    assert "ð" not in text and "đź" not in text and "💔" not in text
    assert "🌱" in text and "- Why repair matters more than “winning”" in text
    # Shared with the reviewer (who now sees it) and an approval started.
    reviewer_drive, _ = google_site.reviewer(REVIEWER)
    assert reviewer_drive.files().get(fileId=pasted["id"], fields="id").execute()["id"] == pasted["id"]
    approvals = reviewer_drive.approvals().list(fileId=pasted["id"], fields="items(status)").execute()["items"]
    assert [a["status"] for a in approvals] == ["IN_PROGRESS"]
    drive, _ = app_clients(google_site)
    permissions = drive.permissions().list(fileId=pasted["id"], fields="permissions(type,role,emailAddress)"
                                           ).execute()["permissions"]
    assert {"type": "user", "role": "commenter", "emailAddress": REVIEWER} in permissions
    assert all(p["type"] == "user" for p in permissions), "never shared with 'anyone with the link'"
    # The topic suggested by the chatter is queued, once.
    topics = cli("topics", "list", "--json").json
    assert [t["title"] for t in topics] == ["Love Languages in Long-Distance Relationships"]
    cli("export", "--force")
    assert len(cli("topics", "list", "--json").json) == 1


def test_twenty_five_posts_export_once_and_a_second_run_makes_no_api_call(google_site, cli):
    for number in range(25):
        google_site.site.post(f"post-{number:02}.md", simple_post(number))

    first = cli("export", "--json")
    assert first.code == 0, first.err
    assert first.json["created"] == 25
    calls_after_first = len(google_site.requests())

    second = cli("export", "--json")

    assert second.json["unchanged"] == 25 and second.json["created"] == 0
    assert len(google_site.requests()) == calls_after_first, "an unchanged run must not call the API"
    assert_one_complete_doc_per_post(google_site, 25)
    per_post = [r["method"] for r in google_site.requests()[:calls_after_first]]
    docs_writes = per_post.count("docs.documents.batchUpdate")
    assert docs_writes == 25, "one Docs write per post"
    drive_calls = sum(1 for m in per_post if m.startswith("drive.") and m != "drive.permissions.create")
    assert drive_calls <= 3 * 25


def test_unchanged_content_with_a_new_mtime_makes_no_write(google_site, cli):
    path = google_site.site.post("a.md", simple_post(1))
    cli("export")
    before = len(google_site.requests())
    os.utime(path, (time.time() + 10, time.time() + 10))

    result = cli("export", "--json")

    assert result.json["unchanged"] == 1
    assert len(google_site.requests()) == before


def test_renamed_post_keeps_its_doc(google_site, cli):
    path = google_site.site.post("old-name.md", simple_post(7))
    first = cli("export", "--json").json["posts"][0]
    path.rename(google_site.site.posts / "new-name.md")

    second = cli("export", "--json").json["posts"][0]

    assert second["doc_id"] == first["doc_id"] and second["state"] == "unchanged"
    assert len(review_docs(google_site)) == 1


def test_changed_post_replaces_an_untouched_doc(google_site, cli):
    path = google_site.site.post("a.md", simple_post(3))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    path.write_text(simple_post(3).replace("First paragraph", "First paragraph, rewritten,"), encoding="utf-8")

    result = cli("export", "--json")

    assert result.json["updated"] == 1
    text = doc_text(google_site, doc_id)
    assert "First paragraph, rewritten, of post 3." in text
    assert "First paragraph of post 3." not in text
    assert text.count("Second paragraph of post 3.") == 1


def reviewer_replaces(google_site, doc_id: str, old: str, new: str) -> None:
    """A reviewer with edit rights changes a phrase directly in the Doc."""
    _, docs = google_site.reviewer(REVIEWER)
    document = docs.documents().get(documentId=doc_id).execute()
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"replaceAllText": {"containsText": {"text": old, "matchCase": True}, "replaceText": new}}],
        "writeControl": {"requiredRevisionId": document["revisionId"]}}).execute()


def test_author_edit_after_reviewer_edit_becomes_a_suggestion(google_site, cli):
    google_site.configure(role="writer")
    path = google_site.site.post("a.md", simple_post(4))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    reviewer_replaces(google_site, doc_id, "First paragraph of post 4.", "First paragraph, as the editor wants it.")
    path.write_text(simple_post(4).replace("Second paragraph", "Second paragraph, improved by the author,"),
                    encoding="utf-8")

    result = cli("export", "--json")

    assert result.json["suggested"] == 1, result.json
    _, docs = app_clients(google_site)
    plain = read_document(docs.documents().get(documentId=doc_id,
                                               suggestionsViewMode="PREVIEW_WITHOUT_SUGGESTIONS").execute())
    assert plain == "# Post number 4\n\nFirst paragraph, as the editor wants it.\n\nSecond paragraph of post 4.\n", \
        "the reviewer's text is kept, the author's change is not applied directly"
    accepted = read_document(docs.documents().get(documentId=doc_id,
                                                  suggestionsViewMode="PREVIEW_SUGGESTIONS_ACCEPTED").execute())
    assert accepted == ("# Post number 4\n\nFirst paragraph, as the editor wants it.\n\n"
                        "Second paragraph, improved by the author, of post 4.\n")
    inline = docs.documents().get(documentId=doc_id, suggestionsViewMode="SUGGESTIONS_INLINE").execute()
    assert "suggestedInsertionIds" in json.dumps(inline)
    assert cli("export", "--json").json["unchanged"] == 1


def test_conflicting_edits_are_listed_in_a_comment_and_nothing_is_overwritten(google_site, cli):
    google_site.configure(role="writer")
    path = google_site.site.post("a.md", simple_post(5))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    reviewer_replaces(google_site, doc_id, "First paragraph of post 5.", "Editor's first paragraph.")
    path.write_text(simple_post(5).replace("First paragraph of post 5.", "Author's first paragraph."),
                    encoding="utf-8")

    result = cli("export", "--json")

    assert result.json["suggested"] == 1
    assert "Editor's first paragraph." in doc_text(google_site, doc_id)
    drive, _ = app_clients(google_site)
    comments = drive.comments().list(fileId=doc_id, fields="comments(content)").execute()["comments"]
    assert any("Author's first paragraph." in c["content"] for c in comments)
    status = cli("status", "--json")
    if status.code == 0:
        assert status.json["exports"].get("conflict") == 1


EXPORT_METHODS = ["drive.files.generateIds", "drive.files.create", "docs.documents.get",
                  "docs.documents.batchUpdate", "drive.permissions.create", "drive.approvals.start"]
FAULTS = [
    {"kind": "status", "status": 503, "times": 2},
    {"kind": "status", "status": 500, "times": 9},  # more than the retries: the post fails this run
    {"kind": "rate_limit", "times": 2},
    {"kind": "drop", "times": 2},
    {"kind": "drop", "times": 9},  # more than the retries: a transport failure fails the post, not the run
    {"kind": "commit_then_fail", "times": 1},
    {"kind": "delay", "seconds": 1.5, "times": 1},
]


@pytest.mark.parametrize("method", EXPORT_METHODS)
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f"{f['kind']}-{f.get('status', '')}x{f['times']}")
def test_every_fault_at_every_call_ends_with_one_complete_doc_per_post(google_site, cli, method, fault):
    google_site.configure(timeout=1.0)
    for number in range(2):
        google_site.site.post(f"post-{number}.md", simple_post(number))
    google_site.fault(method=method, **fault)

    first = cli("export", "--json")
    google_site.clear_faults()
    second = cli("export", "--json")

    assert first.code in (0, 1) and "Traceback" not in first.err
    assert second.code == 0, second.out
    assert_one_complete_doc_per_post(google_site, 2)
    if fault["times"] > 5:
        assert first.json["failed"] >= 1 or first.json["created"] == 2


def test_bad_post_is_reported_with_file_and_line_and_the_rest_goes_on(google_site, cli):
    google_site.site.post("good.md", simple_post(1))
    google_site.site.post("broken.md", "---\ntitle: [unclosed\n---\n\nBody\n")

    result = cli("export", "--json")

    assert result.code == 1
    by_path = {p["path"]: p for p in result.json["posts"]}
    assert by_path["posts/good.md"]["state"] == "created"
    assert by_path["posts/broken.md"]["state"] == "failed"
    assert by_path["posts/broken.md"]["error"].startswith("posts/broken.md:2:")


def test_dry_run_sends_and_records_nothing(google_site, cli):
    google_site.site.post("a.md", simple_post(1))

    result = cli("export", "--dry-run", "--json")

    assert result.code == 0 and result.json["created"] == 1
    assert google_site.api_calls() == []
    assert cli("export", "--json").json["created"] == 1


def test_kill_minus_nine_at_random_moments_then_rerun_leaves_one_doc_per_post(google_site):
    for number in range(50):
        google_site.site.post(f"post-{number:03}.md", simple_post(number))
    command = [sys.executable, "-m", "workflow", "export", "--json"]
    rng = random.Random(20261126)
    for _ in range(4):
        process = subprocess.Popen(command, cwd=google_site.site.root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()

    final = subprocess.run(command, cwd=google_site.site.root, capture_output=True, text=True, timeout=300)

    assert final.returncode == 0, final.stderr[-2000:]
    report = json.loads(final.stdout)
    assert report["failed"] == 0
    assert_one_complete_doc_per_post(google_site, 50)


def test_export_into_a_shared_drive(google_site, cli):
    owner_drive, _ = google_site.owner()
    shared = owner_drive.drives().create(requestId="blog-reviews", body={"name": "Blog reviews"}).execute()
    config = google_site.site.root / "config" / "workflow.toml"
    config.write_text(config.read_text().replace("[review]", f'shared_drive_id = "{shared["id"]}"\n\n[review]'))
    google_site.site.post("a.md", simple_post(1))

    least = cli("export", "--json")  # drive.file cannot reach a shared drive the worker did not create

    assert least.code == 1 and 'set [google] drive_scope = "drive"' in least.json["posts"][0]["error"]
    config.write_text(config.read_text().replace("[review]", 'drive_scope = "drive"\n\n[review]'))
    result = cli("export", "--json")

    assert result.code == 0, result.out + result.err
    drive, _ = app_clients(google_site)
    doc = drive.files().get(fileId=result.json["posts"][0]["doc_id"], supportsAllDrives=True,
                            fields="id,driveId,parents").execute()
    assert doc["driveId"] == shared["id"]
    folder = drive.files().get(fileId=doc["parents"][0], supportsAllDrives=True, fields="name,driveId").execute()
    assert folder == {"name": "Blog posts in review", "driveId": shared["id"]}


def test_force_re_renders_an_untouched_doc_and_leaves_an_edited_one_alone(google_site, cli):
    google_site.configure(role="writer")
    google_site.site.post("a.md", simple_post(8))
    google_site.site.post("b.md", simple_post(9))
    docs_by_path = {p["path"]: p["doc_id"] for p in cli("export", "--json").json["posts"]}
    _, docs = app_clients(google_site)
    before = docs.documents().get(documentId=docs_by_path["posts/a.md"]).execute()["revisionId"]
    reviewer_replaces(google_site, docs_by_path["posts/b.md"], "First paragraph of post 9.", "Edited by the editor.")

    result = cli("export", "--force", "--json")

    states = {p["path"]: p["state"] for p in result.json["posts"]}
    assert states == {"posts/a.md": "updated", "posts/b.md": "unchanged"}
    after = docs.documents().get(documentId=docs_by_path["posts/a.md"]).execute()["revisionId"]
    assert after != before, "the untouched Doc was written again"
    assert doc_text(google_site, docs_by_path["posts/a.md"]).count("First paragraph of post 8.") == 1
    assert "Edited by the editor." in doc_text(google_site, docs_by_path["posts/b.md"])
    assert cli("export", "--json").json["unchanged"] == 2


# --- the lifecycle holes (issue 10), each through the CLI ---

def reviewer_suggests_at_end_of(google_site, doc_id: str, anchor: str, words: str, *, suggest: bool = True) -> None:
    """The reviewer types `words` after the paragraph holding `anchor` (as a suggestion, or an edit)."""
    _, docs = google_site.reviewer(REVIEWER)
    document = docs.documents().get(documentId=doc_id).execute()
    end = next(e["endIndex"] for e in document["body"]["content"]
               if anchor in "".join(r.get("textRun", {}).get("content", "") for r in e.get("paragraph", {}).get(
                   "elements", [])))
    body: dict = {"requests": [{"insertText": {"location": {"index": end - 1}, "text": words}}]}
    if suggest:
        body["writeControl"] = {"writeMode": "SUGGEST"}
    docs.documents().batchUpdate(documentId=doc_id, body=body).execute()


def inline_text(google_site, doc_id: str) -> str:
    """Every character in the Doc, pending suggestions included."""
    _, docs = app_clients(google_site)
    document = docs.documents().get(documentId=doc_id, suggestionsViewMode="SUGGESTIONS_INLINE").execute()
    return "".join(run.get("textRun", {}).get("content", "") for element in document["body"]["content"]
                   for run in element.get("paragraph", {}).get("elements", []))


@pytest.mark.parametrize("suggest", [True, False], ids=["suggested", "typed"])
def test_reviewer_words_survive_the_authors_second_and_third_change(google_site, cli, suggest):
    google_site.configure(role="writer")
    text = "# Five paragraphs\n\n" + "".join(f"Paragraph {n}.\n\n" for n in range(1, 5))
    path = google_site.site.post("a.md", text)
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    reviewer_suggests_at_end_of(google_site, doc_id, "Paragraph 1.", " REVIEWER WORDS.", suggest=suggest)
    for old, new in (("Paragraph 2.", "Paragraph 2, changed."), ("Paragraph 4.", "Paragraph 4, changed."),
                     ("Paragraph 4, changed.\n", "Paragraph 4, changed.\n\nParagraph 5, new.\n")):
        text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")

        result = cli("export", "--json")

        assert [p["state"] for p in result.json["posts"]] == ["suggested"], result.json
        inline = inline_text(google_site, doc_id)
        assert inline.count("REVIEWER WORDS.") == 1, inline
        assert new.split("\n")[-2 if new.endswith("\n") else -1] in inline, inline


def test_a_doc_approved_untouched_gets_the_authors_change_as_suggestions_after_the_sync(google_site, cli):
    path = google_site.site.post("a.md", simple_post(7))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    drive, _ = google_site.reviewer(REVIEWER)
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    path.write_text(simple_post(7).replace("Second paragraph", "Second paragraph, after approval,"), encoding="utf-8")

    waiting = cli("export", "--json").json["posts"][0]

    assert waiting["state"] == "skipped" and "reviews --sync" in waiting["note"]
    assert cli("reviews", "--sync").code == 0  # the approved text comes home beside the changed post
    assert (google_site.site.posts / "a.approved.md").exists()
    assert cli("export", "--json").json["posts"][0]["state"] == "suggested"
    _, docs = app_clients(google_site)
    established = read_document(docs.documents().get(
        documentId=doc_id, suggestionsViewMode="PREVIEW_WITHOUT_SUGGESTIONS").execute())
    assert "Second paragraph of post 7." in established, "the approved text stays as approved"
    items = drive.approvals().list(fileId=doc_id, fields="items(status)").execute()["items"]
    assert sorted(a["status"] for a in items) == ["APPROVED", "IN_PROGRESS"], "a new round of review"


def test_two_posts_with_one_id_are_refused_before_any_api_call(google_site, cli):
    google_site.site.post("a.md", "---\nid: same\ntitle: First\n---\n" + simple_post(1))
    first = cli("export", "--json").json["posts"][0]
    calls = len(google_site.api_calls())
    google_site.site.post("b.md", "---\nid: same\ntitle: Second\n---\n" + simple_post(2))

    result = cli("export")

    assert result.code == 1
    lines = [line.strip() for line in result.out.splitlines() if line.strip().startswith("failed")]
    assert lines == [
        "failed     posts/a.md: post id 'same' is also the id of posts/b.md; give one of them another `id` in "
        "its front matter (neither is exported until then)",
        "failed     posts/b.md: post id 'same' is also the id of posts/a.md; give one of them another `id` in "
        "its front matter (neither is exported until then)"]
    assert len(google_site.api_calls()) == calls, "nothing is sent, and the Doc of posts/a.md is left alone"
    assert cli("reviews", "--sync").code == 0
    (google_site.site.posts / "b.md").write_text("---\nid: other\ntitle: Second\n---\n" + simple_post(2),
                                                  encoding="utf-8")
    after = {p["path"]: p for p in cli("export", "--json").json["posts"]}
    assert after["posts/a.md"]["state"] == "unchanged" and after["posts/a.md"]["doc_id"] == first["doc_id"]
    assert after["posts/b.md"]["state"] == "created"
    assert doc_text(google_site, first["doc_id"]).count("First paragraph of post 1.") == 1


def test_an_overlapping_export_skips_the_post_another_run_is_exporting(google_site, cli):
    for number in range(3):
        google_site.site.post(f"post-{number}.md", simple_post(number))
    google_site.fault(method="docs.documents.batchUpdate", kind="delay", seconds=2.0, times=1)
    other = subprocess.Popen([sys.executable, "-m", "workflow", "export", "--json"], cwd=google_site.site.root,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while not any(r["method"] == "docs.documents.get" for r in google_site.requests()):
        assert time.monotonic() < deadline and other.poll() is None
        time.sleep(0.05)  # the other run has its first post in hand, held in its write

    mine = cli("export", "--json")
    theirs = json.loads(other.communicate(timeout=60)[0])

    states = {p["path"]: p for p in mine.json["posts"]}
    held = states["posts/post-0.md"]
    assert held["state"] == "skipped" and held["note"].startswith("another run (") and f":{other.pid}:" in held["note"]
    assert {p["path"]: p["state"] for p in theirs["posts"]}["posts/post-0.md"] == "created"
    assert_one_complete_doc_per_post(google_site, 3)


def test_one_post_that_breaks_the_renderer_fails_alone(google_site, cli):
    google_site.site.post("good.md", simple_post(1))
    google_site.site.post("deep.md", "# Deep\n\n" + "".join("  " * depth + "- level\n" for depth in range(300)))

    result = cli("export", "--json")

    assert "Traceback" not in result.err
    by_path = {p["path"]: p for p in result.json["posts"]}
    assert by_path["posts/good.md"]["state"] == "created"
    deep = by_path["posts/deep.md"]
    assert deep["state"] in ("created", "failed")
    if deep["state"] == "failed":
        assert deep["error"].startswith("posts/deep.md: ") and "\n" not in deep["error"]


IMAGES_POST = """\
# Pictures

![A cat](https://cdn.example.com/cat.png)

![Gone](https://gone.example.com/dog.png)

![A bird](https://cdn.example.com/bird.webp)

The end.
"""


def test_a_post_whose_images_google_cannot_show_exports_with_links_in_their_place(google_site, cli):
    """Issue 12: Docs refuses a whole write for one image it cannot fetch; the post still reaches review."""
    publish_images(google_site.sandbox, "https://cdn.example.com/")  # gone.example.com is not on the web
    google_site.site.post("pictures.md", IMAGES_POST)

    result = cli("export", "--json")
    text = cli("export", "--force").out

    assert result.code == 0, result.err
    [post] = result.json["posts"]
    assert post["state"] == "created"
    [bird, gone] = sorted(post["warnings"], key=lambda warning: warning["line"], reverse=True)
    assert gone["line"] == 5 and gone["message"].startswith(
        "Google could not fetch the image 'https://gone.example.com/dog.png'")
    assert bird["line"] == 7 and bird["message"].startswith("image 'https://cdn.example.com/bird.webp' is WebP")
    writes = [call["status"] for call in google_site.api_calls() if call["method"] == "docs.documents.batchUpdate"]
    assert writes[:2] == [400, 200], "refused once for the unreachable image, then written without it"
    _, docs = app_clients(google_site)
    document = docs.documents().get(documentId=post["doc_id"]).execute()
    [image] = document["inlineObjects"].values()
    assert image["inlineObjectProperties"]["embeddedObject"]["imageProperties"]["sourceUri"] == \
        "https://cdn.example.com/cat.png"
    links = {run["textRun"]["content"]: run["textRun"]["textStyle"]["link"]["url"]
             for element in document["body"]["content"] for run in element.get("paragraph", {}).get("elements", [])
             if run.get("textRun", {}).get("textStyle", {}).get("link")}
    assert links == {"🖼 Gone": "https://gone.example.com/dog.png", "🖼 A bird": "https://cdn.example.com/bird.webp"}
    assert "![Gone](https://gone.example.com/dog.png)" in read_document(document)
    assert "posts/pictures.md:5: warning: Google could not fetch the image" in text
