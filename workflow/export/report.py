"""What an export run reports: one `PostResult` per post file, and their counts (`export --json`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class PostOutcome(StrEnum):
    CREATED = "created"        # a new review Doc holds the post
    UPDATED = "updated"        # the Doc nobody had touched was replaced with the changed post
    SUGGESTED = "suggested"    # the author's changes went into a reviewed Doc as suggestions
    UNCHANGED = "unchanged"    # nothing to send (no API call)
    SKIPPED = "skipped"        # a draft, an empty post, or another run is exporting it (see the note)
    FAILED = "failed"          # see the error; retried on the next run


# The order `export` prints its counts in, and the keys of `export --json`.
OUTCOMES = tuple(outcome.value for outcome in PostOutcome)


@dataclass
class PostResult:
    path: str
    post_id: str | None = None
    doc_id: str | None = None
    url: str | None = None
    state: PostOutcome = PostOutcome.UNCHANGED
    error: str | None = None
    note: str | None = None

    def fail(self, message: str) -> "PostResult":
        self.state, self.error = PostOutcome.FAILED, message
        return self

    def skip(self, note: str) -> "PostResult":
        self.state, self.note = PostOutcome.SKIPPED, note
        return self

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = str(self.state)
        if data["note"] is None:
            del data["note"]
        return data


@dataclass
class ExportReport:
    posts: list[PostResult] = field(default_factory=list)
    dry_run: bool = False
    left: int = 0  # posts not looked at because the run was asked to stop

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.posts:
            counts[str(result.state)] += 1
        return counts

    @property
    def failed(self) -> int:
        return self.counts[PostOutcome.FAILED]

    @property
    def interrupted(self) -> bool:
        return self.left > 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {**self.counts, "posts": [p.to_json() for p in self.posts]}
        if self.left:
            data["left"] = self.left
        return data
