"""Posts on disk: discovery, loading, hashing and identity.

Identity rule: ``post_id`` is the front matter ``id`` when there is one, else ``"path:" +
rel_path``. ``content_hash`` is the sha256 of the front matter (as canonical JSON) and the
cleaned body, and does not depend on the file's name or location. Export looks a post up by
``post_id`` first and falls back to ``content_hash``, so a file renamed without changing its
content keeps its Doc, and a file edited in place keeps its Doc through its path id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from workflow.content.cleanup import CleanResult, clean_markdown
from workflow.content.decoding import decode_post_bytes
from workflow.content.errors import PostError
from workflow.content.front_matter import split_front_matter
from workflow.content.structure import code_mask

POST_SUFFIXES = (".md", ".markdown")
APPROVED_SUFFIXES = (".approved.md", ".approved.markdown")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*)|$)")


@dataclass(frozen=True)
class Post:
    """A post file read, split and cleaned; ``body`` is what the renderer gets."""

    path: Path
    rel_path: str
    meta: dict
    body: str
    body_first_line: int
    raw_hash: str
    content_hash: str
    post_id: str
    title: str
    status: str | None
    is_draft: bool
    size: int
    mtime_ns: int
    removed: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)
    suggested_topics: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


class PostFile(NamedTuple):
    """A post file found on disk, with what export needs to skip it unread."""

    location: str  # the file's path as found (a string: most files are never opened)
    rel: str  # relative to the posts folder, posix
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def scan_posts(posts_dir: Path) -> list[PostFile]:
    """Every *.md and *.markdown file under posts_dir with its size and mtime, sorted by relative path.

    One directory scan and one stat per file (this runs over every post on every export).
    Skips hidden files and folders, ``*.approved.md`` side files, anything that is not a
    regular file, folders reached through symlinks, and symlinked files pointing outside
    posts_dir. Raises FileNotFoundError when posts_dir is not a folder.
    """
    if not posts_dir.is_dir():
        raise FileNotFoundError(f"posts folder {posts_dir} does not exist or is not a folder")
    root = posts_dir.resolve()
    found: list[PostFile] = []
    pending = [(str(posts_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, prefix + name + "/"))
                continue
            lowered = name.lower()
            if not lowered.endswith(POST_SUFFIXES) or lowered.endswith(APPROVED_SUFFIXES):
                continue
            try:
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.is_relative_to(root):
                        continue
                    info = os.stat(entry.path)
                else:
                    info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append(PostFile(entry.path, prefix + name, info.st_size, info.st_mtime_ns))
    found.sort(key=lambda post_file: post_file.rel)
    return found


def discover_posts(posts_dir: Path) -> list[Path]:
    """The post files under posts_dir, sorted by relative path (see `scan_posts` for what is skipped)."""
    return [post_file.path for post_file in scan_posts(posts_dir)]


def load_post(path: Path, *, root: Path | None = None, clean: bool = True) -> Post:
    """Read, split and clean one post file; raise PostError when it must be skipped.

    With clean=False the body is kept as written (only decoded, BOM stripped, LF line endings).
    """
    label = path.as_posix()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise PostError(label, None, "not a regular file")
        data = path.read_bytes()
    except OSError as error:
        raise PostError(label, None, f"cannot read: {error.strerror or error}") from None

    decoded = decode_post_bytes(data)
    meta, body, body_first_line = split_front_matter(decoded.text, label)
    cleaned = clean_markdown(body, first_line=body_first_line) if clean else CleanResult(body)
    rel_path = _relative_path(path, root)
    status = meta.get("status")
    return Post(
        path=path,
        rel_path=rel_path,
        meta=meta,
        body=cleaned.text,
        body_first_line=body_first_line,
        raw_hash=hashlib.sha256(data).hexdigest(),
        content_hash=content_hash(meta, cleaned.text),
        post_id=str(meta["id"]) if "id" in meta else f"path:{rel_path}",
        title=meta.get("title") or first_heading(cleaned.text) or path.stem,
        status=status,
        is_draft=status is not None and status.strip().lower() == "draft",
        size=len(data),
        mtime_ns=info.st_mtime_ns,
        removed=cleaned.removed,
        repairs=cleaned.repairs,
        suggested_topics=cleaned.suggested_topics,
        warnings=sorted(decoded.warnings + cleaned.warnings, key=lambda warning: warning["line"]),
    )


def _relative_path(path: Path, root: Path | None) -> str:
    """path relative to root (symlinks not resolved, so a link keeps its own name); else as given."""
    if root is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def content_hash(meta: dict, body: str) -> str:
    """sha256 of the front matter (canonical JSON) and the cleaned body."""
    canonical = json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{canonical}\n{body}".encode("utf-8")).hexdigest()


def first_heading(markdown: str) -> str | None:
    """Text of the first ATX heading outside code fences, or None."""
    lines = markdown.split("\n")
    for line, in_code in zip(lines, code_mask(lines)):
        match = _ATX_HEADING.match(line)
        if in_code or match is None:
            continue
        text = _without_closing_sequence((match.group(1) or "").strip())
        if text:
            return text
    return None


def _without_closing_sequence(text: str) -> str:
    """Heading text without an ATX closing sequence ("Title ##" -> "Title")."""
    before_hashes = text.rstrip("#")
    if before_hashes == text:
        return text
    if not before_hashes:
        return ""
    return before_hashes.rstrip() if before_hashes[-1] in " \t" else text
