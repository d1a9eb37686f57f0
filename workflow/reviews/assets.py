"""Images pasted into a review Doc, kept with the approved post.

A pasted image has no source URL, only Google's copy behind a link that expires within the hour,
so the approved text must not point at it. Each one is copied, right after the Doc is read, into
`<post>.assets/` beside the post (`posts/walks.md` -> `posts/walks.assets/image-<hash>.png`, named by
its content, written whole or not at all) and the approved text links it relatively. One that
cannot be copied (the link expired, the folder cannot be written) is left out: the reader puts a
placeholder in its place and the write-back reports a warning.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from workflow.files import create_new_file
from workflow.google.images import ImageFetchFailed, fetch_image
from workflow.render import PastedImage

ASSETS_SUFFIX = ".assets"


@dataclass
class CopiedImages:
    """Where each pasted image went (object id -> link relative to the post), and why the others
    could not be copied (object id -> one line): `read_back(pasted=links, unpasted=failed)`."""

    links: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def assets_folder(post_path: Path) -> Path:
    """`posts/walks.md` -> `posts/walks.assets`."""
    return post_path.with_name(post_path.name.rsplit(".", 1)[0] + ASSETS_SUFFIX)


def copy_pasted_images(post_path: Path, posts_dir: Path, images: list[PastedImage], *, timeout: float) -> CopiedImages:
    """Copy each pasted image next to the post; see the module docstring."""
    copied = CopiedImages()
    if not images:
        return copied
    folder = assets_folder(post_path)
    for image in images:
        try:
            data, extension = fetch_image(image.content_uri, timeout=timeout)
            path = _keep(folder, posts_dir, data, extension)
        except ImageFetchFailed as exc:
            copied.failed[image.object_id] = str(exc)
            continue
        except OSError as exc:
            copied.failed[image.object_id] = f"cannot save it in {folder.name}/: {exc.strerror or exc}"
            continue
        copied.links[image.object_id] = f"{folder.name}/{path.name}"
    return copied


def _keep(folder: Path, posts_dir: Path, data: bytes, extension: str) -> Path:
    """The file holding `data` in `folder` (the same bytes from an earlier run are reused)."""
    folder.mkdir(exist_ok=True)
    if not folder.resolve().is_relative_to(posts_dir.resolve()):
        raise OSError(f"the folder is really {folder.resolve()}, outside the posts folder (a symlink?)")
    stem = "image-" + hashlib.sha256(data).hexdigest()[:16]
    names = itertools.chain([stem + extension], (f"{stem}-{number}{extension}" for number in itertools.count(2)))
    return create_new_file(folder, itertools.islice(names, 20), data, same_text_is_ours=True)
