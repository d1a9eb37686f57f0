"""The topic queue's Google Sheet: made once, laid out once, kept in step with the queue both ways.

The Sheet ("Topic queue", in the review folder) is created exactly once, as Docs are: its id is
reserved with `files.generateIds` and recorded before Drive's `files.create` (mimeType
spreadsheet), so a lost answer is followed by the same create, answered "already exists". It is
shared with `[topics] editors` (writers) and the reviewers (readers), and laid out by one
`spreadsheets.batchUpdate` (sheet_layout.py).

One sync (`sync_topic_sheet`), under a lease so two workers never sync at once:
1. The Sheet's Drive `version`: from the review poll's folder listing when the poll listed the
   folder since the last sync and found the version this worker last saw or wrote (nobody touched
   the Sheet, its sharing, or its place); otherwise from a Drive `files.get`, which also says
   whether it is trashed and who can open it. Same version as at the last read: the rows read then
   still stand and no `values.get` is made. (A listing may be minutes old: a sync that trusted it
   and has rows to write makes the `files.get` first, and reads the Sheet if it moved, so it never
   writes over a row typed since.)
2. Otherwise ONE `values.get` of Topics!A1:L.
3. The merge (sheet_merge.py), in one store transaction with what it records.
4. If the Sheet should show something else: ONE `values.batchUpdate` with the rows that differ and
   a stamp in the hidden cell L1, and before it ONE `spreadsheets.batchUpdate` only when the grid
   must grow. The stamp tells the next sync whether a write whose answer was lost landed.
An idle sync is no API call after a review poll, one otherwise; a sync that changes anything, at
most three.

A Sheet trashed or no longer shared is reported (`workflow status`), never replaced silently:
`workflow topics sync --new-sheet` makes a new one on purpose. The queue in the store is the truth
either way; a restored Sheet is brought up to date by the next sync.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from workflow.config import Config
from workflow.errors import UserError
from workflow.google.clients import GoogleSession
from workflow.google.links import DocLinks
from workflow.google.operations import GoogleCallFailed, GoogleOps
from workflow.google.pacing import API_ERRORS, describe
from workflow.google.sheets import SHEET_MIME, GridTooSmall, RangeNotFound, SheetsOps
from workflow.queue.sheet_layout import (GRID_COLUMNS, GRID_HEADROOM, HEADER, MIN_GRID_ROWS, SHEET_TITLE, STAMP_COLUMN,
                                         WIDTH, SheetRow, a1, api_value, grow_requests, layout_requests, parse_grid)
from workflow.queue.sheet_merge import Counts, merge
from workflow.queue.taken import taken_titles
from workflow.store import Store, utcnow
from workflow.store import run_queries as runs
from workflow.store import topic_queries as q

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1
LEASE = "topic-sheet"
ROLE_KEY, ROLE = "workflowRole", "topicSheet"     # the file's appProperties
META_FIELDS = "id,version,trashed,webViewLink,permissions(type,role,emailAddress)"
_ROLE_RANK = {"reader": 0, "commenter": 1, "writer": 2, "fileOrganizer": 3, "organizer": 4, "owner": 5}
_EMPTY = ("",) * WIDTH


class SheetUnavailable(GoogleCallFailed):
    """The Sheet is trashed, deleted or no longer shared with the worker."""


@dataclass
class SyncState:
    """What the sync remembers between runs (the store's `topic_sheets.sync_state`)."""

    grid: list[list] | None = None                               # the values as last read
    base: dict[int, dict[str, Any]] = field(default_factory=dict)   # per topic: last agreed fields, rank
    pending: dict[str, Any] | None = None                        # {"stamp", "rows": {id: fields}}: the last write
    notices: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict | None) -> "SyncState":
        data = data or {}
        pending = data.get("pending")
        if pending:
            pending = {"stamp": pending["stamp"], "rows": {int(k): v for k, v in pending["rows"].items()}}
        return cls(grid=data.get("grid"), base={int(k): v for k, v in (data.get("base") or {}).items()},
                   pending=pending, notices={int(k): v for k, v in (data.get("notices") or {}).items()})

    def to_json(self) -> dict[str, Any]:
        pending = {"stamp": self.pending["stamp"], "rows": {str(k): v for k, v in self.pending["rows"].items()}} \
            if self.pending else None
        return {"grid": self.grid, "base": {str(k): v for k, v in self.base.items()}, "pending": pending,
                "notices": {str(k): v for k, v in self.notices.items()}}

    def confirm(self) -> None:
        """The last write landed: what it wrote is what the Sheet and the store agree on, and its
        notices are on show (an editor who clears one from Message has read it)."""
        if self.pending:
            for topic_id, fields in self.pending["rows"].items():
                self.base[topic_id] = fields
        for notice in self.notices.values():
            notice["shown"] = True
        self.pending = None


@dataclass
class SheetReport:
    url: str | None = None
    created: bool = False        # the Sheet was created by this sync
    read: bool = False           # the rows were read (values.get)
    rows: int = 0                # data rows in the Sheet before the sync
    written: int = 0             # rows written
    counts: Counts = field(default_factory=Counts)
    shared: list[str] = field(default_factory=list)      # emails the Sheet was (re)shared with
    messages: list[str] = field(default_factory=list)
    api_calls: int = 0
    skipped: str | None = None   # why this sync did nothing (another worker is syncing)
    error: str | None = None     # why it failed (it is retried next run)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, **self.counts.to_json(), "written": self.written, "api_calls": self.api_calls}

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "created": self.created, "read": self.read, **self.summary(),
                "shared": self.shared, "messages": self.messages, "skipped": self.skipped, "error": self.error}


class TopicSheetSync:
    def __init__(self, config: Config, store: Store, session: GoogleSession, *, holder: str) -> None:
        self.config = config
        self.store = store
        self.session = session
        self.holder = holder
        self.ops = GoogleOps(session, shared_drive_id=config.get("google", "shared_drive_id"))
        self.sheets = SheetsOps(session)
        self.report = SheetReport()
        self.share_error: str | None = None
        self._meta: dict[str, Any] = {}

    def run(self, *, new_sheet: bool = False) -> SheetReport:
        require_sheet(self.config)
        calls = self.session.caller.stats.calls
        with self.store.write() as conn:
            taken = runs.acquire_lease(conn, LEASE, self.holder, self.config.get("schedule", "lease_seconds"))
        if not taken:
            self.report.skipped = "another worker is syncing the topic Sheet"
            return self.report
        try:
            self._sync(new_sheet)
            if self.share_error:
                self.report.error = self.share_error
                with self.store.write() as conn:
                    q.update_topic_sheet(conn, problem=self.share_error)
        except (GoogleCallFailed, *API_ERRORS) as exc:
            self.report.error = str(exc) if isinstance(exc, GoogleCallFailed) else describe(exc)
            log.debug("topic Sheet not synced: %s", self.report.error)   # the caller reports it
            with self.store.write() as conn:
                q.update_topic_sheet(conn, checked_at=utcnow(), problem=self.report.error)
        finally:
            with self.store.write() as conn:
                runs.release_lease(conn, LEASE, self.holder)
            self.report.api_calls = self.session.caller.stats.calls - calls
        return self.report

    # --- the sync ---

    def _sync(self, new_sheet: bool, *, trust_listing: bool = True) -> None:
        record = self._spreadsheet(new_sheet)
        self.report.url = self.session.endpoint.sheet_url(record["spreadsheet_id"])  # where it opens now, not where it did
        if record["layout"] < LAYOUT_VERSION:
            record = self._lay_out(record)
        state = SyncState.from_json(record["sync_state"])
        listed = trust_listing and self._unchanged_in_listing(record, state, new_sheet)
        if listed:
            version = record["listed_version"]      # nobody touched it: no need to ask Drive
        else:
            version = self._check_file(record)
            record = self._share(record, self._meta)
        if record["drive_version"] == version and state.grid is not None:
            grid = state.grid
        else:
            grid, record = self._read(record)
            self.report.read = True
        header, stamp, rows = parse_grid(grid)
        self.report.rows = len(rows)
        self._keep_lease()
        taken = taken_titles(self.config, self.store)
        with self.store.write() as conn:
            if state.pending and stamp == state.pending["stamp"]:
                state.confirm()         # the last write landed though its answer was lost
            state.pending = None
            result = merge(conn, rows, state.base, state.notices, taken)
            state.base, state.notices = result.base, result.notices
            changes, last_row, rows_written = _changes(record["sheet_title"], grid, header, result.rows)
            now = utcnow()
            if not changes:
                state.grid = grid
                q.update_topic_sheet(conn, drive_version=version, sync_state=state.to_json(), synced_at=now,
                                     checked_at=now, problem=None, listed_version=None)
            else:
                token = secrets.token_hex(8)
                stamp_cell = a1(record["sheet_title"], 1, 1, first_column=STAMP_COLUMN, last_column=STAMP_COLUMN)
                changes.append({"range": stamp_cell, "values": [[token]]})
                state.grid, state.pending = None, {"stamp": token, "rows": result.pending}
                q.update_topic_sheet(conn, drive_version=None, sync_state=state.to_json(), checked_at=now,
                                     listed_version=None)
        if changes and listed and self._check_file(record) != version:
            # Edited since the poll listed it: read it before writing over any row. What this merge
            # recorded counts as a write that never landed (its rows are merged again).
            self._sync(False, trust_listing=False)
            return
        self.report.counts = result.counts
        self.report.messages.extend(result.messages)
        if changes:
            self._keep_lease()
            writes = self._write(record, changes, last_row)
            self.report.written = rows_written
            state.confirm()
            # Every change bumps Drive's version: if it moved by exactly our writes, nobody else touched the
            # Sheet and it shows what we wrote, so the next sync need not read it. Anything else: it reads.
            expected = str(int(version) + writes) if version.isdigit() and not self.report.shared else None
            state.grid = [list(HEADER) + [token],
                          *([api_value(text, column) for column, text in enumerate(row)] for row in result.rows)]
            with self.store.write() as conn:
                q.update_topic_sheet(conn, sync_state=state.to_json(), synced_at=utcnow(), problem=None,
                                     drive_version=expected)

    def _unchanged_in_listing(self, record: dict, state: SyncState, new_sheet: bool) -> bool:
        """The review poll listed the folder since the last sync and the Sheet's `version` there is the one
        this worker last saw or wrote: nobody has changed it, shared or unshared it, or trashed it (a trashed
        file is not listed), and everyone the config names has access. Then the sync makes no Drive call."""
        listed = record["listed_version"]
        return (not new_sheet and listed is not None and listed == record["drive_version"]
                and state.grid is not None and not state.pending and not record["problem"]
                and not self._missing_access(dict(record["shared_with"])))

    def _check_file(self, record: dict) -> str:
        """Drive `files.get` (once a run): the Sheet is still there, not trashed; its `version` (and
        permissions kept in self._meta for `_share`)."""
        meta = self._meta or self.ops.get_file(record["spreadsheet_id"], fields=META_FIELDS)
        if meta is None:
            raise SheetUnavailable(f"the topic Sheet {record['url']} is gone or no longer shared with the worker: "
                                   "share it again, or run `workflow topics sync --new-sheet` to make a new one "
                                   "(the queue is kept)")
        if meta.get("trashed"):
            raise SheetUnavailable(f"the topic Sheet {record['url']} is in the Drive trash: restore it, or run "
                                   "`workflow topics sync --new-sheet` to make a new one (the queue is kept)")
        self._meta = meta
        return str(meta.get("version", ""))

    def _keep_lease(self) -> None:
        """Renew the sync's lease; a sync that lost it (it ran past lease_seconds and another worker
        took over) stops before it changes anything."""
        with self.store.write() as conn:
            ours = runs.renew_lease(conn, LEASE, self.holder, self.config.get("schedule", "lease_seconds"))
        if not ours:
            raise GoogleCallFailed("another worker took over the topic Sheet's sync (this one ran past "
                                   "[schedule] lease_seconds); it finishes the work")

    def _spreadsheet(self, new_sheet: bool) -> dict:
        """The Sheet's record; the Sheet is created first if needed (id reserved and recorded before)."""
        configured = self.config.get("topics", "sheet_id").strip()
        with self.store.write() as conn:
            if new_sheet and not configured:
                q.forget_topic_sheet(conn)
            record = q.topic_sheet(conn)
            if configured and (record is None or record["spreadsheet_id"] != configured):
                q.forget_topic_sheet(conn)      # another Sheet than the one remembered: start over with it
                q.claim_sheet_id(conn, configured, self.session.endpoint.sheet_url(configured))
                q.update_topic_sheet(conn, created=True)
                record = q.topic_sheet(conn)
        if record is None or not record["spreadsheet_id"]:
            reserved = self.ops.reserve_ids(1)[0]
            with self.store.write() as conn:   # recorded BEFORE files.create: a retry makes the same file
                q.claim_sheet_id(conn, reserved, self.session.endpoint.sheet_url(reserved))
                record = q.topic_sheet(conn)
        if not record["created"]:
            self.ops.create_file(record["spreadsheet_id"], name=self.config.get("topics", "sheet_name"),
                                 mime_type=SHEET_MIME, parent_id=self._review_folder(),
                                 app_properties={ROLE_KEY: ROLE})
            with self.store.write() as conn:
                q.update_topic_sheet(conn, created=True)
                record = q.topic_sheet(conn)
            self.report.created = True
            log.info("created the topic Sheet %s", record["url"])
        return record

    def _review_folder(self) -> str | None:
        # The review folder is created once and remembered by the export; the Sheet goes beside the Docs.
        from workflow.export.folder import ReviewFolder

        return ReviewFolder(self.config, self.store, self.ops, lambda: self.ops.reserve_ids(1)[0]).id()

    def _lay_out(self, record: dict) -> dict:
        """Name, size, frozen header, column rules, protections: one spreadsheets.batchUpdate."""
        sheet_id = record["spreadsheet_id"]
        sheets = self.sheets.sheets_of(sheet_id)
        ours = not self.config.get("topics", "sheet_id").strip()
        target = next((s for s in sheets if s["properties"]["sheetId"] == record["sheet_gid"]), None) \
            or next((s for s in sheets if s["properties"]["title"] == SHEET_TITLE), None) \
            or (sheets[0] if ours and len(sheets) == 1 and record["sheet_gid"] is None else None)
        requests: list[dict] = []
        if target is None:
            gid = secrets.randbelow(2 ** 30) + 1
            requests.append({"addSheet": {"properties": {"sheetId": gid, "title": SHEET_TITLE}}})
            grid = {"rowCount": 1000, "columnCount": 26}
            protections: set[str] = set()
        else:
            gid = target["properties"]["sheetId"]
            grid = target["properties"].get("gridProperties", {})
            protections = {p.get("description", "") for p in target.get("protectedRanges", [])}
        rows = max(MIN_GRID_ROWS, grid.get("rowCount", 0))
        columns = GRID_COLUMNS if ours else max(GRID_COLUMNS, grid.get("columnCount", 0))
        requests += layout_requests(gid, title=SHEET_TITLE, rows=rows, columns=columns,
                                    existing_protections=protections)
        self.sheets.update(sheet_id, requests)
        with self.store.write() as conn:
            q.update_topic_sheet(conn, layout=LAYOUT_VERSION, sheet_gid=gid, sheet_title=SHEET_TITLE, row_count=rows,
                                 drive_version=None)
            return q.topic_sheet(conn)

    def _share(self, record: dict, meta: dict) -> dict:
        """Editors as writers, reviewers as readers; access removed by hand is given back (the config
        says who should have it). Where Drive lists no permissions (shared drives), each is shared once."""
        if "permissions" in meta:
            have = {p.get("emailAddress", "").lower(): p.get("role") for p in meta["permissions"]
                    if p.get("type") in ("user", "group")}
        else:
            have = dict(record["shared_with"])
        missing = self._missing_access(have)
        if not missing:
            return record
        shared = dict(record["shared_with"])
        message = ("The blog's topic queue. Add a row (Title, and Priority, Due, Notes if you like) to queue a topic; "
                   "drag rows to reorder; clear a Title to take a topic off. The worker syncs every few minutes.")
        errors: dict[str, str] = {}
        for role, emails in missing.items():
            errors.update(self.ops.share(record["spreadsheet_id"], emails, role=role,
                                         notify=self.config.get("review", "notify"), message=message))
            for email in emails:
                if email in errors:
                    continue
                if email.lower() in shared:
                    self.report.messages.append(f"shared the Sheet again with {email} (their access was removed "
                                                f"by hand; take them out of the config to stop this)")
                shared[email.lower()] = role
                self.report.shared.append(email)
        with self.store.write() as conn:
            q.update_topic_sheet(conn, shared_with=shared)
            record = q.topic_sheet(conn)
        if errors:      # the sync goes on; the run is reported failed so someone looks at the address
            email, why = next(iter(errors.items()))
            self.share_error = f"could not share the topic Sheet with {email}: {why}"
        return record

    def _missing_access(self, have: dict[str, str]) -> dict[str, list[str]]:
        """{role: [emails]} the config names (editors as writers, reviewers as readers) without that
        access in `have` ({email in lower case: role})."""
        wanted: dict[str, tuple[str, str]] = {}
        for email in self.config.get("review", "reviewers"):
            wanted[email.lower()] = (email, "reader")
        for email in self.config.get("topics", "editors"):
            wanted[email.lower()] = (email, "writer")
        missing: dict[str, list[str]] = {}
        for key, (email, role) in wanted.items():
            if _ROLE_RANK.get(have.get(key) or "", -1) < _ROLE_RANK[role]:
                missing.setdefault(role, []).append(email)
        return missing

    def _read(self, record: dict) -> tuple[list[list], dict]:
        """ONE values.get of the sheet; a renamed sheet is found again by its id, a deleted one laid out again."""
        try:
            return self.sheets.read(record["spreadsheet_id"], a1(record["sheet_title"], 1, None,
                                                                 last_column=STAMP_COLUMN)), record
        except RangeNotFound:
            sheets = self.sheets.sheets_of(record["spreadsheet_id"])
            found = next((s["properties"] for s in sheets if s["properties"]["sheetId"] == record["sheet_gid"]), None)
            with self.store.write() as conn:
                if found is not None:
                    q.update_topic_sheet(conn, sheet_title=found["title"])
                    record = q.topic_sheet(conn)
                else:
                    q.update_topic_sheet(conn, layout=0, sheet_gid=None)
                    record = q.topic_sheet(conn)
            if found is None:
                record = self._lay_out(record)
            return self.sheets.read(record["spreadsheet_id"], a1(record["sheet_title"], 1, None,
                                                                 last_column=STAMP_COLUMN)), record

    def _write(self, record: dict, changes: list[dict], last_row: int) -> int:
        """At most one spreadsheets.batchUpdate (a bigger grid) and one values.batchUpdate; returns
        how many writes were made."""
        sheet_id, gid, rows = record["spreadsheet_id"], record["sheet_gid"], record["row_count"] or MIN_GRID_ROWS
        writes = 1
        if last_row > rows:
            rows = self._grow(sheet_id, gid, rows, last_row)
            writes += 1
        try:
            self.sheets.write(sheet_id, changes)
        except GridTooSmall:        # rows were deleted by hand since the grid was last measured
            sheet = next((s["properties"] for s in self.sheets.sheets_of(sheet_id)
                          if s["properties"]["sheetId"] == gid), None)
            if sheet is None:
                raise GoogleCallFailed("the Topics sheet was deleted during the sync; the next sync lays it out "
                                       "again") from None
            self._grow(sheet_id, gid, sheet["gridProperties"]["rowCount"], last_row)
            self.sheets.write(sheet_id, changes)
            writes += 1
        return writes

    def _grow(self, sheet_id: str, gid: int, rows: int, needed: int) -> int:
        new_rows = needed + GRID_HEADROOM
        self.sheets.update(sheet_id, grow_requests(gid, rows, new_rows))
        with self.store.write() as conn:
            q.update_topic_sheet(conn, row_count=new_rows)
        return new_rows


def _changes(title: str, grid: list[list], header: list[str],
             desired: list[tuple[str, ...]]) -> tuple[list[dict], int, int]:
    """The ValueRanges that turn the Sheet into `desired` (runs of differing rows; rows left over are
    cleared), the last row they touch and how many data rows they write."""
    changes: list[dict] = []
    if header != list(HEADER):
        changes.append({"range": a1(title, 1, 1), "values": [list(HEADER)]})
    current = {number: SheetRow.of(number, line).cells for number, line in enumerate(grid[1:], start=2)}
    last_row = max(1 + len(desired), 1 + len(grid[1:]) if grid else 1)
    run: list[tuple[int, tuple[str, ...]]] = []
    written = 0

    def flush() -> None:
        if run:
            changes.append({"range": a1(title, run[0][0], run[-1][0]),
                            "values": [[api_value(text, column) for column, text in enumerate(cells)]
                                       for _number, cells in run]})
            run.clear()

    for number in range(2, last_row + 1):
        want = desired[number - 2] if number - 2 < len(desired) else _EMPTY
        if current.get(number, _EMPTY) != want:
            run.append((number, want))
            written += 1
        else:
            flush()
    flush()
    return changes, last_row, written


def require_sheet(config: Config) -> None:
    if not config.topic_sheet:
        raise UserError("the topic queue has no Google Sheet: set [topics] sheet = true in the config")


def sync_topic_sheet(config: Config, store: Store, session: GoogleSession, *, holder: str,
                     new_sheet: bool = False) -> SheetReport:
    """One two-way sync of the topic Sheet (see the module docstring)."""
    return TopicSheetSync(config, store, session, holder=holder).run(new_sheet=new_sheet)


def note_listed_version(store: Store, versions: dict[str, str]) -> None:
    """The review poll listed the review folder ({file id: Drive version}): when the topic Sheet is
    there, the next sync compares its version with the one it last saw instead of asking Drive."""
    with store.read() as conn:
        record = q.topic_sheet(conn)
    sheet_id = record["spreadsheet_id"] if record else None
    if sheet_id in versions and versions[sheet_id] != record["listed_version"]:
        with store.write() as conn:
            q.update_topic_sheet(conn, listed_version=versions[sheet_id])


def sheet_status(store: Store, links: DocLinks) -> dict[str, Any] | None:
    """The Sheet's link (made from the endpoint in use, as Doc links are), last sync and problem, for
    `workflow status`; None before the first sync."""
    with store.read() as conn:
        record = q.topic_sheet(conn)
    if record is None or not record["spreadsheet_id"]:
        return None
    return {"url": links.sheet(record["spreadsheet_id"]), "synced_at": record["synced_at"], "checked_at": record["checked_at"],
            "problem": record["problem"]}


def suggested_topics_mark(store: Store) -> int:
    """A mark to ask, after an export, whether it queued topics posts suggested."""
    with store.read() as conn:
        return q.max_topic_id(conn)


def suggested_topics_since(store: Store, mark: int) -> int:
    with store.read() as conn:
        return q.suggested_topics_after(conn, mark)

