"""The whole review lifecycle as a state machine: authors, reviewers, exports, syncs, kills and faults
in any order, against the sandbox through the real client and the CLI's own entry point.

Invariants, after every step:
- exactly one Doc per post id, and no Doc whose post id no author ever used;
- every character a reviewer typed or suggested is still in the Doc, unless a reviewer removed it
  (accepting or rejecting a suggestion, say);
- post files change only when an author changes them, or when a sync brings home text a reviewer
  approved (checked to the character against the Doc);
and, after each export, the Doc of each post it reports done holds the author's latest text, exactly:
as the whole text when nobody touched it, else as suggestions (accept them all and the author's
paragraphs stand where the reviewers left the rest alone; reject them all and the Doc is as before),
with the paragraphs both sides changed listed in a comment. After each sync, an approval is in the
post (or, when the author changed the post since, in a side file beside it).

The oracle reads the Doc's JSON with a few lines of its own (runs with and without suggestion
marks) and predicts the three-way merge from the author's edits by paragraph identity, not by
calling the code it checks. Examples: LIFECYCLE_EXAMPLES (default 6, CI); bench/lifecycle_soak.py
runs many more.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)
from sandbox_fixtures import OWNER, app_clients, control, reviewer_clients, write_key_file

from workflow.cli import main
from workflow.export.write import post_key

REVIEWER = "editor@example.com"
POST_IDS = ("alpha", "beta", "gamma")
EXAMPLES = int(os.environ.get("LIFECYCLE_EXAMPLES", "6"))
STEPS = int(os.environ.get("LIFECYCLE_STEPS", "18"))
DOC_MIME = "application/vnd.google-apps.document"
CLAIMED = "another run"  # the note of a post skipped because another live run holds it
FAULTS = [
    ("drive.files.create", {"kind": "status", "status": 500, "times": 9}),
    ("docs.documents.batchUpdate", {"kind": "commit_then_fail", "times": 1}),
    ("docs.documents.batchUpdate", {"kind": "status", "status": 503, "times": 9}),
    ("docs.documents.get", {"kind": "drop", "times": 9}),
    ("drive.approvals.list", {"kind": "status", "status": 500, "times": 9}),
    ("drive.approvals.start", {"kind": "commit_then_fail", "times": 9}),
    ("drive.permissions.create", {"kind": "status", "status": 503, "times": 9}),
    ("drive.comments.create", {"kind": "commit_then_fail", "times": 1}),
    ("drive.files.list", {"kind": "status", "status": 500, "times": 9}),
]


# --- reading a Doc, independently of the code under test ---

@dataclass
class Paragraph:
    runs: list[tuple[str, bool, bool]]  # (text, suggested insertion, suggested deletion)
    start: int
    end: int
    style: str

    @property
    def text(self) -> str:
        return "".join(text for text, _ins, _del in self.runs)

    @property
    def plain(self) -> bool:
        return not any(ins or dele for _t, ins, dele in self.runs)

    def accepted(self) -> str:
        return "".join(text for text, _ins, dele in self.runs if not dele)

    def rejected(self) -> str:
        return "".join(text for text, ins, _del in self.runs if not ins)


def paragraphs_of(document: dict) -> list[Paragraph]:
    found = []
    for element in document.get("body", {}).get("content", []):
        if "paragraph" not in element:
            continue
        runs = [(e["textRun"]["content"], bool(e["textRun"].get("suggestedInsertionIds")),
                 bool(e["textRun"].get("suggestedDeletionIds")))
                for e in element["paragraph"].get("elements", []) if "textRun" in e]
        style = element["paragraph"].get("paragraphStyle", {}).get("namedStyleType", "NORMAL_TEXT")
        found.append(Paragraph(runs, element["startIndex"], element["endIndex"], style))
    return found


def suggestion_ids(document: dict) -> list[str]:
    ids: set[str] = set()
    for element in document.get("body", {}).get("content", []):
        paragraph = element.get("paragraph", {})
        ids.update(paragraph.get("suggestedParagraphStyleChanges", {}))
        for part in paragraph.get("elements", []):
            run = part.get("textRun", {})
            ids.update(run.get("suggestedInsertionIds", []))
            ids.update(run.get("suggestedDeletionIds", []))
    return sorted(ids)


@dataclass
class Views:
    inline: str
    accepted: str
    rejected: str
    paragraphs: list[Paragraph]


def views_of(document: dict) -> Views:
    paragraphs = paragraphs_of(document)
    return Views("".join(p.text for p in paragraphs), "".join(p.accepted() for p in paragraphs),
                 "".join(p.rejected() for p in paragraphs), paragraphs)


HEADINGS = {"TITLE": "# ", **{f"HEADING_{n}": "#" * n + " " for n in range(1, 7)}}


def approved_markdown(document: dict) -> str:
    """The Markdown body a Doc read without its suggestions must come home as (plain paragraphs here)."""
    blocks = [HEADINGS.get(p.style, "") + p.text.rstrip("\n") for p in paragraphs_of(document) if p.text.strip()]
    return "\n\n".join(blocks) + "\n"


def rendered_text(markdown_paragraphs: list[str]) -> str:
    """The Doc text of a post whose body is these paragraphs: one Doc paragraph each, then an empty one."""
    return "".join(strip_heading(p) + "\n" for p in markdown_paragraphs) + "\n"


def strip_heading(paragraph: str) -> str:
    return re.sub(r"^#{1,6} ", "", paragraph)


# --- the model ---

@dataclass
class PostModel:
    post_id: str
    name: str                          # file name in posts/
    paras: list[str]                   # Markdown paragraphs of the body, title first
    front: list[str]                   # front matter lines
    base: list[str] | None = None      # the paragraphs last known to be in its Doc (None: no Doc yet)
    touched: bool = False              # reviewers (or our suggestions) touched its Doc
    maybe_touched: bool = False        # a run died after writing: the worker may not know the Doc as its own
    tokens: set[str] = field(default_factory=set)  # reviewer words that must stay in the Doc
    approved: str | None = None        # approval given and not yet brought home
    doc_id: str | None = None
    exported_once: bool = False        # its Doc was handed to reviewers at least once

    def text(self) -> str:
        return "---\n" + "".join(line + "\n" for line in self.front) + "---\n" + "\n\n".join(self.paras) + "\n"

    @property
    def rendered(self) -> list[str]:
        return [strip_heading(p) for p in self.paras]


def hunks(base: list[str], ours: list[str]) -> list[tuple[int, int, int, int]]:
    """Runs of changed paragraphs between unchanged ones (texts are unique): (i1, i2, j1, j2)."""
    common = [text for text in base if text in set(ours)]
    found, i, j = [], 0, 0
    for text in common + [None]:
        i2 = base.index(text) if text is not None else len(base)
        j2 = ours.index(text) if text is not None else len(ours)
        if i2 > i or j2 > j:
            found.append((i, i2, j, j2))
        i, j = i2 + 1, j2 + 1
    return found


def expected_merge(before: Views, base: list[str], ours: list[str]) -> tuple[str, list[list[str]]]:
    """The accepted view after the author's changes go in as suggestions, and the hunks in conflict."""
    located = {}
    for number, paragraph in enumerate(before.paragraphs):
        text = paragraph.text[:-1] if paragraph.text.endswith("\n") else paragraph.text
        if paragraph.plain and text in base:
            located[base.index(text)] = number
    replace: dict[int, str] = {}       # doc paragraph -> its new accepted contribution
    before_at: dict[int, str] = {}     # text inserted before a doc paragraph
    after_at: dict[int, str] = {}      # text inserted after a doc paragraph
    conflicts = []
    for i1, i2, j1, j2 in hunks(base, ours):
        new = "".join(text + "\n" for text in ours[j1:j2])
        if i1 == i2:
            last = len(before.paragraphs) - 1
            if i1 < len(base) and i1 in located:
                before_at[located[i1]] = before_at.get(located[i1], "") + new
            elif i1 > 0 and i1 - 1 in located:
                after_at[located[i1 - 1]] = after_at.get(located[i1 - 1], "") + new
            elif i1 == len(base) and before.paragraphs[last].text == "\n":  # new at the end: at the Doc's end
                before_at[last] = before_at.get(last, "") + new
            elif i1 == len(base):
                after_at[last] = after_at.get(last, "") + new
            else:
                conflicts.append(ours[j1:j2])
            continue
        spots = [located.get(i) for i in range(i1, i2)]
        if None in spots or spots != list(range(spots[0], spots[0] + len(spots))):
            conflicts.append(ours[j1:j2])
            continue
        for spot in spots:
            replace[spot] = ""
        replace[spots[0]] = new
    accepted = "".join(before_at.get(n, "") + replace.get(n, p.accepted()) + after_at.get(n, "")
                       for n, p in enumerate(before.paragraphs))
    return accepted, conflicts


class Lifecycle(RuleBasedStateMachine):
    sandbox = None  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.sandbox.reset()
        self.home = Path.cwd()
        self.root = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        (self.root / "posts").mkdir()
        (self.root / "config").mkdir()
        key = write_key_file(self.sandbox, self.root)
        key.chmod(0o600)
        (self.root / "config" / "workflow.toml").write_text(f"""
[google]
endpoint = "{self.sandbox.url}"
credentials = "{key.name}"
subject = "{OWNER}"
retry_base_seconds = 0.01
max_retries = 2
request_timeout_seconds = 5
docs_writes_per_minute = 100000
drive_requests_per_minute = 100000

[review]
reviewers = ["{REVIEWER}"]
role = "writer"
notify = false
due_days = 0
""", encoding="utf-8")
        os.chdir(self.root)
        self.drive, self.docs = app_clients(self.sandbox, self.root)
        self.reviewer_drive, self.reviewer_docs = reviewer_clients(self.sandbox, REVIEWER)
        self.posts: dict[str, PostModel] = {}        # by post id
        self.copies: dict[str, str] = {}             # file name -> post id of a copy sharing another's id
        self.files: dict[str, str] = {}              # every file the test expects in posts/, with its text
        self.ever_ids: set[str] = set()
        self.counter = 0
        self.after_kill = False

    def teardown(self) -> None:
        os.chdir(self.home)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- helpers ---

    def fresh(self, post_id: str) -> str:
        self.counter += 1
        return f"P{self.counter} of {post_id} in words of the author."

    def write(self, post: PostModel) -> None:
        text = post.text()
        (self.root / "posts" / post.name).write_text(text, encoding="utf-8")
        self.files[post.name] = text

    def cli(self, *args: str) -> tuple[int, dict]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(list(args))
        return code, json.loads(out.getvalue()) if out.getvalue().strip() else {}

    def document(self, post: PostModel, mode: str = "SUGGESTIONS_INLINE") -> dict:
        return self.docs.documents().get(documentId=post.doc_id, suggestionsViewMode=mode).execute()

    def review_docs(self) -> list[dict]:
        reply = self.drive.files().list(q=f"mimeType = '{DOC_MIME}' and trashed = false", pageSize=1000,
                                        fields="files(id,name,appProperties)").execute()
        return reply["files"]

    def snapshot(self) -> dict[str, Views]:
        return {pid: views_of(self.document(p)) for pid, p in self.posts.items() if p.doc_id}

    def approvals(self, post: PostModel) -> list[dict]:
        return self.drive.approvals().list(fileId=post.doc_id, fields="items(approvalId,status,createTime)"
                                           ).execute()["items"]

    def live(self) -> list[PostModel]:
        """Posts whose file is in posts/ and shares its id with no other file."""
        shared = set(self.copies.values())
        return [p for p in self.posts.values() if p.name in self.files and p.post_id not in shared]

    def learn_doc_ids(self) -> None:
        keys = {post_key(pid): pid for pid in self.ever_ids}
        for doc in self.review_docs():
            pid = keys.get(doc.get("appProperties", {}).get("workflowPostKey"))
            if pid in self.posts:
                self.posts[pid].doc_id = doc["id"]

    def observe_unknown(self, before: dict[str, Views], outcomes: dict[str, str]) -> None:
        """After a run that failed a post or died: was its write in the Doc or not? Look, and take note."""
        self.learn_doc_ids()
        for post in self.live():
            if outcomes.get(post.post_id) not in (None, "failed") or not post.doc_id:
                continue
            views = views_of(self.document(post))
            old = before.get(post.post_id)
            if post.base is None:
                if views.inline == rendered_text(post.paras):
                    post.base, post.maybe_touched = list(post.rendered), True
                else:
                    assert views.inline == "\n", f"a half-written Doc: {views.inline!r}"
            elif old is not None and (views.accepted, views.rejected) != (old.accepted, old.rejected):
                self.check_written(post, old, views, "suggested" if post.touched else None)
            elif post.base != post.rendered and self.recorded_text(post) == post.rendered:
                post.base = list(post.rendered)  # sent with every change in conflict: the Doc's text is as it was

    def recorded_text(self, post: PostModel) -> list[str]:
        """What the store says was last sent of a post (to tell what a run that died managed to record)."""
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.root / ".workflow" / "state.db")) as db:
            row = db.execute("SELECT source_text FROM exports WHERE post_id = ?", (post.post_id,)).fetchone()
        return [strip_heading(p) for p in (row[0] or "").strip().split("\n\n")] if row else []

    def check_written(self, post: PostModel, before: Views, after: Views, outcome: str | None) -> None:
        """The Doc after a run that sent the author's latest text (outcome None: whole or suggested)."""
        ours = post.rendered
        whole = after.inline == rendered_text(post.paras) and after.accepted == after.rejected
        if outcome in ("created", "updated") or (outcome is None and whole):
            assert not post.touched, f"{post.post_id}: a Doc reviewers touched was replaced"
            assert after.inline == rendered_text(post.paras), (after.inline, post.paras)
        else:
            accepted, conflicts = expected_merge(before, post.base or [], ours)
            assert after.rejected == before.rejected, "suggestions must leave the established text alone"
            assert after.accepted == accepted, (after.accepted, accepted)
            if conflicts:
                comments = self.drive.comments().list(fileId=post.doc_id, fields="comments(content)").execute()
                said = "\n".join(c["content"] for c in comments["comments"])
                for conflict in conflicts:
                    for text in conflict:
                        assert text in said, f"conflict {text!r} not in a comment"
            post.touched = True
        post.base = list(ours)

    @initialize()
    def a_post_in_review(self) -> None:
        """Most sequences worth trying start from a post already in review, seen by the review poll."""
        self.author_creates_a_post(2)
        self.export()
        self.reviews_sync()

    # --- the author ---

    @precondition(lambda self: self.live())
    @rule(change=st.sampled_from(["edit", "add", "delete", "two"]), which=st.integers(0, 9),
          where=st.integers(0, 9))
    def author_changes_a_post(self, change: str, which: int, where: int) -> None:
        {"edit": self.author_edits_a_paragraph, "add": self.author_adds_a_paragraph,
         "delete": self.author_deletes_a_paragraph, "two": self.author_changes_two_paragraphs_apart}[change](
            which, where)

    @precondition(lambda self: self.live())
    @rule(change=st.sampled_from(["rename", "delete", "copy", "uncopy"]), which=st.integers(0, 9))
    def author_moves_files(self, change: str, which: int) -> None:
        {"rename": self.author_renames_a_post, "delete": self.author_deletes_a_post,
         "copy": self.author_copies_a_post_keeping_its_id, "uncopy": self.author_removes_the_copy}[change](which)

    @precondition(lambda self: len(self.posts) < len(POST_IDS))
    @rule(paragraphs=st.integers(1, 3))
    def author_creates_a_post(self, paragraphs: int) -> None:
        post_id = POST_IDS[len(self.posts)]
        post = PostModel(post_id, f"{post_id}.md", [f"# Post {post_id}"] + [self.fresh(post_id) for _ in range(paragraphs)],
                         [f"id: {post_id}", f"title: Post {post_id}"])
        self.posts[post_id] = post
        self.ever_ids.add(post_id)
        self.write(post)

    def author_edits_a_paragraph(self, which: int, where: int) -> None:
        post = self.live()[which % len(self.live())]
        index = where % len(post.paras)
        post.paras[index] = (f"# Post {post.post_id} retitled {self.counter + 1}" if index == 0
                             else self.fresh(post.post_id))
        self.counter += index == 0
        self.write(post)

    def author_adds_a_paragraph(self, which: int, where: int) -> None:
        post = self.live()[which % len(self.live())]
        post.paras.insert(1 + where % len(post.paras), self.fresh(post.post_id))
        self.write(post)

    def author_deletes_a_paragraph(self, which: int, where: int) -> None:
        candidates = [p for p in self.live() if len(p.paras) > 2]
        if not candidates:
            return
        post = candidates[which % len(candidates)]
        del post.paras[1 + where % (len(post.paras) - 1)]
        self.write(post)

    def author_changes_two_paragraphs_apart(self, which: int, where: int = 0) -> None:
        candidates = [p for p in self.live() if len(p.paras) > 2]
        if not candidates:
            return
        post = candidates[which % len(candidates)]
        post.paras[1] = self.fresh(post.post_id)
        post.paras[-1] = self.fresh(post.post_id)
        self.write(post)

    def author_renames_a_post(self, which: int, where: int = 0) -> None:
        post = self.live()[which % len(self.live())]
        new_name = f"{post.post_id}-{self.counter}.md"
        self.counter += 1
        (self.root / "posts" / post.name).rename(self.root / "posts" / new_name)
        self.files[new_name] = self.files.pop(post.name)
        post.name = new_name

    def author_deletes_a_post(self, which: int, where: int = 0) -> None:
        post = self.live()[which % len(self.live())]
        (self.root / "posts" / post.name).unlink()
        del self.files[post.name]

    def author_copies_a_post_keeping_its_id(self, which: int, where: int = 0) -> None:
        if self.copies:
            return
        post = self.live()[which % len(self.live())]
        name = f"copy-of-{post.name}"
        shutil.copyfile(self.root / "posts" / post.name, self.root / "posts" / name)
        self.files[name] = self.files[post.name]
        self.copies[name] = post.post_id

    def author_removes_the_copy(self, which: int = 0, where: int = 0) -> None:
        if not self.copies:
            return
        name = next(iter(self.copies))
        (self.root / "posts" / name).unlink()
        del self.files[name]
        del self.copies[name]

    # --- the reviewer, in Google's editor ---

    def reviewable(self) -> list[PostModel]:
        return [p for p in self.posts.values() if p.doc_id and p.exported_once and p.approved is None]

    @precondition(lambda self: self.reviewable())
    @rule(work=st.sampled_from(["types", "suggests", "accepts", "rejects", "comments"]), which=st.integers(0, 9),
          where=st.integers(0, 99))
    def reviewer_works_in_the_doc(self, work: str, which: int, where: int) -> None:
        if work in ("types", "suggests"):
            self.reviewer_adds_words(which, where, work == "suggests")
        elif work in ("accepts", "rejects"):
            self.reviewer_settles_a_suggestion(which, where, work == "accepts")
        else:
            self.reviewer_comments(which)

    def reviewer_adds_words(self, which: int, where: int, suggest: bool) -> None:
        post = self.reviewable()[which % len(self.reviewable())]
        spots = [p for p in paragraphs_of(self.document(post)) if p.plain and p.text.strip()]
        if not spots:
            return
        self.counter += 1
        token = f" REVIEWER WORDS {self.counter}."
        body: dict = {"requests": [{"insertText": {"location": {"index": spots[where % len(spots)].end - 1},
                                                   "text": token}}]}
        if suggest:
            body["writeControl"] = {"writeMode": "SUGGEST"}
        self.reviewer_docs.documents().batchUpdate(documentId=post.doc_id, body=body).execute()
        post.tokens.add(token.strip())
        self.reviewer_touched(post)

    def reviewer_settles_a_suggestion(self, which: int, pick: int, accept: bool = True) -> None:
        post = self.reviewable()[which % len(self.reviewable())]
        ids = suggestion_ids(self.document(post))
        if not ids:
            return
        kind = "acceptSuggestion" if accept else "rejectSuggestion"
        self.reviewer_docs.documents().batchUpdate(documentId=post.doc_id, body={
            "requests": [{kind: {"suggestionId": ids[pick % len(ids)]}}]}).execute()
        self.reviewer_touched(post)

    def reviewer_touched(self, post: PostModel) -> None:
        """Words the reviewer's own action removed no longer need to stay."""
        inline = views_of(self.document(post)).inline
        post.tokens = {token for token in post.tokens if token in inline}
        post.touched = True

    def reviewer_comments(self, which: int, where: int = 0) -> None:
        post = self.reviewable()[which % len(self.reviewable())]
        self.reviewer_drive.comments().create(fileId=post.doc_id, fields="id", body={
            "content": "Could this be shorter?", "quotedFileContent": {"mimeType": "text/html", "value": "Post"}
        }).execute()

    def answer_the_approval(self, which: int, approve: bool) -> None:
        post = self.reviewable()[which % len(self.reviewable())]
        running = [a for a in self.approvals(post) if a["status"] == "IN_PROGRESS"]
        if not running:
            return
        verb = self.reviewer_drive.approvals().approve if approve else self.reviewer_drive.approvals().decline
        verb(fileId=post.doc_id, approvalId=running[0]["approvalId"], body={}, fields="status").execute()
        event("reviewer approved" if approve else "reviewer declined")
        post.touched = True
        if approve:
            post.approved = running[0]["approvalId"]

    @precondition(lambda self: self.reviewable())
    @rule(which=st.integers(0, 9))
    def reviewer_approves(self, which: int) -> None:
        self.answer_the_approval(which, approve=True)

    @precondition(lambda self: self.reviewable())
    @rule(which=st.integers(0, 9))
    def reviewer_declines(self, which: int) -> None:
        self.answer_the_approval(which, approve=False)

    # --- the worker ---

    @rule()
    def export(self) -> None:
        before = self.snapshot()
        code, report = self.cli("export", "--json")
        self.check_export(before, report, code)

    def check_export(self, before: dict[str, Views], report: dict, code: int, *, others: dict | None = None) -> None:
        outcomes = {p["post_id"]: p for p in report.get("posts", [])}
        assert code in (0, 1), report
        for name, post_id in self.copies.items():
            rows = [p for p in report["posts"] if p["post_id"] == post_id]
            assert {r["state"] for r in rows} == {"failed"} and len(rows) == 2, rows
            assert all("also the id of" in r["error"] for r in rows)
        self.learn_doc_ids()
        for post in self.live():
            row = outcomes.get(post.post_id)
            assert row is not None, f"{post.post_id} not in the report"
            state = row["state"]
            if self.after_kill:
                assert CLAIMED not in (row.get("note") or ""), "a dead run's claim was not taken over"
            if state == "failed":
                continue
            if state == "skipped":
                assert post.approved is not None or CLAIMED in (row.get("note") or ""), row
                continue
            views = views_of(self.document(post))
            if state == "unchanged":
                assert post.base == post.rendered or post.approved is not None, (post.base, post.paras)
                if post.post_id in before:
                    assert (views.accepted, views.rejected) == (before[post.post_id].accepted,
                                                                before[post.post_id].rejected)
                post.base = list(post.rendered)
                continue
            assert state in ("created", "updated", "suggested"), row
            if state == "updated":
                assert not post.touched or post.maybe_touched, f"{post.post_id}: replaced a touched Doc"
            if state == "suggested" and not post.touched:
                assert post.maybe_touched, f"{post.post_id}: suggestions into an untouched Doc"
            empty = Views("\n", "\n", "\n", paragraphs_of({"body": {"content": []}}))
            self.check_written(post, before.get(post.post_id, empty), views, state)
            post.maybe_touched = False if state != "updated" else post.maybe_touched and False
            post.exported_once = True
            running = [a for a in self.approvals(post) if a["status"] == "IN_PROGRESS"]
            assert len(running) == 1, f"{post.post_id}: {len(running)} approvals in progress after it went out"
        self.observe_unknown(before, {pid: row["state"] for pid, row in outcomes.items()})
        self.after_kill = False

    @rule()
    def reviews_sync(self) -> None:
        self.sync("reviews", "--sync", "--json")

    @rule()
    def service_reviews_job(self) -> None:
        self.sync("run", "--once", "--job", "reviews", "--json")

    def sync(self, *args: str) -> None:
        """`workflow reviews --sync`, or the service's reviews job: approvals come home."""
        pending = {p.post_id: approved_markdown(self.document(p, "PREVIEW_WITHOUT_SUGGESTIONS"))
                   for p in self.posts.values() if p.approved and p.name in self.files}
        code, _report = self.cli(*args)
        assert code in (0, 1)
        if not any(p.approved and p.name not in self.files for p in self.posts.values()):
            assert code == 0
        self.check_brought_home(pending)

    def check_brought_home(self, pending: dict[str, str]) -> None:
        for post_id, markdown in pending.items():
            post = self.posts[post_id]
            path = self.root / "posts" / post.name
            text = path.read_text(encoding="utf-8")
            if post.base == post.rendered:  # the file the Doc came from gets it, even while a copy shares its id
                front, body = text.split("\n---\n", 1)
                assert body == markdown, (body, markdown)
                assert "status: approved" in front
                post.front = front.split("\n")[1:]
                post.paras = body.rstrip("\n").split("\n\n")
                post.base = list(post.rendered)
                self.files[post.name] = text
            else:
                assert text == self.files[post.name], "the author's changed post was overwritten"
                sides = sorted(set(p.name for p in path.parent.glob("*.approved.md")) - set(self.files))
                assert len(sides) == 1, sides
                side = (path.parent / sides[0]).read_text(encoding="utf-8")
                assert side.split("\n---\n", 1)[1] == markdown
                self.files[sides[0]] = side
            post.approved = None
            event("an approval came home")

    # --- runs that overlap, die, or meet a failing Google ---

    def fork_export(self, fault: dict) -> tuple[int, Path]:
        """`workflow export --json` in a child process, held at its Nth API call by `fault`."""
        out = self.root / f"child-{self.counter}.json"
        self.counter += 1
        control(self.sandbox, "POST", "faults", fault)
        pid = os.fork()
        if pid == 0:  # the child: a second `workflow export` process
            code = 99
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
                with open(out, "w", encoding="utf-8") as handle, contextlib.redirect_stdout(handle):
                    code = main(["export", "--json"])
            finally:
                os._exit(code)
        return pid, out

    def held(self, pid: int) -> int | None:
        """Wait until the child reaches the held call (None) or ends first (its exit status)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not control(self.sandbox, "GET", "faults"):
                return None
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.01)
        raise AssertionError("the child export neither reached its call nor ended")

    @precondition(lambda self: self.live())
    @rule(call=st.integers(0, 30))
    def export_killed_at_a_call(self, call: int) -> None:
        before = self.snapshot()
        seen = len(control(self.sandbox, "GET", "requests"))
        pid, out = self.fork_export({"method": "*", "kind": "delay", "seconds": 0.3, "after": call})
        ended = self.held(pid)
        control(self.sandbox, "DELETE", "faults")
        if ended is not None:  # it finished before its call `call`: an ordinary export
            self.check_export(before, json.loads(out.read_text(encoding="utf-8")), ended)
            return
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        deadline = time.monotonic() + 5  # the held call still lands, as a request Google got would
        while len(control(self.sandbox, "GET", "requests")) <= seen + call and time.monotonic() < deadline:
            time.sleep(0.02)
        self.after_kill = True
        self.observe_unknown(before, {})
        for post in self.live():
            if post.doc_id and not post.exported_once:
                post.exported_once = bool(self.approvals(post))

    @precondition(lambda self: self.live())
    @rule(call=st.integers(0, 12))
    def two_exports_overlap(self, call: int) -> None:
        before = self.snapshot()
        pid, out = self.fork_export({"method": "*", "kind": "delay", "seconds": 0.3, "after": call})
        ended = self.held(pid)
        code, report = self.cli("export", "--json")
        if ended is None:
            ended = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        control(self.sandbox, "DELETE", "faults")
        child = json.loads(out.read_text(encoding="utf-8"))
        assert ended in (0, 1), child
        sent = ("created", "updated", "suggested")
        merged = dict(report, posts=[])
        mine = {p["path"]: p for p in report["posts"]}
        theirs = {p["path"]: p for p in child["posts"]}
        for path in set(mine) | set(theirs):
            a, b = mine.get(path, {}), theirs.get(path, {})
            assert not (a.get("state") in sent and b.get("state") in sent), (a, b)
            merged["posts"].append(b if b.get("state") in sent or a.get("state") in ("skipped", None) else a)
        self.check_export(before, merged, code)

    @precondition(lambda self: self.live())
    @rule(fault=st.sampled_from(FAULTS), sync=st.booleans())
    def google_fails(self, fault: tuple[str, dict], sync: bool) -> None:
        method, kind = fault
        before = self.snapshot()
        pending = {p.post_id: approved_markdown(self.document(p, "PREVIEW_WITHOUT_SUGGESTIONS"))
                   for p in self.posts.values() if p.approved and p.name in self.files}
        control(self.sandbox, "POST", "faults", {"method": method, **kind})
        try:
            code, report = self.cli(*(("reviews", "--sync", "--json") if sync else ("export", "--json")))
        finally:
            control(self.sandbox, "DELETE", "faults")
        assert code in (0, 1), report
        if not sync:
            self.check_export(before, report, code)
            return
        sides = set(p.name for p in (self.root / "posts").glob("*.approved.md")) - set(self.files)
        brought = {pid for pid in pending if sides or (self.root / "posts" / self.posts[pid].name).read_text(
            encoding="utf-8") != self.files[self.posts[pid].name]}
        self.check_brought_home({pid: pending[pid] for pid in brought})

    # --- invariants ---

    @invariant()
    def one_doc_per_post_and_no_doc_without_one(self) -> None:
        keys = [doc.get("appProperties", {}).get("workflowPostKey") for doc in self.review_docs()]
        assert len(keys) == len(set(keys)), f"{len(keys)} Docs for {len(set(keys))} posts"
        assert set(keys) <= {post_key(pid) for pid in self.ever_ids}, "a Doc without a post"

    @invariant()
    def reviewer_words_stay(self) -> None:
        for post in self.posts.values():
            if post.tokens:
                inline = views_of(self.document(post)).inline
                missing = [token for token in post.tokens if token not in inline]
                assert not missing, f"{post.post_id}: reviewer words lost: {missing}"

    @invariant()
    def post_files_change_only_by_authors_or_approval(self) -> None:
        found = {path.name: path.read_text(encoding="utf-8") for path in (self.root / "posts").iterdir()
                 if path.is_file()}
        assert found == self.files, {name for name in set(found) | set(self.files)
                                     if found.get(name) != self.files.get(name)}


def test_the_review_lifecycle_keeps_reviewers_work_and_one_doc_per_post(sandbox):
    Lifecycle.sandbox = sandbox
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    if not os.environ.get("LIFECYCLE_NO_SHRINK"):
        phases.append(Phase.shrink)
    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=EXAMPLES <= 10,
        suppress_health_check=list(HealthCheck), phases=phases))
