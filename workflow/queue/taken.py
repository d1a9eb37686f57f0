"""Titles already being written or reviewed outside the queue: open drafts in drafts_dir (a writer's
hand-made draft as much as one `assign` wrote) and posts that have a review Doc.

A topic with one of these titles (compared as `topics.normalize_title` compares them) is a
duplicate: `topics add` and `topics import` refuse it, a suggested topic is not queued, and
`assign` leaves it queued with the reason instead of writing a second draft of it.
"""

from __future__ import annotations

from pathlib import Path

from workflow.config import Config
from workflow.queue.drafts import open_draft_titles
from workflow.queue.topics import normalize_title
from workflow.store import Store
from workflow.store import export_queries as eq


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def taken_titles(config: Config, store: Store) -> dict[str, str]:
    """normalized title -> where it is taken ("an open draft: drafts/x.md", "a post in review: posts/y.md")."""
    taken: dict[str, str] = {}
    with store.read() as conn:
        exported = eq.exported_post_titles(conn)
    for title, path in exported:
        taken.setdefault(normalize_title(title), f'a post with a review Doc: {path} ("{title}")')
    for title, path in open_draft_titles(config.drafts_dir):
        taken[normalize_title(title)] = f'an open draft: {_shown(path, config.root)} ("{title}")'
    taken.pop("", None)
    return taken
