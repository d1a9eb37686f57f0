"""Writing a post into its Doc: create the Doc once, replace it whole while nobody touched it, else
send the author's changes as suggestions. Every write can be repeated after "committed, then the
answer (or the process) was lost":

- the Doc's id is reserved (`files.generateIds`) and recorded before `files.create`, so a repeat
  answers "already exists" instead of making a second Doc;
- the write in flight is recorded first (`pending_write`): a whole write carries a named range whose
  name is unique to it, a suggestion write is recognised by its effect; the next run finds it in the
  Doc and records it instead of writing twice;
- every write is one `documents.batchUpdate` guarded by `requiredRevisionId`;
- right after a whole write the Doc is read back and its body fingerprinted (`decide.fingerprint`):
  the reference that later tells whether reviewers touched it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any, Callable

from workflow.export.decide import fingerprint, has_pending_suggestions, touched_by_reviewers
from workflow.export.folder import ReviewFolder
from workflow.export.report import PostOutcome
from workflow.export.suggest import conflict_comment, plan_suggestions, suggestions_landed
from workflow.google.operations import DOC_MIME, GoogleOps, RevisionMismatch
from workflow.prepare import PreparedPost
from workflow.reviews.reading import current_approval
from workflow.store import Store
from workflow.store import export_queries as q
from workflow.store import review_queries as rq
from workflow.store.states import ExportState

log = logging.getLogger(__name__)

POST_KEY = "workflowPostKey"
MARKER_PREFIX = "workflow-content-"
BROUGHT_HOME = ("written", "conflict")  # reviews.write_back outcomes that brought an approval home


def post_key(post_id: str) -> str:
    """The Doc's appProperties value naming its post (Drive allows 124 bytes per key + value)."""
    return hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:40]


def content_marker(content_hash: str) -> str:
    """The name prefix of the named ranges that mark a write of this content (each write adds a nonce)."""
    return MARKER_PREFIX + content_hash[:24]


class DocWriter:
    """Brings one post's Doc up to date (`send`); the caller holds the post's claim."""

    def __init__(self, store: Store, ops: GoogleOps, folder: ReviewFolder, web_url: Callable[[str], str],
                 reserve_id: Callable[[], str], *, force: bool = False) -> None:
        self.store = store
        self.ops = ops
        self.folder = folder
        self.web_url = web_url
        self.reserve_id = reserve_id
        self.force = force

    def send(self, prepared: PreparedPost, export: dict) -> tuple[PostOutcome, str | None]:
        """Create, replace or suggest; returns the outcome and a note for the report."""
        post = prepared.post
        doc_id = export.get("doc_id")
        if not doc_id:
            doc_id = self.reserve_id()
            export = self._update(post.post_id, doc_id=doc_id, state=ExportState.PENDING, url=self.web_url(doc_id))
        if not export.get("revision_id"):  # nothing of ours recorded in it: it may not even exist yet
            self.ops.create_file(doc_id, name=post.title, mime_type=DOC_MIME, parent_id=self.folder.id(),
                                 app_properties={POST_KEY: post_key(post.post_id)})
        document = self.ops.get_document(doc_id)
        export, recovered = self._recover(export, document)
        first = not ExportState(export["state"]).holds_post  # never handed to reviewers yet
        if not export.get("revision_id"):
            self._write_whole(prepared, export, document)
            return PostOutcome.CREATED, None
        if export.get("exported_hash") == post.content_hash and not self.force:
            # This content is in the Doc already (written by a run whose answer or record was lost).
            return (PostOutcome.CREATED if first else recovered or PostOutcome.UNCHANGED), None
        approvals = self.ops.list_approvals(doc_id)
        waiting = self._approved_not_home(export, approvals)
        if waiting:
            return PostOutcome.SKIPPED, waiting
        reason = touched_by_reviewers(export, document, approvals)
        if reason is None:
            try:
                self._write_whole(prepared, export, document)
            except RevisionMismatch:
                document = self.ops.get_document(doc_id)
                reason = "a reviewer edited it just now"
            else:
                self._rename(doc_id, document, post.title)
                return (PostOutcome.CREATED if first else PostOutcome.UPDATED), None
        if not export.get("reviewed"):
            log.info("%s: reviewers have touched %s (%s): the author's changes go in as suggestions from now on",
                     post.rel_path, doc_id, reason)
            export = self._update(post.post_id, reviewed=True)
        if export.get("exported_hash") == post.content_hash:
            return PostOutcome.UNCHANGED, None  # --force on a Doc reviewers touched: nothing of the author's to send
        outcome = self._suggest(prepared, export, document)
        self._rename(doc_id, document, post.title)
        return outcome, None

    def _approved_not_home(self, export: dict, approvals: list[dict]) -> str | None:
        """An approval reviewers gave that the reviews job has not brought home yet: the author's new
        changes wait for it (else they would slip into text a reviewer already approved)."""
        current = current_approval(approvals, export.get("approval_id"))
        if not current or current.get("status") != "APPROVED":
            return None
        with self.store.read() as conn:
            review = rq.get_review(conn, export["post_id"]) or {}
        if review.get("write_back_key") == current.get("approvalId") and review.get("write_back") in BROUGHT_HOME:
            return None
        return ("reviewers approved the Doc and the approved text has not come home yet: "
                "run `workflow reviews --sync`, then export again")

    # --- whole writes ---

    def _write_whole(self, prepared: PreparedPost, export: dict, document: dict) -> None:
        """Replace the Doc's content with the post in one write guarded by the Doc's revision.

        A refused write may be our own whose answer was lost: its marker (unique to this write) says
        so. Else RevisionMismatch: someone else wrote.
        """
        post, doc_id = prepared.post, export["doc_id"]
        marker = f"{content_marker(post.content_hash)}-{secrets.token_hex(4)}"
        pending = {"kind": "whole", "marker": marker, "hash": post.content_hash,
                   "source_text": prepared.source_markdown, "block_map": prepared.rendered.to_json()["blocks"]}
        self._update(post.post_id, pending_write=pending)
        requests = _clear_requests(document) + prepared.rendered.requests + _marker_requests(marker, prepared)
        try:
            revision = self.ops.write(doc_id, requests, revision_id=document.get("revisionId", ""))
        except RevisionMismatch:
            now = self.ops.get_document(doc_id)
            if marker not in (now.get("namedRanges") or {}):
                self._update(post.post_id, pending_write=None)
                raise
            self._record_whole(post.post_id, pending, now, self._reference(export, now))
            return
        after = self.ops.get_document(doc_id)
        clean = after.get("revisionId") == revision and not has_pending_suggestions(after)
        self._record_whole(post.post_id, pending, after, fingerprint(after) if clean else None)

    def _reference(self, export: dict, document: dict) -> str | None:
        """The fingerprint of a Doc found holding our lost write: trusted only if no reviewer could reach it yet."""
        handed_off = bool(export.get("shared_with")) or ExportState(export["state"]).holds_post
        if handed_off or has_pending_suggestions(document):
            return None
        return fingerprint(document)

    def _record_whole(self, post_id: str, pending: dict, document: dict, reference: str | None) -> None:
        with self.store.write() as conn:
            current = q.get_export(conn, post_id) or {}
            state = current.get("state")
            if state in (None, ExportState.PENDING, ExportState.FAILED):
                state = ExportState.WRITTEN
            q.update_export(conn, post_id, state=state, revision_id=document.get("revisionId", ""),
                            exported_hash=pending["hash"], source_text=pending["source_text"],
                            block_map=pending["block_map"], content_fingerprint=reference,
                            reviewed=bool(current.get("reviewed")) or reference is None,
                            pending_write=None, last_error=None, conflicts=None)

    # --- suggestions ---

    def _suggest(self, prepared: PreparedPost, export: dict, document: dict) -> PostOutcome:
        post, doc_id = prepared.post, export["doc_id"]
        source_text = prepared.source_markdown
        plan = plan_suggestions(document, base_markdown=export.get("source_text") or "", new_markdown=source_text)
        pending = {"kind": "suggest", "hash": post.content_hash, "source_text": source_text,
                   "revision": document.get("revisionId", ""), "inserted": plan.inserted, "deleted": plan.deleted,
                   "conflicts": plan.conflicts, "source": post.rel_path}
        if not plan.requests and not plan.conflicts:
            self._record_suggest(post.post_id, pending, document.get("revisionId", ""))
            return PostOutcome.UNCHANGED
        revision = document.get("revisionId", "")
        if plan.requests:
            self._update(post.post_id, pending_write=pending)
            try:
                revision = self.ops.write(doc_id, plan.requests, revision_id=revision, suggest=True)
            except RevisionMismatch:
                now = self.ops.get_document(doc_id)
                if not suggestions_landed(now, pending):
                    self._update(post.post_id, pending_write=None)
                    raise
                revision = now.get("revisionId", "")
        self._comment_conflicts(doc_id, pending)
        self._record_suggest(post.post_id, pending, revision)
        return PostOutcome.SUGGESTED

    def _comment_conflicts(self, doc_id: str, pending: dict) -> None:
        if pending["conflicts"] and not pending.get("commented"):
            self.ops.add_comment(doc_id, conflict_comment(pending["source"], pending["conflicts"]))

    def _record_suggest(self, post_id: str, pending: dict, revision: str) -> None:
        state = ExportState.CONFLICT if pending["conflicts"] else ExportState.IN_REVIEW
        self._update(post_id, exported_hash=pending["hash"], source_text=pending["source_text"], revision_id=revision,
                     state=state, conflicts=pending["conflicts"] or None, reviewed=True, pending_write=None,
                     last_error=None)

    # --- a write whose answer (or process) was lost ---

    def _recover(self, export: dict, document: dict) -> tuple[dict, PostOutcome | None]:
        """Record a write a lost run left in the Doc; returns the export as it stands now and, when a
        write was found, what it did (updated or suggested)."""
        pending = export.get("pending_write")
        if not pending:
            return export, None
        post_id = export["post_id"]
        if pending["kind"] == "whole" and pending["marker"] in (document.get("namedRanges") or {}):
            log.info("%s: found the write of an earlier run in %s; recording it", post_id, export["doc_id"])
            self._record_whole(post_id, pending, document, self._reference(export, document))
            outcome: PostOutcome | None = PostOutcome.UPDATED
        elif pending["kind"] == "suggest" and suggestions_landed(document, pending):
            log.info("%s: found the suggestions of an earlier run in %s; recording them", post_id, export["doc_id"])
            self._comment_conflicts(export["doc_id"], pending)
            self._record_suggest(post_id, pending, document.get("revisionId", ""))
            outcome = PostOutcome.SUGGESTED
        else:
            outcome = None
        export = self._update(post_id, pending_write=None)
        return export, outcome

    # --- small steps ---

    def _rename(self, doc_id: str, document: dict, title: str) -> None:
        if document.get("title") != title:
            self.ops.rename(doc_id, title)

    def _update(self, post_id: str, **values: Any) -> dict:
        with self.store.write() as conn:
            q.update_export(conn, post_id, **values)
            return q.get_export(conn, post_id)  # type: ignore[return-value]


def _body_end(document: dict) -> int:
    content = document.get("body", {}).get("content", [])
    return content[-1]["endIndex"] if content else 2


def _clear_requests(document: dict) -> list[dict]:
    """Requests that leave the Doc as a new one: a single empty, plain paragraph."""
    end = _body_end(document)
    requests: list[dict] = []
    if end > 2:
        requests.append({"deleteContentRange": {"range": {"startIndex": 1, "endIndex": end - 1}}})
        requests.append({"deleteParagraphBullets": {"range": {"startIndex": 1, "endIndex": 2}}})
        requests.append({"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                                  "paragraphStyle": {"namedStyleType": "NORMAL_TEXT"},
                                                  "fields": "*"}})
    return requests


def _marker_requests(marker: str, prepared: PreparedPost) -> list[dict]:
    """A named range marking the content we wrote; it spans the first block, so it never splits a character."""
    blocks = prepared.rendered.blocks
    start, end = (blocks[0].doc_start, blocks[0].doc_end) if blocks else (1, 2)
    return [{"createNamedRange": {"name": marker, "range": {"startIndex": start, "endIndex": end}}}]
