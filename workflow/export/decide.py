"""What export does with each post file, decided before anything is sent, and, for a post already in a
Doc, whether the Doc may be replaced or only receive suggestions.

Before any API call (`triage`):
- a file unchanged since the last run (same size and mtime, or same content hash) is `unchanged`;
- drafts and empty posts are skipped; a post that cannot be read fails with one line;
- posts sharing a post id are refused, each with one line naming the others: neither is exported
  (nor its Doc touched) until one of them gets another `id`.

For a post whose Doc exists (`touched_by_reviewers`), the Doc itself decides: reviewers touched it
when it has pending suggestions, when its body differs from what our last whole write left there
(`fingerprint`), or when a reviewer answered its approval. Once touched, always touched (the
`reviewed` flag): the author's later changes keep arriving as suggestions.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from workflow.config import Config
from workflow.content import Post, PostError, PostFile, load_post, scan_posts
from workflow.errors import UserError
from workflow.export.report import PostOutcome, PostResult
from workflow.store.states import ExportState

SUGGESTION_KEYS = ("suggestedInsertionIds", "suggestedDeletionIds", "suggestedTextStyleChanges",
                   "suggestedParagraphStyleChanges", "suggestedBulletChanges", "suggestedTableCellStyleChanges",
                   "suggestedTableRowStyleChanges", "suggestedPositionedObjectIds", "suggestedInlineObjectPropertiesChanges")


@dataclass
class Candidate:
    """One post file of this run: what is known of it before any API call."""

    file: PostFile
    rel: str                      # relative to the site root ("posts/a.md"), as reports and the store name it
    selected: bool                # named on the command line (or every post when none was)
    post_id: str | None = None
    post: Post | None = None      # read when it is new or changed
    result: PostResult | None = None  # decided already (unchanged, skipped, failed); None = to export

    def decided(self, state: PostOutcome, *, note: str | None = None, error: str | None = None) -> PostResult:
        self.result = PostResult(path=self.rel, post_id=self.post_id, state=state, note=note, error=error)
        return self.result


def posts_prefix(config: Config) -> str:
    """The posts folder relative to the site root ("posts/"), for paths in reports and the store."""
    posts_dir = config.posts_dir
    try:
        return posts_dir.resolve().relative_to(config.root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        return str(posts_dir).rstrip("/") + "/"


def check_paths(config: Config, paths: Iterable[Path] | None) -> None:
    """UserError, before anything is started, for a missing posts folder or a path that is not a post
    file or folder inside it."""
    posts_dir = config.posts_dir
    if not posts_dir.is_dir():
        raise UserError(f"posts folder {posts_dir} does not exist ([content] posts_dir)")
    resolved_posts = posts_dir.resolve()
    for given in paths or ():
        path = given.absolute()
        if not path.exists():
            raise UserError(f"{given}: no such file")
        resolved = path.resolve()
        if resolved != resolved_posts and resolved_posts not in resolved.parents:
            raise UserError(f"{given}: not inside the posts folder {posts_dir}")


def post_files(config: Config, paths: Iterable[Path] | None) -> tuple[list[PostFile], set[str] | None]:
    """Every post file under posts_dir, and the relative paths of those named in `paths` (None: all)."""
    paths = list(paths or ())
    check_paths(config, paths)
    posts_dir = config.posts_dir
    found = scan_posts(posts_dir)
    if not paths:
        return found, None
    resolved_posts = posts_dir.resolve()
    known = {f.rel for f in found}
    selected: set[str] = set()
    extra: list[PostFile] = []
    for given in paths:
        path = given.absolute()
        rel = path.resolve().relative_to(resolved_posts).as_posix()
        if path.is_dir():
            prefix = "" if rel == "." else rel + "/"
            selected.update(f.rel for f in found if f.rel.startswith(prefix))
        elif rel in known:
            selected.add(rel)
        else:  # a file the scan leaves out (hidden, say) but named explicitly
            info = path.stat()
            extra.append(PostFile(str(path), rel, info.st_size, info.st_mtime_ns))
            selected.add(rel)
    return found + extra, selected


def one_line_error(exc: BaseException) -> str:
    """An unexpected failure as one line: its kind and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text and text[0] else type(exc).__name__


def triage(config: Config, files: list[PostFile], selected: set[str] | None, prefix: str, index: dict,
           exports: dict, *, force: bool) -> list[Candidate]:
    """A Candidate per file, with the post ids of all (read from the store when the file is unchanged)."""
    clean = config.get("content", "clean_up")
    candidates = []
    for post_file in files:
        rel = prefix + post_file.rel
        candidate = Candidate(post_file, rel, selected is None or post_file.rel in selected)
        candidates.append(candidate)
        seen = index.get(rel)
        if seen and seen.size == post_file.size and seen.mtime_ns == post_file.mtime_ns:
            candidate.post_id = seen.post_id
            known = exports.get(seen.post_id)
            if known and not force and known["exported_hash"] == seen.content_hash \
                    and ExportState(known["state"]).holds_post and not known.get("last_error"):
                candidate.decided(PostOutcome.UNCHANGED).doc_id = known["doc_id"]
                continue
            if seen.is_draft:
                candidate.decided(PostOutcome.SKIPPED, note="draft")
                continue
        if not candidate.selected and candidate.post_id is not None:
            continue  # its id is known; it is not exported this run
        try:
            post = load_post(post_file.path, root=config.posts_dir, clean=clean)
        except PostError as exc:
            candidate.decided(PostOutcome.FAILED, error=str(exc).replace(str(post_file.path), rel, 1))
            continue
        except Exception as exc:  # noqa: BLE001 - one post never stops the run
            candidate.decided(PostOutcome.FAILED, error=f"{rel}: cannot read the post: {one_line_error(exc)}")
            continue
        candidate.post, candidate.post_id = post, post.post_id
        if post.is_draft:
            candidate.decided(PostOutcome.SKIPPED, note="draft")
        elif not post.body.strip():
            candidate.decided(PostOutcome.SKIPPED, note="empty post (nothing left after clean-up)")
    refuse_duplicates(candidates)
    return candidates


def refuse_duplicates(candidates: list[Candidate]) -> None:
    """Files sharing a post id fail, each naming the others; neither is exported until one is renamed."""
    by_id: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.post_id is not None and (candidate.result is None or
                                              candidate.result.state != PostOutcome.FAILED):
            by_id[candidate.post_id].append(candidate)
    for post_id, sharing in by_id.items():
        if len(sharing) < 2:
            continue
        for candidate in sharing:
            others = ", ".join(other.rel for other in sharing if other is not candidate)
            candidate.decided(PostOutcome.FAILED, error=(
                f"{candidate.rel}: post id {post_id!r} is also the id of {others}; give one of them another "
                f"`id` in its front matter (neither is exported until then)"))


# --- a post whose Doc exists: replace, or suggest? ---

def fingerprint(document: dict) -> str:
    """The Doc's body (text, styles, structure) as one hash: equal while nobody changed it."""
    content = document.get("body", {}).get("content", [])
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def has_pending_suggestions(document: dict) -> bool:
    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            return any(node.get(key) for key in SUGGESTION_KEYS) or any(walk(v) for v in node.values())
        if isinstance(node, list):
            return any(walk(item) for item in node)
        return False

    return walk(document.get("body", {}))


def reviewers_answered(approvals: list[dict]) -> bool:
    """A reviewer approved or declined (any approval of the Doc, this round or an earlier one)."""
    return any(approval.get("status") in ("APPROVED", "DECLINED")
               or any(r.get("response") not in (None, "NO_RESPONSE") for r in approval.get("reviewerResponses") or [])
               for approval in approvals)


def touched_by_reviewers(export: dict, document: dict, approvals: list[dict]) -> str | None:
    """Why the Doc must not be replaced (reviewers touched it), or None when it is as we left it."""
    if export.get("reviewed"):
        return "reviewers have worked on it"
    if has_pending_suggestions(document):
        return "it has pending suggestions"
    if not export.get("content_fingerprint"):
        return "it was written by an older version of workflow, which did not record its text"
    if fingerprint(document) != export["content_fingerprint"]:
        return "its text differs from what was last written"
    if reviewers_answered(approvals):
        return "a reviewer answered its approval"
    return None
