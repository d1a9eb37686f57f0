"""Model-based test of the topic Sheet sync: editors in the Sheet, the command line, assign, review
polls (whose folder listing a sync may trust) and syncs (some hit by faults) in any order. After every sync that succeeds, checked against the issue's rules
as read from the Sheet before it (an oracle that shares no code with the merge):

- nothing lost: every title an editor left in a row is a live topic, or still in the Sheet with a
  Message saying why not; every live topic stays live unless its row asked for removal;
- nothing duplicated: no two rows with one ID, no more new topics than new titles in the Sheet;
- the Sheet and the queue agree: one row per live topic, queued ones first in queue order, each
  row showing its topic (or a Message about a bad cell); a second sync changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sandbox_fixtures import OWNER, control, editor_sheets, write_key_file

from workflow.config import load_config
from workflow.errors import UserError
from workflow.google.clients import connect
from workflow.queue import topics
from workflow.queue.assign import assign_topics
from workflow.queue.sheet import sync_topic_sheet
from workflow.reviews import sync_reviews
from workflow.sandbox import start
from workflow.store import open_store

EDITOR = "ana@example.com"
TITLES = ["Quiet mornings", "quiet Mornings!", "Listening without fixing", "Small rituals", "Kind words",
          "Money talks", "Sleep together", "Love letters", "Repair after a fight", "x" * 300]
PRIORITIES = ["", "high", "normal", "low", "urgent"]
COLUMNS = {"ID": "A", "Title": "B", "Priority": "C", "Due": "D", "Notes": "E", "Status": "G", "Message": "K"}
FAULT_METHODS = ["drive.files.get", "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchUpdate"]


def folded(title: str) -> str:
    """The oracle's own notion of "the same title" (the pool is plain ASCII)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", title.casefold()).split())


@pytest.fixture(scope="module")
def machine_sandbox():
    running = start()
    yield running
    running.stop()


CONFIG = """
[google]
endpoint = "{url}"
credentials = "{key}"
subject = "{owner}"
max_retries = 0
request_timeout_seconds = 5
drive_requests_per_minute = 100000
sheets_requests_per_minute = 100000
[topics]
sheet = true
editors = ["{editor}"]
[review]
notify = false
[[writers]]
name = "sam"
email = "sam@example.com"
capacity = 2
"""


class Shared:
    """What every example reuses (building clients and keys is slow): the worker's key and session,
    the editor's client. Each example gets its own store, review folder and Sheet."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.folder = Path(tempfile.mkdtemp(prefix="sheet-model-"))
        self.key = write_key_file(sandbox, self.folder)
        os.chmod(self.key, 0o600)
        self.session = connect(self.config(self.folder))
        self.editor = editor_sheets(sandbox, EDITOR).spreadsheets()

    def config(self, root: Path):
        (root / "config").mkdir(exist_ok=True)
        path = root / "config" / "workflow.toml"
        path.write_text(CONFIG.format(url=self.sandbox.url, key=self.key, owner=OWNER, editor=EDITOR), encoding="utf-8")
        return load_config(path, root=root)


class SheetSync(RuleBasedStateMachine):
    shared: Shared

    @initialize()
    def set_up(self) -> None:
        control(self.shared.sandbox, "DELETE", "faults")
        self.root = Path(tempfile.mkdtemp(prefix="sheet-model-site-"))
        self.config = self.shared.config(self.root)
        self.store = open_store(self.config.state_url)
        self.session = self.shared.session
        self.sandbox = self.shared.sandbox
        report = self.sync()
        assert report.error is None, report.error
        self.sheet_id = report.url.split("/spreadsheets/d/")[1].split("/")[0]
        self.editor = self.shared.editor
        self.gid = next(s["properties"]["sheetId"] for s in self.editor.get(spreadsheetId=self.sheet_id).execute()["sheets"]
                        if s["properties"]["title"] == "Topics")
        self.ever_live: set[int] = set()
        self.polled = False

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()
        if hasattr(self, "root"):
            shutil.rmtree(self.root, ignore_errors=True)

    # --- what the actors see and do ---

    def sync(self):
        return sync_topic_sheet(self.config, self.store, self.session, holder="model")

    def rows(self) -> list[list[str]]:
        got = self.editor.values().get(spreadsheetId=self.sheet_id, range="Topics!A2:K").execute().get("values", [])
        return [row + [""] * (11 - len(row)) for row in got]

    def queue(self) -> dict[int, topics.Topic]:
        return {t.id: t for t in topics.list_topics(self.store, include_all=True)}

    def type(self, row_index: int, column: str, text: str) -> None:
        rows = self.rows()
        if not rows:
            return
        number = row_index % len(rows) + 2
        self.editor.values().update(spreadsheetId=self.sheet_id, range=f"Topics!{COLUMNS[column]}{number}",
                                    valueInputOption="USER_ENTERED", body={"values": [[text]]}).execute()

    def dimension(self, request: str, body: dict) -> None:
        self.editor.batchUpdate(spreadsheetId=self.sheet_id, body={"requests": [{request: body}]}).execute()

    @rule(title=st.sampled_from(TITLES), priority=st.sampled_from(PRIORITIES),
          due=st.sampled_from(["", "2026-12-04", "someday"]))
    def editor_adds_a_row(self, title, priority, due):
        self.editor.values().append(spreadsheetId=self.sheet_id, range="Topics!A1:K", valueInputOption="USER_ENTERED",
                                    body={"values": [["", title, priority, due]]}).execute()

    @rule(row=st.integers(0, 40), column=st.sampled_from(["Title", "Priority", "Due", "Notes", "ID"]),
          text=st.sampled_from(["", "high", "low", "bogus", "2026-01-05", "Fresh idea", "Kind words", "7"]))
    def editor_types(self, row, column, text):
        self.type(row, column, text)

    @rule(row=st.integers(0, 40))
    def editor_asks_to_remove(self, row):
        self.type(row, "Status", "remove")

    @rule(source=st.integers(0, 40), destination=st.integers(0, 40))
    def editor_drags_a_row(self, source, destination):
        count = len(self.rows())
        if count > 1:
            start = source % count + 1
            self.dimension("moveDimension", {"source": {"sheetId": self.gid, "dimension": "ROWS", "startIndex": start,
                                                        "endIndex": start + 1},
                                             "destinationIndex": destination % count + 1})

    @rule(row=st.integers(0, 40))
    def editor_deletes_a_row(self, row):
        count = len(self.rows())
        if count:
            index = row % count + 1
            self.dimension("deleteDimension", {"range": {"sheetId": self.gid, "dimension": "ROWS",
                                                         "startIndex": index, "endIndex": index + 1}})

    @rule(title=st.sampled_from(TITLES), priority=st.sampled_from(["high", "normal", "low"]))
    def cli_adds(self, title, priority):
        try:
            topics.add_topic(self.store, topics.new_topic(title, priority=priority))
        except UserError:
            pass

    @rule(pick=st.integers(0, 40), where=st.sampled_from(["top", "bottom", "before"]))
    def cli_moves(self, pick, where):
        queued = [t.id for t in self.queue().values() if t.status == "queued"]
        if len(queued) > 1:
            topic_id = queued[pick % len(queued)]
            anchor = queued[(pick + 1) % len(queued)]
            topics.move_topic(self.store, topic_id, before=anchor if where == "before" else None,
                              to=None if where == "before" else where)

    @rule(pick=st.integers(0, 40))
    def cli_removes(self, pick):
        queued = [t.id for t in self.queue().values() if t.status == "queued"]
        if queued:
            topics.remove_topic(self.store, queued[pick % len(queued)])

    @rule()
    def assign(self):
        assign_topics(self.store, self.config)

    @rule()
    def review_poll(self):
        sync_reviews(self.config, self.store, self.session)    # its folder listing gives the Sheet's version
        self.polled = True

    # --- syncs, checked against the rules ---

    @rule()
    def sync_cleanly(self):
        self.check_sync(fault=None)

    @rule(method=st.sampled_from(FAULT_METHODS), kind=st.sampled_from(["status", "commit_then_fail"]))
    def sync_hit_by_a_fault(self, method, kind):
        self.check_sync(fault={"method": method, "kind": kind, "status": 503})

    def check_sync(self, fault: dict | None) -> None:
        before_rows, before = self.rows(), self.queue()
        if self.polled:     # the sync right after a poll trusts its listing: edits made since wait for the next one
            self.polled = False
            self.sync()
        if fault:
            control(self.sandbox, "POST", "faults", fault)
            self.sync()                             # may fail: the next one must repair everything
            control(self.sandbox, "DELETE", "faults")
        report = self.sync()
        assert report.error is None, report.error
        after_rows, after = self.rows(), self.queue()
        live = {i: t for i, t in after.items() if t.status != "removed"}
        ids_in_rows = [row[0] for row in before_rows if row[0]]
        removal_asked: set[int] = set()
        for row in before_rows:
            topic_id = int(row[0]) if row[0].isdigit() else None
            title = " ".join(row[1].split())
            unique = topic_id is not None and ids_in_rows.count(row[0]) == 1
            if unique and topic_id in before and before[topic_id].status == "queued":
                if not title or row[6].strip().lower() == "remove":
                    removal_asked.add(topic_id)
                    assert after[topic_id].status == "removed", f"#{topic_id} should be off the queue"
                else:
                    shown = next(r for r in after_rows if r[0] == row[0])
                    assert topic_id in live and (folded(live[topic_id].title) == folded(title) or shown[10]), \
                        f"row {row} did not reach #{topic_id}"
            elif title and row[6].strip().lower() != "remove" and (topic_id is None or topic_id not in before):
                assert any(folded(t.title) == folded(title) for t in live.values()) or any(
                    r[1] == row[1] and r[10] for r in after_rows), f"row {row} was lost"
        for topic_id, topic in before.items():
            if topic.status != "removed" and topic_id not in removal_asked:
                assert topic_id in live, f"#{topic_id} {topic.title!r} was lost"
        new_titles = {folded(row[1]) for row in before_rows if row[1].strip() and not row[0].isdigit()}
        assert len(set(after) - set(before)) <= len(new_titles | {folded(row[1]) for row in before_rows}), \
            "more topics than titles"
        self.check_agreement(after_rows, live)
        again = self.sync()
        assert again.error is None and again.written == 0 and again.api_calls <= 2, again.to_json()

    def check_agreement(self, rows: list[list[str]], live: dict[int, topics.Topic]) -> None:
        ids = [int(row[0]) for row in rows if row[0]]
        assert len(ids) == len(set(ids)), f"an ID twice in {rows}"
        assert set(ids) == set(live), f"rows {sorted(ids)} but live topics {sorted(live)}"
        assert all(row[10] for row in rows if not row[0]), "a row without ID and without a Message"
        queued = [t.id for t in topics.list_topics(self.store)]
        assert [i for i in ids if live[i].status == "queued"] == queued == ids[:len(queued)]
        for row in rows:
            if row[0]:
                topic = live[int(row[0])]
                assert (row[6] == "queued") == (topic.status == "queued")
                assert row[10] or (row[1] == topic.title and row[2] == topic.priority and row[3] == (topic.due or ""))

    @invariant()
    def topics_never_come_back_or_vanish(self):
        if not hasattr(self, "store"):
            return
        now = self.queue()
        assert self.ever_live <= set(now), "a topic disappeared from the store"
        self.ever_live = set(now)


def test_sheet_sync_model(machine_sandbox):
    SheetSync.shared = Shared(machine_sandbox)
    try:
        run_state_machine_as_test(SheetSync, settings=settings(
            max_examples=int(os.environ.get("SHEET_MODEL_EXAMPLES", "10")),
            stateful_step_count=int(os.environ.get("SHEET_MODEL_STEPS", "20")), deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    finally:
        SheetSync.shared.session.close()
        shutil.rmtree(SheetSync.shared.folder, ignore_errors=True)
