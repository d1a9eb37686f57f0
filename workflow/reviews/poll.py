"""The reviews job: find the review Docs that changed, read them, record where each review stands,
bring approved text home, and send the notices.

Each poll makes one Drive `files.list` of the review folder (1000 files a page: every Doc's
`version`) and checks the approval of every Doc in review in batched `approvals.list` calls (100
a round trip), whatever its version: whether an approval moves a file's `version` is not
documented, so an approval given after the last poll is seen on the next one. Only Docs whose
version or approval moved are read further (comments, the Doc itself). An idle poll over 500
Docs in review is 1 + 5 round trips (one more with an approved folder configured).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from workflow.config import Config
from workflow.google.clients import GoogleSession
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.google.pacing import API_ERRORS, describe
from workflow.render import normalize_markdown, read_back
from workflow.reviews.approval import write_back
from workflow.reviews.posts import load_current_post, rel_to_site
from workflow.reviews.reading import DocReading, current_approval, person, read_doc
from workflow.reviews.webhook import Event, Notifier
from workflow.store import Store
from workflow.store import export_queries as eq
from workflow.store import review_queries as rq
from workflow.store.states import APPROVAL_STARTED, ExportState

log = logging.getLogger(__name__)

# Export states of a post whose Doc is (or was) in review.
FOLLOWED_STATES = (ExportState.IN_REVIEW, ExportState.CONFLICT, ExportState.DECLINED, ExportState.APPROVED)


@dataclass
class ReviewReport:
    listed: int = 0                      # Docs in the review folder
    checked: int = 0                     # Docs in review whose approval was checked
    read: int = 0                        # Docs read because their version or approval changed
    approved: list[str] = field(default_factory=list)    # post ids written back this run
    conflicts: list[str] = field(default_factory=list)   # post ids whose approved text went to a side file
    declined: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)    # approved text kept as plain text (say, a javascript: link)
    notices_sent: int = 0
    notices_failed: int = 0

    @property
    def failed(self) -> int:
        return len(self.errors)

    def counts(self) -> dict[str, int]:
        return {"listed": self.listed, "checked": self.checked, "read": self.read, "approved": len(self.approved),
                "conflicts": len(self.conflicts), "declined": len(self.declined), "overdue": len(self.overdue),
                "errors": len(self.errors), "notices_sent": self.notices_sent, "notices_failed": self.notices_failed}

    def to_json(self) -> dict[str, Any]:
        return {**self.counts(), "approved_posts": self.approved, "conflict_posts": self.conflicts,
                "declined_posts": self.declined, "overdue_posts": self.overdue, "error_messages": self.errors,
                "warnings": self.warnings}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def review_folder_id(config: Config, store: Store) -> str | None:
    configured = config.get("google", "review_folder_id")
    if configured:
        return configured
    with store.read() as conn:
        return eq.get_setting(conn, "review_folder_id")


def post_paths(store: Store) -> dict[str, str]:
    """post_id -> path (relative to the site root) of every post seen on disk."""
    with store.read() as conn:
        return {row.post_id: path for path, row in eq.post_index(conn).items()}


class ReviewSync:
    def __init__(self, config: Config, store: Store, session: GoogleSession, now: datetime | None = None) -> None:
        self.config = config
        self.store = store
        self.ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id"))
        self.web_url = session.endpoint.web_url
        self.now = now or datetime.now(timezone.utc)
        self.notifier = Notifier(store, config.get("review", "webhook_url"))
        self.report = ReviewReport()

    def run(self) -> ReviewReport:
        self.notifier.retry_failed()  # notices whose POST failed on an earlier run
        folder_id = review_folder_id(self.config, self.store)
        if not folder_id:
            log.info("reviews: no review folder yet (nothing exported): nothing to follow")
            return self._finish()
        try:
            self._poll(folder_id)
        except (GoogleCallFailed, *API_ERRORS) as exc:  # the listing itself failed: tried again next poll
            self._error(f"cannot list the review Docs: {exc if isinstance(exc, GoogleCallFailed) else describe(exc)}")
        self._notify_overdue()
        return self._finish()

    def _poll(self, folder_id: str) -> None:
        versions = {f["id"]: str(f.get("version", "")) for f in self.ops.list_folder(folder_id)}
        approved_folder = self.config.get("review", "approved_folder_id")
        moved = {f["id"]: str(f.get("version", "")) for f in self.ops.list_folder(approved_folder)} \
            if approved_folder else {}
        self.report.listed = len(versions) + len(moved)
        with self.store.read() as conn:
            exports = [e for e in eq.all_exports(conn) if e.get("doc_id") and e["state"] in FOLLOWED_STATES]
            reviews = rq.all_reviews(conn)
        paths = post_paths(self.store)
        in_review = [e["doc_id"] for e in exports
                     if ExportState(e["state"]).in_review and (e["doc_id"] in versions or e["doc_id"] in moved)]
        approvals, failures = self.ops.list_approvals_of(in_review)
        self.report.checked = len(approvals)
        by_doc = {e["doc_id"]: e["post_id"] for e in exports}
        for doc_id, message in failures.items():
            self._error(f"{by_doc[doc_id]}: cannot read its approvals: {message}")
        for export in exports:
            doc_id = export["doc_id"]
            version = versions.get(doc_id) or moved.get(doc_id)
            if version is None or doc_id in failures:
                continue
            review = reviews.get(export["post_id"])
            checked = approvals.get(doc_id)
            if review and review["drive_version"] == version and review["in_approved_folder"] == (doc_id in moved) \
                    and not _write_back_due(review) and not _approval_moved(review, checked, export):
                continue
            try:
                self._follow(export, review, version, doc_id in moved, paths.get(export["post_id"]), checked)
            except (GoogleCallFailed, *API_ERRORS) as exc:
                self._error(f"{export['post_id']}: {exc if isinstance(exc, GoogleCallFailed) else describe(exc)}")

    def _error(self, message: str) -> None:
        log.warning("reviews: %s", message)
        self.report.errors.append(message)

    def _finish(self) -> ReviewReport:
        self.report.notices_sent, self.report.notices_failed = self.notifier.sent, self.notifier.failed
        return self.report

    def _follow(self, export: dict, review: dict | None, version: str, in_approved_folder: bool,
                rel_path: str | None, approvals: list[dict] | None) -> None:
        doc_id, post_id = export["doc_id"], export["post_id"]
        if approvals is None:  # not in review (approved, declined): its approval was not checked this poll
            approvals = self.ops.list_approvals(doc_id)
        comments = self.ops.list_comments(doc_id)
        document = self.ops.get_document(doc_id)
        self.report.read += 1
        reading = read_doc(approvals, comments, document, export.get("approval_id"))
        values: dict[str, Any] = dict(
            doc_id=doc_id, drive_version=version, approval_id=reading.approval_id,
            approval_status=reading.approval_status, reviewer_responses=reading.reviewer_responses,
            due=reading.due, comments_open=reading.comments_open, comments_resolved=reading.comments_resolved,
            suggestions_pending=reading.suggestions_pending, last_activity=reading.last_activity,
            decline_message=reading.decline_message, in_approved_folder=in_approved_folder)
        with self.store.write() as conn:
            rq.save_review(conn, post_id, **values)
            if export.get("approval_id") == APPROVAL_STARTED and reading.approval_id:
                eq.update_export(conn, post_id, approval_id=reading.approval_id)  # Drive's start left it out
        approved = reading.approval_status == "APPROVED" or in_approved_folder
        if approved and not _done(review, reading):
            self._bring_home(export, reading, rel_path, in_approved_folder)
        elif reading.approval_status == "DECLINED" and export["state"] != ExportState.DECLINED:
            with self.store.write() as conn:
                eq.update_export(conn, post_id, state=ExportState.DECLINED)
            self.report.declined.append(post_id)
            self.notifier.send(Event(post_id, "declined", reading.approval_id or "",
                                     f"Declined: {self._label(export, rel_path)} — {reading.decline_message}"))

    def _bring_home(self, export: dict, reading: DocReading, rel_path: str | None, in_approved_folder: bool) -> None:
        post_id, doc_id = export["post_id"], export["doc_id"]
        approved_by = reading.approved_by
        approved_at = reading.approved_at or rfc3339(self.now)
        approval_key = reading.approval_id if reading.approval_status == "APPROVED" else f"folder:{doc_id}"
        if rel_path is None:
            self._record_write(post_id, approval_key, "failed", None, "the post file is not known to this store",
                               approved_by, approved_at)
            return
        document = self.ops.get_document_without_suggestions(doc_id)
        site_url = self.config.get("content", "site_url") or None
        read = read_back(document, site_url=site_url)
        markdown = read.markdown
        self.report.warnings.extend(f"{rel_path}: {warning['message']}" for warning in read.warnings)
        path = self.config.root / rel_path
        updates = {"status": "approved", "approved_by": approved_by, "approved_at": approved_at,
                   "doc": export.get("url") or self.web_url(doc_id)}
        result = write_back(self.config, path, export.get("exported_hash"), markdown, updates)
        if result.outcome == "written":
            post = load_current_post(self.config, path)
            with self.store.write() as conn:
                eq.update_export(conn, post_id, state=ExportState.APPROVED, exported_hash=post.content_hash,
                                 source_text=normalize_markdown(post.body, site_url=site_url), last_error=None)
            self.report.approved.append(post_id)
        elif result.outcome == "conflict":
            with self.store.write() as conn:
                eq.update_export(conn, post_id, state=ExportState.APPROVED)
            self.report.conflicts.append(post_id)
        else:
            self.report.errors.append(f"{rel_path}: {result.note}")
        written = rel_to_site(self.config, result.path) if result.path else None
        kept_as_text = "; ".join(w["message"] for w in read.warnings) if result.outcome != "failed" else ""
        note = "; ".join(part for part in (result.note, kept_as_text) if part)  # shown on the board
        self._record_write(post_id, approval_key, result.outcome, written, note, approved_by, approved_at)
        if result.outcome != "failed":
            by = ", ".join(approved_by) or ("moved to the approved folder" if in_approved_folder else "the reviewers")
            extra = f" ({result.note})" if result.outcome == "conflict" else ""
            self.notifier.send(Event(post_id, "approved", approval_key,
                                     f"Approved by {by}: {self._label(export, rel_path)}{extra}"))

    def _record_write(self, post_id: str, approval_key: str, outcome: str, path: str | None, note: str,
                      approved_by: list[str], approved_at: str) -> None:
        with self.store.write() as conn:
            rq.update_review(conn, post_id, write_back=outcome, write_back_path=path, write_back_note=note,
                           write_back_key=approval_key, approved_by=approved_by, approved_at=approved_at)

    def _notify_overdue(self) -> None:
        paths = post_paths(self.store)
        for row in overdue_rows(self.store, self.now):
            self.report.overdue.append(row["post_id"])
            waiting = [email for email, response in (row["reviewer_responses"] or {}).items()
                       if response == "NO_RESPONSE"]
            text = (f"Overdue review (due {row['due']}): {paths.get(row['post_id'], row['post_id'])} — waiting for "
                    f"{', '.join(waiting) or 'the reviewers'}")
            self.notifier.send(Event(row["post_id"], "overdue", f"{row['approval_id']}:{row['due']}", text))

    def _label(self, export: dict, rel_path: str | None) -> str:
        return f"{rel_path or export['post_id']} {export.get('url') or ''}".strip()


def _approval_moved(review: dict, approvals: list[dict] | None, export: dict) -> bool:
    """The approval checked this poll differs from what the last read recorded (a new answer, a new approval)."""
    if approvals is None:
        return False
    approval = current_approval(approvals, export.get("approval_id")) or {}
    responses = {person(r.get("reviewer")): r.get("response", "NO_RESPONSE")
                 for r in approval.get("reviewerResponses") or []}
    return (approval.get("approvalId"), approval.get("status"), responses) != (
        review.get("approval_id"), review.get("approval_status"), review.get("reviewer_responses") or {})


def _write_back_due(review: dict) -> bool:
    """A write-back that failed (e.g. the file could not be read) is tried again on the next run."""
    return review.get("write_back") == "failed"


def _done(review: dict | None, reading: DocReading) -> bool:
    """Approved text is brought home once per approval."""
    if not review or review.get("write_back") not in ("written", "conflict"):
        return False
    key = reading.approval_id if reading.approval_status == "APPROVED" else f"folder:{review['doc_id']}"
    return review.get("write_back_key") == key


def overdue_rows(store: Store, now: datetime) -> list[dict]:
    with store.read() as conn:
        return rq.overdue_rows(conn, rfc3339(now))


def sync_reviews(config: Config, store: Store, session: GoogleSession, *, now: datetime | None = None) -> ReviewReport:
    """Follow every review Doc: see the module docstring."""
    return ReviewSync(config, store, session, now).run()
