"""An export run: look at every post file before any API call, then bring each one's Doc up to date
under a claim, so that two runs (by hand, cron or the service, on one host or several) never work
on the same post at once. One post's failure, of any kind, fails that post with one line; the
rest of the batch goes on.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Iterable

from workflow.config import Config
from workflow.export.decide import Candidate, one_line_error, post_files, posts_prefix, triage
from workflow.export.folder import ReviewFolder
from workflow.export.hand_off import HandOff, reviewers_of
from workflow.export.report import ExportReport, PostOutcome, PostResult
from workflow.export.write import DocWriter
from workflow.google.clients import GoogleSession
from workflow.google.credentials import CredentialsRefused
from workflow.google.links import DocLinks, doc_links
from workflow.google.operations import GoogleCallFailed, GoogleOps, RevisionMismatch
from workflow.google.pacing import API_ERRORS, describe
from workflow.prepare import PreparedPost
from workflow.render import render_document
from workflow.reviews.approval_source import ApprovalSource
from workflow.service.identity import holder_alive, worker_identity
from workflow.store import Store
from workflow.store import export_queries as q
from workflow.store.states import ExportState

log = logging.getLogger("workflow.export")

# What puts the post in front of reviewers (a dry run counts: it says what would happen).
SENT = (PostOutcome.CREATED, PostOutcome.UPDATED, PostOutcome.SUGGESTED)
# What a post that failed this way tells the user (the message already names the post).
EXPECTED_FAILURES = (GoogleCallFailed, RevisionMismatch, *API_ERRORS)


class Exporter:
    def __init__(self, config: Config, store: Store, session: GoogleSession | None, *, dry_run: bool, force: bool,
                 queue_topics: Callable[[list[str], str], None], stop: threading.Event | None = None,
                 worker_id: str | None = None) -> None:
        """`queue_topics(titles, source)` queues the topics a post's chatter suggested (export_posts: the queue)."""
        self.config = config
        self.store = store
        self.session = session
        self.dry_run = dry_run
        self.force = force
        self.stop = stop or threading.Event()
        self.worker_id = worker_id or worker_identity()
        self.queue_topics = queue_topics
        self.lease_seconds = float(config.get("schedule", "lease_seconds"))
        self._reserved_ids: list[str] = []
        self._unreviewed: list[str] = []  # posts sent this run that nobody reviews
        self.ops = self.writer = self.hand_off = None  # no session: nothing can be sent (dry run, benchmarks)
        # Doc links in the report: built from the endpoint in use, never the URL stored at creation.
        self.links = DocLinks(session.endpoint.root) if session is not None else doc_links(config)
        if session is not None:
            self.ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id"))
            folder = ReviewFolder(config, store, self.ops, self._reserve_id)
            approvals = ApprovalSource(config, store, self.ops)
            self.writer = DocWriter(store, self.ops, folder, session.endpoint.web_url, self._reserve_id, approvals,
                                    force=force)
            self.hand_off = HandOff(config, store, self.ops, approvals)

    # --- the run ---

    def run(self, paths: Iterable[Path] | None = None,
            progress: Callable[[Iterable[Candidate], int], Iterable[Candidate]] | None = None) -> ExportReport:
        files, selected = post_files(self.config, paths)
        with self.store.read() as conn:
            index = q.post_index(conn)
            exports = q.export_summaries(conn)
        candidates = [c for c in triage(self.config, files, selected, posts_prefix(self.config), index, exports,
                                        force=self.force) if c.selected]
        report = ExportReport(dry_run=self.dry_run)
        iterator = progress(candidates, len(candidates)) if progress else candidates
        for candidate in iterator:
            if self.stop.is_set():
                report.left = len(candidates) - len(report.posts)
                log.info("stopping: %d posts left for the next run", report.left)
                break
            report.posts.append(candidate.result or self._export_one(candidate, exports))
        for result in report.posts:
            result.url = self.links.url(result.doc_id)
        sent = {r.path for r in report.posts if r.state in SENT}
        unreviewed = [rel for rel in self._unreviewed if rel in sent]
        if unreviewed:
            report.warnings.append(
                f"nobody will review {', '.join(unreviewed)}: [review] reviewers is empty and the post names no "
                "`reviewers` in its front matter, so its Doc is shared with nobody and no approval starts")
        return report

    def _export_one(self, candidate: Candidate, exports: dict) -> PostResult:
        """Export one post that triage could not settle; any failure fails this post only."""
        result = PostResult(path=candidate.rel, post_id=candidate.post_id)
        try:
            prepared = self._prepare(candidate)
            result.warnings = prepared.warnings
            if not reviewers_of(prepared.post, self.config.sections["review"]):
                self._unreviewed.append(candidate.rel)
            export = exports.get(candidate.post_id)
            if export is None:
                export = self._renamed(candidate.post_id, prepared.post.content_hash)
            if export and export["exported_hash"] == prepared.post.content_hash and not self.force \
                    and ExportState(export["state"]).holds_post and not export.get("last_error"):
                if not self.dry_run:
                    self._record_seen(prepared, candidate.rel)
                return self._finished(result, export)
            if self.dry_run or self.writer is None:
                result.state = PostOutcome.CREATED if not export or not export.get("doc_id") else PostOutcome.UPDATED
                result.note = "dry run: nothing sent"
                return result
            return self._sync(prepared, candidate.rel, result)
        except CredentialsRefused:
            raise  # every later call would be refused the same way: the run stops with the one line that says why
        except Exception as exc:  # noqa: BLE001 - one post never stops the run
            log.debug("export of %s failed", candidate.rel, exc_info=True)  # the trace with -v; the report has the line
            return result.fail(f"{candidate.rel}: {one_line_error(exc)}")

    def _prepare(self, candidate: Candidate) -> PreparedPost:
        post = candidate.post
        assert post is not None, "triage reads every post it does not settle"
        site_url = self.config.get("content", "site_url") or None
        rendered = render_document(post.body, title=post.title, first_line=post.body_first_line, site_url=site_url)
        return PreparedPost(post=post, rendered=rendered, site_url=site_url)

    def _finished(self, result: PostResult, export: dict, state: PostOutcome = PostOutcome.UNCHANGED) -> PostResult:
        result.post_id, result.doc_id = export["post_id"], export.get("doc_id")
        result.state = state
        return result

    def _renamed(self, post_id: str, content_hash: str) -> dict | None:
        """A file renamed with unchanged content keeps its Doc (a dry run only says so)."""
        with self.store.write() as conn:
            live_ids = {known_id for path, known_id in q.recorded_posts(conn) if (self.config.root / path).exists()}
            orphan = q.orphan_export_with_hash(conn, content_hash, live_ids | {post_id})
            if orphan is None or self.dry_run:
                return orphan
            q.rekey_export(conn, orphan["post_id"], post_id)
            log.info("%s was renamed: it keeps its Doc %s", post_id, orphan["doc_id"])
            return q.get_export(conn, post_id)

    def _record_seen(self, prepared: PreparedPost, rel: str) -> None:
        post = prepared.post
        with self.store.write() as conn:
            q.record_post(conn, post_id=post.post_id, path=rel, size=post.size, mtime_ns=post.mtime_ns,
                          content_hash=post.content_hash, title=post.title)

    # --- one post against Google, under its claim ---

    def _sync(self, prepared: PreparedPost, rel: str, result: PostResult) -> PostResult:
        post = prepared.post
        with self.store.write() as conn:
            export = q.get_export(conn, post.post_id) or q.create_export(conn, post.post_id)
            holder = q.claim_export(conn, post.post_id, self.worker_id, self.lease_seconds, holder_alive)
        if holder:
            log.info("%s: skipped, another run (%s) is exporting it", rel, holder)
            return result.skip(f"another run ({holder}) is exporting it")
        try:
            with self.store.read() as conn:  # as it stands now that it is ours (another run may have finished it)
                export = q.get_export(conn, post.post_id) or export
            if export.get("exported_hash") == post.content_hash and ExportState(export["state"]).holds_post \
                    and not self.force and not export.get("last_error"):
                self._record_seen(prepared, rel)
                return self._finished(result, export)
            # The last run failed after this content reached the Doc (handing it off, say): finish its work.
            unfinished = bool(export.get("last_error")) and export.get("exported_hash") == post.content_hash
            self._queue_suggested_topics(prepared, export)
            sent = self.writer.send(prepared, export)
            if sent.outcome != PostOutcome.SKIPPED:
                self.hand_off.run(prepared, changed=unfinished or sent.outcome in (
                    PostOutcome.CREATED, PostOutcome.UPDATED, PostOutcome.SUGGESTED))
                self._record_seen(prepared, rel)
                if unfinished:
                    with self.store.write() as conn:
                        q.update_export(conn, post.post_id, last_error=None)
            result.state, result.note = sent.outcome, sent.note
            if sent.written is not None:  # as written: images Google refused are links, each with a warning
                result.warnings = sent.written.warnings
        except CredentialsRefused:
            raise  # the claim is released below; the run stops with the one line that says to log in again
        except EXPECTED_FAILURES as exc:
            # This post is reported and retried next run; the rest of the batch goes on.
            message = exc if isinstance(exc, (GoogleCallFailed, RevisionMismatch)) else describe(exc)
            self._failed(post.post_id, result.fail(f"{rel}: {message}"))
        except Exception as exc:  # noqa: BLE001 - a bug or a surprise in one post never stops the run
            log.debug("export of %s failed", rel, exc_info=True)
            self._failed(post.post_id, result.fail(f"{rel}: {one_line_error(exc)}"))
        finally:
            with self.store.write() as conn:
                q.release_export(conn, post.post_id, self.worker_id)
        with self.store.read() as conn:
            final = q.get_export(conn, post.post_id) or {}
        result.doc_id = final.get("doc_id")
        return result

    def _failed(self, post_id: str, result: PostResult) -> None:
        log.debug("export failed: %s", result.error)  # the report carries it (`export` prints it, the service logs it)
        with self.store.write() as conn:
            current = q.get_export(conn, post_id) or {}
            state = current.get("state")
            if state is None or not (ExportState(state).holds_post or state == ExportState.WRITTEN):
                state = ExportState.FAILED  # the post never reached its Doc (a written one stays "written")
            # Runs that failed in a row: a success clears last_error, so the count starts again there.
            failed_before = int(current.get("attempts") or 0) if current.get("last_error") else 0
            q.update_export(conn, post_id, state=state, last_error=result.error, attempts=failed_before + 1)

    def _queue_suggested_topics(self, prepared: PreparedPost, export: dict) -> None:
        titles = prepared.post.suggested_topics
        already = set(export.get("queued_topics") or [])
        new = [t for t in titles if t not in already]
        if not new:
            return
        self.queue_topics(new, f"post:{prepared.post.post_id}")
        with self.store.write() as conn:
            q.update_export(conn, prepared.post.post_id, queued_topics=sorted(already | set(new)))

    def _reserve_id(self) -> str:
        assert self.ops is not None
        if not self._reserved_ids:
            self._reserved_ids = self.ops.reserve_ids(20)
        return self._reserved_ids.pop(0)


def export_posts(config: Config, store: Store, session: GoogleSession | None, *, paths: Iterable[Path] | None = None,
                 dry_run: bool = False, force: bool = False, stop: threading.Event | None = None,
                 worker_id: str | None = None, progress: Callable | None = None) -> ExportReport:
    """Export every new or changed finished post (or just `paths`). See the package docstring."""
    from workflow.queue.taken import taken_titles
    from workflow.queue.topics import queue_suggested_topics

    def queue(titles: list[str], source: str) -> None:
        queue_suggested_topics(store, titles, source=source, taken=taken_titles(config, store))

    exporter = Exporter(config, store, session, dry_run=dry_run, force=force, stop=stop,
                        worker_id=worker_id, queue_topics=queue)
    return exporter.run(paths, progress=progress)
