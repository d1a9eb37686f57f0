"""Docs through the sandbox's routes and Drive's view of them: comments and replies as Drive
JSON, version/modifiedTime bumped by edits and comments, roles of reviewers, exports, approvals
reset by content changes, the HTML viewer."""

from __future__ import annotations

import urllib.request

import pytest
from googleapiclient.errors import HttpError

from sandbox_fixtures import reviewer_clients

DOC = "application/vnd.google-apps.document"
COMMENT_FIELDS = "id,content,htmlContent,author(emailAddress,me),resolved,deleted,quotedFileContent,replies(id,content,action,author(emailAddress))"


def _doc(drive, docs, text="Hello world\n", name="Post"):
    created = drive.files().create(body={"name": name, "mimeType": DOC}, fields="id,version").execute()
    docs.documents().batchUpdate(documentId=created["id"], body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": text}}]}).execute()
    return created


def _share(drive, file_id, email, role):
    drive.permissions().create(fileId=file_id, sendNotificationEmail=False,
                               body={"type": "user", "role": role, "emailAddress": email}).execute()


def test_docs_edit_bumps_drive_version_and_modified_time(drive, docs):
    created = drive.files().create(body={"name": "Post", "mimeType": DOC}, fields="id,version,modifiedTime").execute()
    docs.documents().batchUpdate(documentId=created["id"], body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": "Hi\n"}}]}).execute()
    after = drive.files().get(fileId=created["id"], fields="version,modifiedTime,webViewLink").execute()
    assert int(after["version"]) > int(created["version"])
    assert after["modifiedTime"] >= created["modifiedTime"]
    assert after["webViewLink"].endswith(f"/document/d/{created['id']}/edit")
    assert "Hi" in drive.files().export(fileId=created["id"], mimeType="text/plain").execute().decode()


def test_documents_create_and_get(docs, drive):
    created = docs.documents().create(body={"title": "From Docs"}).execute()
    fetched = docs.documents().get(documentId=created["documentId"]).execute()
    assert fetched["title"] == "From Docs" and fetched["revisionId"]
    assert drive.files().get(fileId=created["documentId"], fields="name").execute()["name"] == "From Docs"


def test_unknown_request_field_is_400_with_googles_message(drive, docs):
    created = drive.files().create(body={"name": "Post", "mimeType": DOC}).execute()
    with pytest.raises(HttpError) as caught:
        docs.documents().batchUpdate(documentId=created["id"], body={
            "requests": [{"insertText": {"location": {"index": 1}, "text": "x", "foo": 1}}]}).execute()
    assert caught.value.status_code == 400
    assert caught.value.reason == ('Invalid JSON payload received. Unknown name "foo" at '
                                   "'requests[0].insertText': Cannot find field.")


def test_export_formats(drive, docs):
    created = _doc(drive, docs, "Title line\n")
    for mime_type in ("text/plain", "text/markdown", "text/html"):
        assert "Title line" in drive.files().export(fileId=created["id"], mimeType=mime_type).execute().decode()
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=created["id"], mimeType="application/pdf").execute()
    assert caught.value.status_code == 400


def test_comments_and_replies_as_drive_json(sandbox, drive, docs):
    created = _doc(drive, docs)
    _share(drive, created["id"], "rev@example.com", "commenter")
    reviewer, _rdocs = reviewer_clients(sandbox, "rev@example.com")
    with pytest.raises(HttpError) as caught:
        reviewer.comments().list(fileId=created["id"]).execute()
    assert caught.value.status_code == 400   # fields is required for comments
    comment = reviewer.comments().create(fileId=created["id"], fields=COMMENT_FIELDS, body={
        "content": "Is <this> right?", "quotedFileContent": {"value": "Hello"}}).execute()
    assert comment["author"] == {"emailAddress": "rev@example.com", "me": True}
    assert comment["htmlContent"] == "Is &lt;this&gt; right?"
    assert comment["quotedFileContent"]["value"] == "Hello" and comment["resolved"] is False
    reply = drive.replies().create(fileId=created["id"], commentId=comment["id"], fields="id,action,content",
                                   body={"content": "Fixed", "action": "resolve"}).execute()
    assert reply["action"] == "resolve"
    listed = drive.comments().list(fileId=created["id"], fields=f"comments({COMMENT_FIELDS})").execute()
    assert listed["comments"][0]["resolved"] is True
    assert listed["comments"][0]["author"]["me"] is False
    assert listed["comments"][0]["replies"][0]["content"] == "Fixed"
    updated = reviewer.comments().update(fileId=created["id"], commentId=comment["id"], fields="content",
                                         body={"content": "Is this right?"}).execute()
    assert updated["content"] == "Is this right?"
    drive.replies().delete(fileId=created["id"], commentId=comment["id"], replyId=reply["id"]).execute()
    assert drive.replies().list(fileId=created["id"], commentId=comment["id"], fields="replies(id)").execute()[
        "replies"] == []
    reviewer.comments().delete(fileId=created["id"], commentId=comment["id"]).execute()
    assert drive.comments().list(fileId=created["id"], fields="comments(id)").execute()["comments"] == []
    deleted = drive.comments().list(fileId=created["id"], includeDeleted=True, fields="comments(deleted)").execute()
    assert deleted["comments"] == [{"deleted": True}]


def test_comment_bumps_version(drive, docs):
    created = _doc(drive, docs)
    before = int(drive.files().get(fileId=created["id"], fields="version").execute()["version"])
    drive.comments().create(fileId=created["id"], fields="id", body={"content": "note"}).execute()
    assert int(drive.files().get(fileId=created["id"], fields="version").execute()["version"]) > before


def test_reviewer_roles_on_a_doc(sandbox, drive, docs):
    created = _doc(drive, docs)
    edit = {"requests": [{"insertText": {"location": {"index": 1}, "text": "x"}}]}
    suggest = dict(edit, writeControl={"writeMode": "SUGGEST"})
    _share(drive, created["id"], "reader@example.com", "reader")
    _share(drive, created["id"], "commenter@example.com", "commenter")
    _share(drive, created["id"], "writer@example.com", "writer")
    reader_drive, reader_docs = reviewer_clients(sandbox, "reader@example.com")
    assert "revisionId" not in reader_docs.documents().get(documentId=created["id"]).execute()
    with pytest.raises(HttpError) as caught:
        reader_drive.comments().create(fileId=created["id"], fields="id", body={"content": "hi"}).execute()
    assert caught.value.status_code == 403
    commenter_drive, commenter_docs = reviewer_clients(sandbox, "commenter@example.com")
    with pytest.raises(HttpError) as caught:
        commenter_docs.documents().batchUpdate(documentId=created["id"], body=edit).execute()
    assert caught.value.status_code == 403
    commenter_docs.documents().batchUpdate(documentId=created["id"], body=suggest).execute()
    _writer_drive, writer_docs = reviewer_clients(sandbox, "writer@example.com")
    writer_docs.documents().batchUpdate(documentId=created["id"], body=edit).execute()
    stranger_drive, stranger_docs = reviewer_clients(sandbox, "stranger@example.com")
    with pytest.raises(HttpError) as caught:
        stranger_docs.documents().get(documentId=created["id"]).execute()
    assert caught.value.status_code == 404


def test_content_change_resets_approvals_when_asked(sandbox, drive, docs):
    created = _doc(drive, docs)
    for email in ("a@example.com", "b@example.com"):
        _share(drive, created["id"], email, "commenter")
    drive.approvals().start(fileId=created["id"], body={
        "reviewerEmails": ["a@example.com", "b@example.com"],
        "fileContentChangeBehavior": "RESET_APPROVAL"}).execute()
    [approval] = drive.approvals().list(fileId=created["id"], fields="items(approvalId)").execute()["items"]
    reviewer_a, _docs = reviewer_clients(sandbox, "a@example.com")
    reviewer_a.approvals().approve(fileId=created["id"], approvalId=approval["approvalId"], body={}).execute()
    docs.documents().batchUpdate(documentId=created["id"], body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": "more "}}]}).execute()
    after = drive.approvals().get(fileId=created["id"], approvalId=approval["approvalId"],
                                  fields="reviewerResponses(response)").execute()
    assert [r["response"] for r in after["reviewerResponses"]] == ["NO_RESPONSE", "NO_RESPONSE"]


def test_lock_file_blocks_edits_during_the_approval(drive, docs):
    created = _doc(drive, docs)
    _share(drive, created["id"], "a@example.com", "commenter")
    drive.approvals().start(fileId=created["id"], body={"reviewerEmails": ["a@example.com"],
                                                         "lockFile": True}).execute()
    with pytest.raises(HttpError) as caught:
        docs.documents().batchUpdate(documentId=created["id"], body={
            "requests": [{"insertText": {"location": {"index": 1}, "text": "x"}}]}).execute()
    assert caught.value.status_code == 403


def test_viewer_renders_escaped_doc_with_comments_and_suggestions(sandbox, drive, docs):
    created = _doc(drive, docs, "<b>not bold</b>\nSecond\n", name="A <post>")
    docs.documents().batchUpdate(documentId=created["id"], body={"requests": [
        {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                  "paragraphStyle": {"namedStyleType": "HEADING_1"}, "fields": "namedStyleType"}},
        {"createParagraphBullets": {"range": {"startIndex": 18, "endIndex": 20},
                                    "bulletPreset": "NUMBERED_DECIMAL_ALPHA_ROMAN"}},
        {"updateTextStyle": {"range": {"startIndex": 18, "endIndex": 24}, "textStyle": {
            "italic": True, "link": {"url": "https://example.com/?a=1&b=2"}}, "fields": "italic,link"}},
    ]}).execute()
    _share(drive, created["id"], "rev@example.com", "commenter")
    _rd, reviewer_docs = reviewer_clients(sandbox, "rev@example.com")
    reviewer_docs.documents().batchUpdate(documentId=created["id"], body={
        "writeControl": {"writeMode": "SUGGEST"},
        "requests": [{"insertText": {"location": {"index": 1}, "text": "NEW "}}]}).execute()
    drive.comments().create(fileId=created["id"], fields="id", body={
        "content": "why <this>?", "quotedFileContent": {"value": "Second"}}).execute()
    with urllib.request.urlopen(sandbox.url + f"document/d/{created['id']}/edit", timeout=10) as response:
        page = response.read().decode()
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page and "<b>not bold" not in page
    assert "<h1>" in page and "<ol>" in page and "<em>" in page
    assert "href='https://example.com/?a=1&amp;b=2'" in page
    assert "<ins class='suggestion'>NEW </ins>" in page
    assert "why &lt;this&gt;?" in page and "A &lt;post&gt;" in page
    with urllib.request.urlopen(sandbox.url, timeout=10) as response:
        index = response.read().decode()
    assert f"/document/d/{created['id']}/edit" in index and "A &lt;post&gt;" in index


def test_viewer_shows_quotes_code_rules_alignment_and_images_as_the_editor_would(sandbox, drive, docs):
    created = _doc(drive, docs, text="A quote\nprint(1)\n\nCentered\n")
    point = {"magnitude": 3, "unit": "PT"}
    grey = {"color": {"rgbColor": {"red": 0.8, "green": 0.8, "blue": 0.8}}}
    docs.documents().batchUpdate(documentId=created["id"], body={"requests": [
        {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 9}, "fields": "indentStart,borderLeft",
                                  "paragraphStyle": {"indentStart": {"magnitude": 36, "unit": "PT"},
                                                     "borderLeft": {"color": grey, "width": point, "padding": point,
                                                                    "dashStyle": "SOLID"}}}},
        {"updateParagraphStyle": {"range": {"startIndex": 9, "endIndex": 18}, "fields": "shading",
                                  "paragraphStyle": {"shading": {"backgroundColor": grey}}}},
        {"updateParagraphStyle": {"range": {"startIndex": 18, "endIndex": 19}, "fields": "borderBottom",
                                  "paragraphStyle": {"borderBottom": {"color": grey, "width": point,
                                                                      "padding": point, "dashStyle": "SOLID"}}}},
        {"updateParagraphStyle": {"range": {"startIndex": 19, "endIndex": 28}, "fields": "alignment",
                                  "paragraphStyle": {"alignment": "CENTER"}}},
        {"insertInlineImage": {"location": {"index": 28}, "uri": "https://example.com/a.png"}},
    ]}).execute()

    with urllib.request.urlopen(sandbox.url + f"document/d/{created['id']}/edit", timeout=10) as response:
        page = response.read().decode("utf-8")

    assert "margin-left:36.0pt;border-left:3.0pt solid rgb(204,204,204)" in page
    assert "background:rgb(204,204,204);white-space:pre-wrap" in page
    assert "border-bottom:3.0pt solid" in page
    assert "text-align:center" in page
    assert "<img src='https://example.com/a.png'" in page
