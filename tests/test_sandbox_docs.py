"""The sandbox's Google Docs model, driven through google-api-python-client over HTTP."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError
from sandbox_fixtures import publish_images

SUGGEST = {"writeMode": "SUGGEST"}


@pytest.fixture
def new_doc(docs):
    """Create an empty Doc; returns its id."""
    return docs.documents().create(body={"title": "Sandbox test"}).execute()["documentId"]


def update(docs, document_id, requests, write_control=None):
    body = {"requests": requests}
    if write_control:
        body["writeControl"] = write_control
    return docs.documents().batchUpdate(documentId=document_id, body=body).execute()


def get(docs, document_id, **params):
    return docs.documents().get(documentId=document_id, **params).execute()


def insert(text, index=1):
    return {"insertText": {"location": {"index": index}, "text": text}}


def paragraphs(document):
    """(startIndex, endIndex, text, paragraph) of each body paragraph, tables excluded."""
    result = []
    for element in document["body"]["content"]:
        if "paragraph" in element:
            text = "".join(part.get("textRun", {}).get("content", "") for part in
                           element["paragraph"]["elements"])
            result.append((element["startIndex"], element["endIndex"], text, element["paragraph"]))
    return result


def text_of(document):
    return "".join(text for _, _, text, _ in paragraphs(document))


def rejected(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call()
    assert caught.value.resp.status == 400
    return caught.value


# --- structure and indexes ---------------------------------------------------------------------

def test_new_document_is_a_section_break_and_one_empty_paragraph(docs, new_doc):
    content = get(docs, new_doc)["body"]["content"]
    assert "sectionBreak" in content[0] and content[0]["endIndex"] == 1
    assert content[1]["startIndex"] == 1 and content[1]["endIndex"] == 2
    assert content[1]["paragraph"]["elements"][0]["textRun"]["content"] == "\n"
    assert len(content) == 2


def test_indexes_count_utf16_code_units(docs, new_doc):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    update(docs, new_doc, [insert(f"a😅b{family}c🇫🇷d👍🏽\n")])
    start, end, text, paragraph = paragraphs(get(docs, new_doc))[0]
    # a=1, 😅=2, b=1, family=11, c=1, flag=4, d=1, thumbs+tone=4, newline=1
    assert (start, end) == (1, 1 + 26)
    assert text.startswith("a😅b")
    update(docs, new_doc, [insert("X", 4)])  # right after 😅 (1 + 1 + 2)
    assert text_of(get(docs, new_doc)).startswith("a😅Xb")


@pytest.mark.parametrize("index, what", [
    (3, "inside the surrogate pair of 😅"),
    (6, "between 👨 and the zero-width joiner"),
    (18, "between the two regional indicators of 🇫🇷"),
    (23, "between 👍 and its skin-tone modifier"),
])
def test_an_index_inside_a_character_or_grapheme_cluster_is_rejected(docs, new_doc, index, what):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    update(docs, new_doc, [insert(f"a😅{family}c🇫🇷d👍🏽\n")])
    # a 1, 😅 2-4, family 4-15 (👨 4-6, ZWJ 6), c 15, 🇫🇷 16-20, d 20, 👍 21-23, 🏽 23-25
    rejected(lambda: update(docs, new_doc, [insert("X", index)]))
    rejected(lambda: update(docs, new_doc, [{"deleteContentRange": {
        "range": {"startIndex": index, "endIndex": index + 1}}}]))


def test_out_of_range_indexes_and_the_final_newline_are_rejected(docs, new_doc):
    update(docs, new_doc, [insert("abc")])
    rejected(lambda: update(docs, new_doc, [insert("x", 0)]))
    rejected(lambda: update(docs, new_doc, [insert("x", 5)]))
    error = rejected(lambda: update(docs, new_doc, [{"deleteContentRange": {
        "range": {"startIndex": 1, "endIndex": 5}}}]))
    assert "newline" in error.reason
    update(docs, new_doc, [{"deleteContentRange": {"range": {"startIndex": 1, "endIndex": 4}}}])
    assert text_of(get(docs, new_doc)) == "\n"


def test_control_and_private_use_characters_are_stripped(docs, new_doc):
    update(docs, new_doc, [insert("a\x00b\x1bc\ue000d\te\r\n")])
    assert text_of(get(docs, new_doc)) == "abcd\te\n\n"


def test_one_bad_request_rejects_the_whole_batch(docs, new_doc):
    update(docs, new_doc, [insert("Keep me\n")])
    before = get(docs, new_doc)
    rejected(lambda: update(docs, new_doc, [
        insert("Added "),
        {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 5},
                             "textStyle": {"bold": True}, "fields": "bold"}},
        {"deleteContentRange": {"range": {"startIndex": 1, "endIndex": 999}}},
    ]))
    assert get(docs, new_doc) == before


def test_required_revision_id_must_be_the_latest(docs, new_doc):
    first = get(docs, new_doc)["revisionId"]
    reply = update(docs, new_doc, [insert("one")], {"requiredRevisionId": first})
    second = reply["writeControl"]["requiredRevisionId"]
    assert second != first and get(docs, new_doc)["revisionId"] == second
    error = rejected(lambda: update(docs, new_doc, [insert("two")], {"requiredRevisionId": first}))
    assert "does not match the latest revision" in error.reason
    assert text_of(get(docs, new_doc)) == "one\n"
    update(docs, new_doc, [insert("zero ")], {"targetRevisionId": second})
    assert text_of(get(docs, new_doc)) == "zero one\n"


# --- paragraphs and text styles --------------------------------------------------------------

def test_newline_splits_paragraphs_and_copies_style_and_text_style(docs, new_doc):
    update(docs, new_doc, [
        insert("Heading"),
        {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 8},
                                  "paragraphStyle": {"namedStyleType": "HEADING_2"},
                                  "fields": "namedStyleType"}},
        {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 8},
                             "textStyle": {"italic": True}, "fields": "italic"}},
        insert(" more\nnext", 8),
    ])
    first, second, *_ = paragraphs(get(docs, new_doc))
    assert first[2] == "Heading more\n" and second[2] == "next\n"
    for paragraph in (first[3], second[3]):
        assert paragraph["paragraphStyle"]["namedStyleType"] == "HEADING_2"
        assert paragraph["paragraphStyle"]["headingId"].startswith("h.")
    assert first[3]["paragraphStyle"]["headingId"] != second[3]["paragraphStyle"]["headingId"]
    runs = first[3]["elements"]
    assert runs[0]["textRun"]["content"] == "Heading more\n"
    assert runs[0]["textRun"]["textStyle"] == {"italic": True}


def test_text_style_fields_mask_sets_resets_and_runs_merge(docs, new_doc):
    update(docs, new_doc, [insert("abcdef")])
    update(docs, new_doc, [
        {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 4},
                             "textStyle": {"bold": True, "italic": True}, "fields": "bold"}},
        {"updateTextStyle": {"range": {"startIndex": 3, "endIndex": 7},
                             "textStyle": {"link": {"url": "https://example.com"}}, "fields": "link"}},
    ])
    runs = [(e["startIndex"], e["endIndex"], e["textRun"]["textStyle"])
            for e in paragraphs(get(docs, new_doc))[0][3]["elements"]]
    assert runs[0] == (1, 3, {"bold": True})
    assert runs[1][:2] == (3, 4) and runs[1][2]["link"] == {"url": "https://example.com"}
    assert runs[1][2]["bold"] and runs[1][2]["underline"]
    assert runs[2][:2] == (4, 7) and "bold" not in runs[2][2]
    assert runs[3] == (7, 8, {})  # links are never set on the newline
    update(docs, new_doc, [{"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 8},
                                                "textStyle": {}, "fields": "*"}}])
    elements = paragraphs(get(docs, new_doc))[0][3]["elements"]
    assert [(e["startIndex"], e["endIndex"], e["textRun"]["textStyle"]) for e in elements] == [(1, 8, {})]
    for fields in (None, ""):
        request = {"range": {"startIndex": 1, "endIndex": 3}, "textStyle": {"bold": True}}
        if fields is not None:
            request["fields"] = fields
        rejected(lambda: update(docs, new_doc, [{"updateTextStyle": request}]))


def test_paragraph_style_mask_leaves_unlisted_fields_alone(docs, new_doc):
    update(docs, new_doc, [insert("Title\nBody")])
    update(docs, new_doc, [{"updateParagraphStyle": {
        "range": {"startIndex": 1, "endIndex": 2},
        "paragraphStyle": {"namedStyleType": "TITLE", "alignment": "CENTER"},
        "fields": "namedStyleType,alignment"}}])
    update(docs, new_doc, [{"updateParagraphStyle": {
        "range": {"startIndex": 1, "endIndex": 2}, "paragraphStyle": {}, "fields": "alignment"}}])
    title, body, *_ = paragraphs(get(docs, new_doc))
    assert title[3]["paragraphStyle"]["namedStyleType"] == "TITLE"
    assert "alignment" not in title[3]["paragraphStyle"]
    assert body[3]["paragraphStyle"]["namedStyleType"] == "NORMAL_TEXT"


# --- lists -----------------------------------------------------------------------------------

def test_bullets_take_nesting_from_leading_tabs_and_remove_them(docs, new_doc):
    update(docs, new_doc, [
        insert("one\n\ttwo\n\t\tthree\nafter\n"),
        {"createParagraphBullets": {"range": {"startIndex": 1, "endIndex": 17},
                                    "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}},
    ])
    document = get(docs, new_doc)
    items = paragraphs(document)
    assert [(s, e, t) for s, e, t, _ in items[:4]] == [
        (1, 5, "one\n"), (5, 9, "two\n"), (9, 15, "three\n"), (15, 21, "after\n")]
    levels = [p["bullet"].get("nestingLevel", 0) for _, _, _, p in items[:3]]
    assert levels == [0, 1, 2] and "bullet" not in items[3][3]
    list_id = items[0][3]["bullet"]["listId"]
    glyphs = [level["glyphSymbol"] for level in
              document["lists"][list_id]["listProperties"]["nestingLevels"][:3]]
    assert glyphs == ["●", "○", "■"]


def test_a_paragraph_after_a_list_with_the_same_preset_joins_it(docs, new_doc):
    update(docs, new_doc, [
        insert("a\nb\nc\n"),
        {"createParagraphBullets": {"range": {"startIndex": 1, "endIndex": 5},
                                    "bulletPreset": "NUMBERED_DECIMAL_ALPHA_ROMAN"}},
        {"createParagraphBullets": {"range": {"startIndex": 5, "endIndex": 6},
                                    "bulletPreset": "NUMBERED_DECIMAL_ALPHA_ROMAN"}},
    ])
    document = get(docs, new_doc)
    ids = {p["bullet"]["listId"] for _, _, _, p in paragraphs(document)[:3]}
    assert len(ids) == 1
    levels = document["lists"][ids.pop()]["listProperties"]["nestingLevels"]
    assert [level["glyphType"] for level in levels[:3]] == ["DECIMAL", "ALPHA", "ROMAN"]
    update(docs, new_doc, [{"deleteParagraphBullets": {"range": {"startIndex": 1, "endIndex": 7}}}])
    assert all("bullet" not in p for _, _, _, p in paragraphs(get(docs, new_doc)))


def test_bullets_on_an_empty_range_touching_no_paragraph_are_refused_with_400(docs, new_doc):
    update(docs, new_doc, [insert("a\nb\n")])   # body 1-6: "a\n" "b\n" and the final "\n"
    error = rejected(lambda: update(docs, new_doc, [
        {"createParagraphBullets": {"range": {"startIndex": 6, "endIndex": 6},
                                    "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}}]))
    assert "paragraph" in str(error)
    assert all("bullet" not in p for _, _, _, p in paragraphs(get(docs, new_doc)))


# --- tables, images, page breaks --------------------------------------------------------------

def test_table_layout_and_filling_cells_from_last_to_first(docs, new_doc):
    update(docs, new_doc, [insert("Intro\n"),
                           {"insertTable": {"rows": 2, "columns": 3, "endOfSegmentLocation": {}}}])
    document = get(docs, new_doc)
    table_element = next(e for e in document["body"]["content"] if "table" in e)
    start = table_element["startIndex"]
    assert start == 8  # endOfSegment is 7; the inserted newline pushes the table to 7 + 1
    assert table_element["endIndex"] - start == 1 + 2 * (1 + 2 * 3) + 1  # start, rows, end
    assert table_element["endIndex"] == table_element["table"]["tableRows"][-1]["endIndex"] + 1
    cells = [cell for row in table_element["table"]["tableRows"] for cell in row["tableCells"]]
    starts = [cell["content"][0]["startIndex"] for cell in cells]
    assert starts[0] == start + 3
    assert document["body"]["content"][-1]["startIndex"] == table_element["endIndex"]
    labels = ["A1", "B1", "C1", "A2", "B2", "C2"]
    update(docs, new_doc, [insert(label, index) for label, index in reversed(list(zip(labels, starts)))])
    table = next(e for e in get(docs, new_doc)["body"]["content"] if "table" in e)["table"]
    read = [[cell["content"][0]["paragraph"]["elements"][0]["textRun"]["content"]
             for cell in row["tableCells"]] for row in table["tableRows"]]
    assert read == [["A1\n", "B1\n", "C1\n"], ["A2\n", "B2\n", "C2\n"]]
    rejected(lambda: update(docs, new_doc, [insert("x", start)]))
    rejected(lambda: update(docs, new_doc, [{"deleteContentRange": {
        "range": {"startIndex": start - 1, "endIndex": start + 4}}}]))


def test_inline_image_occupies_one_unit(sandbox, docs, new_doc):
    publish_images(sandbox, "https://example.com/")
    update(docs, new_doc, [insert("ab")])
    reply = update(docs, new_doc, [{"insertInlineImage": {
        "uri": "https://example.com/cat.png", "location": {"index": 2}}}])
    object_id = reply["replies"][0]["insertInlineImage"]["objectId"]
    document = get(docs, new_doc)
    elements = paragraphs(document)[0][3]["elements"]
    assert elements[1]["inlineObjectElement"]["inlineObjectId"] == object_id
    assert (elements[1]["startIndex"], elements[1]["endIndex"]) == (2, 3)
    image = document["inlineObjects"][object_id]["inlineObjectProperties"]["embeddedObject"]
    assert image["imageProperties"]["sourceUri"] == "https://example.com/cat.png"
    for uri in ("ftp://example.com/a.png", "https://example.com/" + "a" * 2100):
        rejected(lambda: update(docs, new_doc, [{"insertInlineImage": {
            "uri": uri, "location": {"index": 1}}}]))


def test_page_break_brings_its_own_newline(docs, new_doc):
    update(docs, new_doc, [insert("ab"), {"insertPageBreak": {"location": {"index": 2}}}])
    first, second, *_ = paragraphs(get(docs, new_doc))
    assert (first[0], first[1]) == (1, 4) and "pageBreak" in first[3]["elements"][1]
    assert second[2] == "b\n"


# --- replaceAllText, named ranges ------------------------------------------------------------

def test_replace_all_text_counts_and_named_ranges_move(docs, new_doc):
    reply = update(docs, new_doc, [
        insert("Cat and cat and CAT\n"),
        {"createNamedRange": {"name": "tail", "range": {"startIndex": 13, "endIndex": 16}}},
        {"replaceAllText": {"containsText": {"text": "cat", "matchCase": True}, "replaceText": "dog"}},
        {"replaceAllText": {"containsText": {"text": "cat"}, "replaceText": "fox!"}},
    ])
    assert reply["replies"][2] == {"replaceAllText": {"occurrencesChanged": 1}}
    assert reply["replies"][3] == {"replaceAllText": {"occurrencesChanged": 2}}
    range_id = reply["replies"][1]["createNamedRange"]["namedRangeId"]
    document = get(docs, new_doc)
    assert text_of(document).startswith("fox! and dog and fox!\n")
    named = document["namedRanges"]["tail"]["namedRanges"][0]
    assert named["namedRangeId"] == range_id
    assert (named["ranges"][0]["startIndex"], named["ranges"][0]["endIndex"]) == (14, 17)
    update(docs, new_doc, [{"deleteNamedRange": {"name": "tail"}}])
    assert "namedRanges" not in get(docs, new_doc)


# --- suggestions and comments ----------------------------------------------------------------

def test_suggest_mode_keeps_text_marked_until_accepted_or_rejected(docs, new_doc):
    update(docs, new_doc, [insert("Hello world")])
    reply = update(docs, new_doc, [insert("big ", 7),
                                   {"deleteContentRange": {"range": {"startIndex": 1, "endIndex": 7}}}],
                   SUGGEST)
    inserted, deleted = (r["createdSuggestionIds"][0] for r in reply["suggestionResponses"])
    runs = [e["textRun"] for e in paragraphs(get(docs, new_doc))[0][3]["elements"]]
    assert [(r["content"], r.get("suggestedInsertionIds"), r.get("suggestedDeletionIds")) for r in runs] == [
        ("Hello ", None, [deleted]), ("big ", [inserted], None), ("world\n", None, None)]
    accepted = get(docs, new_doc, suggestionsViewMode="PREVIEW_SUGGESTIONS_ACCEPTED")
    without = get(docs, new_doc, suggestionsViewMode="PREVIEW_WITHOUT_SUGGESTIONS")
    assert text_of(accepted) == "big world\n" and text_of(without) == "Hello world\n"
    update(docs, new_doc, [{"acceptSuggestion": {"suggestionId": inserted}},
                           {"rejectSuggestion": {"suggestionId": deleted}}])
    runs = [e["textRun"] for e in paragraphs(get(docs, new_doc))[0][3]["elements"]]
    assert [r["content"] for r in runs] == ["Hello big world\n"]
    assert all("suggestedInsertionIds" not in r and "suggestedDeletionIds" not in r for r in runs)


def test_suggested_style_change_shows_inline_and_applies_on_accept(docs, new_doc):
    update(docs, new_doc, [insert("word")])
    reply = update(docs, new_doc, [{"updateTextStyle": {
        "range": {"startIndex": 1, "endIndex": 5}, "textStyle": {"bold": True}, "fields": "bold"}}],
        SUGGEST)
    suggestion = reply["suggestionResponses"][0]["createdSuggestionIds"][0]
    run = paragraphs(get(docs, new_doc))[0][3]["elements"][0]["textRun"]
    change = run["suggestedTextStyleChanges"][suggestion]
    assert change["textStyle"] == {"bold": True} and change["textStyleSuggestionState"]["boldSuggested"]
    assert run["textStyle"] == {}
    update(docs, new_doc, [{"acceptSuggestion": {"suggestionId": suggestion}}])
    run = paragraphs(get(docs, new_doc))[0][3]["elements"][0]["textRun"]
    assert run["textStyle"] == {"bold": True} and "suggestedTextStyleChanges" not in run


def test_comment_anchor_moves_with_edits_and_keeps_its_quote(docs, drive, new_doc):
    update(docs, new_doc, [insert("alpha beta gamma")])
    reply = update(docs, new_doc, [{"insertComment": {
        "range": {"startIndex": 7, "endIndex": 11}, "content": "Why beta?"}}])
    thread = reply["replies"][0]["insertComment"]["commentThread"]
    assert thread["plainTextQuote"] == "beta" and thread["headPost"]["content"] == "Why beta?"
    update(docs, new_doc, [insert("Oh, "), {"addCommentReply": {
        "commentId": thread["commentId"], "post": {"content": "Done", "commentAction": "RESOLVE"}}}])
    listed = drive.comments().list(fileId=new_doc, fields="*").execute()["comments"]
    assert [c["resolved"] for c in listed] == [True]
    assert listed[0]["replies"][0]["content"] == "Done"
    update(docs, new_doc, [{"deleteContentRange": {"range": {"startIndex": 10, "endIndex": 16}}}])
    listed = drive.comments().list(fileId=new_doc, fields="*").execute()["comments"]
    assert listed[0]["quotedFileContent"]["value"] == "beta" and "anchor" not in listed[0]


def test_comments_view_mode_included_lists_threads_and_anchors(docs, new_doc):
    update(docs, new_doc, [insert("alpha beta gamma")])
    update(docs, new_doc, [{"insertComment": {"range": {"startIndex": 7, "endIndex": 11},
                                              "content": "Why beta?"}}, insert(">> ")])
    rejected(lambda: get(docs, new_doc, includeTabsContent=True,
                         commentsViewMode="COMMENTS_VIEW_MODE_INCLUDED",
                         suggestionsViewMode="PREVIEW_SUGGESTIONS_ACCEPTED"))
    document = get(docs, new_doc, includeTabsContent=True,
                   commentsViewMode="COMMENTS_VIEW_MODE_INCLUDED", suggestionsViewMode="SUGGESTIONS_INLINE")
    [comment] = document["comments"]
    anchors = document["tabs"][0]["documentTab"]["commentAnchors"]
    [anchor_range] = anchors[comment["anchorId"]]["ranges"]
    assert (anchor_range["startIndex"], anchor_range["endIndex"]) == (10, 14)
    assert comment["plainTextQuote"] == "beta"


# --- export ----------------------------------------------------------------------------------

def test_markdown_and_html_export(docs, drive, new_doc):
    update(docs, new_doc, [
        insert("Title\nSome bold and a link.\n\titem\nitem two\n"),
        {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                  "paragraphStyle": {"namedStyleType": "HEADING_1"},
                                  "fields": "namedStyleType"}},
        {"updateTextStyle": {"range": {"startIndex": 12, "endIndex": 16},
                             "textStyle": {"bold": True}, "fields": "bold"}},
        {"updateTextStyle": {"range": {"startIndex": 23, "endIndex": 27},
                             "textStyle": {"link": {"url": "https://example.com"}}, "fields": "link"}},
        {"createParagraphBullets": {"range": {"startIndex": 29, "endIndex": 40},
                                    "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}},
    ])
    markdown = drive.files().export(fileId=new_doc, mimeType="text/markdown").execute().decode()
    assert markdown.startswith("# Title\n\nSome **bold** and a [link](https://example.com).\n")
    assert "    - item\n- item two\n" in markdown
    page = drive.files().export(fileId=new_doc, mimeType="text/html").execute().decode()
    assert "<h1>Title</h1>" in page and "<strong>bold</strong>" in page
    assert '<a href="https://example.com">link</a>' in page
    plain = drive.files().export(fileId=new_doc, mimeType="text/plain").execute().decode("utf-8")
    assert plain.startswith("\ufeffTitle\r\nSome bold and a link.\r\n")
    assert "    * item\r\n* item two" in plain


def _table(docs, document_id):
    return next(e for e in get(docs, document_id)["body"]["content"] if "table" in e)


def _cell_texts(table_element):
    return [["".join(p["paragraph"]["elements"][0]["textRun"]["content"] for p in cell["content"])
             for cell in row["tableCells"]] for row in table_element["table"]["tableRows"]]


def test_table_cells_edit_alone_and_a_table_deletes_whole(docs, new_doc):
    update(docs, new_doc, [{"insertTable": {"rows": 1, "columns": 2, "location": {"index": 1}}}])
    table = _table(docs, new_doc)
    first_cell = table["table"]["tableRows"][0]["tableCells"][0]["content"][0]["startIndex"]
    assert (table["startIndex"], first_cell) == (2, 5)  # location + 1, location + 4
    update(docs, new_doc, [insert("abc", first_cell)])
    update(docs, new_doc, [{"deleteContentRange": {"range": {"startIndex": 6, "endIndex": 8}}}])
    assert _cell_texts(_table(docs, new_doc)) == [["a\n", "\n"]]
    rejected(lambda: update(docs, new_doc, [{"deleteContentRange": {  # the cell's own newline
        "range": {"startIndex": 5, "endIndex": 7}}}]))
    table = _table(docs, new_doc)
    update(docs, new_doc, [{"deleteContentRange": {
        "range": {"startIndex": table["startIndex"], "endIndex": table["endIndex"]}}}])
    content = get(docs, new_doc)["body"]["content"]
    assert not any("table" in e for e in content) and text_of(get(docs, new_doc)) == "\n\n"


def test_table_geometry_follows_the_api_notes(docs, new_doc):
    """insertTable at L adds 3 + R(1 + 2C) units: newline at L, table at L + 1, first cell's
    paragraph at L + 4, and a table end unit after the last row."""
    update(docs, new_doc, [insert("after")])
    named = update(docs, new_doc, [
        {"createNamedRange": {"name": "after", "range": {"startIndex": 1, "endIndex": 6}}},
        {"insertComment": {"range": {"startIndex": 1, "endIndex": 6}, "content": "After?"}}])
    range_id = named["replies"][0]["createNamedRange"]["namedRangeId"]
    update(docs, new_doc, [{"insertTable": {"rows": 2, "columns": 3, "location": {"index": 1}}}])
    document = get(docs, new_doc)
    table = _table(docs, new_doc)
    first_cell = table["table"]["tableRows"][0]["tableCells"][0]["content"][0]["startIndex"]
    assert (table["startIndex"], first_cell, table["endIndex"]) == (2, 5, 18)
    assert table["endIndex"] == 2 + 1 + 2 * (1 + 2 * 3) + 1
    assert table["table"]["tableRows"][-1]["endIndex"] == 17
    assert [(start, end, text) for start, end, text, _ in paragraphs(document)] == [
        (1, 2, "\n"), (18, 24, "after\n")]
    moved = document["namedRanges"]["after"]["namedRanges"][0]
    assert (moved["namedRangeId"], moved["ranges"][0]["startIndex"],
            moved["ranges"][0]["endIndex"]) == (range_id, 18, 23)
    assert _comment_anchor(docs, new_doc) == (18, 23)
    rejected(lambda: update(docs, new_doc, [insert("x", 17)]))  # the table end unit
    for start, end in ((5, 18), (2, 17), (17, 19)):  # part of the table
        rejected(lambda: update(docs, new_doc, [{"deleteContentRange": {
            "range": {"startIndex": start, "endIndex": end}}}]))
    update(docs, new_doc, [{"deleteContentRange": {"range": {"startIndex": 2, "endIndex": 18}}}])
    document = get(docs, new_doc)
    assert [(start, end, text) for start, end, text, _ in paragraphs(document)] == [
        (1, 2, "\n"), (2, 8, "after\n")]
    assert document["namedRanges"]["after"]["namedRanges"][0]["ranges"][0]["startIndex"] == 2
    assert _comment_anchor(docs, new_doc) == (2, 7)


def _comment_anchor(docs, document_id) -> tuple[int, int]:
    """(startIndex, endIndex) of the document's only comment anchor."""
    document = get(docs, document_id, includeTabsContent=True, suggestionsViewMode="SUGGESTIONS_INLINE",
                   commentsViewMode="COMMENTS_VIEW_MODE_INCLUDED")
    [anchor] = document["tabs"][0]["documentTab"]["commentAnchors"].values()
    [anchor_range] = anchor["ranges"]
    return anchor_range["startIndex"], anchor_range["endIndex"]


def test_insert_table_row_and_column_and_cell_style(docs, drive, new_doc):
    update(docs, new_doc, [{"insertTable": {"rows": 1, "columns": 1, "endOfSegmentLocation": {}}}])
    start = _table(docs, new_doc)["startIndex"]
    cell = {"tableStartLocation": {"index": start}, "rowIndex": 0, "columnIndex": 0}
    update(docs, new_doc, [
        insert("x", start + 3),
        {"insertTableRow": {"tableCellLocation": cell, "insertBelow": True}},
        {"insertTableColumn": {"tableCellLocation": cell, "insertRight": False}},
        {"updateTableCellStyle": {
            "tableRange": {"tableCellLocation": cell, "rowSpan": 1, "columnSpan": 2},
            "tableCellStyle": {"backgroundColor": {"color": {"rgbColor": {"red": 1}}}},
            "fields": "backgroundColor"}},
    ])
    table = _table(docs, new_doc)
    assert (table["table"]["rows"], table["table"]["columns"]) == (2, 2)
    assert _cell_texts(table) == [["\n", "x\n"], ["\n", "\n"]]
    # table start, two rows of two cells, table end, plus the "x"
    assert table["endIndex"] - table["startIndex"] == 1 + 2 * (1 + 2 * 2) + 1 + 1
    first_row = table["table"]["tableRows"][0]["tableCells"]
    assert all(c["tableCellStyle"]["backgroundColor"] == {"color": {"rgbColor": {"red": 1}}}
               for c in first_row)
    cells = [c for row in table["table"]["tableRows"] for c in row["tableCells"]]
    assert [c["startIndex"] for c in cells] == [start + 2, start + 4, start + 8, start + 10]
    markdown = drive.files().export(fileId=new_doc, mimeType="text/markdown").execute().decode()
    assert "|  | x |\n| --- | --- |\n|  |  |" in markdown


def test_rejecting_a_suggested_paragraph_break_merges_the_paragraphs_again(docs, new_doc):
    update(docs, new_doc, [insert("onetwo")])
    reply = update(docs, new_doc, [insert("\n", 4)], SUGGEST)
    suggestion = reply["suggestionResponses"][0]["createdSuggestionIds"][0]
    assert [t for _, _, t, _ in paragraphs(get(docs, new_doc))] == ["one\n", "two\n"]
    newline_run = paragraphs(get(docs, new_doc))[0][3]["elements"][-1]["textRun"]
    assert newline_run["suggestedInsertionIds"] == [suggestion]
    update(docs, new_doc, [{"rejectSuggestion": {"suggestionId": suggestion}}])
    assert [t for _, _, t, _ in paragraphs(get(docs, new_doc))] == ["onetwo\n"]
    rejected(lambda: update(docs, new_doc, [{"acceptSuggestion": {"suggestionId": suggestion}}]))
