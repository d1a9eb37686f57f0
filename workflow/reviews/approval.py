"""Approved text home: the Doc's Markdown written back into the post, once, never over the author's edits.

The post's body is replaced by the Doc's text (pending suggestions left out) and its front matter
kept, with `status: approved`, `approved_by`, `approved_at` and `doc` set. The write is atomic
(temp file + os.replace) and happens only when the post is unchanged since export; otherwise the
approved text goes to `NAME.approved.md` beside it (`NAME-2.approved.md`... if taken), and the
author reconciles the two by hand.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workflow.content import PostError
from workflow.content.decoding import decode_post_bytes
from workflow.content.front_matter import load_yaml
from workflow.files import create_new_file, replace_file
from workflow.reviews.posts import load_current_post

_CLOSINGS = ("---", "...")


@dataclass
class WriteBack:
    outcome: str       # written, conflict, failed
    path: Path | None  # the file written
    note: str


def with_approval(text: str, markdown: str, updates: dict[str, Any]) -> str:
    """The post file `text` with its body replaced by `markdown` and front matter keys set to `updates`."""
    lines = text.split("\n")
    header: list[str] = []
    if lines[0].rstrip() == "---":
        closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSINGS), None)
        if closing is not None:
            header = lines[1:closing]
    for key, value in updates.items():
        header = _set_key(header, key, _yaml_value(value))
    return "\n".join(["---", *header, "---", markdown.strip("\n"), ""])


def _yaml_value(value: Any) -> str:
    """`value` as YAML: a word as it is when YAML reads it back as the same text, else JSON (which is YAML)."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.-]*", value) \
            and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _set_key(header: list[str], key: str, value: str) -> list[str]:
    """The front matter lines with the top-level `key` set to `value`: its entry replaced where the
    YAML parser finds it (however it is written: quoted, with its list or block on the lines
    below), else added at the end. A `{...}` mapping on one line is rewritten as `key: value` lines first."""
    entry = f"{key}: {value}"
    try:
        data, root = load_yaml("\n".join(header), "front matter")
    except PostError:  # not the front matter export read (the post changed): the author merges by hand
        return header + [entry]
    if not isinstance(root, yaml.MappingNode):
        return header + [entry]
    if root.flow_style:
        block = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=math.inf)
        return _set_key(block.rstrip("\n").split("\n"), key, value)
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            end = value_node.end_mark.line + (value_node.end_mark.column > 0)
            return header[:key_node.start_mark.line] + [entry] + header[end:]
    return header + [entry]


def side_file_name(path: Path, number: int) -> str:
    stem = path.name.rsplit(".", 1)[0]
    return f"{stem}.approved.md" if number == 1 else f"{stem}-{number}.approved.md"


def write_side_file(path: Path, text: str) -> Path:
    """NAME.approved.md beside the post, never replacing an existing file (a number is added instead)."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    names = (side_file_name(path, number) for number in itertools.count(1))
    return create_new_file(path.parent, names, text, mode=mode, same_text_is_ours=True)


def _outside_posts_dir(posts_dir: Path, path: Path) -> str | None:
    """Why `path` must not be written (its real folder or file is outside `posts_dir`), or None."""
    root = posts_dir.resolve()
    for what, real in (("folder", path.parent.resolve()), ("file", path.resolve())):
        if not real.is_relative_to(root):
            return f"not written: the post's {what} is really {real}, outside the posts folder {root} (a symlink?)"
    return None


def write_back(config: Any, path: Path, exported_hash: str | None, markdown: str,
               updates: dict[str, Any]) -> WriteBack:
    """Write the approved `markdown` into the post at `path` (or its side file when the post changed).

    Refused (outcome "failed") when the post, or the folder it is in, is really outside the posts
    folder: a folder of posts/ replaced by a symlink must not take the approved text elsewhere.
    """
    outside = _outside_posts_dir(config.posts_dir, path)
    if outside:
        return WriteBack("failed", None, outside)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return WriteBack("failed", None, f"cannot read {path.name}: {exc.strerror}")
    text = decode_post_bytes(raw).text
    approved_text = with_approval(text, markdown, updates)
    if text == approved_text:
        return WriteBack("written", path, "already written")
    try:
        current_hash = load_current_post(config, path).content_hash
    except PostError as exc:
        current_hash, reason = None, str(exc)
    else:
        reason = "the post changed since it was exported"
    if current_hash is not None and current_hash == exported_hash:
        replace_file(path, approved_text)
        return WriteBack("written", path, "approved text written into the post")
    side = write_side_file(path, approved_text)
    return WriteBack("conflict", side, f"{reason}: the approved text is in {side.name}; merge it by hand")
