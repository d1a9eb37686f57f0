"""The topic queue's Google Sheet end to end: the worker (CLI) and editors (Google's own editor,
through /_sandbox/users tokens) talk to the sandbox over HTTP through the real client."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from sandbox_fixtures import OWNER, control, editor_sheets, reviewer_clients

from workflow.config import load_config
from workflow.errors import ConfigError
from workflow.queue.topics import normalize_title
from workflow.service.schedules import configured_schedules
from workflow.store import open_store
from workflow.store import run_queries as rq
from workflow.store import tables

EDITOR = "ana@example.com"
SECOND_EDITOR = "ben@example.com"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
HEADER = ["ID", "Title", "Priority", "Due", "Notes", "Requested by", "Status", "Writer", "Draft", "Review", "Message"]


def configure(google_site, *, retries: int = 5, capacity: int = 1, extra: str = "",
              editors: tuple[str, ...] = (EDITOR, SECOND_EDITOR)) -> None:
    emails = ", ".join(f'"{email}"' for email in editors)
    google_site.configure(f"""
        [topics]
        sheet = true
        editors = [{emails}]
        {extra}

        [[writers]]
        name = "sam"
        email = "sam@example.com"
        capacity = {capacity}
    """, google=f"max_retries = {retries}")


def sync(cli, *args: str) -> dict:
    result = cli("topics", "sync", "--json", *args)
    assert "Traceback" not in result.err, result.err
    return result.json


class SheetEditor:
    """An editor in Google Sheets: reads what they see, types, drags and deletes rows."""

    def __init__(self, google_site, sheet_url: str, email: str = EDITOR) -> None:
        self.id = sheet_url.split("/spreadsheets/d/")[1].split("/")[0]
        self.api = editor_sheets(google_site.sandbox, email).spreadsheets()

    def rows(self) -> list[list[str]]:
        got = self.api.values().get(spreadsheetId=self.id, range="Topics!A1:K").execute().get("values", [])
        return [row + [""] * (11 - len(row)) for row in got]

    def row(self, title: str) -> tuple[int, dict[str, str]]:
        """(1-based row number, {column: text}) of the row with this Title."""
        for number, row in enumerate(self.rows(), start=1):
            if row[1] == title:
                return number, dict(zip(HEADER, row))
        raise AssertionError(f"no row {title!r} in {self.rows()}")

    def append(self, *rows: list[str]) -> None:
        self.api.values().append(spreadsheetId=self.id, range="Topics!A1:K", valueInputOption="USER_ENTERED",
                                 body={"values": [list(r) for r in rows]}).execute()

    def type(self, title: str, column: str, text: str) -> None:
        number, _ = self.row(title)
        letter = "ABCDEFGHIJK"[HEADER.index(column)]
        self.api.values().update(spreadsheetId=self.id, range=f"Topics!{letter}{number}",
                                 valueInputOption="USER_ENTERED", body={"values": [[text]]}).execute()

    def drag(self, title: str, above: str) -> None:
        source, _ = self.row(title)
        target, _ = self.row(above)
        self._batch({"moveDimension": {"source": {"sheetId": self.gid(), "dimension": "ROWS",
                                                  "startIndex": source - 1, "endIndex": source},
                                       "destinationIndex": target - 1}})

    def delete(self, title: str) -> None:
        number, _ = self.row(title)
        self._batch({"deleteDimension": {"range": {"sheetId": self.gid(), "dimension": "ROWS",
                                                   "startIndex": number - 1, "endIndex": number}}})

    def gid(self) -> int:
        sheets = self.api.get(spreadsheetId=self.id).execute()["sheets"]
        return next(s["properties"]["sheetId"] for s in sheets if s["properties"]["title"] == "Topics")

    def _batch(self, request: dict) -> None:
        self.api.batchUpdate(spreadsheetId=self.id, body={"requests": [request]}).execute()


def queue(cli) -> list[dict]:
    return cli("topics", "list", "--all", "--json").json


def live_titles(cli) -> list[str]:
    return [t["title"] for t in queue(cli) if t["status"] != "removed"]


def api_calls_of(google_site, action) -> list[str]:
    before = len(google_site.api_calls())
    action()
    return [r["method"] for r in google_site.api_calls()[before:]]


def test_editors_queue_rows_reorder_them_and_see_assignments(google_site, cli):
    """The issue's acceptance story, through the real client both sides."""
    configure(google_site)
    assert cli("topics", "add", "Listening Without Fixing").code == 0
    first = sync(cli)
    assert first["created"] and first["error"] is None and sorted(first["shared"]) == sorted(
        [EDITOR, SECOND_EDITOR, "editor@example.com"])
    editor = SheetEditor(google_site, first["url"])
    assert editor.rows()[0] == HEADER and editor.rows()[1][:3] == ["1", "Listening Without Fixing", "normal"]

    editor.append(["", "How to Build Emotional Intimacy Without Saying a Word", "normal", "", "", "Ana"],
                  ["", "Quiet Mornings", "low", "2026-12-04", "Short and practical"],
                  ["", "listening without fixing!", "high"])
    report = sync(cli)
    assert (report["queued"], report["refused"]) == (2, 1)
    _, duplicate = editor.row("listening without fixing!")
    assert duplicate["ID"] == "" and duplicate["Message"] == "duplicate of #1"
    _, quiet = editor.row("Quiet Mornings")
    assert quiet["ID"] == "3" and quiet["Due"] == "2026-12-04" and quiet["Status"] == "queued"
    topics = {t["title"]: t for t in queue(cli)}
    assert topics["Quiet Mornings"]["due"] == "2026-12-04" and topics["Quiet Mornings"]["notes"] == "Short and practical"
    assert topics["How to Build Emotional Intimacy Without Saying a Word"]["added_by"] == "Ana"

    editor.type("Quiet Mornings", "Priority", "high")
    editor.drag("How to Build Emotional Intimacy Without Saying a Word", above="Listening Without Fixing")
    report = sync(cli)
    assert report["updated"] == 1 and report["reordered"] == 1
    assert live_titles(cli) == ["Quiet Mornings", "How to Build Emotional Intimacy Without Saying a Word",
                                "Listening Without Fixing"]

    assigned = cli("assign")                # hands the top topic to sam, then syncs the Sheet
    assert assigned.code == 0 and "topic Sheet:" in assigned.out
    _, quiet = editor.row("Quiet Mornings")
    assert (quiet["Status"], quiet["Writer"], quiet["Draft"]) == ("assigned", "sam", "drafts/quiet-mornings.md")
    assert editor.rows()[-2][1] == "listening without fixing!"   # refused row after the queue, before the assigned one
    assert api_calls_of(google_site, lambda: sync(cli)) == ["drive.files.get"]   # idle: one call
    idle = cli("topics", "sync")
    assert idle.code == 0 and idle.out.splitlines() == [
        f"Topic Sheet: {first['url']}", "  row 4: “listening without fixing!”: duplicate of #1",   # still refused
        "unchanged since the last read (4 rows); refused 1; nothing to write (1 API call)"]


def test_after_a_review_poll_an_idle_sync_asks_google_nothing(google_site, cli):
    """The review poll lists the folder the Sheet is in: its Drive version there spares the sync a call."""
    configure(google_site)
    cli("topics", "add", "Polled Topic")
    url = sync(cli)["url"]
    sync(cli)                                   # reads back the first write (sharing moved the version)
    assert cli("reviews", "--sync").code == 0
    assert api_calls_of(google_site, lambda: sync(cli)) == []
    assert api_calls_of(google_site, lambda: sync(cli)) == ["drive.files.get"]    # no listing since the last sync
    editor = SheetEditor(google_site, url)
    editor.type("Polled Topic", "Notes", "typed between two polls")
    cli("reviews", "--sync")
    assert api_calls_of(google_site, lambda: sync(cli)) == ["drive.files.get", "sheets.spreadsheets.values.get"]
    assert queue(cli)[0]["notes"] == "typed between two polls"
    cli("reviews", "--sync")
    editor.append(["", "Typed After The Poll"])         # the listing is older than this row ...
    cli("topics", "add", "Added After The Poll")         # ... which the command line's new row must not cover
    calls = api_calls_of(google_site, lambda: sync(cli))
    assert sorted(live_titles(cli)) == ["Added After The Poll", "Polled Topic", "Typed After The Poll"]
    assert [row[1] for row in editor.rows()[1:]] == live_titles(cli)
    assert calls == ["drive.files.get", "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchUpdate"]
    sync(cli)
    cli("reviews", "--sync")
    configure(google_site, editors=(EDITOR, SECOND_EDITOR, "cleo@example.com"))
    calls = api_calls_of(google_site, lambda: sync(cli))     # someone new to share with: the sync asks Drive
    assert calls[0] == "drive.files.get" and "drive.permissions.create" in calls
    owner_drive, _docs = reviewer_clients(google_site.sandbox, OWNER)
    owner_drive.files().update(fileId=editor.id, body={"trashed": True}).execute()
    cli("reviews", "--sync")                    # a trashed Sheet is not listed: the sync asks Drive, and says so
    assert "in the Drive trash" in cli("topics", "sync").err


def test_the_sheet_is_made_once_in_the_review_folder_shared_and_laid_out(google_site, cli):
    configure(google_site)
    cli("topics", "add", "Laid Out Topic")
    editor = SheetEditor(google_site, sync(cli)["url"])
    owner_drive, _docs = reviewer_clients(google_site.sandbox, OWNER)
    [folder] = owner_drive.files().list(q="mimeType = 'application/vnd.google-apps.folder'",
                                        fields="files(id,name)").execute()["files"]
    sheets = owner_drive.files().list(q=f"mimeType = '{SHEET_MIME}'", fields="files(id,name,parents)").execute()
    assert sheets["files"] == [{"id": editor.id, "name": "Topic queue", "parents": [folder["id"]]}]
    permissions = owner_drive.permissions().list(fileId=editor.id, fields="permissions(emailAddress,role)").execute()
    roles = {p.get("emailAddress"): p["role"] for p in permissions["permissions"]}
    assert {email: roles.get(email) for email in (EDITOR, SECOND_EDITOR, "editor@example.com")} == {
        EDITOR: "writer", SECOND_EDITOR: "writer", "editor@example.com": "reader"}    # editors write, reviewers read
    got = editor.api.get(spreadsheetId=editor.id, ranges=["Topics!A1:K2"], includeGridData=True).execute()
    first = got["sheets"][0]
    assert first["properties"]["title"] == "Topics" and first["properties"]["gridProperties"]["frozenRowCount"] == 1
    [header, row] = first["data"][0]["rowData"]
    assert [cell.get("formattedValue") for cell in header["values"]] == HEADER
    cells = dict(zip(HEADER, row["values"]))
    priority = cells["Priority"]["dataValidation"]
    assert priority["condition"]["type"] == "ONE_OF_LIST" and priority["showCustomUi"] and priority["strict"]
    assert [v["userEnteredValue"] for v in priority["condition"]["values"]] == ["high", "normal", "low"]
    assert cells["Due"]["dataValidation"]["condition"]["type"] == "DATE_IS_VALID"
    protected = {}
    for p in first["protectedRanges"]:
        assert p["warningOnly"] is True                      # editors are warned, not blocked
        protected.update({HEADER[c]: p["description"] for c in range(p["range"].get("startColumnIndex", 0),
                                                                       min(p["range"].get("endColumnIndex", 11), 11))
                          if "startColumnIndex" in p["range"]})
    assert sorted(protected) == sorted(["ID", "Status", "Writer", "Draft", "Review", "Message"])
    assert sync(cli)["created"] is False and len(owner_drive.files().list(
        q=f"mimeType = '{SHEET_MIME}'", fields="files(id)").execute()["files"]) == 1


def test_the_row_follows_the_draft_into_review_and_approval(google_site, cli):
    configure(google_site, retries=0)
    cli("topics", "add", "Notes Left On The Fridge")
    editor = SheetEditor(google_site, sync(cli)["url"])
    assert cli("assign").code == 0
    _, row = editor.row("Notes Left On The Fridge")
    assert (row["Status"], row["Writer"], row["Review"]) == ("assigned", "sam", "")
    draft = google_site.site.root / row["Draft"]
    finished = draft.read_text().replace("status: draft", "status: ready") + "\nThe finished post.\n"
    (google_site.site.posts / draft.name).write_text(finished)
    draft.unlink()
    google_site.fault(method="docs.documents.batchUpdate", kind="status", status=503)
    assert cli("export").code == 1                         # the post never reached its Doc: not in review yet
    sync(cli)
    assert editor.row("Notes Left On The Fridge")[1]["Status"] == "assigned"
    exported = cli("export", "--json")
    assert exported.code == 0, exported.err
    [post] = exported.json["posts"]
    sync(cli)
    _, row = editor.row("Notes Left On The Fridge")
    assert (row["Status"], row["Review"]) == ("in review", post["url"])
    reviewer_drive, _docs = reviewer_clients(google_site.sandbox, "editor@example.com")
    [approval] = reviewer_drive.approvals().list(fileId=post["doc_id"], fields="items(approvalId)").execute()["items"]
    reviewer_drive.approvals().approve(fileId=post["doc_id"], approvalId=approval["approvalId"], body={}).execute()
    assert cli("reviews", "--sync").code == 0
    sync(cli)
    _, row = editor.row("Notes Left On The Fridge")
    assert (row["Status"], row["Writer"], row["Review"]) == ("approved", "sam", post["url"])


def test_command_line_changes_show_up_and_the_sheet_wins_conflicts(google_site, cli):
    configure(google_site)
    for title in ("Alpha Topic", "Bravo Topic", "Charlie Topic"):
        cli("topics", "add", title)
    editor = SheetEditor(google_site, sync(cli)["url"])
    cli("topics", "add", "Delta Topic", "--priority", "high")
    cli("topics", "move", "3", "--top")
    cli("topics", "remove", "2")
    cli("topics", "move", "1", "--before", "4")            # Alpha takes Delta's priority: high
    editor.type("Alpha Topic", "Priority", "low")            # ... while an editor makes it low
    report = sync(cli)
    assert report["conflicts"] == 1 and report["error"] is None
    assert [row[1] for row in editor.rows()[1:]] == ["Delta Topic", "Charlie Topic", "Alpha Topic"]
    _, alpha = editor.row("Alpha Topic")
    assert alpha["Priority"] == "low"
    assert alpha["Message"] == "Priority: the Sheet's “low” replaced “high” set from the command line"
    assert {t["title"]: t["priority"] for t in queue(cli) if t["status"] == "queued"}["Alpha Topic"] == "low"
    editor.type("Alpha Topic", "Message", "")               # read: the editor dismisses the message
    sync(cli)
    assert editor.row("Alpha Topic")[1]["Message"] == ""


def test_bad_cells_leave_the_topic_as_it_was_and_say_why(google_site, cli):
    configure(google_site)
    for title in ("Kind Words", "Small Rituals", "Gone Soon", "Also Gone"):
        cli("topics", "add", title)
    editor = SheetEditor(google_site, sync(cli)["url"])
    editor.type("Kind Words", "Priority", "urgent")
    editor.type("Kind Words", "Notes", "fine notes")
    editor.type("Kind Words", "ID", "2026-01-05")           # a date typed over an ID
    editor.type("Small Rituals", "Due", "2026-13-45")
    editor.type("Gone Soon", "Title", "")
    editor.type("Also Gone", "Status", "remove")
    editor.append(["", "x" * 500], ["", "", "high", "", "notes without a title"], ["", "2026-01-05", "low"])
    report = sync(cli)
    assert report["removed"] == 2 and report["error"] is None
    _, kind = editor.row("Kind Words")
    assert kind["Priority"] == "urgent" and "priority must be one of high, normal, low" in kind["Message"]
    assert kind["ID"] == "1"                                   # the row was recognised and its ID shows as a number
    _, rituals = editor.row("Small Rituals")
    assert rituals["Due"] == "2026-13-45" and rituals["Message"] == "Due: due date 2026-13-45 does not exist: there is no month 13; the topic was left as it was"
    _, long_row = editor.row("x" * 500)
    assert long_row["ID"] == "" and "500 characters long (at most 200)" in long_row["Message"]
    assert any(row[4] == "notes without a title" and row[10] == "a topic needs a Title" for row in editor.rows())
    topics = {t["title"]: t for t in queue(cli)}
    assert topics["Kind Words"]["priority"] == "normal" and topics["Kind Words"]["notes"] == "fine notes"
    assert topics["Small Rituals"]["due"] is None
    assert topics["Gone Soon"]["status"] == topics["Also Gone"]["status"] == "removed"
    assert live_titles(cli) == ["Kind Words", "Small Rituals", "2026-01-05"]   # a title typed as a date stays text
    assert sync(cli)["written"] == 0                         # kept as the editor left it: stable
    editor.type("Kind Words", "Priority", "high")            # fixed: applied, the message goes
    sync(cli)
    assert editor.row("Kind Words")[1]["Message"] == "" and queue(cli)[0]["priority"] == "high"


def test_a_row_whose_title_is_already_an_open_draft_is_refused_not_queued(google_site, cli):
    """Issue 14's duplicate rule holds in the Sheet too: a title being written already is not queued again."""
    configure(google_site)
    drafts = google_site.site.root / "drafts"
    drafts.mkdir(exist_ok=True)
    (drafts / "quiet.md").write_text("---\ntitle: Quiet Mornings\nauthor: ana\nstatus: draft\n---\nOutline\n",
                                     encoding="utf-8")
    editor = SheetEditor(google_site, sync(cli)["url"])
    editor.append(["", "quiet mornings!"])

    report = sync(cli)

    assert report["queued"] == 0 and report["refused"] == 1
    [row] = [row for row in editor.rows() if row[1] == "quiet mornings!"]
    assert row[0] == "" and row[10] == 'topic already an open draft: drafts/quiet.md ("Quiet Mornings")'
    assert live_titles(cli) == []


def test_a_deleted_row_comes_back_and_a_row_deleted_mid_sync_is_repaired(google_site, cli):
    configure(google_site)
    for title in ("One Topic", "Two Topic", "Three Topic", "Four Topic"):
        cli("topics", "add", title)
    editor = SheetEditor(google_site, sync(cli)["url"])
    editor.delete("Two Topic")
    assert sync(cli)["restored"] == 1
    assert "this row was deleted in the Sheet and is back" in editor.row("Two Topic")[1]["Message"]
    # Now an editor deletes a row while the worker's write is on its way.
    cli("topics", "add", "Five Topic", "--priority", "high")
    google_site.fault(method="sheets.spreadsheets.values.batchUpdate", kind="delay", seconds=1.0)
    worker = threading.Thread(target=lambda: sync(cli))
    worker.start()
    deadline = time.monotonic() + 10
    while control(google_site.sandbox, "GET", "faults") and time.monotonic() < deadline:
        time.sleep(0.02)
    editor.delete("Three Topic")                               # lands before the delayed write
    worker.join()
    sync(cli)
    sync(cli)
    rows = editor.rows()[1:]
    assert sorted(row[1] for row in rows) == sorted(live_titles(cli)) == sorted(
        ["Five Topic", "One Topic", "Two Topic", "Three Topic", "Four Topic"])
    assert len({row[0] for row in rows}) == len(rows) and all(row[0] for row in rows)
    assert [row[1] for row in rows] == live_titles(cli)         # the queue's order


def test_rows_deleted_from_the_grid_by_hand_are_added_back_before_writing(google_site, cli):
    configure(google_site)
    editor = SheetEditor(google_site, sync(cli)["url"])
    sync(cli)
    editor._batch({"deleteDimension": {"range": {"sheetId": editor.gid(), "dimension": "ROWS", "startIndex": 3,
                                                 "endIndex": 1000}}})       # the grid is 3 rows now
    for n in ("one", "two", "three", "four", "five"):
        cli("topics", "add", f"Topic {n} after the cut")
    calls = api_calls_of(google_site, lambda: sync(cli))
    assert calls.count("sheets.spreadsheets.values.batchUpdate") == 2      # refused (grid too small), then written
    assert [row[1] for row in editor.rows()[1:]] == [f"Topic {n} after the cut" for n in ("one", "two", "three",
                                                                                          "four", "five")]


@pytest.mark.parametrize("kind", ["status", "commit_then_fail", "drop"])
def test_a_sync_killed_between_read_and_write_loses_and_duplicates_nothing(google_site, cli, kind):
    configure(google_site, retries=0)
    cli("topics", "add", "Kept Topic")
    editor = SheetEditor(google_site, sync(cli)["url"])
    editor.append(["", "New From The Sheet", "high"])
    cli("topics", "move", "1", "--top")
    cli("topics", "add", "Added Meanwhile", "--priority", "low")
    # httplib2 sends a request again once when its connection drops: drop both tries.
    google_site.fault(method="sheets.spreadsheets.values.batchUpdate", kind=kind, status=503,
                      times=2 if kind == "drop" else 1)
    failed = cli("topics", "sync")
    assert failed.code == 1 and failed.err.startswith("workflow: warning: ") and len(failed.err.splitlines()) == 1
    assert "New From The Sheet" in live_titles(cli)           # queued: recorded with the row it came from
    report = sync(cli)
    assert report["error"] is None and report["queued"] == 0 and report["refused"] == 0
    rows = editor.rows()[1:]
    assert sorted(row[1] for row in rows) == sorted(live_titles(cli)) == sorted(
        ["Kept Topic", "New From The Sheet", "Added Meanwhile"])
    assert all(row[0] and row[10] == "" for row in rows)
    assert api_calls_of(google_site, lambda: sync(cli)) == ["drive.files.get"]


def test_two_editors_typing_while_the_worker_syncs_lose_nothing(google_site, cli):
    configure(google_site)
    cli("topics", "add", "Shared Topic")
    url = sync(cli)["url"]
    ana, ben = SheetEditor(google_site, url), SheetEditor(google_site, url, SECOND_EDITOR)

    ideas = {"Ana": ["Morning walks", "Shared budgets", "Love letters", "Quiet evenings"],
             "Ben": ["Cooking together", "Phone-free dinners", "Weekend plans", "Gratitude lists"]}

    def type_rows(editor: SheetEditor, who: str) -> None:
        for title in ideas[who]:
            editor.append(["", title, "", "", f"typed by {who}"])
    typists = [threading.Thread(target=type_rows, args=(ana, "Ana")), threading.Thread(target=type_rows, args=(ben, "Ben"))]
    for typist in typists:
        typist.start()
    sync(cli)                                               # while they type
    for typist in typists:
        typist.join()
    ana.type("Shared Topic", "Notes", "Ana's note")
    ben.type("Shared Topic", "Priority", "high")
    sync(cli)
    sync(cli)
    expected = ["Shared Topic", *ideas["Ana"], *ideas["Ben"]]
    assert sorted(live_titles(cli)) == sorted(expected)
    rows = ana.rows()[1:]
    assert sorted(row[1] for row in rows) == sorted(expected), rows
    assert all(row[0] and not row[10] for row in rows), [row for row in rows if not row[0] or row[10]]
    shared = next(t for t in queue(cli) if t["title"] == "Shared Topic")
    assert (shared["notes"], shared["priority"]) == ("Ana's note", "high")


def test_an_edit_made_after_a_write_whose_answer_was_lost_is_kept(google_site, cli):
    configure(google_site, retries=0)
    cli("topics", "add", "Urgent Topic", "--priority", "high")
    cli("topics", "add", "Calm Topic")
    editor = SheetEditor(google_site, sync(cli)["url"])
    cli("topics", "move", "2", "--before", "1")              # Calm Topic becomes high
    google_site.fault(method="sheets.spreadsheets.values.batchUpdate", kind="commit_then_fail", status=503)
    assert cli("topics", "sync").code == 1                    # written, but the answer was lost
    assert editor.row("Calm Topic")[1]["Priority"] == "high"
    editor.type("Calm Topic", "Priority", "normal")          # the editor puts it back
    report = sync(cli)
    assert report["updated"] == 1 and report["conflicts"] == 0
    assert {t["title"]: t["priority"] for t in queue(cli)}["Calm Topic"] == "normal"


def test_a_trashed_sheet_is_reported_not_recreated(google_site, cli):
    configure(google_site)
    cli("topics", "add", "Safe Topic")
    url = sync(cli)["url"]
    owner_drive, _docs = reviewer_clients(google_site.sandbox, OWNER)
    sheet_id = SheetEditor(google_site, url).id
    owner_drive.files().update(fileId=sheet_id, body={"trashed": True}).execute()
    cli("topics", "add", "Added While Trashed")
    failed = cli("topics", "sync")
    assert failed.code == 1 and "is in the Drive trash" in failed.err and "--new-sheet" in failed.err
    assert cli("topics", "sync").code == 1                   # again: still reported, still no new Sheet
    assert "in the Drive trash" in cli("status").out
    assert "topics: last run failed" in cli("status", "--check").err    # the failed sync by hand counts as a run
    sheets = owner_drive.files().list(q=f"mimeType = '{SHEET_MIME}'", fields="files(id)").execute()["files"]
    assert [f["id"] for f in sheets] == [sheet_id]
    owner_drive.files().update(fileId=sheet_id, body={"trashed": False}).execute()
    assert sync(cli)["error"] is None
    assert [row[1] for row in SheetEditor(google_site, url).rows()[1:]] == ["Safe Topic", "Added While Trashed"]
    owner_drive.files().delete(fileId=sheet_id).execute()      # deleted for good
    gone = cli("topics", "sync")
    assert gone.code == 1 and "is gone or no longer shared with the worker" in gone.err and "--new-sheet" in gone.err
    assert owner_drive.files().list(q=f"mimeType = '{SHEET_MIME}'", fields="files(id)").execute()["files"] == []
    fresh = sync(cli, "--new-sheet")
    assert fresh["created"] and fresh["url"] != url
    assert [row[1] for row in SheetEditor(google_site, fresh["url"]).rows()[1:]] == ["Safe Topic", "Added While Trashed"]


def test_a_sheet_made_by_hand_gets_a_topics_tab_that_survives_renames(google_site, cli):
    owner_drive, _docs = reviewer_clients(google_site.sandbox, OWNER)
    made = owner_drive.files().create(body={"name": "Editorial plan", "mimeType": SHEET_MIME}, fields="id").execute()
    owner = editor_sheets(google_site.sandbox, OWNER).spreadsheets()
    owner.values().update(spreadsheetId=made["id"], range="Sheet1!A1", valueInputOption="RAW",
                          body={"values": [["our own notes"]]}).execute()
    configure(google_site, extra=f'sheet_id = "{made["id"]}"')
    assert "drive_scope" in cli("topics", "sync").error_line        # drive.file cannot reach it
    google_site.configure(f"""
        [topics]
        sheet_id = "{made['id']}"
        editors = ["{EDITOR}"]
    """, google='drive_scope = "drive"')
    cli("topics", "add", "Hand Made Home")
    report = sync(cli)
    assert report["error"] is None and not report["created"]
    editor = SheetEditor(google_site, report["url"])
    assert editor.rows()[1][1] == "Hand Made Home"
    assert owner.values().get(spreadsheetId=made["id"], range="Sheet1!A1").execute()["values"] == [["our own notes"]]
    gid = editor.gid()
    editor._batch({"updateSheetProperties": {"properties": {"sheetId": gid, "title": "Queue"}, "fields": "title"}})
    cli("topics", "add", "After The Rename")
    assert sync(cli)["error"] is None
    got = editor.api.values().get(spreadsheetId=editor.id, range="Queue!B2:B").execute()["values"]
    assert got == [["Hand Made Home"], ["After The Rename"]]
    editor._batch({"deleteSheet": {"sheetId": gid}})
    assert sync(cli)["error"] is None                           # laid out again, every topic back
    assert [row[1] for row in editor.rows()[1:]] == ["Hand Made Home", "After The Rename"]
    granted = {scope for grant in google_site.sandbox.state.auth.access_tokens.values() if grant["app"]
               for scope in grant["scopes"]}
    assert {s.rsplit("/", 1)[1] for s in granted} == {"drive", "documents"}       # never `spreadsheets`


def test_access_removed_by_hand_is_given_back(google_site, cli):
    configure(google_site)
    url = sync(cli)["url"]
    owner_drive, _docs = reviewer_clients(google_site.sandbox, OWNER)
    sheet_id = SheetEditor(google_site, url).id
    permissions = owner_drive.permissions().list(fileId=sheet_id, fields="permissions(id,emailAddress)").execute()
    ana = next(p for p in permissions["permissions"] if p.get("emailAddress") == EDITOR)
    owner_drive.permissions().delete(fileId=sheet_id, permissionId=ana["id"]).execute()
    google_site.fault(method="drive.permissions.create", kind="status", status=400)
    SheetEditor(google_site, url, SECOND_EDITOR).append(["", "Ben Goes On"])
    failed = sync(cli)                                         # sharing failed: reported, the rows still sync
    assert failed["error"].startswith("could not share the topic Sheet with ana@example.com") and failed["queued"] == 1
    report = sync(cli)
    assert report["shared"] == [EDITOR] and "shared the Sheet again with ana@example.com" in report["messages"][0]
    SheetEditor(google_site, url).append(["", "Ana Can Type Again"])
    assert sync(cli)["queued"] == 1


def seed_queue(google_site, titles: list[str]) -> None:
    """Queue many topics at once, straight into the store (`topics import` would warn about every
    look-alike title, which is slow for thousands of them)."""
    config = load_config(google_site.site.root / "config" / "workflow.toml", root=google_site.site.root)
    store = open_store(config.state_url)
    now = "2026-01-01T00:00:00.000000Z"
    try:
        with store.write() as conn:
            conn.execute(tables.topics.insert(), [
                {"title": title, "normalized": normalize_title(title), "priority": 1, "position": float(place),
                 "notes": "", "added_by": "", "source": "test", "status": "queued", "created_at": now, "updated_at": now}
                for place, title in enumerate(titles, start=1)])
    finally:
        store.close()


def test_two_thousand_rows_sync_in_a_few_calls(google_site, cli):
    configure(google_site)
    url = sync(cli)["url"]
    sync(cli)                                   # reads back the first write (sharing moved the version)
    seed_queue(google_site, [f"Topic number {n} about trust" for n in range(2000)])
    calls = api_calls_of(google_site, lambda: sync(cli))
    assert calls == ["drive.files.get", "sheets.spreadsheets.batchUpdate", "sheets.spreadsheets.values.batchUpdate"]
    editor = SheetEditor(google_site, url, SECOND_EDITOR)
    assert len(editor.rows()) == 2001
    editor.append(["", "One More From Ben"], ["", "topic number 7 about trust"])
    editor.type("Topic number 1999 about trust", "Priority", "high")
    report = sync(cli)
    assert (report["queued"], report["refused"], report["updated"], report["api_calls"]) == (1, 1, 1, 3)
    assert editor.rows()[1][1] == "Topic number 1999 about trust"
    assert len(live_titles(cli)) == 2001
    assert api_calls_of(google_site, lambda: sync(cli)) == ["drive.files.get"]


def test_suggested_topics_reach_the_sheet_after_export(google_site, cli, samples):
    configure(google_site)
    url = sync(cli)["url"]
    shutil.copy(samples / "pasted-with-mojibake.md", google_site.site.posts / "trust.md")
    exported = cli("export")
    assert exported.code == 0 and "topic Sheet:" in exported.out
    titles = [row[1] for row in SheetEditor(google_site, url).rows()[1:]]
    assert titles == ["Love Languages in Long-Distance Relationships"]


def test_status_shows_the_sheet_and_the_worker_asks_for_no_sheets_scope(google_site, cli):
    configure(google_site)
    assert "Topic Sheet: not created yet" in cli("status").out
    url = sync(cli)["url"]
    status = cli("status", "--json").json
    assert status["sheet"]["url"] == url and status["sheet"]["synced_at"] and status["sheet"]["problem"] is None
    [topics_job] = [job for job in status["jobs"] if job["job"] == "topics"]    # a sync by hand is a run of the job
    assert topics_job["outcome"] == "ok" and "written" in topics_job["counts"] and topics_job["worker"].count(":") == 2
    assert f"Topic Sheet: {url}" in cli("status").out
    granted = {scope for grant in google_site.sandbox.state.auth.access_tokens.values() if grant["app"]
               for scope in grant["scopes"]}
    assert granted == {"https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/documents"}


def test_sheet_config_and_schedule(site, cli):
    assert "the topic queue has no Google Sheet: set [topics] sheet = true" in cli("topics", "sync").error_line
    path = site.write_config('[topics]\nsheet_id = "1abc"\n')
    with pytest.raises(ConfigError, match=r'sheet_id .* drive_scope = "drive.file" the worker only reaches files'):
        load_config(path)
    path = site.write_config('[google]\ndrive_scope = "drive"\n[topics]\nsheet_id = "1abc"\n')
    config = load_config(path)
    assert config.topic_sheet and configured_schedules(config)["topics"].text == "every 5m"
    assert configured_schedules(load_config(None))["topics"] is None      # no Sheet: the job is off
    path = site.write_config('[topics]\nsheet = true\neditors = ["not an email"]\n')
    with pytest.raises(ConfigError, match=r"\[topics\] editors must be an email address"):
        load_config(path)


def test_the_topics_job_runs_on_schedule_and_after_assign(google_site, cli):
    configure(google_site)
    cli("topics", "add", "Scheduled Topic")
    result = cli("run", "--once", "--json", "--job", "topics")
    runs = result.json["jobs"]
    assert [r["job"] for r in runs] == ["topics"] and runs[0]["outcome"] == "ok" and runs[0]["counts"]["written"] == 1
    result = cli("run", "--once", "--json", "--job", "assign")
    assert result.code == 0
    store = open_store(load_config(google_site.site.root / "config" / "workflow.toml").state_url)
    try:
        with store.read() as conn:
            topic_runs = [r for r in rq.runs_of(conn, "topics") if r.outcome == "ok"]
    finally:
        store.close()
    assert len(topic_runs) == 2                              # the scheduled one, and the one after assign
    url = cli("status", "--json").json["sheet"]["url"]
    _, row = SheetEditor(google_site, url).row("Scheduled Topic")
    assert (row["Status"], row["Writer"]) == ("assigned", "sam")


def test_an_editor_changing_one_cell_leaves_the_topics_other_fields_as_they_were(google_site, cli):
    configure(google_site)
    cli("topics", "add", "Alpha Topic", "--due", "2027-01-15", "--notes", "Keep it short", "--priority", "high")
    editor = SheetEditor(google_site, sync(cli)["url"])

    editor.type("Alpha Topic", "Notes", "Keep it very short")
    report = sync(cli)

    assert (report["updated"], report["error"]) == (1, None)
    [topic] = [t for t in queue(cli) if t["title"] == "Alpha Topic"]
    assert (topic["notes"], topic["due"], topic["priority"]) == ("Keep it very short", "2027-01-15", "high")
    editor.type("Alpha Topic", "Due", "")
    sync(cli)
    [topic] = [t for t in queue(cli) if t["title"] == "Alpha Topic"]
    assert (topic["notes"], topic["due"], topic["priority"]) == ("Keep it very short", None, "high")
