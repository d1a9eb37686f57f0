"""The two-way merge of the topic Sheet with the queue, inside one store transaction.

Given the Sheet's rows and what the Sheet and the store last agreed on (`base`, per topic), it
applies the editors' changes to the queue and renders the rows the Sheet should show:

- a row without an ID and with a Title is queued, by the same rules as `topics add`; a refused row
  keeps its text and says why in Message ("duplicate of #N", a title too long ...);
- Title, Priority, Due, Notes, Requested by edited on a queued topic's row change the topic;
  clearing the Title, or Status "remove", takes it off the queue; moving rows reorders the queue
  within a priority;
- a field changed both in the Sheet and from the command line since the last sync: the Sheet wins,
  and Message says what it replaced;
- a bad cell (unknown priority, a date that is not a date, a 500-character title) leaves the topic
  as it was; the cell keeps the editor's text and Message says why;
- a queued topic whose row was deleted comes back (nothing is lost by a stray delete); a row of an
  assigned topic is the worker's: edits there are undone, with a Message.

Per field: "the editor changed it" = the Sheet's text differs from `base`; "the command line changed
it" = the store's value differs from `base`. `base` only moves when the Sheet is known to show the
store's value (read back equal, or written with an answer), so a lost write never hides a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection

from workflow.errors import UserError
from workflow.queue import topics as queue
from workflow.queue.sheet_layout import (EDITOR_FIELDS, FIELD_LABELS, ID, MESSAGE, REMOVE, STATUS, WIDTH, DRAFT,
                                         REVIEW, WRITER, RowStatus, SheetRow, canonical)
from workflow.queue.topics import PRIORITIES, TopicStatus
from workflow.store import topic_queries as q

_EXPORT_STATUS = {"approved": RowStatus.APPROVED, "declined": RowStatus.DECLINED}


@dataclass
class StoredTopic:
    """A live topic as the Sheet shows it."""

    id: int
    normalized: str
    status: RowStatus
    fields: dict[str, str]          # editor fields as text: title, priority, due, notes, requested_by
    writer: str = ""
    draft: str = ""
    review: str = ""

    @property
    def queued(self) -> bool:
        return self.status == RowStatus.QUEUED


@dataclass
class Counts:
    queued: int = 0        # new rows queued
    updated: int = 0       # topics changed from the Sheet
    removed: int = 0       # topics taken off the queue from the Sheet
    reordered: int = 0     # priorities whose order the Sheet changed
    refused: int = 0       # rows that could not be queued or applied (Message says why)
    restored: int = 0      # deleted rows put back
    conflicts: int = 0     # fields where the Sheet overrode the command line

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class MergeResult:
    rows: list[tuple[str, ...]]                 # the data rows the Sheet should show, in order
    base: dict[int, dict[str, Any]]             # agreed now (the Sheet already shows it)
    pending: dict[int, dict[str, Any]]          # agreed once the write lands
    notices: dict[int, dict[str, Any]]
    counts: Counts
    messages: list[str] = field(default_factory=list)   # one line per refused row, conflict or notice


def live_topics(conn: Connection) -> dict[int, StoredTopic]:
    """Every queued or assigned topic, with where its draft's review stands."""
    reviews_by_file, reviews_by_title = {}, {}
    for row in q.reviewed_posts(conn):
        reviews_by_file.setdefault(PurePosixPath(row.path).name, row)
        reviews_by_title.setdefault(queue.normalize_title(row.title or ""), row)
    found: dict[int, StoredTopic] = {}
    for row in q.topic_rows(conn, include_all=True):
        if row.status == TopicStatus.REMOVED:
            continue
        fields = {"title": row.title, "priority": PRIORITIES[row.priority], "due": row.due or "",
                  "notes": row.notes or "", "requested_by": row.added_by or ""}
        topic = StoredTopic(row.id, row.normalized, RowStatus.QUEUED, fields)
        if row.status == TopicStatus.ASSIGNED:
            review = reviews_by_file.get(PurePosixPath(row.draft_path or "").name) \
                or reviews_by_title.get(row.normalized)
            topic.status = _EXPORT_STATUS.get(review.state, RowStatus.IN_REVIEW) if review else RowStatus.ASSIGNED
            topic.writer, topic.draft = row.writer or "", row.draft_path or ""
            topic.review = (review.url or "") if review else ""
        found[row.id] = topic
    return found


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


class Merge:
    def __init__(self, conn: Connection, rows: list[SheetRow], base: dict[int, dict], notices: dict[int, dict],
                 taken: dict[str, str] | None = None) -> None:
        self.conn = conn
        self.taken = taken  # titles of open drafts and posts with a Doc (queue.taken): duplicates too
        self.rows = rows
        self.base = base
        self.old_notices = notices
        self.notices: dict[int, dict] = {}
        self.problems: dict[int, list[str]] = {}      # per topic, this sync only
        self.kept: dict[int, dict[str, str]] = {}     # bad cells left as the editor typed them
        self.counts = Counts()
        self.messages: list[str] = []
        self.topic_rows: dict[int, SheetRow] = {}     # the row of each live topic
        self.refused: list[tuple[SheetRow, str]] = []
        self.moved_in: set[int] = set()               # got their priority (or came to be) from the Sheet
        self._updated: set[int] = set()

    # --- the steps ---

    def run(self) -> MergeResult:
        q.lock_topic_queue(self.conn)
        self.topics = live_topics(self.conn)
        order_before = self._queue_order()
        new_rows = self._classify()
        self._adopt(new_rows)
        for topic_id, row in list(self.topic_rows.items()):
            self._merge_row(topic_id, row)
        for row in new_rows:
            if row.number not in self._adopted_rows:
                self._queue_new(row)
        self.topics = live_topics(self.conn)      # with what the rows changed and queued
        self._restore_deleted()
        self._reorder(order_before)
        self.counts.updated = len(self._updated)
        return self._render()

    def _queue_order(self) -> dict[int, list[int]]:
        return {p: q.queued_ids_of_priority(self.conn, p) for p in range(len(PRIORITIES))}

    def _classify(self) -> list[SheetRow]:
        """Each row is a live topic's row, a new row, or dropped (blank, removed topic, worker's duplicate)."""
        new_rows = []
        for row in self.rows:
            if row.editor_blank and row.topic_id is None:
                continue            # only worker columns left (a stale Message): nothing of an editor's
            topic_id = row.topic_id
            topic = self.topics.get(topic_id) if topic_id is not None else None
            if topic is not None and topic_id not in self.topic_rows:
                self.topic_rows[topic_id] = row
                continue
            if topic is not None and self._same_editor_cells(row, self.topic_rows[topic_id]):
                continue            # a second copy of the same row (a write that landed on moved rows)
            if topic is None and topic_id is not None and self._removed_row(topic_id, row):
                continue
            if row.status == REMOVE or not row.field("title").strip() and row.editor_blank:
                continue
            new_rows.append(row)
        return new_rows

    @staticmethod
    def _same_editor_cells(a: SheetRow, b: SheetRow) -> bool:
        return all(canonical(name, a.field(name)) == canonical(name, b.field(name)) for name in EDITOR_FIELDS)

    def _removed_row(self, topic_id: int, row: SheetRow) -> bool:
        """A row still showing a removed topic: dropped, unless an editor typed something new in it
        (then it is a new row: queued again)."""
        stored = q.topic_row(self.conn, topic_id)
        if stored is None:
            return False
        if not row.field("title").strip() or row.status == REMOVE:
            return True
        shown = {"title": stored.title, "priority": PRIORITIES[stored.priority], "due": stored.due or "",
                 "notes": stored.notes or "", "requested_by": stored.added_by or ""}
        return all(canonical(name, row.field(name)) == canonical(name, shown[name]) for name in EDITOR_FIELDS)

    def _adopt(self, new_rows: list[SheetRow]) -> None:
        """A row without ID whose title is a queued topic the Sheet showed before but shows no more is
        that topic's row (its ID was lost: a sync killed before its write, a row deleted and retyped)."""
        self._adopted_rows: set[int] = set()
        rowless = {topic.normalized: topic.id for topic in self.topics.values()
                   if topic.queued and topic.id in self.base and topic.id not in self.topic_rows}
        for row in new_rows:
            title = row.field("title").strip()
            topic_id = rowless.pop(queue.normalize_title(" ".join(title.split())), None) if title else None
            if topic_id is not None and row.status != REMOVE:
                self.topic_rows[topic_id] = row
                self._adopted_rows.add(row.number)

    def _merge_row(self, topic_id: int, row: SheetRow) -> None:
        topic = self.topics[topic_id]
        base = self.base.get(topic_id)
        if not topic.queued:
            edited = [name for name in EDITOR_FIELDS if self._editor_changed(name, row, topic, base)]
            if edited or row.status == REMOVE:
                self._notice(topic_id, f"#{topic_id} is {topic.status.value} ({topic.writer}, {topic.draft}): "
                                       f"changes here no longer reach it")
            return
        if not row.field("title").strip() or row.status == REMOVE:
            q.set_topic_status(self.conn, topic_id, TopicStatus.REMOVED.value)
            self.counts.removed += 1
            return
        for name in EDITOR_FIELDS:
            if self._editor_changed(name, row, topic, base):
                self._apply(topic_id, name, row.field(name), topic, base)

    def _editor_changed(self, name: str, row: SheetRow, topic: StoredTopic, base: dict | None) -> bool:
        shown = canonical(name, row.field(name))
        if shown == canonical(name, topic.fields[name]):
            return False
        return base is None or shown != canonical(name, base.get(name, ""))

    def _apply(self, topic_id: int, name: str, text: str, topic: StoredTopic, base: dict | None) -> None:
        label = FIELD_LABELS[name]
        value = canonical(name, text)
        try:
            if name == "priority":
                queue.edit_topic(self.conn, topic_id, priority=value or "normal")
            elif name == "due":
                queue.edit_topic(self.conn, topic_id, due=value, clear_due=True)
            else:
                queue.edit_topic(self.conn, topic_id, **{"added_by" if name == "requested_by" else name: value})
        except queue.DuplicateTopic as dup:
            self._problem(topic_id, name, text, f"{label}: already #{dup.existing_id}, the topic was left as it was")
            return
        except UserError as exc:
            self._problem(topic_id, name, text, f"{label}: {exc}; the topic was left as it was")
            return
        self._updated.add(topic_id)
        if name == "priority":
            self.moved_in.add(topic_id)
        stored = canonical(name, topic.fields[name])
        if base is not None and stored != canonical(name, base.get(name, "")):
            self.counts.conflicts += 1
            shown = _quote(stored) if stored else "an empty value"
            self._notice(topic_id, f"{label}: the Sheet's {_quote(value) if value else 'empty value'} replaced "
                                   f"{shown} set from the command line")

    def _problem(self, topic_id: int, name: str, text: str, message: str) -> None:
        self.kept.setdefault(topic_id, {})[name] = text
        self.problems.setdefault(topic_id, []).append(message)
        self.counts.refused += 1
        self.messages.append(f"#{topic_id}: {message}")

    def _notice(self, topic_id: int, text: str) -> None:
        self.notices[topic_id] = {"text": text, "shown": False}
        self.messages.append(f"#{topic_id}: {text}")

    def _queue_new(self, row: SheetRow) -> None:
        title = row.field("title")
        if not title.strip():
            self._refuse(row, "a topic needs a Title")
            return
        try:
            new = queue.new_topic(title, priority=canonical("priority", row.field("priority")) or "normal",
                                  notes=row.field("notes"), due=canonical("due", row.field("due")) or None,
                                  added_by=row.field("requested_by"))
            topic_id, similar = queue.queue_one(self.conn, new, "sheet", self.taken)
        except queue.DuplicateTopic as dup:
            self._refuse(row, f"duplicate of #{dup.existing_id}" if dup.existing_id is not None else str(dup))
            return
        except UserError as exc:
            self._refuse(row, str(exc))
            return
        self.counts.queued += 1
        self.moved_in.add(topic_id)
        self.topic_rows[topic_id] = row
        # The row shows what was queued: agreed already, so a lost write cannot queue it twice.
        self.base[topic_id] = {name: canonical(name, row.field(name)) for name in EDITOR_FIELDS}
        self.base[topic_id].update(title=new.title, priority=PRIORITIES[new.priority], due=new.due or "",
                                   notes=new.notes, requested_by=new.added_by)
        earlier = q.topic_row(self.conn, row.topic_id) if row.topic_id is not None else None
        if earlier is not None and earlier.status == TopicStatus.REMOVED:
            self._notice(topic_id, f"#{row.topic_id} was off the queue: queued again as #{topic_id}")
        elif similar:
            other = similar[0]
            self._notice(topic_id, f"looks like #{other.other_id} {_quote(other.other_title)} (queued anyway)")

    def _refuse(self, row: SheetRow, reason: str) -> None:
        self.refused.append((row, reason))
        self.counts.refused += 1
        self.messages.append(f"row {row.number}: {_quote(row.field('title'))}: {reason}" if row.field("title").strip()
                             else f"row {row.number}: {reason}")

    def _restore_deleted(self) -> None:
        for topic_id, topic in self.topics.items():
            if topic.queued and topic_id in self.base and topic_id not in self.topic_rows:
                self.counts.restored += 1
                self._notice(topic_id, "this row was deleted in the Sheet and is back: to take the topic off the "
                                       "queue, clear its Title or set Status to remove")

    def _reorder(self, order_before: dict[int, list[int]]) -> None:
        """Within each priority: the Sheet's order if an editor moved rows, else the queue's order;
        rows new to a priority go where the Sheet has them."""
        in_row_order = sorted(self.topic_rows.items(), key=lambda item: item[1].number)
        sheet_sequence = [topic_id for topic_id, _row in in_row_order
                          if topic_id in self.topics and self.topics[topic_id].queued]
        base_rank = {topic_id: (PRIORITIES.index(b["priority"]) if b.get("priority") in PRIORITIES else None,
                                b.get("rank"))
                     for topic_id, b in self.base.items()}
        for priority in range(len(PRIORITIES)):
            current = q.queued_ids_of_priority(self.conn, priority)
            members = set(current)
            store_order = [i for i in order_before.get(priority, []) if i in members and i not in self.moved_in]
            store_order += [i for i in current if i not in store_order and i not in self.moved_in]
            sheet_order = [i for i in sheet_sequence if i in members]
            base_order = [i for i, _ in sorted(((i, r[1]) for i, r in base_rank.items()
                                                if r[0] == priority and r[1] is not None and i in members),
                                               key=lambda item: item[1])]
            editor_moved = _relative(sheet_order, base_order) != _relative(base_order, sheet_order)
            if editor_moved:
                final = _insert_missing(sheet_order, store_order)
                self.counts.reordered += 1
                if _relative(store_order, base_order) != _relative(base_order, store_order):
                    self.counts.conflicts += 1
                    for topic_id in _moved(store_order, base_order):
                        self._notice(topic_id, "Order: the Sheet's order replaced a move made from the command line")
            else:
                final = _insert_missing(store_order, sheet_order)
            if final != current:
                q.renumber(self.conn, priority, final)

    # --- the rows to show ---

    def _render(self) -> MergeResult:
        rows: list[tuple[str, ...]] = []
        base, pending = {}, {}
        queued = [i for p in range(len(PRIORITIES)) for i in q.queued_ids_of_priority(self.conn, p)]
        rank = {}
        for p in range(len(PRIORITIES)):
            for place, topic_id in enumerate(q.queued_ids_of_priority(self.conn, p), start=1):
                rank[topic_id] = place
        others = sorted(i for i, t in self.topics.items() if not t.queued)
        refused = []
        for row, reason in self.refused:
            cells = list(row.cells)
            cells[ID] = ""
            for column in (STATUS, WRITER, DRAFT, REVIEW):
                cells[column] = ""
            cells[MESSAGE] = reason
            refused.append(tuple(cells))
        for topic_id in queued + [None] + others:   # the queue, the refused rows, then the assigned topics
            if topic_id is None:
                rows.extend(refused)
                continue
            topic = self.topics[topic_id]
            cells = self._cells(topic)
            rows.append(cells)
            agreed = {name: canonical(name, topic.fields[name]) for name in EDITOR_FIELDS}
            agreed["rank"] = rank.get(topic_id)
            shown = self.topic_rows.get(topic_id)
            if shown is not None and shown.cells == cells:
                base[topic_id] = agreed
            else:
                pending[topic_id] = agreed
        # Topics no longer live are forgotten; the rest keep what they last agreed on.
        kept_base = {i: b for i, b in self.base.items() if i in self.topics}
        kept_base.update(base)
        return MergeResult(rows, kept_base, pending, self.notices, self.counts, self.messages)

    def _cells(self, topic: StoredTopic) -> tuple[str, ...]:
        cells = [""] * WIDTH
        cells[ID] = str(topic.id)
        kept = self.kept.get(topic.id, {})
        for name, column in EDITOR_FIELDS.items():
            cells[column] = kept.get(name, topic.fields[name])
        cells[STATUS] = topic.status.value
        cells[WRITER], cells[DRAFT], cells[REVIEW] = topic.writer, topic.draft, topic.review
        notice = self._current_notice(topic.id)
        cells[MESSAGE] = "; ".join(self.problems.get(topic.id, []) + ([notice] if notice else []))
        return tuple(cells)

    def _current_notice(self, topic_id: int) -> str:
        """This sync's notice, else the last one until an editor clears it from the Message cell."""
        if topic_id in self.notices:
            return self.notices[topic_id]["text"]
        old = self.old_notices.get(topic_id)
        if not old:
            return ""
        row = self.topic_rows.get(topic_id)
        shown = row is not None and old["text"] in row.message
        if old.get("shown") and not shown:
            return ""               # an editor cleared it: read and dismissed
        self.notices[topic_id] = {"text": old["text"], "shown": bool(old.get("shown")) or shown}
        return old["text"]


def _relative(order: list[int], other: list[int]) -> list[int]:
    """`order` restricted to the ids also in `other`."""
    members = set(other)
    return [i for i in order if i in members]


def _insert_missing(order: list[int], reference: list[int]) -> list[int]:
    """`order`, plus the ids only `reference` has, each placed after its nearest predecessor in
    `reference` that is already placed (or first)."""
    result = list(order)
    placed = set(result)
    for position, topic_id in enumerate(reference):
        if topic_id in placed:
            continue
        before = next((reference[k] for k in range(position - 1, -1, -1) if reference[k] in placed), None)
        result.insert(result.index(before) + 1 if before is not None else 0, topic_id)
        placed.add(topic_id)
    return result


def _moved(order: list[int], base: list[int]) -> list[int]:
    """Ids whose predecessor in `order` differs from their predecessor in `base` (both over the same ids)."""
    common = set(order) & set(base)
    a, b = [i for i in order if i in common], [i for i in base if i in common]
    before_a = {i: (a[k - 1] if k else None) for k, i in enumerate(a)}
    before_b = {i: (b[k - 1] if k else None) for k, i in enumerate(b)}
    return [i for i in a if before_a[i] != before_b[i]]


def merge(conn: Connection, rows: list[SheetRow], base: dict[int, dict], notices: dict[int, dict],
          taken: dict[str, str] | None = None) -> MergeResult:
    """Merge the Sheet's rows into the queue (see the module docstring); the caller's transaction.
    `taken`: titles already an open draft or a post with a Doc, refused as duplicates."""
    return Merge(conn, rows, dict(base), notices, taken).run()
