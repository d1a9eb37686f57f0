"""What live Google puts in a Doc, read back as Markdown (workflow.render.read_back) through the real
client and the sandbox: smart chips, TITLE and SUBTITLE, images pasted in the editor, images Docs
cannot show (kept as links that read back as the images)."""

from __future__ import annotations

import base64

import pytest
from sandbox_fixtures import PNG, control, publish_images, reviewer_clients, text_index

from workflow.render import normalize_markdown, pasted_images, read_back, render_document

DOC = "application/vnd.google-apps.document"


@pytest.fixture
def doc_with(drive, docs):
    """A Doc holding `markdown` as the worker renders it, shared with ed@example.com as a writer."""
    def make(markdown: str, **render) -> str:
        doc_id = drive.files().create(body={"name": "Post", "mimeType": DOC}, fields="id").execute()["id"]
        docs.documents().batchUpdate(documentId=doc_id, body={
            "requests": render_document(markdown, **render).requests}).execute()
        drive.permissions().create(fileId=doc_id, sendNotificationEmail=False, body={
            "type": "user", "role": "writer", "emailAddress": "ed@example.com"}).execute()
        return doc_id
    return make


def test_images_docs_cannot_show_are_links_that_read_back_as_the_images(sandbox, docs, doc_with):
    publish_images(sandbox, "https://example.com/")
    markdown = ("# Walks\n\nA ![bench at dusk](https://example.com/bench.webp) and ![](https://example.com/map.svg).\n\n"
                "- seen ![a gull](https://example.com/gull.png) here\n- and ![dog](https://example.com/dog.png)\n")
    doc_id = doc_with(markdown, refused_images=frozenset({"https://example.com/gull.png"}))

    document = docs.documents().get(documentId=doc_id).execute()

    text = "".join(run.get("textRun", {}).get("content", "") for element in document["body"]["content"]
                   for run in element.get("paragraph", {}).get("elements", []))
    assert "🖼 bench at dusk" in text and "🖼 https://example.com/map.svg" in text and "🖼 a gull" in text
    assert [o["inlineObjectProperties"]["embeddedObject"]["imageProperties"]["sourceUri"]
            for o in document["inlineObjects"].values()] == ["https://example.com/dog.png"]
    assert read_back(document).markdown == normalize_markdown(markdown)
    assert "![bench at dusk](https://example.com/bench.webp)" in normalize_markdown(markdown)


def test_chips_subtitle_and_a_pasted_image_read_back_as_text_an_emphasized_line_and_a_copy(sandbox, docs, doc_with):
    doc_id = doc_with("# Walks\n\nA short line.\n\nAsk  about  on .\n")
    reviewer_clients(sandbox, "ann@example.com", display_name="Ann Author")
    _drive, reviewer = reviewer_clients(sandbox, "ed@example.com")
    document = reviewer.documents().get(documentId=doc_id).execute()
    ask, about, on = text_index(document, "Ask ") + 4, text_index(document, "about ") + 6, text_index(document, "on .") + 3
    reviewer.documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertDate": {"location": {"index": on}, "dateElementProperties": {"timestamp": "2026-03-01T10:00:00Z"}}},
        {"insertRichLink": {"location": {"index": about}, "richLinkProperties": {
            "uri": "https://docs.google.com/document/d/guide/edit", "title": "the style guide"}}},
        {"insertPerson": {"location": {"index": ask}, "personProperties": {"email": "ann@example.com"}}},
        {"updateParagraphStyle": {"range": {"startIndex": text_index(document, "A short"), "endIndex": ask - 5},
                                  "paragraphStyle": {"namedStyleType": "SUBTITLE"}, "fields": "namedStyleType"}},
    ]}).execute()
    control(sandbox, "POST", f"files/{doc_id}/paste-image",
            {"email": "ed@example.com", "index": ask - 5, "bytes": base64.b64encode(PNG).decode()})

    document = docs.documents().get(documentId=doc_id, suggestionsViewMode="PREVIEW_WITHOUT_SUGGESTIONS").execute()
    [pasted] = pasted_images(document)
    copied = read_back(document, pasted={pasted.object_id: "walks.assets/image-1.png"})
    lost = read_back(document)

    assert copied.title == "Walks"
    assert copied.markdown == ("# Walks\n\n*A short line.*![](walks.assets/image-1.png)\n\n"
                               "Ask Ann Author about [the style guide](https://docs.google.com/document/d/guide/edit) "
                               "on Mar 1, 2026.\n")
    assert copied.warnings == []
    assert lost.markdown.startswith("# Walks\n\n*A short line.(image)*\n") and pasted.content_uri not in lost.markdown
    assert [w["text"] for w in lost.warnings] == ["(image)"]
