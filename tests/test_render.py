"""render_document: the batchUpdate requests and the block map (no Docs involved)."""
from __future__ import annotations

from pathlib import Path

from workflow.render import BlockMapping, render_document

SAMPLE = Path(__file__).parent / "data" / "samples" / "front-matter-and-rich-markdown.md"


def sample_body() -> tuple[str, int]:
    """The sample's body and the file line number of its first line."""
    text = SAMPLE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    return body, front.count("\n") + 3


def kinds(requests: list[dict]) -> list[str]:
    return [next(iter(r)) for r in requests]


def inserted_text(requests: list[dict]) -> str:
    return "".join(r["insertText"]["text"] for r in requests if "insertText" in r)


def test_first_h1_becomes_the_title_paragraph_and_is_not_repeated():
    rendered = render_document("# My post\n\nHello.\n")
    assert rendered.title == "My post"
    assert rendered.requests[0] == {"insertText": {"location": {"index": 1}, "text": "My post\nHello.\n"}}
    assert rendered.requests[1]["updateParagraphStyle"]["paragraphStyle"] == {"namedStyleType": "TITLE"}
    assert rendered.requests[1]["updateParagraphStyle"]["range"] == {"startIndex": 1, "endIndex": 9}


def test_front_matter_title_wins_and_a_body_without_headings_has_no_title_paragraph():
    rendered = render_document("Just text.\n", title="From front matter")
    assert rendered.title == "From front matter"
    assert kinds(rendered.requests) == ["insertText"]


def test_empty_body_renders_nothing():
    rendered = render_document("", title="T")
    assert rendered.requests == [] and rendered.blocks == [] and rendered.title == "T"
    assert render_document("\n\n").title == "Untitled"


def test_indexes_count_utf16_units_after_emoji():
    rendered = render_document("👨‍👩‍👧‍👦 🇫🇷 👍🏽 **bold**\n")
    bold = next(r["updateTextStyle"] for r in rendered.requests if "updateTextStyle" in r)
    # family 11 + space + flag 4 + space + thumbs+tone 4 + space = 22 units, text starts at 1
    assert bold["range"] == {"startIndex": 23, "endIndex": 27}
    assert rendered.blocks == [BlockMapping("paragraph", 1, 1, 1, 28)]


def test_inline_styles_map_to_text_style_fields():
    rendered = render_document("a ***bi*** ~~s~~ `c` [l](https://x.org) <https://y.org>[^1]\n\n[^1]: n\n")
    styles = {r["updateTextStyle"]["fields"]: r["updateTextStyle"]["textStyle"] for r in rendered.requests if "updateTextStyle" in r}
    assert styles["bold,italic"] == {"bold": True, "italic": True}
    assert styles["strikethrough"] == {"strikethrough": True}
    assert styles["weightedFontFamily"]["weightedFontFamily"]["fontFamily"] == "Roboto Mono"
    assert {"link": {"url": "https://y.org"}} in [s for f, s in styles.items() if f == "link"] or any(
        r["updateTextStyle"]["textStyle"] == {"link": {"url": "https://y.org"}} for r in rendered.requests if "updateTextStyle" in r
    )
    assert styles["baselineOffset"] == {"baselineOffset": "SUPERSCRIPT"}
    assert "a bi s c l https://y.org[1]\nNotes\n[1] n\n" == inserted_text(rendered.requests)


def test_nested_list_uses_tabs_and_one_bullet_request_and_maps_after_tab_removal():
    rendered = render_document("- a\n  - b\n    - c\n- d\n\nafter\n")
    assert inserted_text(rendered.requests) == "a\n\tb\n\t\tc\nd\nafter\n"
    bullets = [r["createParagraphBullets"] for r in rendered.requests if "createParagraphBullets" in r]
    assert bullets == [{"range": {"startIndex": 1, "endIndex": 12}, "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}]
    # final document: "a\n" 1-3, "b\n" 3-5, "c\n" 5-7, "d\n" 7-9, "after\n" 9-15
    assert [(b.kind, b.source_start, b.doc_start, b.doc_end) for b in rendered.blocks] == [
        ("list item", 1, 1, 3), ("list item", 2, 3, 5), ("list item", 3, 5, 7), ("list item", 4, 7, 9),
        ("paragraph", 6, 9, 15),
    ]


def test_separate_lists_get_separate_bullet_requests_and_the_last_list_goes_first():
    rendered = render_document("1. one\n2. two\n\n- x\n\ntext\n\n- y\n")
    bullets = [r["createParagraphBullets"] for r in rendered.requests if "createParagraphBullets" in r]
    assert [b["bulletPreset"] for b in bullets] == ["BULLET_DISC_CIRCLE_SQUARE", "BULLET_DISC_CIRCLE_SQUARE", "NUMBERED_DECIMAL_ALPHA_ROMAN"]
    assert bullets[0]["range"]["startIndex"] > bullets[1]["range"]["startIndex"] > bullets[2]["range"]["startIndex"]


def test_adjacent_code_blocks_are_kept_apart_by_an_empty_paragraph():
    rendered = render_document("```\na\n```\n\n```\nb\n```\n")
    assert inserted_text(rendered.requests) == "a\n\nb\n"
    assert [(b.kind, b.doc_start, b.doc_end) for b in rendered.blocks] == [("code", 1, 3), ("code", 4, 6)]


def test_tab_inside_a_list_item_is_not_nesting():
    rendered = render_document("- a\tb\n\n- c\n\n  \tnot nested\n")
    assert inserted_text(rendered.requests) == "a b\nc\nnot nested\n"
    # "  \t" under "- c" is an indented code block in that item: shaded, without a bullet,
    # indented to the item's text
    assert {"deleteParagraphBullets": {"range": {"startIndex": 7, "endIndex": 18}}} in rendered.requests
    styles = [r["updateParagraphStyle"] for r in rendered.requests if "updateParagraphStyle" in r]
    assert [(s["range"]["startIndex"], s["fields"]) for s in styles] == [(7, "shading"), (7, "indentStart,indentFirstLine")]
    assert styles[1]["paragraphStyle"]["indentStart"]["magnitude"] == 36


def test_control_characters_are_stripped_before_indexing():
    rendered = render_document("a\x01b\x0c **c**\n")
    assert inserted_text(rendered.requests) == "ab c\n"
    bold = next(r["updateTextStyle"] for r in rendered.requests if "updateTextStyle" in r)
    assert bold["range"] == {"startIndex": 4, "endIndex": 5}


def test_table_is_inserted_then_filled_from_the_last_cell():
    rendered = render_document("x\n\n| h1 | h2 |\n|---|:-:|\n| a | b |\n\nafter\n")
    requests = rendered.requests
    assert requests[1] == {"insertTable": {"rows": 2, "columns": 2, "location": {"index": 3}}}
    fills = [r["insertText"] for r in requests[2:6]]
    # empty 2x2 table at 4: cells' paragraphs at 7, 9 (row 0) and 12, 14 (row 1)
    assert [(f["location"]["index"], f["text"]) for f in fills] == [(14, "b"), (12, "a"), (9, "h2"), (7, "h1")]
    assert {"updateTextStyle": {"range": {"startIndex": 7, "endIndex": 9}, "textStyle": {"bold": True}, "fields": "bold"}} in requests
    centered = [r for r in requests if r.get("updateParagraphStyle", {}).get("paragraphStyle") == {"alignment": "CENTER"}]
    assert len(centered) == 2
    table = rendered.blocks[1]
    # the empty table is 1 (start) + 2 * (1 + 2 * 2) + 1 (end) = 12 units, plus 6 of cell text
    assert (table.kind, table.source_start, table.source_end, table.doc_start, table.doc_end) == ("table", 3, 5, 4, 4 + 12 + 6)
    after = rendered.blocks[2]
    assert requests[-1] == {"insertText": {"location": {"index": 22}, "text": "after\n"}}
    assert (after.source_start, after.doc_start, after.doc_end) == (7, 22, 28)


def test_code_block_is_shaded_monospace_one_paragraph_per_line_with_emoji():
    rendered = render_document("```python\nprint('🫶')\n\nx = 1\n```\n")
    assert inserted_text(rendered.requests) == "print('🫶')\n\nx = 1\n"
    shading = [r["updateParagraphStyle"] for r in rendered.requests if "updateParagraphStyle" in r]
    assert len(shading) == 1 and shading[0]["fields"] == "shading"
    assert shading[0]["range"] == {"startIndex": 1, "endIndex": 20}
    assert rendered.blocks == [BlockMapping("code", 1, 5, 1, 20)]


def test_quote_rule_line_break_and_entities():
    rendered = render_document("> q\n>\n> > deeper\n\n---\n\nline one  \nline &amp; two &copy;\n")
    assert inserted_text(rendered.requests) == "q\ndeeper\n\nline one\u000bline & two ©\n"
    paragraph_styles = [r["updateParagraphStyle"] for r in rendered.requests if "updateParagraphStyle" in r]
    indents = [p["paragraphStyle"]["indentStart"]["magnitude"] for p in paragraph_styles if "borderLeft" in p["paragraphStyle"]]
    assert indents == [36, 72]
    assert any(p["fields"] == "borderBottom" and p["range"] == {"startIndex": 10, "endIndex": 11} for p in paragraph_styles)


def test_raw_html_and_private_images_are_kept_as_text_with_warnings():
    rendered = render_document("intro\n\n<div>\nhi\n</div>\n\n![local](images/a.png)\n", first_line=5)
    assert "<div>\nhi\n</div>\n" in inserted_text(rendered.requests)
    assert "insertInlineImage" not in kinds(rendered.requests)
    assert [w["line"] for w in rendered.warnings] == [7, 11]


def test_public_image_is_inserted_inline():
    rendered = render_document("see ![alt](https://example.com/a.png) here\n")
    assert {"insertInlineImage": {"location": {"index": 5}, "uri": "https://example.com/a.png"}} in rendered.requests
    assert rendered.blocks[0].doc_end == 1 + len("see  here\n") + 1


def test_task_list_items_carry_checkbox_glyphs():
    rendered = render_document("- [ ] open\n- [x] done\n")
    assert inserted_text(rendered.requests) == "☐ open\n☑ done\n"


def test_sample_block_map_uses_file_line_numbers():
    body, first_line = sample_body()
    rendered = render_document(body, title="Listening Without Fixing: A Field Guide", first_line=first_line)
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    kinds_and_first_lines = [(b.kind, lines[b.source_start - 1].strip()[:12]) for b in rendered.blocks]
    assert kinds_and_first_lines == [
        ("heading", "# Listening "), ("paragraph", "Most of us *"), ("heading", "## The three"),
        ("list item", "1. Reflect w"), ("list item", "2. Ask one o"), ("list item", '- "What was '),
        ("list item", '- "What do y'), ("list item", "- a hug, spa"), ("list item", "3. Wait — lo"),
        ("quote", "> Listening "), ("heading", "## A quick s"), ("table", "| Habit     "),
        ("paragraph", "Use `pause()"), ("code", "```python"), ("image", "![Two people"), ("rule", "---"),
        ("paragraph", "Further read"), ("footnote", "[^1]: See th"),
    ]
    starts = [b.doc_start for b in rendered.blocks]
    assert starts == sorted(starts) and all(b.doc_end > b.doc_start for b in rendered.blocks)
    assert rendered.warnings == []
    assert rendered.to_json()["blocks"][0] == {"kind": "heading", "source_start": 10, "source_end": 10, "doc_start": 1, "doc_end": 41}


def test_a_long_post_maps_its_last_block_to_the_end_of_the_doc():
    # How the cost grows with the length (1 MB against Python-Markdown) is measured in bench/render_ratio.py.
    section = "## Part\n\nSome **bold** text 😅 and a [link](https://e.org).\n\n- a\n  - b\n\n"
    body = section * (150_000 // len(section))
    rendered = render_document(body)
    assert rendered.blocks[-1].doc_end == 1 + sum(len(r["insertText"]["text"].encode("utf-16-le")) // 2 for r in rendered.requests if "insertText" in r) - body.count("\n  - ")


def test_footnotes_are_numbered_notes_at_the_end_without_back_links():
    rendered = render_document("Text[^1] and more[^n].\n\n[^1]: The note.\n[^n]: Second, with a [link](https://example.com).\n")
    assert inserted_text(rendered.requests) == (
        "Text[1] and more[2].\nNotes\n[1] The note.\n[2] Second, with a link.\n")


def test_images_are_embedded_up_to_2000_bytes_of_url_and_named_as_links_otherwise():
    url = "https://example.com/" + "a" * (2000 - len("https://example.com/") - len(".png")) + ".png"
    assert len(url.encode("utf-8")) == 2000

    embedded = render_document(f"![a]({url})\n")
    linked = render_document(f"![a]({url}x)\n")

    assert kinds(embedded.requests) == ["insertText", "insertInlineImage", "createNamedRange"] and not embedded.warnings
    assert kinds(linked.requests) == ["insertText", "updateTextStyle"]
    assert linked.warnings == [{"line": 1, "message": f"image {url + 'x'!r} is not a public http(s) URL: kept as a link"}]


def test_an_image_without_a_scheme_is_relative_unless_it_names_a_host():
    rendered = render_document("![a](//cdn.example.com/a.png)\n\n![b](pics/b.png)\n")

    assert rendered.warnings == [
        {"line": 1, "message": "image '//cdn.example.com/a.png' is not a public http(s) URL: kept as a link"},
        {"line": 3, "message": "image 'pics/b.png' is a relative path: kept as a link (set [content] site_url to "
                               "resolve relative images)"}]
    # site_url resolves paths on the site; an image that names another host keeps its own (unknown) scheme
    with_site = render_document("![a](//cdn.example.com/a.png)\n", site_url="https://blog.example.com/posts/")
    assert "insertInlineImage" not in kinds(with_site.requests)
    assert with_site.warnings == [
        {"line": 1, "message": "image '//cdn.example.com/a.png' is not a public http(s) URL: kept as a link"}]


def test_flattened_nesting_is_reported_once():
    deep_list = "".join("  " * depth + "- level\n" for depth in range(12))

    rendered = render_document(deep_list + "\n" + "> " * 12 + "a deep quote\n\n" + "- " * 11 + "eleven markers\n")

    assert rendered.warnings == [
        {"line": 10, "message": "lists or quotes nested deeper than 9 levels: the deeper levels are flattened"}]


def test_table_columns_keep_their_alignment():
    rendered = render_document("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")

    aligned = [(r["updateParagraphStyle"]["range"]["startIndex"], r["updateParagraphStyle"]["paragraphStyle"])
               for r in rendered.requests if "updateParagraphStyle" in r]
    # Cells b, c (row 0) and 2, 3 (row 1); a left-aligned column gets no request.
    assert aligned == [(8, {"alignment": "CENTER"}), (11, {"alignment": "END"}),
                       (18, {"alignment": "CENTER"}), (21, {"alignment": "END"})]


def test_only_a_paragraph_that_is_one_image_is_an_image_block():
    rendered = render_document("**Bold only.**\n\n![alt](https://example.com/a.png)\n\n![a](https://example.com/a.png) and text\n")

    assert [block.kind for block in rendered.blocks] == ["paragraph", "image", "paragraph"]


def test_an_unsafe_link_is_kept_as_text_and_its_warning_shows_its_first_80_characters():
    rendered = render_document("[click me](javascript:" + "a" * 200 + ")\n")
    assert inserted_text(rendered.requests) == "click me\n"
    assert rendered.warnings == [{"line": 1, "message": (
        "link 'javascript:" + "a" * 69 + "' uses the scheme 'javascript' (only http, https, mailto and relative "
        "paths): kept as text")}]


def test_a_table_inside_a_list_item_keeps_the_next_item_in_the_same_list():
    rendered = render_document("- a\n\n  | x | y |\n  |---|---|\n  | 1 | 2 |\n\n- b\n")
    # item a, the table (its cells are filled from the last), item b: no empty paragraph splits the list
    assert inserted_text(rendered.requests) == "a\n21yxb\n"


def test_a_link_written_with_character_references_points_where_a_browser_would_go():
    rendered = render_document("[a link](https://x.org/?a=1&amp;b=2&c=3&#38;d=&#x34;)\n")
    [style] = [r["updateTextStyle"] for r in rendered.requests if "updateTextStyle" in r]
    assert style["textStyle"] == {"link": {"url": "https://x.org/?a=1&b=2&c=3&d=4"}}
