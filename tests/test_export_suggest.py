"""The author's changes to a Doc reviewers touched arrive as suggestions (export/suggest.py): the exact
Doc a reviewer sees with the suggestions accepted, and without them."""

from __future__ import annotations

import pytest
from sandbox_fixtures import OWNER, build_clients
from site_fixtures import REVIEWER

from workflow.render import read_document

SCOPES = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/documents"]


def paragraphs(*texts: str) -> str:
    return "# Title\n\n" + "".join(f"{text}\n\n" for text in texts)


def views(google_site, doc_id: str) -> tuple[str, str]:
    """The Doc as Markdown: (pending suggestions left out, every suggestion accepted)."""
    from google.oauth2 import service_account

    creds = service_account.Credentials.from_service_account_file(str(google_site.key), scopes=SCOPES)
    _, docs = build_clients(google_site.sandbox, creds.with_subject(OWNER))
    return tuple(read_document(docs.documents().get(documentId=doc_id, suggestionsViewMode=mode).execute())
                 for mode in ("PREVIEW_WITHOUT_SUGGESTIONS", "PREVIEW_SUGGESTIONS_ACCEPTED"))


def reviewer_types(google_site, doc_id: str, old: str, new: str) -> None:
    _, docs = google_site.reviewer(REVIEWER)
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"replaceAllText": {"containsText": {"text": old, "matchCase": True}, "replaceText": new}}]}).execute()


@pytest.fixture
def reviewed(google_site, cli):
    """A five-paragraph post in a Doc a reviewer edited (paragraph 3); returns (post path, Doc id)."""
    google_site.configure(role="writer")
    path = google_site.site.post("a.md", paragraphs("One.", "Two.", "Three.", "Four.", "Five."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    reviewer_types(google_site, doc_id, "Three.", "Three, as the editor has it.")
    return path, doc_id


def export_change(cli, path, text: str) -> str:
    """The author saves `text` and exports; returns why the Doc only gets suggestions, as the log says."""
    path.write_text(text, encoding="utf-8")
    result = cli("export", "--json")
    assert [(p["state"], p["error"]) for p in result.json["posts"]] == [("suggested", None)], result.json
    doc_id = result.json["posts"][0]["doc_id"]
    said = [line.split(" INFO ", 1)[1] for line in result.err.splitlines() if "reviewers have touched" in line]
    prefix, suffix = f"{path.name}: reviewers have touched {doc_id} (", "): the author's changes go in as suggestions from now on"
    assert len(said) <= 1 and all(line.startswith(prefix) and line.endswith(suffix) for line in said), said
    return said[0][len(prefix):-len(suffix)] if said else ""


def test_several_changes_in_one_export_are_suggested_each_where_it_belongs(google_site, cli, reviewed):
    path, doc_id = reviewed

    # One write, four hunks: a paragraph replaced, one deleted, one added between two untouched ones,
    # and one added at the end.
    why = export_change(cli, path, paragraphs("One, reworded.", "Two.", "Three.", "Five.", "Six, new."))

    assert why == "its text differs from what was last written"

    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.", "Five.").rstrip("\n") + "\n"
    assert accepted == paragraphs("One, reworded.", "Two.", "Three, as the editor has it.", "Five.",
                                  "Six, new.").rstrip("\n") + "\n"


def test_new_paragraphs_go_before_the_next_untouched_one_or_after_the_one_before(google_site, cli, reviewed):
    path, doc_id = reviewed

    # "New A" comes before "Two." (untouched); "New B" before "Three.", which the reviewer edited:
    # it goes after "Two." instead; a new heading keeps its style.
    export_change(cli, path, paragraphs("One.", "New A.", "Two.", "## New B", "Three.", "Four.", "Five."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "New A.", "Two.", "## New B", "Three, as the editor has it.", "Four.",
                                  "Five.").rstrip("\n") + "\n"


def test_the_last_paragraph_deleted_and_the_first_paragraph_deleted(google_site, cli, reviewed):
    path, doc_id = reviewed

    export_change(cli, path, "# Title\n\nTwo.\n\nThree.\n\nFour.\n")

    established, accepted = views(google_site, doc_id)
    assert accepted == "# Title\n\nTwo.\n\nThree, as the editor has it.\n\nFour.\n"
    assert established == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.", "Five.").rstrip("\n") + "\n"


def test_a_paragraph_both_changed_is_left_alone_and_listed(google_site, cli, reviewed):
    path, doc_id = reviewed

    export_change(cli, path, paragraphs("One.", "Two.", "Three, as the author has it.", "Four.", "Five, too."))

    established, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.", "Five, too.").rstrip("\n") + "\n"
    drive, _ = google_site.reviewer(REVIEWER)
    [comment] = drive.comments().list(fileId=doc_id, fields="comments(content)").execute()["comments"]
    assert comment["content"] == (
        "docs-workflow: the author changed a.md after the review started, and reviewers had changed the same "
        "paragraphs, so these changes were NOT applied. Please reconcile by hand:\n"
        "1. In the Doc (before reviewers' edits): “Three.”\n"
        "   The author now has: “Three, as the author has it.”")


def test_once_one_of_two_reviewers_approved_the_authors_change_is_a_suggestion(google_site, cli):
    google_site.configure(reviewers=(REVIEWER, "second@example.com"))
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    drive, _ = google_site.reviewer(REVIEWER)
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    assert drive.approvals().get(fileId=doc_id, approvalId=approval["approvalId"],
                                 fields="status").execute()["status"] == "IN_PROGRESS", "the second has not answered"

    why = export_change(cli, path, paragraphs("One.", "Two, changed."))

    assert why == "a reviewer answered its approval"
    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.").rstrip("\n") + "\n", "what the first reviewer approved stays"
    assert accepted == paragraphs("One.", "Two, changed.").rstrip("\n") + "\n"


def test_a_reviewers_pending_suggestion_is_kept_and_the_authors_change_joins_it(google_site, cli):
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    _, docs = google_site.reviewer(REVIEWER)
    docs.documents().batchUpdate(documentId=doc_id, body={"writeControl": {"writeMode": "SUGGEST"}, "requests": [
        {"insertText": {"location": {"index": 1}, "text": "Big "}}]}).execute()

    why = export_change(cli, path, paragraphs("One.", "Two, changed."))

    assert why == "it has pending suggestions"
    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.").rstrip("\n") + "\n"
    assert accepted == "# Big Title\n\n" + "One.\n\nTwo, changed.\n"
