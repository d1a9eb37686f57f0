"""Shapes of documents.get that live Google gives and a reader must expect, through the real client:
smart chips a reviewer drops into a Doc (a person, a rich link, a date)."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError
from sandbox_fixtures import reviewer_clients

DOC = "application/vnd.google-apps.document"


@pytest.fixture
def shared_doc(drive, docs) -> str:
    doc_id = drive.files().create(body={"name": "Post", "mimeType": DOC}, fields="id").execute()["id"]
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "Ask  about  by .\n"}}]}).execute()
    drive.permissions().create(fileId=doc_id, sendNotificationEmail=False,
                               body={"type": "user", "role": "writer", "emailAddress": "ed@example.com"}).execute()
    return doc_id


def test_a_reviewer_drops_smart_chips_into_a_doc(sandbox, drive, shared_doc):
    reviewer_clients(sandbox, "ann@example.com", display_name="Ann Author")
    _drive, reviewer_docs = reviewer_clients(sandbox, "ed@example.com")
    reviewer_docs.documents().batchUpdate(documentId=shared_doc, body={"requests": [
        {"insertDate": {"location": {"index": 16}, "dateElementProperties": {
            "timestamp": "2026-01-05T09:30:00Z", "timeZoneId": "Europe/Warsaw"}}},
        {"insertRichLink": {"location": {"index": 12}, "richLinkProperties": {
            "uri": "https://docs.google.com/document/d/abc/edit", "title": "Style guide"}}},
        {"insertPerson": {"location": {"index": 5}, "personProperties": {"email": "ann@example.com"}}},
        {"insertPerson": {"location": {"index": 5}, "personProperties": {"email": "bo@example.com"}}},
    ]}).execute()

    document = reviewer_docs.documents().get(documentId=shared_doc).execute()
    elements = document["body"]["content"][1]["paragraph"]["elements"]
    chips = [(e["startIndex"], e["endIndex"], next(k for k in e if k not in ("startIndex", "endIndex")))
             for e in elements if "textRun" not in e]
    assert chips == [(5, 6, "person"), (6, 7, "person"), (14, 15, "richLink"), (19, 20, "dateElement")]
    people = [e["person"]["personProperties"] for e in elements if "person" in e]
    assert people == [{"email": "bo@example.com"}, {"email": "ann@example.com", "name": "Ann Author"}]
    [link] = [e["richLink"]["richLinkProperties"] for e in elements if "richLink" in e]
    assert link == {"uri": "https://docs.google.com/document/d/abc/edit", "title": "Style guide"}
    [date] = [e["dateElement"] for e in elements if "dateElement" in e]
    assert date["dateElementProperties"]["displayText"] == "Jan 5, 2026" and date["dateId"]
    text = drive.files().export(fileId=shared_doc, mimeType="text/plain").execute().decode("utf-8-sig")
    assert text.startswith("Ask bo@example.comAnn Author about Style guide by Jan 5, 2026.")
    with pytest.raises(HttpError) as refused:
        reviewer_docs.documents().batchUpdate(documentId=shared_doc, body={"requests": [
            {"insertPerson": {"location": {"index": 1}, "personProperties": {"name": "No email"}}}]}).execute()
    assert refused.value.status_code == 400


def test_table_cells_come_with_every_style_explicit_and_columns_of_fixed_width(docs, shared_doc):
    docs.documents().batchUpdate(documentId=shared_doc, body={"requests": [
        {"insertTable": {"location": {"index": 1}, "rows": 1, "columns": 2}}]}).execute()

    table = docs.documents().get(documentId=shared_doc).execute()["body"]["content"][2]["table"]

    style = table["tableRows"][0]["tableCells"][0]["tableCellStyle"]
    assert style["contentAlignment"] == "TOP" and style["paddingLeft"] == {"magnitude": 5, "unit": "PT"}
    assert style["borderTop"]["width"] == {"unit": "PT"} and style["columnSpan"] == 1
    assert table["tableStyle"]["tableColumnProperties"] == [
        {"widthType": "FIXED_WIDTH", "width": {"magnitude": 234.0, "unit": "PT"}}] * 2
