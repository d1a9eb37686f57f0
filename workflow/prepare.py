"""post file -> clean -> render: what `workflow preview` shows and what export sends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.content import Post, load_post
from workflow.render import RenderedDocument, render_document


@dataclass
class PreparedPost:
    post: Post
    rendered: RenderedDocument

    def preview_json(self) -> dict[str, Any]:
        """The shape scripts read from `workflow preview --json`; keep it stable."""
        return {
            "title": self.rendered.title,
            "requests": self.rendered.requests,
            "removed": self.post.removed,
            "repairs": self.post.repairs,
            "suggested_topics": self.post.suggested_topics,
            "warnings": self.post.warnings + self.rendered.warnings,
        }


def prepare_post(path: Path, *, root: Path, clean: bool = True) -> PreparedPost:
    """Read, clean up and render one post. Raises content.PostError for a post that must be skipped."""
    post = load_post(path, root=root, clean=clean)
    rendered = render_document(post.body, title=post.title, first_line=post.body_first_line)
    return PreparedPost(post=post, rendered=rendered)
