"""Post files on disk: reading, front matter, identity, discovery, bad input."""

from __future__ import annotations

import os
import shutil

import pytest

from workflow.content import (
    PostError,
    clean_markdown,
    discover_posts,
    load_post,
    scan_posts,
    split_front_matter,
)


@pytest.fixture
def posts(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    return folder


def write(folder, name: str, data: bytes | str):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- the samples ------------------------------------------------------------------------------


def test_rich_sample_meta_and_unchanged_body(samples):
    path = samples / "front-matter-and-rich-markdown.md"
    post = load_post(path, root=samples)
    assert post.meta == {
        "title": "Listening Without Fixing: A Field Guide",
        "status": "ready",
        "author": "priya",
        "reviewers": ["editor@example.com"],
        "tags": ["communication", "listening"],
    }
    assert post.body == path.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert post.body_first_line == 9
    assert post.title == "Listening Without Fixing: A Field Guide"
    assert post.post_id == "path:front-matter-and-rich-markdown.md"
    assert not post.is_draft and post.status == "ready"
    assert post.repairs == post.removed == post.warnings == []


def test_draft_sample_is_draft_with_iso_due_date(samples):
    post = load_post(samples / "draft-in-progress.md", root=samples)
    assert post.is_draft
    assert post.meta["due"] == "2026-12-04"
    assert post.meta["topic"] == 7


def test_clean_up_can_be_turned_off(samples):
    path = samples / "pasted-with-mojibake.md"
    post = load_post(path, root=samples, clean=False)
    assert post.body == path.read_text(encoding="utf-8")
    assert post.repairs == post.removed == post.suggested_topics == []
    assert post.content_hash != load_post(path, root=samples).content_hash


def test_pasted_sample_loads_cleaned(samples):
    post = load_post(samples / "pasted-with-mojibake.md", root=samples)
    assert post.meta == {}
    assert post.title == "🌱 5 Small Habits That Rebuild Trust After a Fight"
    assert post.suggested_topics == ["Love Languages in Long-Distance Relationships"]
    assert post.removed[0]["line"] == 36
    assert "ðŸ" not in post.body and "Google Doc" not in post.body
    assert not post.is_draft


# --- decoding --------------------------------------------------------------------------------


def test_invalid_utf8_is_replaced_and_warned_with_its_line(posts):
    path = write(posts, "bad.md", b"---\ntitle: T\n---\nfine\nbroken \xff\xfe here\nfine again\n")
    post = load_post(path, root=posts)
    assert "broken \ufffd\ufffd here" in post.body
    assert post.warnings == [{"line": 5, "message": "invalid UTF-8 bytes replaced with \ufffd"}]


def test_bom_and_crlf(posts):
    path = write(posts, "win.md", b"\xef\xbb\xbf---\r\ntitle: Windows\r\n---\r\nLine one\r\nLine two\r\n")
    post = load_post(path, root=posts)
    assert post.meta == {"title": "Windows"}
    assert post.body == "Line one\nLine two\n"
    assert post.body_first_line == 4


def test_lone_cr_line_endings(posts):
    post = load_post(write(posts, "mac.md", b"# Old Mac\r\rText\r"), root=posts)
    assert post.body == "# Old Mac\n\nText\n"


def test_utf16_file_with_bom(posts):
    path = write(posts, "u16.md", "# Hello 🌱\n\nText\n".encode("utf-16"))
    assert load_post(path, root=posts).body == "# Hello 🌱\n\nText\n"


def test_tabs_are_kept_outside_bullets(posts):
    text = "# Tabs\n\nName\tValue\n\n```\n\tindented code\n```\n\n\t• tab bullet\n"
    post = load_post(write(posts, "tabs.md", text), root=posts)
    assert "Name\tValue" in post.body
    assert "\tindented code" in post.body
    assert post.body.endswith("- tab bullet\n")


# --- front matter ----------------------------------------------------------------------------


def test_unclosed_front_matter_is_a_post_error(posts):
    path = write(posts, "x.md", "---\ntitle: Oops\n\nBody text\n")
    with pytest.raises(PostError) as caught:
        load_post(path, root=posts)
    assert str(caught.value) == f"{path.as_posix()}:3: front matter is not closed"


def test_unclosed_front_matter_without_blank_line_names_the_last_line():
    with pytest.raises(PostError) as caught:
        split_front_matter("---\ntitle: Oops\nauthor: sam", "posts/x.md")
    assert str(caught.value) == "posts/x.md:3: front matter is not closed"


def test_front_matter_that_is_not_yaml_names_its_line():
    with pytest.raises(PostError) as caught:
        split_front_matter("---\ntitle: ok\nauthor: [unclosed\nstatus: draft\n---\nbody\n", "posts/x.md")
    assert str(caught.value).startswith("posts/x.md:")
    assert caught.value.line in (3, 4, 5)
    assert "front matter is not valid YAML" in str(caught.value)


def test_front_matter_tab_indentation_is_an_error():
    with pytest.raises(PostError, match="not valid YAML"):
        split_front_matter("---\nreviewers:\n\t- a@example.com\n---\n", "posts/t.md")


def test_front_matter_that_is_a_list_is_an_error():
    with pytest.raises(PostError) as caught:
        split_front_matter("---\n- one\n- two\n---\nbody\n", "posts/l.md")
    assert str(caught.value) == "posts/l.md:2: front matter must be 'key: value' lines, not a list"


@pytest.mark.parametrize(
    ("yaml_lines", "line", "fragment"),
    [
        ("title: [a, b]", 2, "'title' must be text"),
        ("author: x\nstatus: yes", 3, "'status' must be text, got True"),
        ("reviewers: [editor@example.com, bob]", 2, "'bob' is not one"),
        ("reviewers: {a: b}", 2, "'reviewers' must be an email address or a list"),
        ("tags: {a: 1}", 2, "'tags' must be a list"),
        ("due: next friday", 2, "'due' must be a date like 2026-12-04"),
        ("topic: [1]", 2, "'topic' must be a topic number or text"),
    ],
)
def test_known_keys_with_wrong_types(yaml_lines, line, fragment):
    with pytest.raises(PostError) as caught:
        split_front_matter(f"---\n{yaml_lines}\n---\nbody\n", "posts/k.md")
    assert caught.value.line == line
    assert fragment in str(caught.value)


def test_front_matter_key_given_twice_is_an_error():
    with pytest.raises(PostError) as caught:
        split_front_matter("---\ntitle: A\nstatus: draft\ntitle: B\n---\n", "posts/d.md")
    assert str(caught.value) == "posts/d.md:4: front matter 'title' is given twice"


def test_front_matter_normalization_and_unknown_keys():
    meta, body, first_line = split_front_matter(
        "---\ntitle: 1984\nreviewers: editor@example.com\ntags: love, trust\nid: 42\n"
        "due: '2026-01-05'\nextra:\n  when: 2025-03-01\nstatus:\n---\n\nBody\n",
        "posts/n.md",
    )
    assert meta == {
        "title": "1984",
        "reviewers": ["editor@example.com"],
        "tags": ["love", "trust"],
        "id": "42",
        "due": "2026-01-05",
        "extra": {"when": "2025-03-01"},
    }
    assert body == "\nBody\n"
    assert first_line == 11


ALIAS_BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]" for before, name in zip("abcdefgh", "bcdefghi")]
)  # nine levels of nine aliases: 9**9 strings once expanded


def test_an_alias_bomb_fails_its_post_in_one_line_and_the_export_goes_on(google_site, cli):
    """A few hundred bytes of YAML aliases ran for minutes and ended in MemoryError, stopping every post."""
    assert len(ALIAS_BOMB) < 500
    google_site.site.post("bomb.md", f"---\ntitle: Bomb\n{ALIAS_BOMB}\n---\n# Bomb\n\nBody.\n")
    google_site.site.post("deep.md", "---\ntitle: Deep\nx: " + "[" * 200 + "]" * 200 + "\n---\nBody.\n")
    google_site.site.post("fine.md", "---\ntitle: Fine\n---\n# Fine\n\nAn ordinary post.\n")
    nested = "".join("    " * level + f"- level {level}\n" for level in range(300))  # ended in RecursionError
    google_site.site.post("list.md", "---\ntitle: List\n---\n# List\n\n" + nested)

    result = cli("export", "--json")

    assert result.code == 1 and "Traceback" not in result.err
    by_path = {p["path"]: p for p in result.json["posts"]}
    assert by_path["posts/fine.md"]["state"] == "created"
    assert by_path["posts/list.md"]["state"] == "created"  # flattened below 9 levels, with a warning (preview shows it)
    assert by_path["posts/bomb.md"]["state"] == "failed"
    assert by_path["posts/bomb.md"]["error"] == \
        "posts/bomb.md:4: front matter uses an alias (*a); aliases are not allowed"
    assert by_path["posts/deep.md"]["error"] == \
        "posts/deep.md:3: front matter is nested more than 32 levels deep"


def test_front_matter_over_64_kib_is_refused():
    with pytest.raises(PostError) as caught:
        split_front_matter("---\ntitle: Big\nnotes: " + "x" * 70_000 + "\n---\nbody\n", "posts/big.md")
    assert str(caught.value) == "posts/big.md:2: front matter is 68 KiB; at most 64 KiB is read"


def test_no_front_matter_and_empty_front_matter():
    assert split_front_matter("# Title\n", "p.md") == ({}, "# Title\n", 1)
    assert split_front_matter("---\n---\nBody", "p.md") == ({}, "Body", 3)


def test_line_numbers_in_reports_are_file_lines(posts):
    text = "---\ntitle: T\n---\n\nweâ€™ll\n\nWant me to export this to a Google Doc?\n"
    post = load_post(write(posts, "lines.md", text), root=posts)
    assert post.repairs == [{"line": 5, "before": "weâ€™ll", "after": "we’ll", "kind": "mojibake"}]
    assert post.removed == [{"line": 7, "text": "Want me to export this to a Google Doc?"}]


# --- identity and hashing --------------------------------------------------------------------


def test_ids_and_hashes(posts):
    first = load_post(write(posts, "a/first.md", "# Same\n\nText\n"), root=posts)
    assert first.post_id == "path:a/first.md"
    assert first.rel_path == "a/first.md"
    (posts / "a/first.md").rename(posts / "renamed.md")
    renamed = load_post(posts / "renamed.md", root=posts)
    assert renamed.post_id == "path:renamed.md"
    assert renamed.content_hash == first.content_hash
    assert renamed.raw_hash == first.raw_hash

    crlf = load_post(write(posts, "crlf.md", b"# Same\r\n\r\nText\r\n"), root=posts)
    assert crlf.content_hash == first.content_hash
    assert crlf.raw_hash != first.raw_hash

    edited = load_post(write(posts, "renamed.md", "# Same\n\nText, edited\n"), root=posts)
    assert edited.content_hash != first.content_hash

    with_id = load_post(write(posts, "b.md", "---\nid: listening-guide\n---\n# Same\n\nText\n"), root=posts)
    assert with_id.post_id == "listening-guide"
    retitled = load_post(write(posts, "b.md", "---\nid: listening-guide\ntitle: New\n---\n# Same\n\nText\n"), root=posts)
    assert retitled.content_hash != with_id.content_hash


def test_title_falls_back_to_heading_then_stem(posts):
    assert load_post(write(posts, "h.md", "Intro\n\n## Second-level ##\n"), root=posts).title == "Second-level"
    assert load_post(write(posts, "no-heading.md", "Just text\n"), root=posts).title == "no-heading"


def test_scan_sees_the_size_and_mtime_the_post_has(posts):
    path = write(posts, "s.md", "# S\n")
    post = load_post(path, root=posts)
    [found] = [f for f in scan_posts(posts) if f.rel == "s.md"]
    assert (found.size, found.mtime_ns) == (post.size, post.mtime_ns) == (4, os.stat(path).st_mtime_ns)


# --- bad input -------------------------------------------------------------------------------


def test_empty_post(posts):
    post = load_post(write(posts, "empty.md", b""), root=posts)
    assert post.body == ""
    assert post.title == "empty"
    assert post.warnings == [{"line": 1, "message": "post is empty"}]


def test_post_of_only_chatter(posts):
    post = load_post(write(posts, "chat.md", "---\ntitle: T\n---\nShall I write the next post?\n"), root=posts)
    assert post.body == ""
    assert post.removed == [{"line": 4, "text": "Shall I write the next post?"}]
    assert "only assistant chatter" in post.warnings[0]["message"]


def test_a_folder_is_not_a_post(posts):
    (posts / "dir.md").mkdir()
    with pytest.raises(PostError, match="dir.md: not a regular file"):
        load_post(posts / "dir.md", root=posts)


def test_megabyte_post_loads(posts):
    chunk = "ðŸŒ± Heading line\n\nSome text with “quotes” and donâ€™t.\n\n  • a bullet\n\n"
    copies = 1_000_000 // len(chunk)
    path = write(posts, "big.md", "---\ntitle: Big\n---\n" + chunk * copies)
    post = load_post(path, root=posts)
    assert post.size > 900_000
    assert "ðŸ" not in post.body and "â€" not in post.body
    assert post.body.startswith("# 🌱 Heading line\n")
    assert post.body.count("\n## 🌱 Heading line\n") == copies - 1
    assert post.body.count("\n- a bullet\n") == copies


# --- discovery -------------------------------------------------------------------------------


def test_discover_posts(posts, tmp_path):
    for name in ["b.md", "a.markdown", "sub/c.md", "sub/c.approved.md", ".hidden.md", ".git/x.md",
                 "notes.txt", "sub/.drafts/d.md", "UPPER.MD"]:
        write(posts, name, "# x\n")
    outside = write(tmp_path, "outside.md", "# outside\n")
    os.symlink(outside, posts / "link-out.md")
    os.symlink(posts / "b.md", posts / "link-in.md")
    os.symlink(tmp_path, posts / "linked-dir")
    os.mkfifo(posts / "fifo.md")
    found = [path.relative_to(posts).as_posix() for path in discover_posts(posts)]
    assert found == ["UPPER.MD", "a.markdown", "b.md", "link-in.md", "sub/c.md"]
    assert load_post(posts / "link-in.md", root=posts).post_id == "path:link-in.md"


def test_discover_posts_in_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="posts folder .*missing does not exist"):
        discover_posts(tmp_path / "missing")


def test_discover_samples(samples, tmp_path):
    copy = tmp_path / "samples"
    shutil.copytree(samples, copy)
    names = [path.name for path in discover_posts(copy)]
    assert "pasted-with-mojibake.md" in names and "draft-in-progress.md" in names
    assert [load_post(path, root=copy).is_draft for path in discover_posts(copy)].count(True) == 1


def test_clean_markdown_reports_each_step():
    result = clean_markdown("• one\n", first_line=3)
    assert result.repairs == [{"line": 3, "before": "• one", "after": "- one", "kind": "bullet"}]
