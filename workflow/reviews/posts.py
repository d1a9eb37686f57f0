"""The post file behind a review: where it is, and its content hash the way export computes it."""

from __future__ import annotations

from pathlib import Path

from workflow.config import Config
from workflow.content import Post, load_post


def load_current_post(config: Config, path: Path) -> Post:
    """The post as export would read it now (same clean-up, so the same content hash)."""
    return load_post(path, root=config.posts_dir, clean=config.get("content", "clean_up"))


def rel_to_site(config: Config, path: Path) -> str:
    """`posts/x.md`: the path as the writer sees it from the site's root."""
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)
