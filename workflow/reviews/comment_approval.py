"""Approvals by comment, where Drive approvals are not available (`[review] approval`).

The worker opens one comment on the Doc asking for an answer (`[review] approval_comment`); each
listed reviewer answers with a reply that starts with "approve", or with "decline" and a reason
("decline: the intro needs work"). Their latest answers make an approval in the shape of Drive's
Approval resource, so the review poll, the board, the decline message, the write-back of approved
text and the notices treat both kinds alike:

- DECLINED as soon as one reviewer's latest answer declines; APPROVED once every listed reviewer's
  latest answer approves (as with Drive approvals); IN_PROGRESS until then; CANCELLED when the
  comment was deleted;
- due: the comment's time plus `[review] due_days`, as a Drive approval started then would be.

Drive gives comment authors without an email: replies are matched to the listed reviewers by the
name Google shows (`reading.People`, from the Doc's permissions). Pure: API answers in, an
approval out.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from workflow.reviews.people import People

PREFIX = "comment:"          # exports.approval_id of an approval by comment: PREFIX + the comment's id
STARTING = "comment-starting"  # exports.approval_id while the approval comment is being created
_ANSWER = re.compile(r"^[\W_]*(approved?|declined?)\b[\W_]*(.*)$", re.I | re.S)


def approval_key(comment_id: str) -> str:
    return PREFIX + comment_id


def comment_id_of(approval_id: str | None) -> str | None:
    """The approval comment's id when `approval_id` names an approval by comment."""
    return approval_id[len(PREFIX):] if approval_id and approval_id.startswith(PREFIX) else None


def answer_of(text: str) -> tuple[str, str] | None:
    """("APPROVED", "") or ("DECLINED", reason) for a reply that answers; None for any other reply."""
    found = _ANSWER.match((text or "").strip())
    if not found:
        return None
    if found.group(1).lower().startswith("approve"):
        return "APPROVED", ""
    return "DECLINED", found.group(2).strip()


def approval_from_comment(comment: dict, reviewers: list[str], people: People, due_days: int) -> dict:
    """The approval comment (with its replies) as a Drive Approval: {approvalId, status, createTime,
    modifyTime, completeTime?, dueTime?, reviewerResponses: [{reviewer: {emailAddress, displayName}, response}]}."""
    listed = {email.lower(): email for email in reviewers}
    latest: dict[str, tuple[str, str]] = {}  # email -> (time, response)
    for reply in sorted(comment.get("replies") or [], key=lambda r: r.get("createdTime") or ""):
        author = reply.get("author") or {}
        answer = answer_of(reply.get("content", ""))
        email = (people.email_of(author) or "").lower()
        if reply.get("deleted") or author.get("me") or answer is None or email not in listed:
            continue
        latest[listed[email]] = (reply.get("modifiedTime") or reply.get("createdTime") or "", answer[0])
    responses = {email: latest.get(email, ("", "NO_RESPONSE"))[1] for email in reviewers}
    if comment.get("deleted"):
        status = "CANCELLED"
    elif "DECLINED" in responses.values():
        status = "DECLINED"
    elif responses and all(response == "APPROVED" for response in responses.values()):
        status = "APPROVED"
    else:
        status = "IN_PROGRESS"
    created = comment.get("createdTime") or ""
    times = [stamp for stamp, _ in latest.values() if stamp]
    approval = {
        "approvalId": approval_key(comment["id"]), "status": status, "createTime": created,
        "modifyTime": max(times, default=created),
        "reviewerResponses": [{"reviewer": {"emailAddress": email, "displayName": people.name_of(email) or ""},
                               "response": response} for email, response in responses.items()],
    }
    if status in ("APPROVED", "DECLINED"):
        deciding = [stamp for stamp, response in latest.values() if response == status]
        approval["completeTime"] = max(deciding) if status == "APPROVED" else min(deciding)
    if due_days and created:
        start = datetime.fromisoformat(created.replace("Z", "+00:00"))
        approval["dueTime"] = (start + timedelta(days=due_days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return approval
