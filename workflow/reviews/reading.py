"""What one review Doc says, from three reads: its approvals, its Drive comments, its Docs JSON
(suggestions inline).

Pure: the API answers in, a `DocReading` out. The worker's own comments (author `me`) are not
reviewer activity.

Comment authors come without an email: they are matched with reviewers by name (people.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.reviews.comment_approval import answer_of, comment_id_of
from workflow.reviews.people import People, author_name, person

SUGGESTION_ID_LISTS = ("suggestedInsertionIds", "suggestedDeletionIds")
SUGGESTION_ID_MAPS = ("suggestedTextStyleChanges", "suggestedParagraphStyleChanges", "suggestedBulletChanges",
                      "suggestedTableCellStyleChanges", "suggestedTableRowStyleChanges")


@dataclass
class Thread:
    """A comment thread: Drive's comment joined with its Docs anchor range."""

    comment_id: str
    author: str
    content: str
    resolved: bool
    quote: str
    anchor: tuple[int, int] | None
    replies: list[dict] = field(default_factory=list)  # {author, content, action}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.comment_id, "author": self.author, "content": self.content,
                "status": "resolved" if self.resolved else "open", "quote": self.quote,
                "anchor": list(self.anchor) if self.anchor else None, "replies": self.replies}


@dataclass
class DocReading:
    approval_id: str | None
    approval_status: str | None
    reviewer_responses: dict[str, str]
    due: str | None
    approved_at: str | None
    threads: list[Thread]
    suggestions_pending: int
    last_activity: str | None
    decline_message: str | None

    @property
    def comments_open(self) -> int:
        return sum(1 for t in self.threads if not t.resolved)

    @property
    def comments_resolved(self) -> int:
        return sum(1 for t in self.threads if t.resolved)

    @property
    def approved_by(self) -> list[str]:
        return [email for email, response in self.reviewer_responses.items() if response == "APPROVED"]


def current_approval(approvals: list[dict], known_id: str | None) -> dict | None:
    """The approval export started (by id), else the newest one."""
    for approval in approvals:
        if known_id and approval.get("approvalId") == known_id:
            return approval
    return max(approvals, key=lambda a: a.get("createTime", ""), default=None)


def anchor_ranges(document: dict) -> dict[str, tuple[int, int]]:
    """commentId -> (startIndex, endIndex) of its anchor in the first tab, for anchored threads."""
    tabs = document.get("tabs") or []
    anchors = (tabs[0].get("documentTab", {}).get("commentAnchors") if tabs else None) or {}
    ranges: dict[str, tuple[int, int]] = {}
    for thread in document.get("comments") or []:
        anchor = anchors.get(thread.get("anchorId") or "")
        spans = (anchor or {}).get("ranges") or []
        if spans:
            ranges[thread["commentId"]] = (int(spans[0].get("startIndex", 0)), int(spans[0].get("endIndex", 0)))
    return ranges


def pending_suggestions(document: dict) -> int:
    """How many distinct suggestions are still open in the body."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SUGGESTION_ID_LISTS and isinstance(value, list):
                    found.update(value)
                elif key in SUGGESTION_ID_MAPS and isinstance(value, dict):
                    found.update(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document.get("body", {}))
    return len(found)


def is_anchored(comment: dict) -> bool:
    """Drive names the anchor of a comment made in the editor; one made through the API has only a quote."""
    return bool(comment.get("anchor"))


def threads_of(comments: list[dict], anchors: dict[str, tuple[int, int]] | None = None) -> list[Thread]:
    """Drive's comments as threads; `anchors` (commentId -> Doc range, see `anchor_ranges`) places them."""
    threads = []
    for comment in comments:
        if comment.get("deleted"):
            continue
        replies = [{"author": author_name(r.get("author")), "content": r.get("content", ""),
                    "action": r.get("action")} for r in comment.get("replies", []) if not r.get("deleted")]
        threads.append(Thread(
            comment_id=comment["id"], author=author_name(comment.get("author")), content=comment.get("content", ""),
            resolved=bool(comment.get("resolved")), quote=(comment.get("quotedFileContent") or {}).get("value", ""),
            anchor=(anchors or {}).get(comment["id"]), replies=replies))
    return threads


def _reviewer_posts(comments: list[dict], people: People) -> list[tuple[str, str, str]]:
    """(time, author email or else name, text) of every comment and reply not written by the worker itself."""
    posts = []
    for comment in comments:
        for item in [comment, *comment.get("replies", [])]:
            author = item.get("author") or {}
            if item.get("deleted") or author.get("me"):
                continue
            stamp = item.get("modifiedTime") or item.get("createdTime") or ""
            posts.append((stamp, (people.email_of(author) or author_name(author)).lower(), item.get("content", "")))
    return sorted(posts)


def _reason(text: str) -> str:
    """What a reviewer's words say about a decline: a "decline: …" answer (comment_approval) without its keyword."""
    answer = answer_of(text)
    return answer[1] if answer and answer[0] == "DECLINED" else text


def read_doc(approvals: list[dict], comments: list[dict], document: dict, known_approval_id: str | None) -> DocReading:
    """`approvals`: Drive's, or the one approval by comment (comment_approval); the approval comment
    itself is not a thread of the review, its replies are the reviewers' answers."""
    approval = current_approval(approvals, known_approval_id) or {}
    responses = {person(r.get("reviewer")): r.get("response", "NO_RESPONSE")
                 for r in approval.get("reviewerResponses", [])}
    people = People.of([r.get("reviewer") for a in approvals for r in a.get("reviewerResponses") or []])
    posts = _reviewer_posts(comments, people)
    stamps = [stamp for stamp, _, _ in posts if stamp]
    if any(response != "NO_RESPONSE" for response in responses.values()) and approval.get("modifyTime"):
        stamps.append(approval["modifyTime"])
    decline_message = None
    if approval.get("status") == "DECLINED":
        decliners = {email for email, response in responses.items() if response == "DECLINED"}
        matching = {email.lower() for email in decliners}
        # The Approval resource carries no message: the decliner's newest comment since the approval started says why.
        said = [text for stamp, author, text in posts
                if author in matching and text and stamp >= approval.get("createTime", "")]
        if comment_id_of(approval.get("approvalId")):  # by comment: the decline answer says why
            said = [reason for reason in map(_reason, said) if reason]
        decline_message = said[-1] if said else f"declined by {', '.join(sorted(decliners)) or 'a reviewer'}"
    return DocReading(
        approval_id=approval.get("approvalId"),
        approval_status=approval.get("status"),
        reviewer_responses=responses,
        due=approval.get("dueTime"),
        approved_at=approval.get("completeTime") if approval.get("status") == "APPROVED" else None,
        threads=threads_of([c for c in comments if c.get("id") != comment_id_of(approval.get("approvalId"))]),
        suggestions_pending=pending_suggestions(document),
        last_activity=max(stamps) if stamps else None,
        decline_message=decline_message,
    )
