"""`workflow preview POST`: what clean-up did to a post and the Docs requests it will send, without sending."""

from __future__ import annotations

import json
import re

import pytest

MOJIBAKE_MARKERS = ("ðŸ", "đź", "â€", "âœ", "Ã")
PREVIEW_KEYS = {"title", "requests", "removed", "repairs", "suggested_topics", "warnings"}


def copy_sample(site, samples, name: str) -> str:
    (site.posts / name).write_bytes((samples / name).read_bytes())
    return f"posts/{name}"


def inserted_text(requests: list[dict]) -> str:
    return "".join(r["insertText"]["text"] for r in requests if "insertText" in r)


def request_kinds(requests: list[dict]) -> set[str]:
    return {next(iter(r)) for r in requests}


def heading_styles(requests: list[dict]) -> set[str]:
    return {r["updateParagraphStyle"]["paragraphStyle"].get("namedStyleType")
            for r in requests if "updateParagraphStyle" in r} - {None}


# --- the samples -------------------------------------------------------------------------------

def test_pasted_post_json_shows_what_clean_up_removed_and_repaired(site, cli, samples):
    path = copy_sample(site, samples, "pasted-with-mojibake.md")
    source_lines = (site.root / path).read_text(encoding="utf-8").split("\n")

    result = cli("preview", path, "--json")

    assert result.code == 0, result.err
    preview = result.json
    assert set(preview) == PREVIEW_KEYS
    assert preview["title"] == "🌱 5 Small Habits That Rebuild Trust After a Fight"
    # The chatter line, with its line number in the file.
    [removed] = preview["removed"]
    assert set(removed) == {"line", "text"}
    assert removed["text"].startswith("Want me to turn this into a Google Doc")
    assert source_lines[removed["line"] - 1] == removed["text"]
    # Mojibake of both code pages repaired, each at its line.
    assert all({"line", "before", "after"} <= set(item) for item in preview["repairs"])
    repaired = {item["before"]: item for item in preview["repairs"]}
    windows_1252 = repaired["ðŸŒ± 5 Small Habits That Rebuild Trust After a Fight"]
    assert windows_1252["line"] == 1 and windows_1252["after"] == "🌱 5 Small Habits That Rebuild Trust After a Fight"
    windows_1250 = repaired["đź§© Why Trust Feels Fragile Afterwards"]
    assert windows_1250["line"] == 3 and windows_1250["after"] == "🧩 Why Trust Feels Fragile Afterwards"
    assert source_lines[windows_1250["line"] - 1] == windows_1250["before"]
    assert preview["suggested_topics"] == ["Love Languages in Long-Distance Relationships"]
    assert preview["warnings"] == []
    # The requests: each one operation, no chatter and no mojibake in the text sent to the Doc.
    assert preview["requests"] and all(isinstance(r, dict) and len(r) == 1 for r in preview["requests"])
    text = inserted_text(preview["requests"])
    assert "Google Doc" not in text and "Love Languages" not in text
    assert not [marker for marker in MOJIBAKE_MARKERS if marker in text]
    assert "🧩 Why Trust Feels Fragile Afterwards" in text and "🚫 Bringing up old fights" in text
    assert "HEADING_2" in heading_styles(preview["requests"])
    assert "createParagraphBullets" in request_kinds(preview["requests"])


def test_pasted_post_text_names_each_change_by_file_and_line(site, cli, samples):
    path = copy_sample(site, samples, "pasted-with-mojibake.md")

    result = cli("preview", path)

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Title: 🌱 5 Small Habits That Rebuild Trust After a Fight"
    assert f"{path}:36: removed: Want me to turn this into a Google Doc for your editor? Or shall we line up " \
           "the next topic: “Love Languages in Long-Distance Relationships”?" in lines
    assert any(line.startswith(f"{path}:3: repaired: 'đź§©") for line in lines)
    assert "Suggested topic (goes to the queue on export): Love Languages in Long-Distance Relationships" in lines
    # Then the cleaned post between blank lines: real headings and list items, no chatter, no mojibake.
    body = result.out.rstrip("\n").split("\n\n", 1)[1].rsplit("\n\n", 1)[0]
    assert body.startswith("# 🌱 5 Small Habits That Rebuild Trust After a Fight\n")
    assert "\n## 🧩 Why Trust Feels Fragile Afterwards\n" in body
    assert "\n- Five habits you can start tonight\n" in body
    assert "Want me to" not in body and not [marker for marker in MOJIBAKE_MARKERS if marker in body]
    assert re.fullmatch(r"\d+ Docs requests in one batchUpdate, \d+ blocks\.", lines[-1])


def test_rich_post_takes_its_title_from_front_matter_and_renders_native_structures(site, cli, samples):
    path = copy_sample(site, samples, "front-matter-and-rich-markdown.md")

    preview = cli("preview", path, "--json").json

    assert preview["title"] == "Listening Without Fixing: A Field Guide"
    assert preview["warnings"] == [] and preview["removed"] == [] and preview["suggested_topics"] == []
    requests = preview["requests"]
    assert "HEADING_2" in heading_styles(requests)
    kinds = request_kinds(requests)
    assert {"insertTable", "insertInlineImage", "createParagraphBullets", "updateTextStyle"} <= kinds
    [table] = [r["insertTable"] for r in requests if "insertTable" in r]
    assert (table["rows"], table["columns"]) == (4, 3)
    [image] = [r["insertInlineImage"] for r in requests if "insertInlineImage" in r]
    assert image["uri"] == "https://example.com/images/bench.jpg"
    assert "title:" not in inserted_text(requests) and "status: ready" not in inserted_text(requests)


def test_front_matter_title_wins_over_the_first_heading(site, cli):
    site.post("post.md", """\
        ---
        title: The Title In Front Matter
        ---

        # A different first heading

        Body text.
        """)

    preview = cli("preview", "posts/post.md", "--json").json

    assert preview["title"] == "The Title In Front Matter"


def test_draft_preview_says_it_is_a_draft(site, cli, samples):
    path = copy_sample(site, samples, "draft-in-progress.md")

    result = cli("preview", path)

    assert result.code == 0
    assert "Title: How to Build Emotional Intimacy Without Saying a Word" in result.out
    assert "Status: draft (export skips it until the status changes)" in result.out


def test_finished_post_does_not_say_draft(site, cli, samples):
    path = copy_sample(site, samples, "front-matter-and-rich-markdown.md")
    assert "draft" not in cli("preview", path).out.lower()


def test_requests_option_prints_one_json_request_per_line(site, cli, samples):
    path = copy_sample(site, samples, "front-matter-and-rich-markdown.md")
    expected = cli("preview", path, "--json").json["requests"]

    out = cli("preview", path, "--requests").out.splitlines()

    summary = next(i for i, line in enumerate(out) if line.endswith("blocks."))
    assert out[summary].startswith(f"{len(expected)} Docs requests in one batchUpdate")
    assert [json.loads(line) for line in out[summary + 1:]] == expected


# --- bad input ---------------------------------------------------------------------------------

def test_unclosed_front_matter_is_an_error_naming_the_line(site, cli):
    site.post("open.md", """\
        ---
        title: Never closed

        # Heading

        Text.
        """)

    result = cli("preview", "posts/open.md", "--json")

    assert result.code == 2 and result.out == ""
    assert result.error_line == "workflow: error: posts/open.md:3: front matter is not closed"


def test_front_matter_that_is_not_yaml_is_an_error_naming_the_line(site, cli):
    site.post("bad.md", "---\ntitle: fine\ntags: [unclosed\n---\n\nText.\n")

    result = cli("preview", "posts/bad.md")

    assert result.code == 2
    assert result.error_line.startswith("workflow: error: posts/bad.md:3: front matter is not valid YAML")


def test_missing_file_is_an_error(site, cli):
    result = cli("preview", "posts/nowhere.md")
    assert result.code == 2
    assert result.error_line == "workflow: error: posts/nowhere.md: no such file"


def test_folder_is_an_error_that_says_so(site, cli):
    result = cli("preview", "posts")
    assert result.code == 2
    assert result.error_line == "workflow: error: posts: is a folder; preview takes one post file"


def test_empty_post_warns_and_renders_nothing(site, cli):
    site.post("empty.md", "")
    result = cli("preview", "posts/empty.md", "--json")
    assert result.code == 0
    assert result.json["requests"] == []
    assert result.json["warnings"] == [{"line": 1, "message": "post is empty"}]


def test_raw_html_block_is_kept_as_text_with_a_warning(site, cli):
    site.post("html.md", '# Title\n\n<div class="note">\nhello\n</div>\n\nAfter.\n')
    result = cli("preview", "posts/html.md", "--json")
    assert result.code == 0
    assert result.json["warnings"] == [{"line": 3, "message": "raw HTML block kept as text"}]
    assert '<div class="note">\nhello\n</div>\n' in inserted_text(result.json["requests"])


def test_clean_up_turned_off_leaves_the_pasted_post_as_it_is(site, cli, samples):
    path = copy_sample(site, samples, "pasted-with-mojibake.md")
    site.write_config("[content]\nclean_up = false\n")

    preview = cli("preview", path, "--json").json

    assert preview["removed"] == [] and preview["repairs"] == [] and preview["suggested_topics"] == []
    text = inserted_text(preview["requests"])
    assert "ðŸŒ± 5 Small Habits" in text and "Want me to turn this into a Google Doc" in text


def test_invalid_utf8_is_replaced_with_a_warning_naming_the_line(site, cli):
    (site.posts / "bytes.md").write_bytes(b"# Title\n\nA good line.\n\nA bad \xff\xfe byte.\n")

    result = cli("preview", "posts/bytes.md", "--json")

    assert result.code == 0, result.err
    [warning] = result.json["warnings"]
    assert warning["line"] == 5 and "UTF-8" in warning["message"]
    assert "A bad \ufffd\ufffd byte." in inserted_text(result.json["requests"])
    text = cli("preview", "posts/bytes.md")
    assert "posts/bytes.md:5: warning: invalid UTF-8" in text.out


def test_post_that_is_only_chatter_warns_and_renders_nothing(site, cli):
    site.post("chatter.md", "Want me to turn this into a Google Doc for your editor?\n")

    result = cli("preview", "posts/chatter.md", "--json")

    assert result.code == 0
    preview = result.json
    assert preview["requests"] == []
    assert [item["line"] for item in preview["removed"]] == [1]
    [warning] = preview["warnings"]
    assert "chatter" in warning["message"] and "nothing" in warning["message"]


@pytest.mark.parametrize("name", ["pasted-with-mojibake.md", "front-matter-and-rich-markdown.md"])
def test_bom_and_crlf_render_the_same_requests_as_plain_lf(site, cli, samples, name):
    plain = copy_sample(site, samples, name)
    text = (samples / name).read_text(encoding="utf-8")
    (site.posts / "windows.md").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))

    expected = cli("preview", plain, "--json").json
    windows = cli("preview", "posts/windows.md", "--json").json

    assert windows["requests"] == expected["requests"]
    assert windows["title"] == expected["title"]
    assert windows["warnings"] == expected["warnings"] == []
    assert [r["line"] for r in windows["removed"]] == [r["line"] for r in expected["removed"]]
    assert "\ufeff" not in inserted_text(windows["requests"]) and "\r" not in inserted_text(windows["requests"])
