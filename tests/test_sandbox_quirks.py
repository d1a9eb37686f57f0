"""The sandbox's quirks (`/_sandbox/quirks`): off unless asked for, one documented behaviour each."""

from __future__ import annotations

import urllib.error

import pytest
from googleapiclient.errors import HttpError
from sandbox_fixtures import batch_for, control

from workflow.sandbox.quirks import QUIRKS


def test_every_quirk_is_off_by_default_and_after_a_reset(sandbox):
    assert [(q["name"], q["on"]) for q in control(sandbox, "GET", "quirks")] == [(name, False) for name in QUIRKS]

    assert control(sandbox, "POST", "quirks", {"name": "batch_missing", "on": True})["on"] is True
    assert [q["name"] for q in control(sandbox, "GET", "quirks") if q["on"]] == ["batch_missing"]
    control(sandbox, "POST", "reset")

    assert not any(q["on"] for q in control(sandbox, "GET", "quirks"))


@pytest.mark.parametrize("body", [{"name": "no_such_quirk"}, {"name": "batch_missing", "on": "yes"},
                                  {"name": "batch_missing", "on": True, "extra": 1}, ["batch_missing"]])
def test_a_bad_quirk_call_is_a_400_naming_what_is_allowed(sandbox, body):
    with pytest.raises(urllib.error.HTTPError) as refused:
        control(sandbox, "POST", "quirks", body)

    assert refused.value.code == 400
    assert not any(q["on"] for q in control(sandbox, "GET", "quirks"))


def test_a_quirk_alters_only_its_own_behaviour(sandbox, drive, docs):
    doc = drive.files().create(body={"name": "Doc", "mimeType": "application/vnd.google-apps.document"},
                               fields="id,capabilities(canStartApproval)").execute()
    assert doc["capabilities"] == {"canStartApproval": True}
    revision = docs.documents().get(documentId=doc["id"]).execute()["revisionId"]
    docs.documents().batchUpdate(documentId=doc["id"], body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": "😅 first\n"}}],
        "writeControl": {"requiredRevisionId": revision}}).execute()
    control(sandbox, "POST", "quirks", {"name": "revision_ignored", "on": True})

    # A stale revision goes through; everything else is as Google does it.
    docs.documents().batchUpdate(documentId=doc["id"], body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": "x"}}],
        "writeControl": {"requiredRevisionId": revision}}).execute()
    content = docs.documents().get(documentId=doc["id"]).execute()["body"]["content"]
    assert content[1]["endIndex"] == 1 + len("x😅 first\n".encode("utf-16-le")) // 2
    assert drive.files().get(fileId=doc["id"], fields="capabilities(canStartApproval)").execute() == {
        "capabilities": {"canStartApproval": True}}
    answered = []
    batch = batch_for(sandbox, lambda _id, response, error: answered.append(error))
    batch.add(drive.files().get(fileId=doc["id"], fields="id"))
    batch.execute(http=drive._http)
    assert answered == [None]

    control(sandbox, "POST", "quirks", {"name": "revision_ignored", "on": False})
    with pytest.raises(HttpError) as refused:
        docs.documents().batchUpdate(documentId=doc["id"], body={
            "requests": [{"insertText": {"location": {"index": 1}, "text": "y"}}],
            "writeControl": {"requiredRevisionId": revision}}).execute()
    assert refused.value.resp.status == 400


def test_approvals_unavailable_refuses_approvals_start(sandbox, drive):
    doc = drive.files().create(body={"name": "Doc", "mimeType": "application/vnd.google-apps.document"},
                               fields="id").execute()
    drive.permissions().create(fileId=doc["id"], sendNotificationEmail=False,
                               body={"type": "user", "role": "commenter", "emailAddress": "ed@example.com"}).execute()
    control(sandbox, "POST", "quirks", {"name": "approvals_unavailable", "on": True})

    assert drive.files().get(fileId=doc["id"], fields="capabilities(canStartApproval)").execute() == {
        "capabilities": {"canStartApproval": False}}
    with pytest.raises(HttpError) as refused:
        drive.approvals().start(fileId=doc["id"], body={"reviewerEmails": ["ed@example.com"]}).execute()
    assert refused.value.resp.status == 403
    assert drive.approvals().list(fileId=doc["id"]).execute().get("items", []) == []


def test_comment_authors_without_email_in_every_comment_answer(sandbox, drive):
    doc = drive.files().create(body={"name": "Doc", "mimeType": "application/vnd.google-apps.document"},
                               fields="id").execute()
    comment = drive.comments().create(fileId=doc["id"], fields="id", body={"content": "Hm."}).execute()
    drive.replies().create(fileId=doc["id"], commentId=comment["id"], fields="id", body={"content": "Yes."}).execute()
    control(sandbox, "POST", "quirks", {"name": "comment_authors_without_email", "on": True})

    got = drive.comments().get(fileId=doc["id"], commentId=comment["id"], fields="author,replies(author)").execute()
    listed = drive.comments().list(fileId=doc["id"], fields="comments(author,replies(author))").execute()["comments"]

    authors = [got["author"], *(r["author"] for r in got["replies"])] + \
              [a for c in listed for a in (c["author"], *(r["author"] for r in c["replies"]))]
    assert len(authors) == 4 and all("emailAddress" not in author and author["me"] for author in authors)
