"""read_document on documents.get JSON written by hand, as a reviewer's edited Doc looks."""
from __future__ import annotations

from workflow.render import normalize_markdown, read_back, read_document


def run(text: str, **style) -> dict:
    return {"textRun": {"content": text, "textStyle": style}}


def para(*elements: dict, named: str = "NORMAL_TEXT", bullet: dict | None = None, **style) -> dict:
    paragraph = {"elements": list(elements), "paragraphStyle": {"namedStyleType": named, **style}}
    if bullet:
        paragraph["bullet"] = bullet
    return {"paragraph": paragraph}


def doc(*content: dict, **extra) -> dict:
    return {"documentId": "d", "title": "t", "body": {"content": [{"sectionBreak": {}}, *content]}, **extra}


LISTS = {
    "numbered": {"listProperties": {"nestingLevels": [{"glyphType": "DECIMAL"}, {"glyphType": "ALPHA"}]}},
    "bullets": {"listProperties": {"nestingLevels": [{"glyphSymbol": "●"}, {"glyphSymbol": "○"}]}},
}


def test_plain_hand_typed_paragraphs_and_headings():
    document = doc(
        para(run("A title\n"), named="TITLE"),
        para(run("Section\n"), named="HEADING_2"),
        para(run("Typed by a reviewer, with "), run("bold", bold=True), run(" and "), run("italic", italic=True), run(".\n")),
        para(run("\n")),
        para(run("Second\u000bline\n")),
    )
    assert read_document(document) == (
        "# A title\n\n## Section\n\nTyped by a reviewer, with **bold** and *italic*.\n\nSecond  \nline\n"
    )


def test_adjacent_runs_with_the_same_style_are_merged():
    document = doc(para(run("bo", bold=True), run("ld", bold=True, link={}), run(" "), run("x", strikethrough=True), run("\n")))
    assert read_document(document) == "**bold** ~~x~~\n"


def test_lists_by_glyph_type_and_nesting_level():
    document = doc(
        para(run("one\n"), bullet={"listId": "numbered"}),
        para(run("sub\n"), bullet={"listId": "numbered", "nestingLevel": 1}),
        para(run("two\n"), bullet={"listId": "numbered"}),
        para(run("between\n")),
        para(run("☑ done\n"), bullet={"listId": "bullets"}),
        para(run("☐ open\n"), bullet={"listId": "bullets"}),
        lists=LISTS,
    )
    assert read_document(document) == "1. one\n    1. sub\n2. two\n\nbetween\n\n- [x] done\n- [ ] open\n"


def test_code_quote_rule_links_and_monospace():
    shade = {"shading": {"backgroundColor": {"color": {"rgbColor": {"red": 0.95, "green": 0.95, "blue": 0.95}}}}}
    border = {"width": {"magnitude": 3, "unit": "PT"}, "dashStyle": "SOLID", "padding": {"magnitude": 8, "unit": "PT"}}
    document = doc(
        para(run("def f():\n", weightedFontFamily={"fontFamily": "Roboto Mono"}), **shade),
        para(run("\n"), **shade),
        para(run("    return 1\n"), **shade),
        para(run("quoted\n"), indentStart={"magnitude": 36, "unit": "PT"}, borderLeft=border),
        para(run("deeper\n"), indentStart={"magnitude": 72, "unit": "PT"}, borderLeft=border),
        para(run("\n"), borderBottom=border),
        para(run("see "), run("the site", link={"url": "https://example.com"}), run(" and "), run("pause()", weightedFontFamily={"fontFamily": "Courier New"}), run("\n")),
    )
    assert read_document(document) == (
        "```\ndef f():\n\n    return 1\n```\n\n> quoted\n>\n> > deeper\n\n---\n\n"
        "see [the site](https://example.com) and `pause()`\n"
    )


def test_table_with_alignment_and_bold_header():
    def cell(text: str, alignment: str | None = None, **style) -> dict:
        paragraph_style = {"alignment": alignment} if alignment else {}
        return {"content": [{"paragraph": {"elements": [run(text + "\n", **style)], "paragraphStyle": paragraph_style}}]}

    table = {"table": {"rows": 2, "columns": 2, "tableRows": [
        {"tableCells": [cell("Habit", bold=True), cell("Fixing", "CENTER", bold=True)]},
        {"tableCells": [cell("First"), cell("advice", "CENTER", italic=True)]},
    ]}}
    assert read_document(doc(table)) == "| Habit | Fixing |\n| --- | :---: |\n| First | *advice* |\n"


def test_images_footnotes_and_native_footnotes():
    document = doc(
        para({"inlineObjectElement": {"inlineObjectId": "img"}}, run("\n")),
        para(run("claim"), run("[1]", baselineOffset="SUPERSCRIPT"), run(" and native"), {"footnoteReference": {"footnoteId": "f", "footnoteNumber": "2"}}, run("\n")),
        para(run("Notes\n"), named="HEADING_2"),
        para(run("[1] the source\n")),
        inlineObjects={"img": {"inlineObjectProperties": {"embeddedObject": {"imageProperties": {"sourceUri": "https://example.com/a.png"}}}}},
        footnotes={"f": {"content": [para(run("native note\n"))]}},
    )
    assert read_document(document) == (
        "![](https://example.com/a.png)\n\nclaim[^1] and native[^2]\n\n[^1]: the source\n\n[^2]: native note\n"
    )


def test_a_notes_heading_with_ordinary_text_stays_a_heading():
    document = doc(para(run("Notes\n"), named="HEADING_2"), para(run("just thoughts\n")))
    assert read_document(document) == "## Notes\n\njust thoughts\n"


def test_unknown_elements_and_an_empty_document_do_not_crash():
    assert read_document({}) == ""
    document = doc({"tableOfContents": {"content": []}}, para({"pageBreak": {}}, run("after\n")), para({"horizontalRule": {}}, run("\n")))
    assert read_document(document) == "after\n\n---\n"


def test_markdown_special_characters_typed_in_the_doc_are_escaped():
    document = doc(para(run("# not a heading *or* [link] 2 < 3\n")))
    markdown = read_document(document)
    assert markdown == "\\# not a heading \\*or\\* \\[link\\] 2 &lt; 3\n"
    assert normalize_markdown(markdown) == markdown


def test_reviewer_made_lists_read_back_as_markdown_that_means_the_same():
    """Docs a reviewer can make that Markdown has no direct form for: the read-back is canonical
    (normalizing it changes nothing) and means what the Doc shows."""
    link = {"link": {"url": "https://example.com/a b"}}
    document = doc(
        para(run("one\n"), bullet={"listId": "numbered"}),
        para(run("two\n"), bullet={"listId": "numbered"}),
        para(run("\n"), bullet={"listId": "bullets"}),  # an empty bullet right after a numbered list
        para(run("\n"), bullet={"listId": "bullets"}),
        para(run("between\n")),
        para(run("starts nested\n"), bullet={"listId": "bullets", "nestingLevel": 1}),
        para(run("see "), run(" the site ", **link), run("\n")),
        lists=LISTS,
    )
    markdown = read_document(document)
    # a list of the other kind after a blank line (else it would continue the item), empty bullet
    # items as "*" ("-" alone would underline a heading), a list starting nested at level 0,
    # spaces at a link's edges outside it, a target with a space in angle brackets
    assert markdown == ("1. one\n2. two\n\n* \n* \n\nbetween\n\n- starts nested\n\n"
                        "see  [the site](<https://example.com/a b>)\n")
    assert normalize_markdown(markdown) == markdown


def test_reader_warns_about_targets_it_keeps_as_text():
    document = doc(para(run("click", link={"url": "javascript:alert(1)"}), run(" or "), run("mail", link={"url": "mailto:a@b.org"}), run("\n")))
    result = read_back(document)
    assert result.markdown == "click or [mail](mailto:a@b.org)\n"
    assert result.warnings == [{"message": "link 'javascript:alert(1)' uses the scheme 'javascript' (only http, https, mailto "
                                           "and relative paths): kept as plain text", "text": "click"}]
