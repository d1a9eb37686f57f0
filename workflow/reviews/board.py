"""What the review board, `workflow reviews comments` and `workflow reviews diff` show.

The board reads the store only (what the last poll recorded) and the post files on disk;
comments and diff read the one Doc they are about.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workflow.config import Config
from workflow.content import PostError
from workflow.errors import UserError
from workflow.google.clients import GoogleSession
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.render import read_document
from workflow.reviews.comments import PlacedThread, place_threads
from workflow.reviews.poll import FOLLOWED_STATES, overdue_rows, post_paths, rfc3339
from workflow.reviews.posts import load_current_post
from workflow.reviews.reading import anchor_ranges, is_anchored, threads_of
from workflow.store import Store
from workflow.store import export_queries as eq
from workflow.store import review_queries as rq

log = logging.getLogger(__name__)


@dataclass
class BoardRow:
    post_id: str
    path: str | None
    url: str | None
    state: str
    reviewers: dict[str, str]          # email -> NO_RESPONSE | APPROVED | DECLINED | "not asked yet"
    due: str | None
    overdue: bool
    comments_open: int
    comments_resolved: int
    suggestions_pending: int
    last_activity: str | None
    source_changed: bool | None        # None: the post file cannot be read
    decline_message: str | None
    write_back: str | None
    write_back_path: str | None
    write_back_note: str | None        # why the approved text went to a side file; targets kept as plain text

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def review_board(config: Config, store: Store, *, now: datetime | None = None) -> list[BoardRow]:
    """Every post in review (or reviewed), with what the last poll saw of its Doc."""
    now_text = rfc3339(now or datetime.now(timezone.utc))
    with store.read() as conn:
        exports = [e for e in eq.all_exports(conn) if e.get("doc_id") and e["state"] in FOLLOWED_STATES]
        reviews = rq.all_reviews(conn)
    paths = post_paths(store)
    rows = []
    for export in exports:
        review = reviews.get(export["post_id"]) or {}
        path = paths.get(export["post_id"])
        responses = review.get("reviewer_responses") or {}
        reviewers = {email: responses.get(email, "NO_RESPONSE" if review else "not polled yet")
                     for email in export.get("reviewers") or []}
        reviewers.update({email: r for email, r in responses.items() if email not in reviewers})
        due = review.get("due")
        rows.append(BoardRow(
            post_id=export["post_id"], path=path, url=export.get("url"), state=export["state"],
            reviewers=reviewers, due=due,
            overdue=bool(due) and review.get("approval_status") == "IN_PROGRESS" and due < now_text,
            comments_open=review.get("comments_open", 0), comments_resolved=review.get("comments_resolved", 0),
            suggestions_pending=review.get("suggestions_pending", 0), last_activity=review.get("last_activity"),
            source_changed=_source_changed(config, path, export.get("exported_hash")),
            decline_message=review.get("decline_message"), write_back=review.get("write_back"),
            write_back_path=review.get("write_back_path"), write_back_note=review.get("write_back_note") or None))
    return rows


def _source_changed(config: Config, path: str | None, exported_hash: str | None) -> bool | None:
    if path is None:
        return None
    try:
        return load_current_post(config, config.root / path).content_hash != exported_hash
    except PostError:
        return None


def overdue_reviews(store: Store, now: datetime) -> list[dict[str, Any]]:
    """Reviews past their due time with the approval still in progress: post, path, due, who has not answered."""
    paths = post_paths(store)
    with store.read() as conn:
        urls = {e["post_id"]: e.get("url") for e in eq.all_exports(conn)}
    return [{"post_id": row["post_id"], "path": paths.get(row["post_id"]), "url": urls.get(row["post_id"]),
             "due": row["due"],
             "waiting_for": sorted(e for e, r in (row["reviewer_responses"] or {}).items() if r == "NO_RESPONSE")}
            for row in overdue_rows(store, now)]


@dataclass
class ReviewedPost:
    post_id: str
    path: str
    export: dict[str, Any]


def find_reviewed_post(config: Config, store: Store, given: str) -> ReviewedPost:
    """The post named by a path (as typed, or relative to the site) or by its id, with its export."""
    candidate = Path(given)
    absolute = candidate if candidate.is_absolute() else Path.cwd() / candidate
    paths = post_paths(store)
    by_path = {(config.root / rel).resolve(): post_id for post_id, rel in paths.items()}
    post_id = by_path.get(absolute.resolve()) or (given if given in paths else None)
    if post_id is None and absolute.is_file():
        try:
            post_id = load_current_post(config, absolute).post_id
        except PostError as exc:
            raise UserError(str(exc)) from None
    with store.read() as conn:
        export = eq.get_export(conn, post_id) if post_id else None
    if export is None or not export.get("doc_id"):
        raise UserError(f"{given}: not exported for review (run `workflow export` first)")
    return ReviewedPost(post_id=post_id, path=paths.get(post_id, given), export=export)


def post_comments(config: Config, store: Store, session: GoogleSession, given: str) -> tuple[str, list[PlacedThread]]:
    """(path, the Doc's comment threads placed on the post's source lines), read from the Doc now."""
    reviewed = find_reviewed_post(config, store, given)
    ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id"))
    doc_id = reviewed.export["doc_id"]
    comments = ops.list_comments(doc_id)
    threads = threads_of(comments, _anchors(ops, doc_id) if any(map(is_anchored, comments)) else {})
    try:
        source = (config.root / reviewed.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        source = ""  # the post is gone: nothing maps
    return reviewed.path, place_threads(threads, reviewed.export.get("block_map") or [], source)


def _anchors(ops: GoogleOps, doc_id: str) -> dict[str, tuple[int, int]]:
    """The Doc ranges of anchored threads; without them (the comments view refused) threads are placed by quote."""
    try:
        return anchor_ranges(ops.get_document_for_review(doc_id))
    except GoogleCallFailed as exc:
        log.info("comment anchors of %s unavailable (%s): placing comments by their quoted text", doc_id, exc)
        return {}


def review_diff(config: Config, store: Store, session: GoogleSession, given: str) -> str:
    """Unified diff of the Markdown last exported vs the Doc now (pending suggestions left out)."""
    reviewed = find_reviewed_post(config, store, given)
    ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id"))
    current = read_document(ops.get_document_without_suggestions(reviewed.export["doc_id"]),
                            site_url=config.get("content", "site_url") or None)
    exported = reviewed.export.get("source_text") or ""
    return "".join(difflib.unified_diff(
        _lines(exported), _lines(current),
        fromfile=f"{reviewed.path} (as exported)", tofile=f"{reviewed.path} (the Doc now)"))


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.split("\n")] if text.strip() else []
