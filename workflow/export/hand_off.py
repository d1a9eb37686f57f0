"""Handing a Doc to its reviewers: share it, start Drive's approval, and start a new one when the
author's changes go out after the last one was answered. Each step is recorded, so a rerun only
does what is left.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from workflow.config import Config
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.prepare import PreparedPost
from workflow.reviews.reading import current_approval
from workflow.store import Store
from workflow.store import export_queries as q
from workflow.store.states import APPROVAL_STARTED, APPROVAL_STARTING, ExportState

log = logging.getLogger(__name__)

STARTING, STARTED = APPROVAL_STARTING, APPROVAL_STARTED
ANSWERED = ("APPROVED", "DECLINED", "CANCELLED")


class HandOff:
    def __init__(self, config: Config, store: Store, ops: GoogleOps) -> None:
        self.review = config.sections["review"]
        self.store = store
        self.ops = ops

    def run(self, prepared: PreparedPost, *, changed: bool) -> None:
        """`changed`: this run put new content in the Doc (a new round of review may be due)."""
        post = prepared.post
        export = self._export(post.post_id)
        reviewers = list(post.meta.get("reviewers") or []) or list(self.review["reviewers"])
        self._share(export, post, reviewers)
        if self.review["start_approval"] and reviewers:
            approval_id = export.get("approval_id")
            if not approval_id or approval_id == STARTING:
                self._start(export, post, reviewers)
            elif changed and self.review["restart_approval_on_change"] and self._answered(export):
                log.info("%s: the author's changes went out after the review was answered: asking again",
                         post.rel_path)
                self._start(export, post, reviewers)
        state = self._export(post.post_id)["state"]
        if state in (ExportState.WRITTEN, ExportState.PENDING, ExportState.FAILED) or (
                changed and state in (ExportState.APPROVED, ExportState.DECLINED)):
            with self.store.write() as conn:
                q.update_export(conn, post.post_id, state=ExportState.IN_REVIEW)

    def _export(self, post_id: str) -> dict:
        with self.store.read() as conn:
            return q.get_export(conn, post_id) or {}

    def _share(self, export: dict, post: Any, reviewers: list[str]) -> None:
        shared = set(export.get("shared_with") or [])
        to_share = [r for r in reviewers if r not in shared]
        if not to_share:
            return
        errors = self.ops.share(export["doc_id"], to_share, role=self.review["role"], notify=self.review["notify"],
                                message=self._message(post))
        done = [r for r in to_share if r not in errors]
        with self.store.write() as conn:
            q.update_export(conn, post.post_id, shared_with=sorted(shared | set(done)), reviewers=reviewers)
        if errors:
            first = next(iter(errors.items()))
            raise GoogleCallFailed(f"could not share with {first[0]}: {first[1]}")

    def _answered(self, export: dict) -> bool:
        """The approval this export started is over (approved, declined or cancelled)."""
        approval = current_approval(self.ops.list_approvals(export["doc_id"]), export.get("approval_id"))
        return approval is None or approval.get("status") in ANSWERED

    def _start(self, export: dict, post: Any, reviewers: list[str]) -> None:
        """approvals.start, exactly once: a start that may have landed before a crash is looked up first,
        and the answer's approvalId (Drive may leave it out) is looked up when missing."""
        doc_id = export["doc_id"]
        if export.get("approval_id") == STARTING:
            found = self._in_progress(doc_id)
            if found:
                self._record(post.post_id, found)
                return
        with self.store.write() as conn:
            q.update_export(conn, post.post_id, approval_id=STARTING)
        due = self._review_due()
        try:
            started = self.ops.start_approval(doc_id, reviewers, message=self._message(post),
                                              due_time=due.strftime("%Y-%m-%dT%H:%M:%SZ") if due else None)
        except GoogleCallFailed as exc:
            found = self._in_progress(doc_id) if "in progress" in str(exc).lower() else None
            if not found:
                raise
            started = {"approvalId": found}
        self._record(post.post_id, started.get("approvalId") or STARTED)

    def _in_progress(self, doc_id: str) -> str | None:
        approvals = [a for a in self.ops.list_approvals(doc_id) if a.get("status") == "IN_PROGRESS"]
        newest = max(approvals, key=lambda a: a.get("createTime", ""), default=None)
        return newest.get("approvalId") if newest else None

    def _record(self, post_id: str, approval_id: str) -> None:
        with self.store.write() as conn:
            q.update_export(conn, post_id, approval_id=approval_id)

    def _review_due(self) -> datetime | None:
        """When a review started now is due ([review] due_days; 0 = no due date)."""
        due_days = self.review["due_days"]
        return datetime.now(timezone.utc) + timedelta(days=due_days) if due_days else None

    def _message(self, post: Any) -> str:
        author = post.meta.get("author") or "the author"
        due = self._review_due()
        return f"Please review “{post.title}” by {author}." + (f" Due {due:%Y-%m-%d}." if due else "")
