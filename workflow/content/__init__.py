"""Posts on disk and clean-up of chat-pasted posts: text in, data out.

- ``load_post(path, root=...)`` reads one post file into a ``Post`` (front matter, cleaned body,
  hashes, id, title, draft flag, what clean-up changed); raises ``PostError`` for a post that
  must be skipped.
- ``clean_markdown(text, first_line=...)`` cleans a body into a ``CleanResult``.
- ``split_front_matter(text, path_label)`` gives (meta, body, body_first_line).
- ``scan_posts(posts_dir)`` lists the post files with (size, mtime_ns); ``discover_posts`` just the paths.
"""

from workflow.content.cleanup import CleanResult, clean_markdown
from workflow.content.errors import PostError
from workflow.content.front_matter import split_front_matter
from workflow.content.posts import Post, PostFile, content_hash, discover_posts, load_post, scan_posts

__all__ = [
    "CleanResult",
    "Post",
    "PostFile",
    "PostError",
    "clean_markdown",
    "content_hash",
    "discover_posts",
    "load_post",
    "scan_posts",
    "split_front_matter",
]
