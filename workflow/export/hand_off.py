"""Handing a Doc to its reviewers: share it, ask for their approval, and ask again when the
author's changes go out after the last answer. Each step is recorded, so a rerun only does what is
left.

How the approval is asked (`[review] approval`): "drive" starts Drive's approval (a Doc whose
`canStartApproval` is false fails with one line naming the setting, and keeps its Doc); "comments"
opens an approval comment (reviews/comment_approval.py); "auto" uses Drive's approval where the
Doc's `canStartApproval` is true, else a comment (it tries Drive's first, so a Doc that allows it
costs no extra call). The kind is decided each time an approval is
asked for, so changing the setting takes effect with the next one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from workflow.config import Config
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.prepare import PreparedPost
from workflow.reviews import comment_approval
from workflow.reviews.approval_source import ApprovalSource
from workflow.reviews.reading import current_approval
from workflow.store import Store
from workflow.store import export_queries as q
from workflow.store import review_queries as rq
from workflow.store.states import APPROVAL_STARTED, APPROVAL_STARTING, ExportState

log = logging.getLogger(__name__)

STARTING, STARTED = APPROVAL_STARTING, APPROVAL_STARTED
ANSWERED = ("APPROVED", "DECLINED", "CANCELLED")


def reviewers_of(post: Any, review: dict) -> list[str]:
    """Who reviews a post: its front matter's `reviewers`, else `[review] reviewers`."""
    return list(post.meta.get("reviewers") or []) or list(review["reviewers"])


class HandOff:
    def __init__(self, config: Config, store: Store, ops: GoogleOps, approvals: ApprovalSource) -> None:
        self.review = config.sections["review"]
        self.store = store
        self.ops = ops
        self.approvals = approvals

    def run(self, prepared: PreparedPost, *, changed: bool) -> None:
        """`changed`: this run put new content in the Doc (a new round of review may be due)."""
        post = prepared.post
        export = self._export(post.post_id)
        reviewers = reviewers_of(post, self.review)
        self._share(export, post, reviewers)
        if self.review["start_approval"] and reviewers:
            approval_id = export.get("approval_id")
            if not approval_id or approval_id in (STARTING, comment_approval.STARTING):
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
        """The approval this export asked for is over (approved, declined or cancelled)."""
        approval = current_approval(self.approvals.of(export), export.get("approval_id"))
        return approval is None or approval.get("status") in ANSWERED

    def _start(self, export: dict, post: Any, reviewers: list[str]) -> None:
        """Ask for the approval exactly once: a start that may have landed before a crash is looked up
        first, and the answer's approvalId (Drive may leave it out) is looked up when missing."""
        doc_id, asked = export["doc_id"], export.get("approval_id")
        if asked == STARTING:
            found = self._in_progress(doc_id)
            if found:
                self._record(post.post_id, found)
                return
        if asked == comment_approval.STARTING:
            found = self.approvals.asked_by_comment(doc_id)
            if found:
                self._record(post.post_id, found)
                return
        self.approvals.close_comment(doc_id, asked)  # an answered approval comment, when asking again
        mode = self.review["approval"]
        if mode == "comments":
            self._ask_by_comment(doc_id, post.post_id)
            return
        self._record(post.post_id, STARTING)
        due = self._review_due()
        due_time = due.strftime("%Y-%m-%dT%H:%M:%SZ") if due else None
        try:
            started = self.ops.start_approval(doc_id, reviewers, message=self._message(post), due_time=due_time)
        except GoogleCallFailed as exc:
            # Refused: in progress already (a lost answer), or Drive approvals are not available here
            # ("auto" then asks in a comment; no call is spent checking first where they are).
            found = self._in_progress(doc_id) if "in progress" in str(exc).lower() else None
            if found:
                started = {"approvalId": found}
            elif self.ops.can_start_approval(doc_id):
                raise
            elif mode == "auto":
                log.info("%s: Drive approvals are not available on its Doc (canStartApproval is false): "
                         "asking the reviewers in a comment", post.rel_path)
                self._ask_by_comment(doc_id, post.post_id)
                return
            else:
                raise GoogleCallFailed(
                    'Drive approvals are not available on this Doc (canStartApproval is false: the Workspace '
                    'edition, an admin setting, or its owner): set [review] approval = "comments" (or "auto") '
                    'to ask reviewers in a comment') from exc
        self._record(post.post_id, started.get("approvalId") or STARTED)
        self._first_review(post.post_id, doc_id, started, reviewers, started.get("dueTime") or due_time)

    def _ask_by_comment(self, doc_id: str, post_id: str) -> None:
        self._record(post_id, comment_approval.STARTING)
        self._record(post_id, self.approvals.ask_by_comment(doc_id, self._comment_text()))

    def _comment_text(self) -> str:
        due = self._review_due()
        return self.review["approval_comment"] + (f" Due {due:%Y-%m-%d}." if due else "")

    def _in_progress(self, doc_id: str) -> str | None:
        try:
            listed = self.ops.list_approvals(doc_id)
        except GoogleCallFailed:  # Drive approvals may be off on this Doc altogether
            return None
        approvals = [a for a in listed if a.get("status") == "IN_PROGRESS"]
        newest = max(approvals, key=lambda a: a.get("createTime", ""), default=None)
        return newest.get("approvalId") if newest else None

    def _record(self, post_id: str, approval_id: str) -> None:
        with self.store.write() as conn:
            q.update_export(conn, post_id, approval_id=approval_id)

    def _first_review(self, post_id: str, doc_id: str, started: dict, reviewers: list[str], due: str | None) -> None:
        """The review board's row of a Doc just handed to its reviewers (its due date, nobody has answered),
        until the reviews job first reads the Doc (it reads a row without a Drive version)."""
        with self.store.write() as conn:
            if rq.get_review(conn, post_id) is None:
                rq.save_review(conn, post_id, doc_id=doc_id, approval_id=started.get("approvalId"),
                               approval_status="IN_PROGRESS", due=due,
                               reviewer_responses=dict.fromkeys(reviewers, "NO_RESPONSE"))

    def _review_due(self) -> datetime | None:
        """When a review started now is due ([review] due_days; 0 = no due date)."""
        due_days = self.review["due_days"]
        return datetime.now(timezone.utc) + timedelta(days=due_days) if due_days else None

    def _message(self, post: Any) -> str:
        author = post.meta.get("author") or "the author"
        due = self._review_due()
        return f"Please review “{post.title}” by {author}." + (f" Due {due:%Y-%m-%d}." if due else "")
