"""The export pipeline: decide, create or update, share, approve, record.

Each post gets one review Doc, exactly once:
- the Doc's id is reserved (`files.generateIds`) and recorded before `files.create`, so a crash or a
  lost answer is followed by the same create (409: it exists) instead of a second Doc;
- its content goes in with ONE `documents.batchUpdate` guarded by `requiredRevisionId` and carrying a
  named range that marks the content hash, so a replayed write is recognised, never doubled;
- a Doc reviewers have touched is never overwritten: the author's changes go in as suggestions
  (see `workflow.suggest`).
An unchanged post (same size and mtime, or same content hash) makes no API call.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from workflow.config import Config
from workflow.content import PostError, PostFile, scan_posts
from workflow.errors import UserError
from workflow.google.clients import GoogleSession
from workflow.google.operations import (DOC_MIME, FOLDER_MIME, GoogleCallFailed, GoogleOps, RevisionMismatch)
from workflow.google.pacing import API_ERRORS, describe
from workflow.prepare import PreparedPost, prepare_post
from workflow.render import normalize_markdown
from workflow.store import Store
from workflow.store import export_queries as q
from workflow.store import review_queries
from workflow.suggest import plan_suggestions

log = logging.getLogger(__name__)

POST_KEY = "workflowPostKey"
FOLDER_ROLE_KEY = "workflowRole"
MARKER_PREFIX = "workflow-content-"
OUTCOMES = ("created", "updated", "suggested", "unchanged", "skipped", "failed")
# A state whose Doc holds the post: only these let an unchanged post be skipped.
COMPLETE_STATES = ("in_review", "conflict", "approved", "declined")


@dataclass
class PostResult:
    path: str
    post_id: str | None = None
    doc_id: str | None = None
    url: str | None = None
    state: str = "unchanged"
    error: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["note"] is None:
            del data["note"]
        return data


@dataclass
class ExportReport:
    posts: list[PostResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.posts:
            counts[result.state if result.state in counts else "skipped"] += 1
        return counts

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def to_json(self) -> dict[str, Any]:
        return {**self.counts, "posts": [p.to_json() for p in self.posts]}


def post_key(post_id: str) -> str:
    """The Doc's appProperties value naming its post (Drive allows 124 bytes per key + value)."""
    return hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:40]


def content_marker(content_hash: str) -> str:
    """The name prefix of the named ranges that mark a write of this content (each write adds a nonce)."""
    return MARKER_PREFIX + content_hash[:24]


class Exporter:
    def __init__(self, config: Config, store: Store, session: GoogleSession | None, *, dry_run: bool = False,
                 force: bool = False, stop: threading.Event | None = None, worker_id: str = "cli",
                 queue_topics: Callable[[list[str], str], None] | None = None) -> None:
        self.config = config
        self.store = store
        self.session = session
        self.ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id")) if session else None
        self.dry_run = dry_run
        self.force = force
        self.stop = stop or threading.Event()
        self.worker_id = worker_id
        self.queue_topics = queue_topics
        self.review = config.sections["review"]
        self.lease_seconds = float(config.get("schedule", "lease_seconds"))
        self._reserved_ids: list[str] = []
        self._folder_id: str | None = None
        self._prefix = self._posts_prefix()

    # --- the run ---

    def run(self, paths: Iterable[Path] | None = None,
            progress: Callable[[Iterable[PostFile], int], Iterable[PostFile]] | None = None) -> ExportReport:
        files = self._files(paths)
        report = ExportReport(dry_run=self.dry_run)
        with self.store.read() as conn:
            index = q.post_index(conn)
            exports = q.export_summaries(conn)
        iterator = progress(files, len(files)) if progress else files
        for post_file in iterator:
            if self.stop.is_set():
                log.info("stopping: %d posts left for the next run", len(files) - len(report.posts))
                break
            report.posts.append(self._export_one(post_file, index, exports))
        return report

    def _files(self, paths: Iterable[Path] | None) -> list[PostFile]:
        posts_dir = self.config.posts_dir
        if not paths:
            if not posts_dir.is_dir():
                raise UserError(f"posts folder {posts_dir} does not exist ([content] posts_dir)")
            return scan_posts(posts_dir)
        files: list[PostFile] = []
        resolved_posts = posts_dir.resolve()
        for given in paths:
            path = given if given.is_absolute() else Path.cwd() / given
            if not path.exists():
                raise UserError(f"{given}: no such file")
            resolved = path.resolve()
            if resolved != resolved_posts and resolved_posts not in resolved.parents:
                raise UserError(f"{given}: not inside the posts folder {posts_dir}")
            if path.is_dir():
                prefix = resolved.relative_to(resolved_posts).as_posix()
                files.extend(PostFile(f.location, f"{prefix}/{f.rel}" if prefix != "." else f.rel, f.size, f.mtime_ns)
                             for f in scan_posts(path))
            else:
                info = path.stat()
                files.append(PostFile(str(path), resolved.relative_to(resolved_posts).as_posix(), info.st_size,
                                      info.st_mtime_ns))
        return files

    def _posts_prefix(self) -> str:
        """The posts folder relative to the site root ("posts/"), for paths in reports and the store."""
        posts_dir = self.config.posts_dir
        try:
            return posts_dir.resolve().relative_to(self.config.root.resolve()).as_posix().rstrip("/") + "/"
        except ValueError:
            return str(posts_dir).rstrip("/") + "/"

    def _export_one(self, post_file: PostFile, index: dict, exports: dict) -> PostResult:
        rel = self._prefix + post_file.rel
        result = PostResult(path=rel)
        seen = index.get(rel)
        if seen and not self.force and seen.size == post_file.size and seen.mtime_ns == post_file.mtime_ns:
            known = exports.get(seen.post_id)
            if known and known["exported_hash"] == seen.content_hash and known["state"] in COMPLETE_STATES:
                return self._unchanged(result, known)
            if seen.is_draft:
                result.post_id, result.state, result.note = seen.post_id, "skipped", "draft"
                return result
        path = post_file.path
        try:
            prepared = prepare_post(path, root=self.config.posts_dir, clean=self.config.get("content", "clean_up"))
        except PostError as exc:
            result.state, result.error = "failed", _relative_error(str(exc), path, rel)
            return result
        post = prepared.post
        result.post_id = post.post_id
        if post.is_draft:
            result.state, result.note = "skipped", "draft"
            if not self.dry_run:
                with self.store.write() as conn:
                    q.record_post(conn, post_id=post.post_id, path=rel, size=post.size, mtime_ns=post.mtime_ns,
                                  content_hash=post.content_hash, title=post.title, is_draft=True)
            return result
        if not post.body.strip():
            result.state, result.note = "skipped", "empty post (nothing left after clean-up)"
            return result
        export = exports.get(post.post_id)
        if export is None and not self.dry_run:
            export = self._adopt_renamed(post.post_id, post.content_hash)
        if export and export["exported_hash"] == post.content_hash and export["state"] in COMPLETE_STATES \
                and not self.force:
            if not self.dry_run:
                self._record_seen(prepared, rel)
            return self._unchanged(result, export)
        if self.dry_run:
            result.state = "created" if not export or not export.get("doc_id") else "updated"
            result.note = "dry run: nothing sent"
            return result
        return self._sync(prepared, rel, result)

    def _unchanged(self, result: PostResult, export: dict) -> PostResult:
        result.post_id, result.doc_id, result.url = export["post_id"], export["doc_id"], export["url"]
        result.state = "unchanged"
        return result

    def _adopt_renamed(self, post_id: str, content_hash: str) -> dict | None:
        """A file renamed with unchanged content keeps its Doc."""
        with self.store.write() as conn:
            live_ids = {known_id for path, known_id in q.recorded_posts(conn) if (self.config.root / path).exists()}
            orphan = q.orphan_export_with_hash(conn, content_hash, live_ids | {post_id})
            if orphan is None:
                return None
            q.rekey_export(conn, orphan["post_id"], post_id)
            log.info("%s was renamed: it keeps its Doc %s", post_id, orphan["doc_id"])
            return q.get_export(conn, post_id)

    def _record_seen(self, prepared: PreparedPost, rel: str) -> None:
        post = prepared.post
        with self.store.write() as conn:
            q.record_post(conn, post_id=post.post_id, path=rel, size=post.size, mtime_ns=post.mtime_ns,
                          content_hash=post.content_hash, title=post.title)

    # --- one post against Google ---

    def _sync(self, prepared: PreparedPost, rel: str, result: PostResult) -> PostResult:
        post = prepared.post
        with self.store.write() as conn:
            export = q.get_export(conn, post.post_id) or q.create_export(conn, post.post_id)
            claimed = q.claim_export(conn, post.post_id, self.worker_id, self.lease_seconds)
        if not claimed:
            result.state, result.note = "skipped", "another worker is exporting it"
            return result
        if export.get("exported_hash") == post.content_hash and export["state"] in COMPLETE_STATES \
                and not self.force:  # another worker finished it after this run started
            with self.store.write() as conn:
                q.release_export(conn, post.post_id, self.worker_id)
            self._record_seen(prepared, rel)
            return self._unchanged(result, export)
        try:
            self._queue_suggested_topics(prepared, export)
            if not export.get("revision_id"):  # nothing of ours in the Doc yet: nobody else has seen it
                result.state = self._create(prepared, export)
            else:
                result.state = self._update(prepared, export)
            self._hand_off(prepared, post.post_id)
            self._record_seen(prepared, rel)
        except (GoogleCallFailed, RevisionMismatch, *API_ERRORS) as exc:
            # This post is reported and retried next run; the rest of the batch goes on.
            message = f"{rel}: {exc if isinstance(exc, (GoogleCallFailed, RevisionMismatch)) else describe(exc)}"
            log.warning("export failed: %s", message)
            with self.store.write() as conn:
                current = q.get_export(conn, post.post_id) or {}
                state = current.get("state") if current.get("state") in COMPLETE_STATES else "failed"
                q.update_export(conn, post.post_id, state=state, last_error=message,
                                attempts=int(current.get("attempts") or 0) + 1)
            result.state, result.error = "failed", message
        finally:
            with self.store.write() as conn:
                q.release_export(conn, post.post_id, self.worker_id)
        with self.store.read() as conn:
            final = q.get_export(conn, post.post_id) or {}
        result.doc_id, result.url = final.get("doc_id"), final.get("url")
        return result

    def _queue_suggested_topics(self, prepared: PreparedPost, export: dict) -> None:
        titles = prepared.post.suggested_topics
        already = set(export.get("queued_topics") or [])
        new = [t for t in titles if t not in already]
        if not new or self.queue_topics is None:
            return
        self.queue_topics(new, f"post:{prepared.post.post_id}")
        with self.store.write() as conn:
            q.update_export(conn, prepared.post.post_id, queued_topics=sorted(already | set(new)))

    def _create(self, prepared: PreparedPost, export: dict) -> str:
        """Create the Doc (exactly once) and write the post into it."""
        assert self.ops is not None
        post = prepared.post
        doc_id = export.get("doc_id")
        if not doc_id:
            doc_id = self._reserve_id()
            with self.store.write() as conn:  # recorded BEFORE files.create: a retry reuses it
                q.update_export(conn, post.post_id, doc_id=doc_id, state="pending",
                                url=self.session.endpoint.web_url(doc_id))
        self.ops.create_file(doc_id, name=post.title, mime_type=DOC_MIME, parent_id=self._review_folder(),
                             app_properties={POST_KEY: post_key(post.post_id)})
        document = self.ops.get_document(doc_id)
        if _has_marker(document, content_marker(post.content_hash)):
            revision = document.get("revisionId", "")  # our earlier write landed; its answer was lost
        else:
            revision = self._write_content(doc_id, document, prepared)
        self._record_write(prepared, revision, first=True)
        return "created"

    def _write_content(self, doc_id: str, document: dict, prepared: PreparedPost) -> str:
        """Replace the Doc's content with the post in one write guarded by the Doc's revision.

        If the write is refused because the revision moved, it may be our own write whose answer was
        lost: its marker (unique to this write) says so. Else RevisionMismatch: someone else wrote.
        """
        assert self.ops is not None
        marker = f"{content_marker(prepared.post.content_hash)}-{secrets.token_hex(4)}"
        requests = _clear_requests(document) + prepared.rendered.requests + _marker_requests(marker, prepared)
        try:
            return self.ops.write(doc_id, requests, revision_id=document.get("revisionId", ""))
        except RevisionMismatch:
            now = self.ops.get_document(doc_id)
            if marker in (now.get("namedRanges") or {}):
                return now.get("revisionId", "")
            raise

    def _update(self, prepared: PreparedPost, export: dict) -> str:
        """The post changed since export (or --force): replace the Doc if nobody touched it, else suggest."""
        assert self.ops is not None
        post = prepared.post
        doc_id = export["doc_id"]
        document = self.ops.get_document(doc_id)
        untouched = document.get("revisionId") == export.get("revision_id")
        if _has_marker(document, content_marker(post.content_hash)) and not (self.force and untouched):
            # This content is in the Doc already: written by a run whose answer or record was lost.
            if export["state"] not in COMPLETE_STATES:
                self._record_write(prepared, document.get("revisionId", ""), first=False)
                return "created"
            if export.get("exported_hash") != post.content_hash:
                self._record_write(prepared, document.get("revisionId", ""), first=False)
                return "updated"
            return "unchanged"
        if untouched:
            try:
                revision = self._write_content(doc_id, document, prepared)
            except RevisionMismatch:
                document = self.ops.get_document(doc_id)  # a reviewer got in first: suggest instead
            else:
                self._record_write(prepared, revision, first=False)
                if document.get("title") != post.title:
                    self.ops.rename(doc_id, post.title)
                return "updated"
        if export.get("exported_hash") == post.content_hash:
            return "unchanged"  # --force on a Doc reviewers edited: nothing of the author's to suggest
        return self._suggest(prepared, export, document)

    def _suggest(self, prepared: PreparedPost, export: dict, document: dict) -> str:
        assert self.ops is not None
        post = prepared.post
        source_text = normalize_markdown(post.body)
        plan = plan_suggestions(document, base_markdown=export.get("source_text") or "", new_markdown=source_text)
        revision = document.get("revisionId", "")
        if plan.requests:
            revision = self.ops.write(export["doc_id"], plan.requests, revision_id=revision, suggest=True)
        if plan.conflicts:
            self.ops.add_comment(export["doc_id"], plan.conflict_comment(post.rel_path))
        with self.store.write() as conn:
            q.update_export(conn, post.post_id, exported_hash=post.content_hash,
                            source_text=source_text, revision_id=revision,
                            state="conflict" if plan.conflicts else "in_review",
                            conflicts=plan.conflicts or None, last_error=None)
        return "suggested"

    def _record_write(self, prepared: PreparedPost, revision: str, *, first: bool) -> None:
        post = prepared.post
        with self.store.write() as conn:
            current = q.get_export(conn, post.post_id) or {}
            state = "written" if first or current.get("state") in (None, "pending", "failed") else current["state"]
            q.update_export(conn, post.post_id, state=state, revision_id=revision, exported_hash=post.content_hash,
                            source_text=normalize_markdown(post.body), block_map=prepared.rendered.to_json()["blocks"],
                            last_error=None, conflicts=None)

    def _hand_off(self, prepared: PreparedPost, post_id: str) -> None:
        """Share with the reviewers and start the approval; each step recorded, so a rerun only does what is left."""
        assert self.ops is not None
        post = prepared.post
        with self.store.read() as conn:
            export = q.get_export(conn, post_id) or {}
        reviewers = list(post.meta.get("reviewers") or []) or list(self.review["reviewers"])
        shared = set(export.get("shared_with") or [])
        to_share = [r for r in reviewers if r not in shared]
        if to_share:
            errors = self.ops.share(export["doc_id"], to_share, role=self.review["role"],
                                    notify=self.review["notify"], message=self._message(post))
            done = [r for r in to_share if r not in errors]
            with self.store.write() as conn:
                q.update_export(conn, post_id, shared_with=sorted(shared | set(done)), reviewers=reviewers)
            if errors:
                first = next(iter(errors.items()))
                raise GoogleCallFailed(f"could not share with {first[0]}: {first[1]}")
        if self.review["start_approval"] and reviewers and (
                not _real_approval(export.get("approval_id")) or self._restart_after_decline(export)):
            self._start_approval(export, post, reviewers)
        if export.get("state") in ("written", "pending", "failed") or export.get("state") is None:
            with self.store.write() as conn:
                q.update_export(conn, post_id, state="in_review")

    def _restart_after_decline(self, export: dict) -> bool:
        """The reviews job saw this post's approval declined: the author's edit asks for a new one (if configured)."""
        if not self.review["restart_approval_on_change"]:
            return False
        with self.store.read() as conn:
            review = review_queries.get_review(conn, export["post_id"])
        return bool(review) and review["approval_id"] == export.get("approval_id") \
            and review["approval_status"] == "DECLINED"

    def _start_approval(self, export: dict, post: Any, reviewers: list[str]) -> None:
        assert self.ops is not None
        if export.get("approval_id") == "starting":  # a start may have landed before a crash
            for approval in self.ops.list_approvals(export["doc_id"]):
                if approval.get("status") == "IN_PROGRESS":
                    with self.store.write() as conn:
                        q.update_export(conn, post.post_id, approval_id=approval["approvalId"])
                    return
        with self.store.write() as conn:
            q.update_export(conn, post.post_id, approval_id="starting")
        due = self._review_due()
        approval = self.ops.start_approval(export["doc_id"], reviewers, message=self._message(post),
                                           due_time=due.strftime("%Y-%m-%dT%H:%M:%SZ") if due else None)
        with self.store.write() as conn:
            q.update_export(conn, post.post_id, approval_id=approval.get("approvalId"))

    def _review_due(self) -> datetime | None:
        """When a review started now is due ([review] due_days; 0 = no due date)."""
        due_days = self.review["due_days"]
        return datetime.now(timezone.utc) + timedelta(days=due_days) if due_days else None

    def _message(self, post: Any) -> str:
        author = post.meta.get("author") or "the author"
        due = self._review_due()
        return f"Please review “{post.title}” by {author}." + (f" Due {due:%Y-%m-%d}." if due else "")

    def _reserve_id(self) -> str:
        assert self.ops is not None
        if not self._reserved_ids:
            self._reserved_ids = self.ops.reserve_ids(20)
        return self._reserved_ids.pop(0)

    def _review_folder(self) -> str | None:
        """The configured review folder, else the one this worker created (created once, remembered)."""
        if self._folder_id is not None:
            return self._folder_id or None
        assert self.ops is not None
        configured = self.config.get("google", "review_folder_id")
        if configured:
            self._folder_id = configured
            return configured
        with self.store.read() as conn:
            folder_id = q.get_setting(conn, "review_folder_id")
            ready = q.get_setting(conn, "review_folder_ready")
        if not folder_id:
            reserved = self._reserve_id()
            with self.store.write() as conn:
                folder_id = q.put_setting_once(conn, "review_folder_id", reserved)
        if ready != folder_id:
            shared_drive = self.config.get("google", "shared_drive_id") or None
            try:
                self.ops.create_file(folder_id, name=self.config.get("google", "review_folder_name"),
                                     mime_type=FOLDER_MIME, parent_id=shared_drive,
                                     app_properties={FOLDER_ROLE_KEY: "reviewFolder"})
            except GoogleCallFailed as exc:
                if shared_drive and self.config.get("google", "drive_scope") == "drive.file":
                    raise GoogleCallFailed(f"cannot create the review folder in shared drive {shared_drive} ({exc}): "
                                           f'with drive_scope = "drive.file" the worker only reaches files it '
                                           f'created; set [google] drive_scope = "drive"') from exc
                raise
            with self.store.write() as conn:
                q.put_setting(conn, "review_folder_ready", folder_id)
            log.info("created the review folder %r (%s)", self.config.get("google", "review_folder_name"), folder_id)
        self._folder_id = folder_id
        return folder_id


def _real_approval(approval_id: str | None) -> bool:
    return bool(approval_id) and approval_id != "starting"


def _relative_error(message: str, path: Path, rel: str) -> str:
    return message.replace(str(path), rel, 1)


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


def _has_marker(document: dict, prefix: str) -> bool:
    return any(name.startswith(prefix) for name in (document.get("namedRanges") or {}))


def export_posts(config: Config, store: Store, session: GoogleSession | None, *, paths: Iterable[Path] | None = None,
                 dry_run: bool = False, force: bool = False, stop: threading.Event | None = None,
                 worker_id: str = "cli", progress: Callable | None = None) -> ExportReport:
    """Export every new or changed finished post (or just `paths`). See the module docstring."""
    from workflow.queue.topics import queue_suggested_topics

    def queue(titles: list[str], source: str) -> None:
        queue_suggested_topics(store, titles, source=source)

    exporter = Exporter(config, store, session, dry_run=dry_run, force=force, stop=stop,
                        worker_id=worker_id, queue_topics=queue)
    return exporter.run(paths, progress=progress)
