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
    # it goes after "Two." instead; a new heading (level 1) keeps its style.
    export_change(cli, path, paragraphs("One.", "New A.", "Two.", "# New B", "Three.", "Four.", "Five."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "New A.", "Two.", "# New B", "Three, as the editor has it.", "Four.",
                                  "Five.").rstrip("\n") + "\n"


def test_the_docs_first_and_the_posts_last_paragraph_deleted(google_site, cli, reviewed):
    path, doc_id = reviewed

    export_change(cli, path, "One.\n\nTwo.\n\nThree.\n\nFour.\n")  # the title line and "Five." gone

    established, accepted = views(google_site, doc_id)
    assert accepted == "One.\n\nTwo.\n\nThree, as the editor has it.\n\nFour.\n"
    assert established == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.", "Five.").rstrip("\n") + "\n"


def test_a_run_of_changed_paragraphs_is_suggested_as_one(google_site, cli, reviewed):
    path, doc_id = reviewed

    export_change(cli, path, paragraphs("One!", "Two!", "Three.", "Four and five, merged."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One!", "Two!", "Three, as the editor has it.",
                                  "Four and five, merged.").rstrip("\n") + "\n"
    drive, _ = google_site.reviewer(REVIEWER)
    assert drive.comments().list(fileId=doc_id, fields="comments(content)").execute()["comments"] == []


def test_a_paragraph_with_a_reviewers_pending_deletion_is_theirs(google_site, cli, reviewed):
    path, doc_id = reviewed
    _, docs = google_site.reviewer(REVIEWER)
    four = next(e for e in docs.documents().get(documentId=doc_id).execute()["body"]["content"]
                if "Four." in str(e))
    docs.documents().batchUpdate(documentId=doc_id, body={"writeControl": {"writeMode": "SUGGEST"}, "requests": [
        {"deleteContentRange": {"range": {"startIndex": four["startIndex"], "endIndex": four["startIndex"] + 4}}}]}
    ).execute()

    export_change(cli, path, paragraphs("One.", "Two.", "Three.", "Four, changed.", "Five."))

    drive, _ = google_site.reviewer(REVIEWER)
    [comment] = drive.comments().list(fileId=doc_id, fields="comments(content)").execute()["comments"]
    assert comment["content"].split("\n", 1)[1] == (
        "1. In the Doc (before reviewers' edits): “Four.”\n   The author now has: “Four, changed.”")
    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two.", "Three, as the editor has it.", ".", "Five.").rstrip("\n") + "\n"


def test_suggestions_whose_answer_was_lost_are_recorded_not_sent_twice(google_site, cli, reviewed):
    path, doc_id = reviewed
    google_site.fault(method="docs.documents.batchUpdate", kind="commit_then_fail", times=1)

    export_change(cli, path, paragraphs("One, reworded.", "Two.", "Three.", "Five."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One, reworded.", "Two.", "Three, as the editor has it.", "Five.").rstrip("\n") + "\n"
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]


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


def approve_current(google_site, doc_id: str) -> None:
    drive, _ = google_site.reviewer(REVIEWER)
    items = drive.approvals().list(fileId=doc_id, fields="items(approvalId,status)").execute()["items"]
    [approval] = [a for a in items if a["status"] == "IN_PROGRESS"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()


def test_a_second_approval_holds_the_authors_next_change_until_its_text_comes_home(google_site, cli):
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    first = cli("export", "--json").json["posts"][0]
    doc_id = first["doc_id"]
    approve_current(google_site, doc_id)
    assert cli("reviews", "--sync").code == 0  # round 1 comes home
    approved = path.read_text(encoding="utf-8")
    export_change(cli, path, approved.replace("Two.", "Two, changed."))  # round 2 starts
    approve_current(google_site, doc_id)
    path.write_text(approved.replace("Two.", "Two, changed again."), encoding="utf-8")

    held = cli("export")

    assert held.out.splitlines()[1:] == [
        "  skipped    posts/a.md (reviewers approved the Doc and the approved text has not come home yet: run "
        f"`workflow reviews --sync`, then export again)  {first['url']}",
        "0 created, 0 updated, 0 suggested, 0 unchanged, 1 skipped, 0 failed"]
    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two, changed.").rstrip("\n") + "\n"


def test_a_reviewer_edit_between_our_write_and_its_read_back_is_never_taken_for_ours(google_site, cli):
    import threading

    from sandbox_fixtures import control

    google_site.configure(role="writer")
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    path.write_text(paragraphs("One.", "Two, changed."), encoding="utf-8")
    # The worker reads the Doc, writes it whole, and reads it back: hold the read-back while a reviewer types.
    google_site.fault(method="docs.documents.get", kind="delay", seconds=5, after=1, times=1)
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(cli("export", "--json")))
    worker.start()
    deadline = threading.Event()
    while control(google_site.sandbox, "GET", "faults") and not deadline.wait(0.02):
        pass
    reviewer_types(google_site, doc_id, "One.", "One, as the editor has it.")
    worker.join(60)
    assert [p["state"] for p in outcome[0].json["posts"]] == ["updated"]

    why = export_change(cli, path, paragraphs("One.", "Two, changed again."))

    assert why == "", "the Doc counts as reviewed from the read-back on: no new reason is logged"
    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One, as the editor has it.", "Two, changed.").rstrip("\n") + "\n"
    assert accepted == paragraphs("One, as the editor has it.", "Two, changed again.").rstrip("\n") + "\n"


def test_a_doc_stays_reviewed_after_the_reviewer_rejected_every_suggestion(google_site, cli):
    google_site.configure(role="writer")  # an editor settles suggestions
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    _, docs = google_site.reviewer(REVIEWER)
    docs.documents().batchUpdate(documentId=doc_id, body={"writeControl": {"writeMode": "SUGGEST"}, "requests": [
        {"insertText": {"location": {"index": 1}, "text": "Big "}}]}).execute()
    export_change(cli, path, paragraphs("One.", "Two, changed."))
    settle_suggestions(google_site, doc_id, "rejectSuggestion")

    why = export_change(cli, path, paragraphs("One, changed.", "Two, changed."))

    assert why == ""
    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.").rstrip("\n") + "\n", "what the reviewer settled stays"
    assert accepted == paragraphs("One, changed.", "Two.").rstrip("\n") + "\n"


def test_a_doc_stays_reviewed_after_the_reviewer_took_their_edit_back(google_site, cli):
    google_site.configure(role="writer")
    path = google_site.site.post("a.md", paragraphs("One.", "Two."))
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    reviewer_types(google_site, doc_id, "One.", "One, edited.")
    forced = cli("export", "--force", "--json")  # nothing of the author's to send, but the Doc was looked at
    assert [p["state"] for p in forced.json["posts"]] == ["unchanged"]
    reviewer_types(google_site, doc_id, "One, edited.", "One.")

    why = export_change(cli, path, paragraphs("One.", "Two, changed."))

    assert why == ""
    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.").rstrip("\n") + "\n"
    assert accepted == paragraphs("One.", "Two, changed.").rstrip("\n") + "\n"


def suggestion_ids(document: dict) -> list[str]:
    found: list[str] = []
    for element in document["body"]["content"]:
        for run in element.get("paragraph", {}).get("elements", []):
            for key in ("suggestedInsertionIds", "suggestedDeletionIds"):
                found += [s for s in run.get("textRun", {}).get(key, []) if s not in found]
    return found


def test_a_paragraph_quoted_in_a_conflict_comment_is_cut_after_300_characters():
    from workflow.export.suggest import conflict_comment

    exactly, longer = "x" * 300, "y" * 301

    comment = conflict_comment("a.md", [{"reviewed": exactly, "author": longer}, {"reviewed": "one\ntwo", "author": ""}])

    assert comment.split("\n")[1:] == [f"1. In the Doc (before reviewers' edits): “{exactly}”",
                                       f"   The author now has: “{'y' * 299}…”",
                                       "2. In the Doc (before reviewers' edits): “one / two”",
                                       "   The author now has: “”"]


def test_a_change_inside_a_table_is_listed_for_the_editors_not_suggested(google_site, cli, reviewed):
    path, doc_id = reviewed
    table = "| Habit | Why |\n|---|---|\n| Listen | {} |\n\n"
    path.write_text(paragraphs("One.", "Two.", "Three.", "Four.", "Five.") + table.format("trust"), encoding="utf-8")
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["suggested"]

    export_change(cli, path, paragraphs("One.", "Two.", "Three.", "Four.", "Five.") + table.format("calm"))

    drive, _ = google_site.reviewer(REVIEWER)
    comments = drive.comments().list(fileId=doc_id, fields="comments(content)").execute()["comments"]
    assert [c["content"].split("\n", 1)[1] for c in comments] == [
        "1. In the Doc (before reviewers' edits): “”\n   The author now has: “Habit | Why | Listen | trust”",
        "1. In the Doc (before reviewers' edits): “Habit | Why | Listen | trust”\n"
        "   The author now has: “Habit | Why | Listen | calm”"]


def test_the_docs_very_last_paragraph_can_be_deleted(google_site, cli, reviewed):
    path, doc_id = reviewed
    _, docs = google_site.reviewer(REVIEWER)  # the reviewer removes the empty paragraph after "Five."
    end = docs.documents().get(documentId=doc_id).execute()["body"]["content"][-1]["endIndex"]
    docs.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"deleteContentRange": {"range": {"startIndex": end - 2, "endIndex": end - 1}}}]}).execute()

    export_change(cli, path, paragraphs("One.", "Two.", "Three.", "Four."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.").rstrip("\n") + "\n"


def settle_suggestions(google_site, doc_id: str, how: str) -> None:
    """The reviewer (an editor) accepts or rejects every pending suggestion."""
    _, docs = google_site.reviewer(REVIEWER)
    while ids := suggestion_ids(docs.documents().get(documentId=doc_id, suggestionsViewMode="SUGGESTIONS_INLINE")
                                .execute()):
        docs.documents().batchUpdate(documentId=doc_id, body={"requests": [{how: {"suggestionId": ids[0]}}]}).execute()


def test_a_suggestion_write_whose_answer_was_lost_is_recognised_not_repeated(google_site, cli, reviewed):
    path, doc_id = reviewed
    google_site.fault(method="docs.documents.batchUpdate", kind="commit_then_fail", times=1)

    export_change(cli, path, paragraphs("One, reworded.", "Two.", "Three.", "Four.", "Five."))

    established, accepted = views(google_site, doc_id)
    assert established == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.", "Five.").rstrip("\n") + "\n"
    assert accepted == paragraphs("One, reworded.", "Two.", "Three, as the editor has it.", "Four.",
                                  "Five.").rstrip("\n") + "\n", "the suggestion is in the Doc once"
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["unchanged"]


def test_suggestions_written_by_a_run_that_died_are_recorded_by_the_next(google_site, cli, reviewed):
    path, doc_id = reviewed
    path.write_text(paragraphs("One.", "Two.", "Three.", "Four.", "Five, reworded."), encoding="utf-8")

    google_site.export_killed_at("docs.documents.batchUpdate")

    result = cli("export", "--json")
    assert [(p["state"], p["error"]) for p in result.json["posts"]] == [("suggested", None)]
    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two.", "Three, as the editor has it.", "Four.",
                                  "Five, reworded.").rstrip("\n") + "\n", "the suggestion is in the Doc once"


def test_a_suggestion_write_google_never_applied_is_sent_again_by_the_next_run(google_site, cli, reviewed):
    path, doc_id = reviewed
    path.write_text(paragraphs("One.", "Two, reworded.", "Three.", "Four.", "Five."), encoding="utf-8")
    google_site.fault(method="docs.documents.batchUpdate", kind="status", status=500, times=9)
    assert [p["state"] for p in cli("export", "--json").json["posts"]] == ["failed"]
    google_site.clear_faults()

    assert [(p["state"], p["error"]) for p in cli("export", "--json").json["posts"]] == [("suggested", None)]

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two, reworded.", "Three, as the editor has it.", "Four.",
                                  "Five.").rstrip("\n") + "\n"


def test_new_paragraphs_added_together_each_keep_their_own_style(google_site, cli, reviewed):
    path, doc_id = reviewed

    export_change(cli, path, paragraphs("One.", "Two.", "A new plain one.", "## A new heading", "### And a smaller one",
                                        "Three.", "Four.", "Five."))

    _, accepted = views(google_site, doc_id)
    assert accepted == paragraphs("One.", "Two.", "A new plain one.", "## A new heading", "### And a smaller one",
                                  "Three, as the editor has it.", "Four.", "Five.").rstrip("\n") + "\n"
