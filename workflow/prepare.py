"""post file -> clean -> render: what `workflow preview` shows and what export sends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.content import Post, load_post
from workflow.render import RenderedDocument, normalize_markdown, render_document


@dataclass
class PreparedPost:
    post: Post
    rendered: RenderedDocument
    site_url: str | None = None

    @property
    def source_markdown(self) -> str:
        """The post body as the reader will give it back from an untouched Doc (normalize_markdown)."""
        return normalize_markdown(self.post.body, site_url=self.site_url)

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


def prepare_post(path: Path, *, root: Path, clean: bool = True, site_url: str | None = None) -> PreparedPost:
    """Read, clean up and render one post. Raises content.PostError for a post that must be skipped.
    `site_url` ([content] site_url) resolves relative image paths."""
    post = load_post(path, root=root, clean=clean)
    rendered = render_document(post.body, title=post.title, first_line=post.body_first_line, site_url=site_url or None)
    return PreparedPost(post=post, rendered=rendered, site_url=site_url or None)
