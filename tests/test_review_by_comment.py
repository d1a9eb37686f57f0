"""Reviews where Drive approvals are not available (issue 16): `[review] approval = "auto" | "drive" |
"comments"`. In comment mode the worker opens one approval comment; listed reviewers answer with
replies, matched by the name Google shows (comment authors carry no email)."""

from __future__ import annotations

import pytest
from sandbox_fixtures import OWNER, control, reviewer_clients
from site_fixtures import REVIEWER

REVIEWER_NAME = "Edna Editor"
SECOND = "sam@example.com"
POST = "---\ntitle: Walks\n---\n# Walks\n\nA first paragraph.\n\nThe last line.\n"
WORDING = "Reply **approve** to approve this post, or **decline:** and a reason."


def no_drive_approvals(google_site, **who) -> None:
    """The worker's account (or one file) is not eligible for Drive approvals."""
    control(google_site.sandbox, "POST", "approvals-eligibility", {**(who or {"email": OWNER}), "eligible": False})


def export(cli, name: str = "walks.md") -> dict:
    result = cli("export", "--json")
    [post] = [p for p in result.json["posts"] if p["path"] == f"posts/{name}"]
    return post


def approval_comment(google_site, doc_id: str) -> dict:
    drive, _ = reviewer_clients(google_site.sandbox, REVIEWER, REVIEWER_NAME)
    comments = drive.comments().list(fileId=doc_id, fields="comments(id,content,resolved,author(me))").execute()
    [asked] = [c for c in comments["comments"] if c["content"].startswith(WORDING) and not c["resolved"]]
    return asked


def answer(google_site, doc_id: str, text: str, email: str = REVIEWER, name: str = REVIEWER_NAME) -> None:
    drive, _ = reviewer_clients(google_site.sandbox, email, name)
    comment_id = approval_comment(google_site, doc_id)["id"]
    drive.replies().create(fileId=doc_id, commentId=comment_id, fields="id", body={"content": text}).execute()


def board(cli) -> dict:
    result = cli("reviews", "--sync", "--json")
    assert result.code == 0, result.err
    [row] = result.json["board"]
    return row


def drive_approvals(google_site, doc_id: str) -> list[dict]:
    drive, _ = google_site.owner()
    return drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute().get("items", [])


def test_without_drive_approvals_an_approve_reply_brings_the_approved_text_home(google_site, cli):
    google_site.configure(role="writer")
    no_drive_approvals(google_site)
    google_site.site.post("walks.md", POST)

    post = export(cli)

    assert post["state"] == "created" and post["error"] is None
    doc_id = post["doc_id"]
    assert drive_approvals(google_site, doc_id) == []
    assert WORDING in approval_comment(google_site, doc_id)["content"]
    row = board(cli)
    assert row["state"] == "in_review" and row["reviewers"] == {REVIEWER: "NO_RESPONSE"} and row["due"]
    assert row["comments_open"] == 0, "the approval comment is not a thread of the review"

    _, docs = reviewer_clients(google_site.sandbox, REVIEWER, REVIEWER_NAME)
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "Edited. "}}]}).execute()  # the title: "Edited. Walks"
    answer(google_site, doc_id, "Approve!")
    row = board(cli)

    assert row["state"] == "approved" and row["write_back"] == "written" and row["reviewers"] == {REVIEWER: "APPROVED"}
    written = (google_site.site.posts / "walks.md").read_text(encoding="utf-8")
    assert "status: approved" in written and f"approved_by: [\"{REVIEWER}\"]" in written
    assert "# Edited. Walks" in written


def test_a_decline_reply_is_the_decline_message_and_the_next_change_asks_again(google_site, cli):
    google_site.configure('approval = "comments"')  # even where Drive approvals are available
    google_site.site.post("walks.md", POST)
    doc_id = export(cli)["doc_id"]
    assert drive_approvals(google_site, doc_id) == []
    first = approval_comment(google_site, doc_id)["id"]
    board(cli)
    before = len(google_site.api_calls())
    board(cli)  # idle: the folder listing, then the approval comments in one batch (no permissions read)
    assert [c["method"] for c in google_site.api_calls()[before:]] == ["drive.files.list", "drive.comments.get",
                                                                       "batch"]

    answer(google_site, doc_id, "decline: The intro needs work.")
    row = board(cli)
    assert row["state"] == "declined" and row["decline_message"] == "The intro needs work."
    assert "    declined: The intro needs work." in cli("reviews").out

    google_site.site.post("walks.md", POST.replace("The last line.", "The last line, reworked."))
    google_site.fault(method="drive.replies.create", kind="commit_then_fail", status=500, times=1)
    assert export(cli)["state"] == "suggested"
    second = approval_comment(google_site, doc_id)["id"]  # the answered comment is resolved
    assert second != first
    drive, _ = google_site.owner()
    thread = drive.comments().get(fileId=doc_id, commentId=first, fields="resolved,replies(action,author(me))").execute()
    assert thread["resolved"] and [r.get("action") for r in thread["replies"] if r["author"]["me"]] == ["resolve"], \
        "resolved with one reply, though the answer to the first was lost"
    assert board(cli)["reviewers"] == {REVIEWER: "NO_RESPONSE"}


def test_every_listed_reviewer_must_approve_and_others_do_not_count(google_site, cli):
    google_site.configure('approval = "comments"', reviewers=(REVIEWER, SECOND))
    google_site.site.post("walks.md", POST)
    doc_id = export(cli)["doc_id"]
    google_site.owner()[0].permissions().create(fileId=doc_id, sendNotificationEmail=False, fields="id", body={
        "type": "user", "role": "commenter", "emailAddress": "olga@example.com"}).execute()

    answer(google_site, doc_id, "approve", email="olga@example.com", name="Olga Other")  # not a listed reviewer
    answer(google_site, doc_id, "approve")
    row = board(cli)
    assert row["state"] == "in_review" and row["reviewers"] == {REVIEWER: "APPROVED", SECOND: "NO_RESPONSE"}

    answer(google_site, doc_id, "Approved, nice.", email=SECOND, name="Sam Second")
    assert board(cli)["state"] == "approved"


def test_drive_mode_without_drive_approvals_fails_in_one_line_then_reviews_by_comment(google_site, cli):
    google_site.configure('approval = "drive"')
    no_drive_approvals(google_site)
    google_site.site.post("walks.md", POST)

    first = cli("export", "--json")
    again = cli("export", "--json")

    assert first.code == 1 and again.code == 1
    [post] = first.json["posts"]
    assert post["state"] == "failed" and post["doc_id"]
    assert post["error"] == ('posts/walks.md: Drive approvals are not available on this Doc (canStartApproval is '
                             'false: the Workspace edition, an admin setting, or its owner): set [review] approval = '
                             '"comments" (or "auto") to ask reviewers in a comment')
    assert again.json["posts"][0]["doc_id"] == post["doc_id"]
    drive, _ = google_site.owner()
    assert len(drive.files().list(q="mimeType = 'application/vnd.google-apps.document'",
                                  fields="files(id)").execute()["files"]) == 1

    google_site.configure('approval = "comments"')
    fixed = cli("export", "--json")
    assert fixed.code == 0, fixed.err
    assert fixed.json["posts"][0]["doc_id"] == post["doc_id"]
    answer(google_site, post["doc_id"], "approve")
    assert board(cli)["write_back"] == "written"


@pytest.mark.parametrize("who", ["user", "file"])
def test_the_sandbox_refuses_drive_approvals_to_a_user_or_file_marked_not_eligible(google_site, who):
    drive, _ = google_site.owner()
    doc = drive.files().create(body={"name": "Doc", "mimeType": "application/vnd.google-apps.document"},
                               fields="id").execute()
    drive.permissions().create(fileId=doc["id"], sendNotificationEmail=False, fields="id",
                               body={"type": "user", "role": "commenter", "emailAddress": REVIEWER}).execute()
    no_drive_approvals(google_site, **({"email": OWNER} if who == "user" else {"fileId": doc["id"]}))

    capabilities = drive.files().get(fileId=doc["id"], fields="capabilities(canStartApproval)").execute()
    with pytest.raises(Exception) as refused:
        drive.approvals().start(fileId=doc["id"], body={"reviewerEmails": [REVIEWER]}, fields="approvalId").execute()

    assert capabilities == {"capabilities": {"canStartApproval": False}}
    assert refused.value.resp.status == 403 and "permission to start an approval" in str(refused.value)
    assert drive_approvals(google_site, doc["id"]) == []
    control(google_site.sandbox, "POST", "approvals-eligibility",
            {**({"email": OWNER} if who == "user" else {"fileId": doc["id"]}), "eligible": True})
    assert drive.approvals().start(fileId=doc["id"], body={"reviewerEmails": [REVIEWER]},
                                   fields="status").execute() == {"status": "IN_PROGRESS"}


def test_an_approval_comment_whose_answer_was_lost_is_not_posted_twice(google_site, cli):
    google_site.configure('approval = "comments"')
    google_site.site.post("walks.md", POST)
    google_site.fault(method="drive.comments.create", kind="commit_then_fail", status=500, times=1)

    post = export(cli)

    assert (post["state"], post["error"]) == ("created", None)
    drive, _ = google_site.owner()
    comments = drive.comments().list(fileId=post["doc_id"], fields="comments(content)").execute()["comments"]
    assert [c["content"].startswith(WORDING) for c in comments] == [True], "one approval comment"


def test_an_approval_comment_posted_by_a_run_that_died_is_found_not_asked_twice(google_site, cli):
    google_site.configure('approval = "comments"')
    google_site.site.post("walks.md", POST)

    google_site.export_killed_at("drive.comments.create")

    post = export(cli)
    assert (post["state"], post["error"]) == ("created", None)  # handed to its reviewers only now
    drive, _ = google_site.owner()
    comments = drive.comments().list(fileId=post["doc_id"], fields="comments(content)").execute()["comments"]
    assert [c["content"].startswith(WORDING) for c in comments] == [True], "one approval comment"
    answer(google_site, post["doc_id"], "approve")
    assert board(cli)["state"] == "approved"
