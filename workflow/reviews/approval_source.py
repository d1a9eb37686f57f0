"""The approval of a review Doc, whichever kind the worker asked for: Drive's approval, or one by
comment (comment_approval.py) where Drive approvals are not available. Callers get Drive's
Approval shape either way, so export, hand-off and the review poll treat both alike.

Replies to an approval comment are matched to reviewers by the name Google shows: the names come
from the Doc's permissions (which carry emails), read when a reply's author is a name not seen
before and kept in the store (setting `review_people`), so an idle poll reads no permissions.
"""

from __future__ import annotations

import json
from typing import Any

from workflow.config import Config
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.reviews.comment_approval import answer_of, approval_from_comment, approval_key, comment_id_of
from workflow.reviews.people import People
from workflow.store import Store
from workflow.store import export_queries as q

PEOPLE_SETTING = "review_people"  # JSON {email: displayName}, from the review Docs' permissions


class ApprovalSource:
    def __init__(self, config: Config, store: Store, ops: GoogleOps) -> None:
        self.due_days = int(config.get("review", "due_days"))
        self.wording = str(config.get("review", "approval_comment"))
        self.store = store
        self.ops = ops

    # --- reading ---

    def of(self, export: dict) -> list[dict]:
        """The Doc's approvals: Drive's, or the one approval by comment."""
        comment_id = comment_id_of(export.get("approval_id"))
        if comment_id is None:
            return self.ops.list_approvals(export["doc_id"])
        comments, errors = self.ops.get_comments_of({export["doc_id"]: comment_id})
        if export["doc_id"] in errors:
            raise GoogleCallFailed(f"cannot read the approval comment: {errors[export['doc_id']]}")
        return [self.from_comment(export, comments[export["doc_id"]])]

    def check(self, exports: list[dict]) -> tuple[dict[str, list[dict]], dict[str, str]]:
        """The approvals of many Docs in batched requests: ({doc id: approvals}, {doc id: error})."""
        by_comment = {e["doc_id"]: comment_id_of(e.get("approval_id")) for e in exports
                      if comment_id_of(e.get("approval_id"))}
        approvals, failures = self.ops.list_approvals_of([e["doc_id"] for e in exports
                                                          if e["doc_id"] not in by_comment])
        if by_comment:
            comments, errors = self.ops.get_comments_of(by_comment)  # type: ignore[arg-type]
            failures.update(errors)
            for export in exports:
                if export["doc_id"] in comments:
                    approvals[export["doc_id"]] = [self.from_comment(export, comments[export["doc_id"]])]
        return approvals, failures

    def from_comments(self, export: dict, comments: list[dict]) -> list[dict] | None:
        """The approval by comment, from the Doc's comments already read; None for a Drive approval."""
        comment_id = comment_id_of(export.get("approval_id"))
        if comment_id is None:
            return None
        found = next((c for c in comments if c.get("id") == comment_id), None)
        return [self.from_comment(export, found or {"id": comment_id, "deleted": True})]  # gone: cancelled

    def from_comment(self, export: dict, comment: dict) -> dict:
        return approval_from_comment(comment, list(export.get("reviewers") or []),
                                     self._people(export["doc_id"], comment), self.due_days)

    def _people(self, doc_id: str, comment: dict) -> People:
        known = self._known()
        people = _people_of(known)
        answering = [reply.get("author") or {} for reply in comment.get("replies") or []
                     if not reply.get("deleted") and answer_of(reply.get("content", ""))]
        if any(not author.get("me") and not people.knows(author) for author in answering):
            learned = {user["emailAddress"]: user.get("displayName") or "" for user in self.ops.list_people(doc_id)
                       if user.get("emailAddress")}
            if any(known.get(email) != name for email, name in learned.items()):
                known.update(learned)
                with self.store.write() as conn:
                    q.put_setting(conn, PEOPLE_SETTING, json.dumps(known, sort_keys=True))
                people = _people_of(known)
        return people

    def _known(self) -> dict[str, str]:
        with self.store.read() as conn:
            raw = q.get_setting(conn, PEOPLE_SETTING)
        try:
            known = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return known if isinstance(known, dict) else {}

    # --- asking ---

    def ask_by_comment(self, doc_id: str, text: str) -> str:
        """Open the approval comment; returns the approval's id."""
        return approval_key(self.ops.add_comment(doc_id, text)["id"])

    def asked_by_comment(self, doc_id: str) -> str | None:
        """The id of an approval comment of ours already on the Doc (an earlier run's answer was lost)."""
        ours = [c for c in self.ops.list_comments(doc_id) if (c.get("author") or {}).get("me")
                and not c.get("resolved") and (c.get("content") or "").startswith(self.wording)]
        newest = max(ours, key=lambda c: c.get("createdTime") or "", default=None)
        return approval_key(newest["id"]) if newest else None

    def close_comment(self, doc_id: str, approval_id: str | None) -> None:
        """Resolve an answered approval comment when a new round of review starts (no-op for a Drive
        approval)."""
        comment_id = comment_id_of(approval_id)
        if comment_id:
            self.ops.resolve_comment(doc_id, comment_id, "A new round of review has started: please answer in the "
                                                         "new comment.")


def _people_of(known: dict[str, Any]) -> People:
    return People.of([{"emailAddress": email, "displayName": name} for email, name in known.items()
                      if isinstance(email, str) and isinstance(name, str)])
