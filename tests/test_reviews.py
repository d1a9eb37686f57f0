"""Following reviews end to end in the sandbox: posts exported with `workflow export`, reviewers acting
in Google's editor (comments, replies, suggestions, edits, approve/decline), `workflow reviews`
showing it and bringing the approved text home."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sandbox_fixtures import control, reviewer_clients, write_key_file

from workflow.config import load_config
from workflow.google.clients import connect
from workflow.reviews import overdue_reviews, sync_reviews
from workflow.store import open_store

EDITOR = "ed@example.com"
POST = """\
    ---
    title: Hello
    author: Ann
    ---
    # Hello

    First paragraph with **bold** text.

    - one
    - two

    Last line here.
    """


@dataclass
class Review:
    site: object
    sandbox: object
    doc_id: str
    drive: object  # the reviewer's clients
    docs: object

    def approval_id(self) -> str:
        items = self.drive.approvals().list(fileId=self.doc_id, fields="items(approvalId,createTime)").execute()["items"]
        return max(items, key=lambda a: a["createTime"])["approvalId"]

    def comment(self, content: str, quote: str) -> str:
        return self.drive.comments().create(fileId=self.doc_id, fields="id", body={
            "content": content, "quotedFileContent": {"mimeType": "text/html", "value": quote}}).execute()["id"]

    def reply(self, comment_id: str, content: str, action: str | None = None) -> None:
        body = {"content": content, **({"action": action} if action else {})}
        self.drive.replies().create(fileId=self.doc_id, commentId=comment_id, fields="id", body=body).execute()

    def edit(self, requests: list[dict], suggest: bool = False) -> None:
        body: dict = {"requests": requests}
        if suggest:
            body["writeControl"] = {"writeMode": "SUGGEST"}
        self.docs.documents().batchUpdate(documentId=self.doc_id, body=body).execute()

    def text_index(self, text: str) -> int:
        """The Doc index where `text` starts (single-run paragraphs are enough here)."""
        document = self.docs.documents().get(documentId=self.doc_id).execute()
        for element in document["body"]["content"]:
            for run in element.get("paragraph", {}).get("elements", []):
                content = run.get("textRun", {}).get("content", "")
                if text in content:
                    return run["startIndex"] + content.index(text)
        raise AssertionError(f"{text!r} not in the Doc")


def configure(site, sandbox, tmp_path, extra: str = "") -> None:
    key = write_key_file(sandbox, tmp_path)
    key.chmod(0o600)
    site.write_config(f"""
        [google]
        endpoint = "{sandbox.url}"
        credentials = "{key}"
        subject = "owner@example.com"
        max_retries = 0
        [review]
        reviewers = ["{EDITOR}"]
        role = "writer"
        notify = false
        {extra}
        """)


def export(cli, site, name: str = "hello.md") -> str:
    result = cli("export", "--json")
    assert result.code == 0, result.err
    [post] = [p for p in result.json["posts"] if p["path"] == f"posts/{name}"]
    return post["doc_id"]


@pytest.fixture
def review(site, sandbox, tmp_path, cli) -> Review:
    configure(site, sandbox, tmp_path)
    site.post("hello.md", POST)
    doc_id = export(cli, site)
    drive, docs = reviewer_clients(sandbox, EDITOR)
    return Review(site, sandbox, doc_id, drive, docs)


def board(cli, *args: str) -> dict:
    result = cli("reviews", "--sync", "--json", *args)
    assert result.code == 0, result.err
    [row] = result.json["board"]
    return row


def test_board_and_source_lines_show_comments_replies_resolutions_and_suggestions(review, cli):
    first = review.comment("Why bold?", "paragraph with bold")
    review.reply(first, "Because it matters.")
    second = review.comment("Typo?", "Last line")
    review.reply(second, "Fixed.", action="resolve")
    review.comment("Where did this go?", "a sentence the post never had")
    review.edit([{"insertText": {"location": {"index": review.text_index("here.") + 5}, "text": " More."}}],
                suggest=True)

    row = board(cli)
    assert row["path"] == "posts/hello.md"
    assert row["reviewers"] == {EDITOR: "NO_RESPONSE"}
    assert (row["comments_open"], row["comments_resolved"], row["suggestions_pending"]) == (2, 1, 1)
    assert row["due"] and row["overdue"] is False and row["source_changed"] is False
    assert row["last_activity"]

    lines = cli("reviews", "comments", "posts/hello.md").out.splitlines()
    assert lines[0] == "posts/hello.md:7: “paragraph with bold” — Why bold? (ed@example.com, open)"
    assert lines[1] == "    ed@example.com: Because it matters."
    assert lines[2] == "posts/hello.md:12: “Last line” — Typo? (ed@example.com, resolved)"
    assert lines[3] == "    ed@example.com: Fixed. [resolve]"
    assert lines[4] == ("posts/hello.md: “a sentence the post never had” — Where did this go? "
                        "(ed@example.com, open; anchor no longer maps to the source)")
    as_json = cli("reviews", "comments", "posts/hello.md", "--json").json
    assert [(c["line"], c["status"]) for c in as_json] == [(7, "open"), (12, "resolved"), (None, "open")]

    text = cli("reviews").out
    assert "posts/hello.md  [in_review]" in text and "2 open, 1 resolved; 1 suggestions pending" in text


def test_an_anchored_comment_maps_by_its_anchor_even_when_its_quote_is_ambiguous(review, cli):
    at = review.text_index("two") + 2  # the "o" of "two": an "o" stands on several lines of the post
    review.edit([{"insertComment": {"content": "Three items?", "range": {"startIndex": at, "endIndex": at + 1}}}])
    source = (review.site.posts / "hello.md").read_text(encoding="utf-8").splitlines()
    line = source.index("- two") + 1

    lines = cli("reviews", "comments", "posts/hello.md").out.splitlines()

    assert lines == [f"posts/hello.md:{line}: “o” — Three items? (ed@example.com, open)"]


def requests_since(sandbox, since: int) -> list[str]:
    """What the worker sent: API methods, and "batch" for an HTTP batch (after the calls it carried)."""
    return [r["method"] for r in control(sandbox, "GET", "requests")[since:] if not r["method"].startswith("oauth")]


def test_an_idle_poll_is_one_list_and_one_batch_of_approvals(review, cli):
    board(cli)
    before = len(control(review.sandbox, "GET", "requests"))
    board(cli)
    assert requests_since(review.sandbox, before) == ["drive.files.list", "drive.approvals.list", "batch"]
    review.comment("New thought", "Last line")
    before = len(control(review.sandbox, "GET", "requests"))
    row = board(cli)
    assert row["comments_open"] == 1
    assert requests_since(review.sandbox, before) == [
        "drive.files.list", "drive.approvals.list", "batch", "drive.comments.list", "docs.documents.get"]


def test_an_approval_given_after_the_last_poll_is_seen_on_the_next(review, cli):
    """Whether Drive bumps a file's version on an approval is not documented: the poll must not depend on it."""
    review.edit([{"insertText": {"location": {"index": review.text_index("First paragraph")}, "text": "Edited: "}}])
    assert board(cli)["state"] == "in_review"
    versions = {f["id"]: f["version"] for f in review.drive.files().list(fields="files(id,version)").execute()["files"]}
    review.drive.approvals().approve(fileId=review.doc_id, approvalId=review.approval_id(), body={}).execute()
    assert review.drive.files().get(fileId=review.doc_id, fields="version").execute()["version"] == \
        versions[review.doc_id], "the sandbox keeps the version on an approval, as Drive may"

    row = board(cli)

    assert row["state"] == "approved" and row["write_back"] == "written"
    written = (review.site.posts / "hello.md").read_text(encoding="utf-8")
    assert "status: approved" in written and "Edited: First paragraph with **bold** text." in written


def test_decline_then_approval_brings_the_reviewers_edit_home(review, cli):
    site = review.site
    review.comment("The intro needs work.", "First paragraph")
    review.drive.approvals().decline(fileId=review.doc_id, approvalId=review.approval_id(),
                                     body={"message": "Not yet"}).execute()
    row = board(cli)
    assert row["state"] == "declined" and row["reviewers"] == {EDITOR: "DECLINED"}
    assert row["decline_message"] == "The intro needs work."

    declined_approval = review.approval_id()
    site.post("hello.md", POST.replace("Last line here.", "Last line here, reworded."))
    assert export(cli, site)  # the author's edit goes out as a suggestion; the approval restarts
    assert review.approval_id() != declined_approval
    assert board(cli)["reviewers"] == {EDITOR: "NO_RESPONSE"}

    review.edit([{"insertText": {"location": {"index": review.text_index("First paragraph")}, "text": "Edited: "}}])
    diff = cli("reviews", "diff", "posts/hello.md").out
    assert "+Edited: First paragraph with **bold** text." in diff
    review.drive.approvals().approve(fileId=review.doc_id, approvalId=review.approval_id(), body={}).execute()
    row = board(cli)
    assert row["state"] == "approved" and row["write_back"] == "written"

    written = (site.posts / "hello.md").read_text(encoding="utf-8")
    assert "Edited: First paragraph with **bold** text." in written
    assert "title: Hello\nauthor: Ann\nstatus: approved\napproved_by: [\"ed@example.com\"]\n" in written
    assert re.search(r'^doc: "http://127\.0\.0\.1:\d+/document/d/' + review.doc_id, written, re.M)
    assert board(cli)["source_changed"] is False
    assert (site.posts / "hello.md").read_text(encoding="utf-8") == written  # once only
    assert cli("export", "--json").json["unchanged"] == 1  # the approved text is not sent back


def test_approval_after_the_author_edited_writes_a_side_file_and_keeps_both(review, cli):
    site = review.site
    review.edit([{"insertText": {"location": {"index": review.text_index("First paragraph")}, "text": "Edited: "}}])
    authors = POST.replace("Last line here.", "The author's own ending.")
    site.post("hello.md", authors)
    (site.posts / "hello.approved.md").write_text("an older side file\n", encoding="utf-8")
    review.drive.approvals().approve(fileId=review.doc_id, approvalId=review.approval_id(), body={}).execute()

    row = board(cli)
    assert row["write_back"] == "conflict" and row["write_back_path"] == "posts/hello-2.approved.md"
    assert row["source_changed"] is True
    assert (site.posts / "hello.md").read_text(encoding="utf-8") == textwrap.dedent(authors)
    assert (site.posts / "hello.approved.md").read_text(encoding="utf-8") == "an older side file\n"
    side = (site.posts / "hello-2.approved.md").read_text(encoding="utf-8")
    assert "Edited: First paragraph" in side and "Last line here." in side and "status: approved" in side
    board(cli)
    assert sorted(p.name for p in site.posts.iterdir()) == ["hello-2.approved.md", "hello.approved.md", "hello.md"]


def test_webhook_gets_each_event_once_and_never_logs_the_secret(site, sandbox, tmp_path, cli, caplog):
    from http.server import BaseHTTPRequestHandler, HTTPServer
    import threading

    received: list[dict] = []
    answers = [500]  # the first POST fails: it is retried on the next run

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = answers.pop(0) if answers else 200
            if status == 200:
                received.append(body)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/services/T000/B000/SECRETPATH"
        configure(site, sandbox, tmp_path, f'webhook_url = "{url}"')
        site.post("hello.md", POST)
        site.post("other.md", POST.replace("Hello", "Other"))
        hello, other = export(cli, site, "hello.md"), export(cli, site, "other.md")
        drive, docs = reviewer_clients(sandbox, EDITOR)
        for doc_id, verb in ((hello, "approve"), (other, "decline")):
            [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
            getattr(drive.approvals(), verb)(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()

        caplog.set_level("INFO")
        assert cli("reviews", "--sync").code == 0
        assert len(received) == 1  # one of the two failed
        assert cli("reviews", "--sync").code == 0
        assert cli("reviews", "--sync").code == 0
        texts = sorted(item["text"] for item in received)
        assert len(texts) == 2
        assert texts[0].startswith("Approved by ed@example.com: posts/hello.md")
        assert texts[1].startswith("Declined: posts/other.md")

        config = load_config(site.root / "config" / "workflow.toml")
        store = open_store(config.state_url)
        session = connect(config)
        try:
            site.post("third.md", POST.replace("Hello", "Third"))
            export(cli, site, "third.md")
            assert cli("reviews", "--sync").code == 0
            later = datetime.now(timezone.utc) + timedelta(days=10)
            assert [r["path"] for r in overdue_reviews(store, later)] == ["posts/third.md"]
            assert overdue_reviews(store, datetime.now(timezone.utc)) == []
            for _ in range(2):
                sync_reviews(config, store, session, now=later)
        finally:
            session.close()
            store.close()
        overdue = [item["text"] for item in received if item["text"].startswith("Overdue")]
        assert len(overdue) == 1 and "posts/third.md" in overdue[0] and EDITOR in overdue[0]
        assert "SECRETPATH" not in caplog.text and "SECRETPATH" not in json.dumps(
            control(sandbox, "GET", "requests"))
    finally:
        server.shutdown()
        server.server_close()


def test_comments_of_a_post_that_was_never_exported_is_a_user_error(site, sandbox, tmp_path, cli):
    configure(site, sandbox, tmp_path)
    site.post("draft.md", POST)
    result = cli("reviews", "comments", "posts/draft.md")
    assert result.code == 2
    assert "posts/draft.md: not exported for review (run `workflow export` first)" in result.err


def test_a_failing_folder_listing_is_one_line_and_exit_1_not_a_traceback(review, cli):
    control(review.sandbox, "POST", "faults", {"method": "drive.files.list", "kind": "status", "status": 500,
                                               "times": 9})
    result = cli("reviews", "--sync")
    control(review.sandbox, "DELETE", "faults")

    assert result.code == 1 and "Traceback" not in result.err
    assert "workflow: warning: cannot list the review Docs: HTTP 500" in result.err
    assert cli("reviews", "--sync").code == 0


def test_a_reviewers_script_link_comes_home_as_plain_text_with_a_warning(review, cli):
    """Issue 11: a link a reviewer points at `javascript:` must not reach the Markdown the blog publishes."""
    start = review.text_index("Last line")
    review.edit([{"updateTextStyle": {"range": {"startIndex": start, "endIndex": start + len("Last line")},
                                      "textStyle": {"link": {"url": "javascript:alert(document.domain)"}},
                                      "fields": "link"}}])
    review.drive.approvals().approve(fileId=review.doc_id, approvalId=review.approval_id(), body={}).execute()

    result = cli("reviews", "--sync", "--json")

    assert result.code == 0, result.err
    written = (review.site.posts / "hello.md").read_text(encoding="utf-8")
    assert "status: approved" in written and "Last line here." in written
    assert "javascript:" not in written.split("---", 2)[2]
    [warning] = result.json["sync"]["warnings"]
    assert warning == ("posts/hello.md: link 'javascript:alert(document.domain)' uses the scheme 'javascript' "
                       "(only http, https, mailto and relative paths): kept as plain text")
    [row] = result.json["board"]
    assert row["write_back"] == "written" and row["write_back_note"] == (
        "approved text written into the post; " + warning.removeprefix("posts/hello.md: "))
    assert f"    note: {row['write_back_note']}" in cli("reviews").out.splitlines()
