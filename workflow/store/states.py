"""The values the store's state columns hold, named once (str-Enums compare equal to their text).

- `ExportState`: where a post's review Doc stands (`exports.state`).
- `JobOutcome`: how a job run ended (`job_runs.outcome`).
"""

from __future__ import annotations

from enum import StrEnum


class ExportState(StrEnum):
    PENDING = "pending"        # the Doc's id is reserved; the Doc may not exist yet
    WRITTEN = "written"        # the post is in the Doc; not yet shared / approval not started
    IN_REVIEW = "in_review"    # shared with the reviewers, approval started
    CONFLICT = "conflict"      # in review; the author's last changes clashed with reviewers' edits
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"          # the last attempt failed before the post reached its Doc

    @property
    def holds_post(self) -> bool:
        """The Doc holds the post as exported: only then may an unchanged post be skipped."""
        return self in HOLDS_POST

    @property
    def in_review(self) -> bool:
        """Reviewers are working on it: the review poll checks its approval on every poll."""
        return self in (ExportState.IN_REVIEW, ExportState.CONFLICT)


# exports.approval_id while approvals.start is in flight, and after Drive answered a start without the
# new approval's id (it may, right after creating it; the review poll records the id when it lists it).
APPROVAL_STARTING = "starting"
APPROVAL_STARTED = "started"

HOLDS_POST = frozenset({ExportState.IN_REVIEW, ExportState.CONFLICT, ExportState.APPROVED, ExportState.DECLINED})


class JobOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"          # another worker holds the job's lease
    INTERRUPTED = "interrupted"  # stopped by a signal with work left for the next run

    @property
    def finished(self) -> bool:
        """The run did the job's work to an end `status` reports (ok, failed or interrupted)."""
        return self in (JobOutcome.OK, JobOutcome.FAILED, JobOutcome.INTERRUPTED)
