"""What `reviews` reads from one review Doc (reviews/reading.py): the API answers in, what the board
shows out. The answers are written as Drive gives them (approvals with `reviewerResponses` whose
reviewers are users with an email; comments and replies with `author` and RFC 3339 times).

Comment authors carry both `displayName` and `emailAddress` here: live Google gives only the
name (issue 12), and these tests hold whichever of the two the worker matches reviewers by.
"""

from __future__ import annotations

from workflow.reviews.reading import read_doc

STARTED = "2024-05-01T09:00:00.000Z"


def user(name: str, *, me: bool = False) -> dict:
    return {"kind": "drive#user", "displayName": name, "emailAddress": f"{name}@example.com", "me": me}


def approval(approval_id: str, status: str, created: str, responses: dict[str, str], **times: str) -> dict:
    return {"kind": "drive#approval", "approvalId": approval_id, "status": status, "createTime": created,
            "reviewerResponses": [{"reviewer": user(name), "response": response} for name, response in responses.items()],
            **times}


def comment(comment_id: str, author: dict, content: str, created: str, **extra) -> dict:
    return {"kind": "drive#comment", "id": comment_id, "author": author, "content": content,
            "createdTime": created, "modifiedTime": created, "resolved": False, "replies": [], **extra}


def reply(author: dict, content: str, created: str, **extra) -> dict:
    return {"kind": "drive#reply", "author": author, "content": content, "createdTime": created,
            "modifiedTime": created, **extra}


def test_the_recorded_approval_is_read_even_when_a_newer_one_exists():
    old = approval("a1", "DECLINED", "2024-05-01T09:00:00Z", {"ann": "DECLINED"})
    newer = approval("a2", "IN_PROGRESS", "2024-05-02T09:00:00Z", {"ann": "NO_RESPONSE"})

    reading = read_doc([newer, old], [], {}, "a1")

    assert (reading.approval_id, reading.approval_status) == ("a1", "DECLINED")


def test_when_the_recorded_approval_is_gone_the_newest_one_is_read():
    older = approval("a2", "APPROVED", "2024-05-02T09:00:00Z", {"ann": "APPROVED"},
                     completeTime="2024-05-02T10:00:00Z")
    newest = approval("a3", "IN_PROGRESS", "2024-05-03T09:00:00Z", {"ann": "NO_RESPONSE", "bob": "NO_RESPONSE"},
                      dueTime="2024-05-10T00:00:00Z")
    oldest = approval("a1", "CANCELLED", "2024-05-01T09:00:00Z", {})

    reading = read_doc([older, newest, oldest], [], {}, "a0")

    assert (reading.approval_id, reading.approval_status, reading.due) == ("a3", "IN_PROGRESS", "2024-05-10T00:00:00Z")
    assert reading.reviewer_responses == {"ann@example.com": "NO_RESPONSE", "bob@example.com": "NO_RESPONSE"}
    assert reading.approved_at is None and reading.approved_by == []


def test_an_approval_shows_who_approved_and_when():
    given = approval("a1", "APPROVED", STARTED, {"ann": "APPROVED", "bob": "NO_RESPONSE"},
                     completeTime="2024-05-02T10:00:00Z", modifyTime="2024-05-02T10:00:00Z")

    reading = read_doc([given], [], {}, "a1")

    assert reading.approved_by == ["ann@example.com"]
    assert reading.approved_at == "2024-05-02T10:00:00Z"
    assert reading.last_activity == "2024-05-02T10:00:00Z"


def test_a_decline_shows_the_decliners_newest_word_since_the_approval_started():
    ann, bob = user("ann"), user("bob")
    declined = approval("a1", "DECLINED", STARTED, {"ann": "DECLINED", "bob": "NO_RESPONSE"})
    comments = [
        comment("c1", ann, "Before this round: the title is weak.", "2024-04-30T09:00:00Z"),
        comment("c2", ann, "The intro needs work.", "2024-05-01T10:00:00Z",
                replies=[reply(bob, "I like the intro.", "2024-05-01T11:00:00Z")]),
        comment("c3", bob, "Typo in paragraph 2.", "2024-05-01T12:00:00Z"),
        comment("c4", user("owner", me=True), "docs-workflow: the author changed posts/a.md", "2024-05-01T13:00:00Z"),
    ]

    reading = read_doc([declined], comments, {}, "a1")

    assert reading.decline_message == "The intro needs work."


def test_of_two_words_since_the_approval_started_the_newer_is_the_decline_message():
    ann = user("ann")
    declined = approval("a1", "DECLINED", STARTED, {"ann": "DECLINED"})
    comments = [comment("c1", ann, "The intro needs work.", "2024-05-01T10:00:00Z"),
                comment("c2", ann, "On second thought: the whole middle.", "2024-05-01T12:00:00Z")]

    assert read_doc([declined], comments, {}, "a1").decline_message == "On second thought: the whole middle."


def test_a_decline_without_a_word_names_the_decliners():
    declined = approval("a1", "DECLINED", STARTED, {"bob": "DECLINED", "ann": "DECLINED", "cy": "APPROVED"})
    comments = [comment("c1", user("cy"), "Fine by me.", "2024-05-01T10:00:00Z"),
                comment("c2", user("ann"), "", "2024-05-01T11:00:00Z")]

    assert read_doc([declined], comments, {}, "a1").decline_message == \
        "declined by ann@example.com, bob@example.com"
    assert read_doc([approval("a1", "IN_PROGRESS", STARTED, {"ann": "NO_RESPONSE"})], comments, {},
                    "a1").decline_message is None


def test_the_workers_own_and_deleted_comments_are_no_reviewer_activity():
    ann = user("ann")
    waiting = approval("a1", "IN_PROGRESS", STARTED, {"ann": "NO_RESPONSE"}, modifyTime="2024-05-09T00:00:00Z")
    comments = [
        comment("c1", ann, "Looks good so far.", "2024-05-02T09:00:00Z",
                replies=[reply(ann, "Removed.", "2024-05-04T09:00:00Z", deleted=True),
                         reply(user("owner", me=True), "Thanks!", "2024-05-05T09:00:00Z")]),
        comment("c2", user("owner", me=True), "docs-workflow: conflicts listed here", "2024-05-06T09:00:00Z"),
        comment("c3", ann, "", "2024-05-07T09:00:00Z", deleted=True),
    ]

    reading = read_doc([waiting], comments, {}, "a1")

    # Nobody answered the approval, so its modifyTime is no reviewer's either.
    assert reading.last_activity == "2024-05-02T09:00:00Z"
    assert [(t.comment_id, [r["content"] for r in t.replies]) for t in reading.threads] == [
        ("c1", ["Thanks!"]), ("c2", [])]


def test_a_reviewers_answer_to_the_approval_is_activity():
    answered = approval("a1", "IN_PROGRESS", STARTED, {"ann": "APPROVED", "bob": "NO_RESPONSE"},
                        modifyTime="2024-05-03T09:00:00Z")
    comments = [comment("c1", user("bob"), "Reading it now.", "2024-05-02T09:00:00Z")]

    assert read_doc([answered], comments, {}, "a1").last_activity == "2024-05-03T09:00:00Z"
    assert read_doc([], [], {}, None).last_activity is None


def test_open_and_resolved_threads_and_pending_suggestions_are_counted():
    comments = [comment("c1", user("ann"), "Open one.", STARTED),
                comment("c2", user("ann"), "Done.", STARTED, resolved=True),
                comment("c3", user("bob"), "Another open one.", STARTED)]
    run = {"startIndex": 1, "endIndex": 9, "textRun": {"content": "Hello.\n"}}
    document = {"body": {"content": [{"startIndex": 1, "endIndex": 30, "paragraph": {"elements": [
        dict(run, textRun={"content": "new ", "suggestedInsertionIds": ["s1"]}),
        dict(run, textRun={"content": "words ", "suggestedInsertionIds": ["s1", "s2"]}),
        dict(run, textRun={"content": "gone", "suggestedDeletionIds": ["s3"]}),
        dict(run, textRun={"content": "bold", "suggestedTextStyleChanges": {"s4": {"textStyle": {"bold": True}}}}),
        run]}}]}}

    reading = read_doc([], comments, document, None)

    assert (reading.comments_open, reading.comments_resolved, reading.suggestions_pending) == (2, 1, 4)
