"""Text others wrote (topic titles, reviewers' comments, file names) never drives the terminal it is printed on."""

from __future__ import annotations

import json
import re

RETITLE = "\x1b]0;you have been owned\x07"   # OSC 0: sets the terminal's title
CSI_8BIT = "\x9b2J"                           # C1 CSI: clears the screen on terminals that take 8-bit controls
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_titles_print_without_control_characters_and_json_escapes_them(site, cli):
    title = f"{RETITLE}Love{CSI_8BIT} languages\x7f\x08!"
    assert cli("topics", "add", title).code == 0

    for args in (["topics", "list"], ["topics", "list", "--all"], ["topics", "show", "1"]):
        result = cli(*args)
        assert result.code == 0
        assert not CONTROLS.search(result.out + result.err), args
        assert "Love2J languages!" in result.out

    listed = cli("topics", "list", "--json")
    assert not CONTROLS.search(listed.out.replace("\n", ""))  # even C1, which json.dumps leaves raw
    assert json.loads(listed.out)[0]["title"] == title

    missing = cli("topics", "import", f"{RETITLE}topics.txt")
    assert missing.code == 2 and not CONTROLS.search(missing.err.rstrip("\n"))


def test_reviewer_comments_print_without_control_characters(google_site, cli):
    google_site.exported_with_comment(cli, "hello.md", "---\ntitle: Hello\n---\n# Hello\n\nSome text to comment on.\n",
                                      f"Fix this{RETITLE}\x1b[2J please\nsecond line", quote="Some text")

    result = cli("reviews", "comments", "posts/hello.md")

    assert result.code == 0, result.err
    assert "Fix this" in result.out and "please" in result.out
    assert not CONTROLS.search(result.out + result.err)
    as_json = cli("reviews", "comments", "posts/hello.md", "--json")
    assert as_json.json[0]["content"].startswith(f"Fix this{RETITLE}")  # the data is kept; only printing strips


def test_an_argument_that_is_not_utf8_is_a_usage_error_not_a_traceback(site, cli):
    result = cli("topics", "add", "caf\udce9 au lait")  # b"caf\xe9": Latin-1 bytes from another terminal
    assert result.code == 2 and "Traceback" not in result.err
    assert "argument title: is not valid UTF-8 text" in result.err
