"""Approved text comes home only inside the posts folder, whatever symlinks say."""

from __future__ import annotations

import os


def test_a_posts_subfolder_replaced_by_a_symlink_to_outside_is_not_written_through(google_site, cli, tmp_path):
    site = google_site.site
    text = "---\ntitle: Hello\n---\n# Hello\n\nFirst paragraph.\n"
    site.post("sub/hello.md", text)
    exported = cli("export", "--json")
    assert exported.code == 0, exported.err
    [post] = exported.json["posts"]
    outside = tmp_path / "elsewhere"
    (site.posts / "sub").rename(outside)  # posts/sub is now a link to a folder outside the site
    os.symlink(outside, site.posts / "sub")
    drive, _docs = google_site.reviewer()
    [approval] = drive.approvals().list(fileId=post["doc_id"], fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=post["doc_id"], approvalId=approval["approvalId"], body={}).execute()

    result = cli("reviews", "--sync")

    assert result.code == 1 and "Traceback" not in result.err
    [line] = [line for line in result.err.splitlines() if "posts/sub/hello.md" in line]
    assert f"outside the posts folder {site.posts.resolve()}" in line
    assert sorted(p.name for p in outside.iterdir()) == ["hello.md"]  # no side file either
    assert (outside / "hello.md").read_text(encoding="utf-8") == text
