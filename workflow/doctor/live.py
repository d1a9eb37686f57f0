"""`workflow doctor --live`: each behaviour of Drive and Docs the worker relies on, tried in a
scratch Doc in the review folder, and what was seen.

The scratch Doc goes to the bin at the end, also after a failure or Ctrl-C. Where the worker's own
code decides whether a shape works (matching a decline to its reviewer, placing a quote on a
source line), the check runs that code on what Google gave.
"""

from __future__ import annotations

import html.parser
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin

from workflow.config import Config
from workflow.doctor.check import Check, failed, ok, skipped
from workflow.google.operations import DOC_MIME, GoogleCallFailed, RevisionMismatch
from workflow.google.pacing import API_ERRORS, describe
from workflow.google.probes import ProbeOps

# What a call can fail with once its retries are spent (the message is one line either way).
CALL_FAILED = (GoogleCallFailed, RevisionMismatch, *API_ERRORS)

SCRATCH_KEY = "workflowDoctor"  # the scratch Doc's appProperties key; its value is the run's nonce
SCRATCH_NAME = "workflow doctor: scratch Doc (safe to delete)"
COMMENT = "workflow doctor: a comment to read back"
QUOTE = "Tom & <Jerry> \"quoted\""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
TABLE_ROWS, TABLE_COLUMNS = 2, 3
PLACEHOLDER_REVIEWER = "reviewer@example.com"


@dataclass
class Scratch:
    """The scratch Doc and what the checks share."""

    config: Config
    ops: ProbeOps
    doc_id: str
    nonce: str
    image_url: str | None
    image_note: str

    def document(self) -> dict:
        return self.ops.get_document(self.doc_id)

    def write(self, requests: list[dict], *, suggest: bool = False) -> str:
        """One write at the Doc's current revision."""
        revision = self.document().get("revisionId", "")
        return self.ops.write(self.doc_id, requests, revision_id=revision, suggest=suggest)


@dataclass(frozen=True)
class Probe:
    """One live check: `run(scratch, verdict)`; `call_failed` is the fix shown when one of its calls fails."""

    name: str
    run: Callable[["Scratch", "Verdict"], Check]
    call_failed: str
    needed: bool = True


@dataclass(frozen=True)
class Verdict:
    """The ways a probe can end, under its name."""

    name: str

    def ok(self, seen: str, *, needed: bool = True) -> Check:
        return ok(self.name, seen, needed=needed)

    def failed(self, seen: str, fix: str = "", *, needed: bool = True) -> Check:
        return failed(self.name, seen, fix, needed=needed)

    def skipped(self, seen: str) -> Check:
        return skipped(self.name, seen)


PROBES: list[Probe] = []


def probe(name: str, *, call_failed: str, needed: bool = True):
    """Register a probe; they run in the order they are defined."""
    def register(run: Callable[[Scratch, Verdict], Check]) -> Callable[[Scratch, Verdict], Check]:
        PROBES.append(Probe(name, run, call_failed, needed))
        return run
    return register


def live_checks(config: Config, session, folder_id: str | None, image_url: str | None,
                add: Callable[[Check], Check]) -> None:
    shared_drive = config.get("google", "shared_drive_id")
    ops = ProbeOps(session, shared_drive_id=shared_drive)
    # Where the first export would put the review folder, until there is one.
    parent = folder_id or shared_drive or None
    where = "in the review folder" if folder_id else \
        "in the shared drive (no review folder yet)" if shared_drive else "in My Drive (no review folder yet)"
    url, note = (image_url, "given with --image") if image_url else site_image(config)
    doc_id: str | None = None
    created = False
    try:
        doc_id = ops.reserve_ids(1)[0]
        nonce = secrets.token_hex(8)
        try:
            ops.create_file(doc_id, name=SCRATCH_NAME, mime_type=DOC_MIME, parent_id=parent,
                            app_properties={SCRATCH_KEY: nonce})
        except CALL_FAILED as exc:
            add(failed("scratch Doc", f"could not create a Doc {where}: {_one_line(exc)}", _create_advice(config)))
            return
        created = True
        add(ok("scratch Doc", f"created {session.endpoint.web_url(doc_id)} {where}; it goes to the bin at the end"))
        scratch = Scratch(config, ops, doc_id, nonce, url, note)
        for each in PROBES:
            try:
                add(each.run(scratch, Verdict(each.name)))
            except CALL_FAILED as exc:
                add(failed(each.name, f"a call failed: {_one_line(exc)}", each.call_failed, needed=each.needed))
    finally:
        if doc_id is not None:
            try:
                ops.trash(doc_id)
            except CALL_FAILED as exc:
                if created:
                    add(failed("cleanup", f"could not put the scratch Doc in the bin ({_one_line(exc)})",
                               f"delete {session.endpoint.web_url(doc_id)} by hand", needed=False))
            else:
                if created:
                    add(ok("cleanup", "the scratch Doc is in the bin", needed=False))


def _one_line(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, (GoogleCallFailed, RevisionMismatch)) else describe(exc)


def _create_advice(config: Config) -> str:
    google = config.sections["google"]
    if not google["subject"] and not google["shared_drive_id"]:
        return ("a service account owns no files: set [google] subject (domain-wide delegation) or "
                "shared_drive_id; a user login needs the Drive API enabled")
    return "check that the Drive and Docs APIs are enabled for the project and the worker can write the folder"


# --- the probes, in the order they run ----------------------------------------------------------

UTF16_FIX = "no setting avoids it: posts with emoji or other characters outside the BMP would be garbled or refused"
TABLE_FIX = "no setting avoids it: tables in posts would land in the wrong cells or be refused; leave them out"
SUGGEST_FIX = ("no setting avoids it: an author's changes to a Doc in review would overwrite reviewers' text "
               "instead of being suggested")
NAMED_FIX = ("no setting avoids it: the worker marks each write with a named range, and could not recognise its "
             "own write after a lost answer")
BATCH_FIX = "no setting avoids it: sharing Docs with reviewers goes through HTTP batch and would fail"


@probe("revision guard", call_failed="the worker writes every post this way")
def revision_guard(scratch: Scratch, verdict: Verdict) -> Check:
    before = scratch.document().get("revisionId")
    if not before:
        return verdict.failed("documents.get gave no revisionId (Docs gives it only to editors)",
                              "give the worker edit access to its Docs")
    scratch.ops.write(scratch.doc_id, [_insert(1, "Written by workflow doctor.\n")], revision_id=before)
    try:
        scratch.ops.write(scratch.doc_id, [_insert(1, "A write at a stale revision.\n")], revision_id=before)
    except RevisionMismatch as exc:
        return verdict.ok(f"a write naming a stale requiredRevisionId was refused ({str(exc).split(':', 1)[0]})")
    return verdict.failed("a write naming a stale requiredRevisionId was applied",
                          "no setting avoids it: the worker could overwrite reviewers' edits or write a post "
                          "twice; do not export to this endpoint")


@probe("table geometry", call_failed=TABLE_FIX)
def table_geometry(scratch: Scratch, verdict: Verdict) -> Check:
    rows, columns = TABLE_ROWS, TABLE_COLUMNS
    before = _body_end(scratch.document())
    at = before - 1
    scratch.write([{"insertTable": {"rows": rows, "columns": columns, "location": {"index": at}}}])
    document = scratch.document()
    grown = _body_end(document) - before
    table = next((element for element in document.get("body", {}).get("content", [])
                  if "table" in element and element.get("startIndex", 0) >= at), None)
    if table is None:
        return verdict.failed(f"insertTable {rows}×{columns} at {at} left no table in the Doc", TABLE_FIX)
    first_cell = _first_cell_start(table)
    expected = 3 + rows * (1 + 2 * columns)
    seen = (f"insertTable {rows}×{columns} at {at} added {grown} units, table at {table.get('startIndex')}, "
            f"first cell paragraph at {first_cell}")
    if (grown, table.get("startIndex"), first_cell) == (expected, at + 1, at + 4):
        return verdict.ok(seen)
    return verdict.failed(f"{seen} (Google: {expected} units, table at {at + 1}, first cell at {at + 4})",
                          TABLE_FIX)


@probe("suggestions", call_failed=SUGGEST_FIX)
def suggestions(scratch: Scratch, verdict: Verdict) -> Check:
    words = "Suggested by workflow doctor. "
    scratch.write([_insert(1, words)], suggest=True)
    runs = [run for paragraph in _paragraphs(scratch.document()) for run in _runs(paragraph)
            if words.strip() in run.get("content", "")]
    if runs and all(run.get("suggestedInsertionIds") for run in runs):
        return verdict.ok("a writeMode SUGGEST write shows as a suggested insertion")
    if not runs:
        return verdict.failed("the text of a writeMode SUGGEST write is not in the Doc", SUGGEST_FIX)
    return verdict.failed("a writeMode SUGGEST write was applied as a plain edit (no suggestedInsertionIds)",
                          SUGGEST_FIX)


@probe("named ranges", call_failed=NAMED_FIX)
def named_ranges(scratch: Scratch, verdict: Verdict) -> Check:
    marker = f"workflow-doctor-{scratch.nonce}"
    scratch.write([{"createNamedRange": {"name": marker, "range": {"startIndex": 1, "endIndex": 2}}}])
    found = (scratch.document().get("namedRanges") or {}).get(marker) or {}
    ranges = [span for named in found.get("namedRanges") or [] for span in named.get("ranges") or []]
    if [(span.get("startIndex"), span.get("endIndex")) for span in ranges] == [(1, 2)]:
        return verdict.ok("a named range came back with its name and range (1–2)")
    return verdict.failed(f"a named range over 1–2 came back as {ranges or 'nothing'}", NAMED_FIX)


@probe("UTF-16 indexes", call_failed=UTF16_FIX)
def utf16_indexes(scratch: Scratch, verdict: Verdict) -> Check:
    # Runs after the probes that read indexes further on, which an index counted otherwise would upset.
    scratch.write([_insert(1, "a😅b\n")])
    try:
        scratch.write([_insert(4, "X")])  # after "a" (1 unit) and 😅 (2 units) from index 1
    except GoogleCallFailed as exc:
        return verdict.failed(f"inserting at UTF-16 index 4, just after “a😅”, was refused ({exc})", UTF16_FIX)
    paragraph = _paragraphs(scratch.document())[0]
    text = "".join(run.get("content", "") for run in _runs(paragraph))
    end = paragraph.get("endIndex")
    if text == "a😅Xb\n" and end == 7:
        return verdict.ok("“a😅b” counts 4 units: text inserted at index 4 landed after the emoji; the "
                          "paragraph ends at 7")
    return verdict.failed(f"after inserting “X” at index 4 the paragraph reads {text!r} and ends at {end} "
                          f"(in UTF-16 'a😅Xb\\n' ending at 7)", UTF16_FIX)


@probe("approvals", call_failed="the worker reads its files this way")
def approvals(scratch: Scratch, verdict: Verdict) -> Check:
    review = scratch.config.sections["review"]
    mode = review.get("approval")  # "auto" | "drive" | "comments", in versions that have it
    if mode is not None:
        needed, avoid = mode == "drive", '[review] approval = "comments" (or "auto") avoids it'
    else:
        needed = bool(review["start_approval"])
        avoid = ('[review] start_approval = false avoids it (reviews then follow comments only; '
                 '[review] approval = "comments" where that setting exists)')
    file = scratch.ops.get_file(scratch.doc_id, fields="capabilities(canStartApproval)") or {}
    can_start = (file.get("capabilities") or {}).get("canStartApproval")
    if can_start:
        return verdict.ok("canStartApproval is true: Drive approvals can be started", needed=needed)
    why = "false" if can_start is False else "not given"
    unused = "" if needed else " (this config starts no Drive approvals)"
    return verdict.failed(f"canStartApproval is {why} on a Doc the worker created (approvals are off for the "
                          f"Workspace edition or by an admin, or the worker lacks writer access){unused}", avoid,
                          needed=needed)


@probe("comment authors", call_failed="the worker comments and reads comments this way")
def comment_authors(scratch: Scratch, verdict: Verdict) -> Check:
    """Does the worker find a reviewer's decline message with the author shape Google gives?"""
    from workflow.reviews.reading import read_doc

    scratch.ops.comment_with_quote(scratch.doc_id, COMMENT, QUOTE)
    author = dict(_our_comment(scratch.ops.comments_as_given(scratch.doc_id)).get("author") or {})
    fields = ", ".join(sorted(author)) or "nothing"
    # The worker's own read of the comments, as if a reviewer (`me` false) wrote ours and declined;
    # the approval's reviewer record carries an email, as Google's does.
    worker_view = _our_comment(scratch.ops.list_comments(scratch.doc_id))
    as_reviewer = dict(worker_view, author=dict(worker_view.get("author") or {}, me=False))
    reviewer = {"kind": "drive#user", "displayName": author.get("displayName", ""),
                "emailAddress": author.get("emailAddress") or PLACEHOLDER_REVIEWER}
    declined = {"approvalId": "doctor", "status": "DECLINED", "createTime": "",
                "reviewerResponses": [{"response": "DECLINED", "reviewer": reviewer}]}
    if read_doc([declined], [as_reviewer], {}, "doctor").decline_message == COMMENT:
        return verdict.ok(f"an author comes as {{{fields}}}; the worker finds a decliner's comment by it")
    missing = "" if "emailAddress" in author else " (no emailAddress)"
    return verdict.failed(f"an author comes as {{{fields}}}{missing}: the worker, matching reviewers by email, "
                          "would not find a decliner's comment",
                          "no setting avoids it: declines would show as “declined by …” without the reviewer's "
                          "words")


@probe("comment quotes", call_failed="the worker reads comments this way", needed=False)
def comment_quotes(scratch: Scratch, verdict: Verdict) -> Check:
    """Does the worker place a comment's quote on its source line, as Google gives the quote back?"""
    from workflow.reviews.comments import place_thread
    from workflow.reviews.reading import threads_of

    comment = _our_comment(scratch.ops.list_comments(scratch.doc_id))
    quoted = comment.get("quotedFileContent") or {}
    seen = f"a quote sent as {QUOTE!r} came back as {quoted.get('value')!r} ({quoted.get('mimeType', 'no type')})"
    block = {"doc_start": 1, "doc_end": 2, "source_start": 1, "source_end": 1}
    if quoted and place_thread(threads_of([comment])[0], [block], [QUOTE]).line == 1:
        return verdict.ok(f"{seen}; the worker places it on its source line", needed=False)
    return verdict.failed(f"{seen}: the worker would not place it on its source line",
                          "`reviews comments` shows such comments without a line number", needed=False)


@probe("image fetch", call_failed="posts with images would fail to export")
def image_fetch(scratch: Scratch, verdict: Verdict) -> Check:
    url = scratch.image_url
    if not url:
        return verdict.skipped(scratch.image_note)
    try:
        scratch.write([{"insertInlineImage": {"uri": url, "location": {"index": 1}}}])
    except GoogleCallFailed as exc:
        return verdict.failed(f"Google could not fetch {url} ({scratch.image_note}): {exc}",
                              "make the image public (PNG, JPEG or GIF, under 50 MB), or fix [content] site_url: "
                              "posts showing it would fail to export")
    if not scratch.document().get("inlineObjects"):
        return verdict.failed(f"an image from {url} was accepted but is not in the Doc",
                              "posts with images would lose them")
    return verdict.ok(f"Google fetched {url} ({scratch.image_note}) into the Doc")


@probe("appProperties search", call_failed="the worker marks its Docs with appProperties")
def app_properties(scratch: Scratch, verdict: Verdict) -> Check:
    file = scratch.ops.get_file(scratch.doc_id, fields="appProperties") or {}
    if (file.get("appProperties") or {}).get(SCRATCH_KEY) != scratch.nonce:
        return verdict.failed(f"the scratch Doc's appProperties came back as {file.get('appProperties')!r}",
                              "no setting avoids it: after a lost answer the worker could not tell its Doc from "
                              "another")
    found = scratch.ops.find_by_app_property(SCRATCH_KEY, scratch.nonce)
    if found == [scratch.doc_id]:
        return verdict.ok("appProperties read back, and a search by them found the scratch Doc")
    what = "nothing" if not found else f"{len(found)} files"
    return verdict.failed(f"appProperties read back, but a search by them found {what}",
                          "the worker keeps each Doc's id in its store and does not search; finding a post's Doc "
                          "in Drive by its appProperties (after losing the store) would not work", needed=False)


@probe("HTTP batch", call_failed=BATCH_FIX)
def http_batch(scratch: Scratch, verdict: Verdict) -> Check:
    answered, error = scratch.ops.batch_get(scratch.doc_id, 2)
    if answered == 2:
        return verdict.ok("2 calls in one batch request, both answered")
    return verdict.failed(f"{answered} of 2 calls in one batch answered: {error}", BATCH_FIX)


# --- reading the Docs JSON ----------------------------------------------------------------------

def _insert(index: int, text: str) -> dict:
    return {"insertText": {"location": {"index": index}, "text": text}}


def _body_end(document: dict) -> int:
    content = document.get("body", {}).get("content", [])
    return content[-1].get("endIndex", 2) if content else 2


def _paragraphs(document: dict) -> list[dict]:
    """The body's top-level paragraphs, each with its startIndex/endIndex and elements."""
    return [dict(element["paragraph"], startIndex=element.get("startIndex"), endIndex=element.get("endIndex"))
            for element in document.get("body", {}).get("content", []) if "paragraph" in element]


def _runs(paragraph: dict) -> list[dict]:
    return [element["textRun"] for element in paragraph.get("elements", []) if "textRun" in element]


def _first_cell_start(table: dict) -> int | None:
    try:
        return table["table"]["tableRows"][0]["tableCells"][0]["content"][0].get("startIndex")
    except (KeyError, IndexError):
        return None


def _our_comment(comments: list[dict]) -> dict:
    found = [comment for comment in comments if comment.get("content") == COMMENT]
    if not found:
        raise GoogleCallFailed("the comment just made is not among the Doc's comments")
    return found[-1]


# --- the image to fetch -------------------------------------------------------------------------

class _ImageSources(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.extend(value for key, value in attrs if key == "src" and value)


def site_image(config: Config) -> tuple[str | None, str]:
    """(URL, where it comes from) of the first PNG, JPEG or GIF a post shows from `[content] site_url`,
    or (None, why there is none)."""
    import markdown

    from workflow.content.posts import scan_posts

    site_url = ((config.sections.get("content") or {}).get("site_url") or "").strip()
    if not site_url:
        return None, "[content] site_url is not set; try one image with --image URL"
    base = site_url.rstrip("/") + "/"
    posts_dir = config.posts_dir
    for post_file in scan_posts(posts_dir) if posts_dir.is_dir() else []:
        try:
            text = Path(post_file.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "![" not in text and "<img" not in text:
            continue
        parser = _ImageSources()
        parser.feed(markdown.markdown(text))
        for source in parser.sources:
            url = urljoin(base, source)
            if url.startswith(base) and url.split("?", 1)[0].lower().endswith(IMAGE_SUFFIXES):
                return url, f"shown by {post_file.rel}"
    return None, "no post shows a PNG, JPEG or GIF from [content] site_url; try one image with --image URL"
