"""Draft files for writers: the file name (a slug of the title), the text (YAML front matter and an
outline), creating the file without ever overwriting one, and reading a draft's status back.
"""

from __future__ import annotations

from dataclasses import dataclass

import errno
import os
import re
import unicodedata
from datetime import date
from pathlib import Path

import yaml

from workflow.content.errors import PostError
from workflow.content.front_matter import load_yaml
from workflow.errors import UserError
from workflow.files import create_new_file

MAX_SLUG_LENGTH = 80
# File systems take names of at most 255 bytes (eCryptfs: 143); 100 astral characters are 400.
# A draft's whole name stays within MAX_NAME_BYTES, its slug within MAX_SLUG_BYTES (room for "-N.md").
MAX_NAME_BYTES = 200
MAX_SLUG_BYTES = 180
DRAFT_STATUS = "draft"
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.S | re.M)
# What an OS says about a name it will not take (as opposed to a folder it cannot write to).
_NAME_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL})


class DraftNameRefused(Exception):
    """The file system refused a draft's name (too long, or not a name it can store)."""


def slugify(title: str, topic_id: int) -> str:
    """Lowercase letters and digits of any script joined by hyphens, at most ~80 characters and
    MAX_SLUG_BYTES bytes of UTF-8, cut between words when it can; emoji, symbols and punctuation
    dropped; "topic-ID" when nothing is left."""
    text = unicodedata.normalize("NFKC", title).lower()
    words, current = [], []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LN" or (category[0] == "M" and current):  # marks belong to their letter
            current.append(char)
        elif char in "'’":  # "don't" -> "dont"
            continue
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if not _fits(candidate, MAX_SLUG_BYTES):
            if not slug:
                slug = _cut(word, MAX_SLUG_BYTES)
            break
        slug = candidate
    return slug or f"topic-{topic_id}"


def _fits(text: str, max_bytes: int) -> bool:
    return len(text) <= MAX_SLUG_LENGTH and len(text.encode("utf-8")) <= max_bytes


def _cut(word: str, max_bytes: int) -> str:
    """The longest start of `word` that fits, never parting a letter from its combining marks."""
    end = 0
    while end < len(word) and _fits(word[:end + 1], max_bytes):
        end += 1
    while 0 < end < len(word) and unicodedata.category(word[end])[0] == "M":
        end -= 1
    return word[:end]


def draft_text(*, title: str, topic_id: int, author: str, assigned: date, due: str | None, notes: str) -> str:
    """Front matter (title, topic, author, assigned, due, status: draft) and an outline template."""
    front_matter = yaml.safe_dump(
        {"title": title, "topic": topic_id, "author": author, "assigned": assigned,
         "due": date.fromisoformat(due) if due else None, "status": DRAFT_STATUS},
        sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000,
    )
    parts = [f"---\n{front_matter}---\n", f"# {title}\n"]
    if notes:
        parts.append("\n".join(f"> {line}" if line else ">" for line in f"Editor's notes: {notes}".splitlines()) + "\n")
    parts.append("## Introduction\n\n_Why this matters to the reader, in two or three sentences._\n")
    for number in (1, 2, 3):
        parts.append(f"## Section {number}\n\n_Heading and the point this section makes._\n")
    parts.append("## Conclusion\n\n_What the reader should take away or try._\n")
    return "\n".join(parts)


def ensure_drafts_dir(drafts_dir: Path) -> None:
    """Create the drafts folder if needed; refuse one that is not a writable folder."""
    try:
        drafts_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"drafts folder {drafts_dir} is a file, not a folder ([content] drafts_dir)") from None
    except OSError as exc:
        raise UserError(f"cannot create the drafts folder {drafts_dir}: {exc.strerror} ([content] drafts_dir)") from None
    if not os.access(drafts_dir, os.W_OK | os.X_OK):
        raise UserError(f"drafts folder {drafts_dir} is not writable ([content] drafts_dir)")


def check_drafts_dir(drafts_dir: Path) -> None:
    """What `ensure_drafts_dir` would refuse, found without creating anything (for --dry-run)."""
    if drafts_dir.exists():
        if not drafts_dir.is_dir():
            raise UserError(f"drafts folder {drafts_dir} is a file, not a folder ([content] drafts_dir)")
        if not os.access(drafts_dir, os.W_OK | os.X_OK):
            raise UserError(f"drafts folder {drafts_dir} is not writable ([content] drafts_dir)")
        return
    parent = drafts_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"cannot create the drafts folder {drafts_dir}: {parent} is not a writable folder "
                        "([content] drafts_dir)")


def _candidate_names(slug: str):
    """SLUG.md, SLUG-2.md, SLUG-3.md...: each within MAX_NAME_BYTES (the slug is cut if need be)."""
    number = 1
    while True:
        suffix = ".md" if number == 1 else f"-{number}.md"
        yield _cut(slug, MAX_NAME_BYTES - len(suffix)) + suffix
        number += 1


def free_draft_path(drafts_dir: Path, slug: str, taken: set[Path]) -> Path:
    """The name `create_draft` would take now, besides the paths in `taken` (for --dry-run).

    Raises DraftNameRefused when the file system will not even look the name up.
    """
    for path in (drafts_dir / name for name in _candidate_names(slug)):
        try:
            if path not in taken and not os.path.lexists(path):
                return path
        except OSError as exc:  # lexists swallows most errors, not every one
            raise _refused_or_user_error(exc, drafts_dir) from None
    raise AssertionError("unreachable: the candidate names never end")


def create_draft(drafts_dir: Path, slug: str, text: str) -> Path:
    """Write `text` to drafts_dir/SLUG.md, or SLUG-2.md, SLUG-3.md... never replacing a file.

    The text goes to a temporary file first and is then hard-linked under its name (link fails if
    the name exists, like O_CREAT|O_EXCL), so a reader never sees a half-written draft.
    Raises DraftNameRefused when the file system refuses the name itself (the caller can try
    another), UserError when it cannot write to the folder at all.
    """
    if "/" in slug or os.sep in slug or slug in ("", ".", ".."):
        raise ValueError(f"not a file name: {slug!r}")
    try:
        return create_new_file(drafts_dir, _candidate_names(slug), text)
    except OSError as exc:
        raise _refused_or_user_error(exc, drafts_dir) from None


def _refused_or_user_error(exc: OSError, drafts_dir: Path) -> Exception:
    reason = exc.strerror or str(exc)
    if exc.errno in _NAME_ERRNOS:
        return DraftNameRefused(reason)
    return UserError(f"cannot write drafts in {drafts_dir}: {reason} ([content] drafts_dir)")


def draft_status(path: Path) -> str | None:
    """The `status` in a draft's front matter; None when the file is gone.

    A draft whose front matter cannot be read counts as still a draft (the writer is mid-edit).
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    return _status(_front_matter(text, path))


def _front_matter(text: str, path: Path) -> dict:
    """The draft's front matter ({} when it has none, or none that reads as a mapping)."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}
    try:
        front_matter, _ = load_yaml(match.group(1), path.as_posix())
    except PostError:  # not YAML, or YAML front matter refuses (an alias bomb, deep nesting)
        return {}
    return front_matter if isinstance(front_matter, dict) else {}


def _status(front_matter: dict) -> str:
    return str(front_matter.get("status", DRAFT_STATUS)).strip().lower()


_HEADING_RE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


def open_draft_titles(drafts_dir: Path) -> list[tuple[str, Path]]:
    """(title, path) of every open draft under drafts_dir (status still `draft`): its front matter's
    `title`, else its first `# ` heading. Files that cannot be read are left out."""
    return [(draft.title, draft.path) for draft in open_drafts(drafts_dir)]


@dataclass(frozen=True)
class OpenDraft:
    title: str
    path: Path
    topic_id: int | None   # front matter `topic`, as `assign` writes it
    author: str


def open_drafts(drafts_dir: Path) -> list[OpenDraft]:
    """Every open draft under drafts_dir (status still `draft`) with a title: its front matter's
    `title`, else its first `# ` heading. Files that cannot be read are left out."""
    found = []
    for path in sorted(drafts_dir.rglob("*.md")) if drafts_dir.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        front_matter = _front_matter(text, path)
        if _status(front_matter) != DRAFT_STATUS:
            continue
        match = _FRONT_MATTER_RE.match(text)
        heading = _HEADING_RE.search(text, match.end() if match else 0)
        title = str(front_matter.get("title") or (heading.group(1) if heading else "")).strip()
        topic = front_matter.get("topic")
        if title:
            found.append(OpenDraft(title, path, topic if isinstance(topic, int) and not isinstance(topic, bool) else None,
                                   str(front_matter.get("author") or "")))
    return found
