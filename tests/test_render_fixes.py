"""One regression test per class of rendering loss the CommonMark spec found (issue 13): the post
goes through `workflow preview --json` as a user runs it, its requests into a sandbox Doc through
the real client, and the Doc is checked as a reviewer sees it and as the reader reads it back
(meaning compared with tests/markdown_meaning.py, which shares no code with the renderer)."""
from __future__ import annotations

import pytest
from markdown_meaning import compare

from workflow.render import read_back, read_document


def into_doc(site, cli, docs, text: str, *, name: str = "post.md") -> tuple[dict, dict, str]:
    """(preview JSON, the Doc after its requests, the Doc read back as Markdown)."""
    path = site.posts / name
    path.write_text(text, encoding="utf-8")
    result = cli("preview", str(path), "--json")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    preview = result.json
    documents = docs.documents()
    doc_id = documents.create(body={"title": preview["title"]}).execute()["documentId"]
    if preview["requests"]:
        documents.batchUpdate(documentId=doc_id, body={"requests": preview["requests"]}).execute()
    document = documents.get(documentId=doc_id).execute()
    return preview, document, read_document(document)


def paragraphs(document: dict) -> list[tuple[str, dict]]:
    """(text, paragraph) of each body paragraph, the final empty one left out."""
    out = []
    for element in document["body"]["content"]:
        if "paragraph" in element:
            text = "".join(e.get("textRun", {}).get("content", "") for e in element["paragraph"]["elements"])
            out.append((text.removesuffix("\n"), element["paragraph"]))
    return out[:-1]


def paragraph(document: dict, text: str) -> dict:
    return next(p for t, p in paragraphs(document) if t == text)


def glyph(document: dict, para: dict) -> dict:
    bullet = para["bullet"]
    return document["lists"][bullet["listId"]]["listProperties"]["nestingLevels"][bullet.get("nestingLevel", 0)]


def indent(para: dict) -> float:
    return para["paragraphStyle"].get("indentStart", {}).get("magnitude", 0)


def runs(para: dict) -> list[tuple[str, dict]]:
    return [(e["textRun"]["content"], e["textRun"].get("textStyle", {})) for e in para["elements"] if "textRun" in e]


def test_inline_elements_stay_inside_their_list_item(site, cli, docs):
    text = "- a **b** c\n- see [the site](https://example.com/) and `code()`\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    assert [t for t, _ in paragraphs(document)] == ["a b c", "see the site and code()"]
    bold = [t for t, style in runs(paragraph(document, "a b c")) if style.get("bold")]
    assert bold == ["b"]
    assert compare(text, markdown) is None


@pytest.mark.parametrize("text", [
    "- foo\n***\n- bar\n",
    "* Foo\n* * *\n* Bar\n",
    "    - a\n    - b\n",
    "##Links\n* item\n",
    "#\n\nHello\n",
])
def test_posts_that_crashed_the_renderer_preview_and_read_back(site, cli, docs, text):
    _, _, markdown = into_doc(site, cli, docs, text)
    assert compare(text, markdown) is None


def test_email_autolinks_are_mailto_links_and_the_batch_is_accepted(site, cli, docs):
    text = "Write to <me@example.com> or <team+blog@example.org>.\n"
    preview, document, markdown = into_doc(site, cli, docs, text)
    assert "wzxhzdk" not in str(preview["requests"]) and "\x02" not in str(preview["requests"])
    [(_, para)] = paragraphs(document)
    links = {t: s["link"]["url"] for t, s in runs(para) if "link" in s}
    assert links == {"me@example.com": "mailto:me@example.com", "team+blog@example.org": "mailto:team+blog@example.org"}
    assert compare(text, markdown) is None


def test_quote_and_code_inside_a_list_item_are_indented_to_the_item(site, cli, docs):
    text = "1. Step one\n\n    > Keep calm.\n\n        make tea\n\n    Then rest.\n\n2. Step two\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    quote, code, rest = paragraph(document, "Keep calm."), paragraph(document, "make tea"), paragraph(document, "Then rest.")
    assert "bullet" not in quote and quote["paragraphStyle"]["borderLeft"]["width"]["magnitude"] > 0 and indent(quote) == 72
    assert "bullet" not in code and "shading" in code["paragraphStyle"] and indent(code) == 36
    assert "bullet" not in rest and indent(rest) == 36
    step_one, step_two = paragraph(document, "Step one"), paragraph(document, "Step two")
    assert step_one["bullet"]["listId"] == step_two["bullet"]["listId"]  # "2." keeps counting
    assert compare(text, markdown) is None


def test_list_heading_and_code_inside_a_quote_keep_the_quote_border(site, cli, docs):
    text = "> ## Why\n>\n>     code()\n>\n> - one\n> - two\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    heading, item, code = paragraph(document, "Why"), paragraph(document, "one"), paragraph(document, "code()")
    assert heading["paragraphStyle"]["namedStyleType"] == "HEADING_2"
    assert "bullet" in item and "glyphSymbol" in glyph(document, item)
    for para in (heading, item, code):
        assert para["paragraphStyle"]["borderLeft"]["width"]["magnitude"] > 0
    assert "shading" in code["paragraphStyle"]
    assert compare(text, markdown) is None


def test_heading_as_a_list_items_text_keeps_its_heading_style(site, cli, docs):
    text = "Intro.\n\n- ## Packing list\n- Passport\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    item = paragraph(document, "Packing list")
    assert "bullet" in item and item["paragraphStyle"]["namedStyleType"] == "HEADING_2"
    assert compare(text, markdown) is None


def test_bullets_nested_in_a_numbered_list_keep_bullet_glyphs(site, cli, docs):
    text = "1. First\n    - detail\n    - more\n2. Second\n    1. sub-step\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    assert glyph(document, paragraph(document, "First"))["glyphType"] == "DECIMAL"
    assert "glyphSymbol" in glyph(document, paragraph(document, "detail"))
    assert glyph(document, paragraph(document, "sub-step"))["glyphType"] in ("ALPHA", "DECIMAL")
    assert paragraph(document, "First")["bullet"]["listId"] == paragraph(document, "Second")["bullet"]["listId"]
    assert compare(text, markdown) is None


def test_numbered_list_starting_at_three_shows_its_numbers(site, cli, docs):
    text = "Continuing:\n\n3. Third\n4. Fourth\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    assert [t for t, _ in paragraphs(document)][1:] == ["3. Third", "4. Fourth"]
    third = paragraph(document, "3. Third")
    assert "bullet" not in third and indent(third) == 36
    assert markdown == "Continuing:\n\n3. Third\n4. Fourth\n"


def test_entity_only_paragraphs_and_task_boxes(site, cli, docs):
    text = "&copy;\n\n&#X22;\n\n- [X] done\n- [x] also done\n- [ ] open\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    assert [t for t, _ in paragraphs(document)] == ["©", '"', "☒ done", "☑ also done", "☐ open"]
    assert "- [X] done\n- [x] also done\n- [ ] open" in markdown
    assert compare(text, markdown) is None


def test_footnotes_with_paragraphs_and_a_list(site, cli, docs):
    text = "Claim.[^1] Other.[^2]\n\n[^1]: First paragraph.\n\n    Second paragraph.\n\n[^2]: Items:\n\n    - one\n    - two\n"
    _, document, markdown = into_doc(site, cli, docs, text)
    texts = [t for t, _ in paragraphs(document)]
    assert texts[texts.index("Notes") + 1 :] == ["[1] First paragraph.", "Second paragraph.", "[2] Items:", "one", "two"]
    assert "[^1]: First paragraph.\n\n    Second paragraph." in markdown
    assert markdown.count("[^2]:") == 1


def test_fenced_code_inside_raw_html_shows_no_placeholders(site, cli, docs):
    text = "<details>\n\n```\ncode\n```\n\n</details>\n"
    preview, document, _ = into_doc(site, cli, docs, text)
    shown = "\n".join(t for t, _ in paragraphs(document))
    assert "wzxhzdk" not in shown and "code" in shown


def test_links_and_images_with_awkward_targets_read_back_as_written(site, cli, docs):
    text = ("[empty]() and [parens](<https://en.wikipedia.org/wiki/Foo_(bar)>) and "
            "![A bench, at dusk](<https://example.com/a(1).png>)\n\n## Learn C\\#\n")
    _, document, markdown = into_doc(site, cli, docs, text)
    assert "## Learn C\\#" in markdown
    assert "![A bench, at dusk](" in markdown  # alt text kept (named range over the image)
    assert compare(text, markdown) is None


def test_relative_images_resolve_against_site_url(site, cli, docs):
    text = "![A bench](images/bench.jpg) and ![logo](/logo.png)\n"
    preview, _, markdown = into_doc(site, cli, docs, text)
    assert "insertInlineImage" not in str(preview["requests"])
    assert any("site_url" in w["message"] for w in preview["warnings"])

    site.write_config('[content]\nsite_url = "https://blog.example.com/posts"\n')
    preview, document, markdown = into_doc(site, cli, docs, text)
    uris = [r["insertInlineImage"]["uri"] for r in preview["requests"] if "insertInlineImage" in r]
    assert sorted(uris) == ["https://blog.example.com/logo.png", "https://blog.example.com/posts/images/bench.jpg"]
    assert preview["warnings"] == []
    assert compare(text, markdown, site_url="https://blog.example.com/posts/") is None
    # written back into the post, the images are relative again
    assert read_document(document, site_url="https://blog.example.com/posts/") == text


def test_site_url_must_be_an_http_url(site, cli):
    site.write_config('[content]\nsite_url = "blog.example.com"\n')
    result = cli("preview", str(site.post("p.md", "x\n")))
    assert result.code == 2
    assert "[content] site_url must be the blog's public http(s) base URL" in result.error_line


def test_a_300_level_list_is_flattened_with_a_warning_naming_the_line(site, cli, docs):
    text = "Deep:\n\n" + "".join("    " * level + f"- level {level}\n" for level in range(300))
    preview, document, markdown = into_doc(site, cli, docs, text)
    [warning] = [w for w in preview["warnings"] if "nested deeper" in w["message"]]
    assert warning["line"] == 3 + 9  # the first item deeper than 9 levels
    levels = [p["bullet"].get("nestingLevel", 0) for _, p in paragraphs(document) if "bullet" in p]
    assert len(levels) == 300 and max(levels) == 8


# -- write-back of link and image targets (issue 11) ------------------------------------------------

HOSTILE = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "javascript&colon;alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]


def live_targets(markdown_text: str) -> list[str]:
    """The link and image targets a browser would follow in the published HTML of the Markdown."""
    import html as html_module

    import markdown as python_markdown
    from markdown_meaning import html_tree

    found = []
    for node in _walk(html_tree(python_markdown.markdown(markdown_text))):
        for attribute in ("href", "src"):
            if attribute in node.attrs:
                found.append("".join(html_module.unescape(node.attrs[attribute]).split()).lower())
        assert node.tag != "script"
    return found


def reviewer_sets_link(google_site, cli, url: str) -> tuple[dict, str]:
    """Export a post, let a reviewer (a sandbox user token, in Google's editor) link "Hello" to
    `url`; the Doc as documents.get returns it."""
    from sandbox_fixtures import OWNER

    google_site.site.post("p.md", "---\ntitle: Safe\n---\n\nHello world, and a [good link](https://example.com/).\n")
    result = cli("export")
    assert result.code == 0, result.err
    _, docs = google_site.reviewer(OWNER)
    documents = docs.documents()
    drive, _ = google_site.owner()
    [found] = drive.files().list(q="mimeType='application/vnd.google-apps.document' and trashed=false",
                                 fields="files(id)").execute()["files"]
    document = documents.get(documentId=found["id"]).execute()
    start = next(e["startIndex"] for e in document["body"]["content"] if "paragraph" in e and "Hello" in str(e))
    documents.batchUpdate(documentId=found["id"], body={"requests": [
        {"updateTextStyle": {"range": {"startIndex": start, "endIndex": start + 5}, "textStyle": {"link": {"url": url}},
                             "fields": "link"}}]}).execute()
    return documents.get(documentId=found["id"]).execute(), found["id"]


@pytest.mark.parametrize("url", HOSTILE)
def test_a_reviewers_script_link_is_kept_as_plain_text_with_a_warning(google_site, cli, url):
    document, _ = reviewer_sets_link(google_site, cli, url)
    result = read_back(document)
    targets = live_targets(result.markdown)
    assert targets == ["https://example.com/"], result.markdown
    assert "Hello world" in result.markdown
    [warning] = result.warnings
    assert "kept as plain text" in warning["message"] and warning["text"] == "Hello"


def test_a_reviewers_link_breaking_out_of_the_target_is_written_harmlessly(google_site, cli):
    document, _ = reviewer_sets_link(google_site, cli, 'http://x/><script>alert(1)</script>"onclick="x')
    result = read_back(document)
    targets = live_targets(result.markdown)  # no <script> element either
    assert targets[0].startswith("http://x/") and "<" not in targets[0] and '"' not in targets[0]
    assert result.warnings == []


def _walk(node):
    for child in getattr(node, "children", []):
        if not isinstance(child, str):
            yield child
            yield from _walk(child)
