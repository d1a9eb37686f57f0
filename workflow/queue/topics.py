"""The topic queue: adding (with duplicate and near-duplicate checks), listing, ordering, importing.

Queue order: priority (high, normal, low), then position within the priority, then age (id).
A topic is `queued`, `assigned` (handed to a writer as a draft, see `workflow.queue.assign`) or
`removed` (`TopicStatus`).
Two titles are duplicates when their normalized forms are equal (see `normalize_title`); a
duplicate of a queued or assigned topic is refused. A near-duplicate (similar wording, or one title
containing the other) is added with a warning.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import unicodedata
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row

from workflow.config import parse_due
from workflow.errors import UserError
from workflow.store import Store
from workflow.store import topic_queries as q

log = logging.getLogger(__name__)

PRIORITIES = ("high", "normal", "low")  # stored as 0, 1, 2
MAX_TITLE_LENGTH = 200
MAX_NOTES_LENGTH = 5000
SIMILARITY_THRESHOLD = 0.85
MAX_NAME_LENGTH = 100  # added_by
MIN_CONTAINED_LENGTH = 12  # a shorter normalized title inside a longer one is not a near-duplicate
IMPORT_COLUMNS = ("title", "priority", "notes", "due", "by")

# Quote-like characters vanish ("don't" == "dont"); other punctuation and symbols become spaces.
_QUOTES = set("'\"`´‘’‚‛“”„‟‹›«»′″")


class TopicStatus(str, Enum):
    QUEUED = "queued"
    ASSIGNED = "assigned"   # handed to a writer as a draft
    REMOVED = "removed"     # taken off the queue; its title may be queued again


# --- titles ---

def normalize_title(title: str) -> str:
    """The form duplicates are compared in: NFKC, casefolded, without emoji, symbols,
    punctuation or quotes, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    kept = []
    for char in folded:
        category = unicodedata.category(char)
        if char in _QUOTES or category in ("Cf", "Me") or char in "\ufe0e\ufe0f":
            continue
        kept.append(" " if category[0] in "PSZC" else char)
    # Folding can lengthen a title ("ß" -> "ss"); the stored form keeps the first 200 characters.
    return " ".join("".join(kept).split())[:MAX_TITLE_LENGTH].rstrip()


def clean_title(title: str) -> str:
    """The title as stored: whitespace collapsed. Refuses empty, too long or letterless titles.
    (Control characters are kept as typed; what prints them goes through `workflow.terminal`.)"""
    cleaned = " ".join(title.split())
    if not cleaned:
        raise UserError("title is empty")
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise UserError(f"title is {len(cleaned)} characters long (at most {MAX_TITLE_LENGTH}): {cleaned[:40]}...")
    if not normalize_title(cleaned):
        raise UserError(f"title {cleaned!r} has no letters or digits")
    return cleaned


def parse_priority(text: str) -> int:
    try:
        return PRIORITIES.index(text.strip().lower())
    except ValueError:
        raise UserError(f"priority must be one of {', '.join(PRIORITIES)} (got {text!r})") from None


def check_due(text: str | None) -> str | None:
    """A due date as stored (YYYY-MM-DD), or None for an empty one."""
    if text is None or not text.strip():
        return None
    try:
        return parse_due(text).isoformat()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def check_notes(notes: str) -> str:
    """Notes for the writer, as stored (at most MAX_NOTES_LENGTH characters)."""
    cleaned = notes.strip()
    if len(cleaned) > MAX_NOTES_LENGTH:
        raise UserError(f"notes are {len(cleaned)} characters long (at most {MAX_NOTES_LENGTH})")
    return cleaned


def check_name(added_by: str) -> str:
    """Who asked for a topic, as stored."""
    name = " ".join(added_by.split())
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(f"--by / by name is {len(name)} characters long (at most {MAX_NAME_LENGTH})")
    return name


def is_near_duplicate(a: str, b: str) -> bool:
    """Two normalized titles that are not equal but close: similar wording, or one inside the other."""
    if a == b:
        return False
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= MIN_CONTAINED_LENGTH and f" {shorter} " in f" {longer} ":  # whole words
        return True
    if 2 * len(shorter) / (len(a) + len(b)) < SIMILARITY_THRESHOLD:  # the best ratio these lengths allow
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= SIMILARITY_THRESHOLD and matcher.ratio() >= SIMILARITY_THRESHOLD


# --- what the queue returns ---

@dataclass(frozen=True)
class Assignment:
    writer: str
    draft_path: str
    assigned_at: str
    status: str  # open, done

    def to_json(self) -> dict[str, Any]:
        return {"writer": self.writer, "draft_path": self.draft_path, "assigned_at": self.assigned_at,
                "status": self.status}


@dataclass(frozen=True)
class Topic:
    id: int
    title: str
    priority: str
    position: int | None  # 1-based place in the whole queue; None unless queued
    notes: str
    due: str | None
    added_by: str
    source: str
    status: str
    created_at: str
    assignment: Assignment | None = None

    def to_json(self) -> dict[str, Any]:
        """Every key always there; what was not given (notes, due, who asked, an assignment) is null."""
        return {
            "id": self.id, "title": self.title, "priority": self.priority, "position": self.position,
            "notes": self.notes or None, "due": self.due, "added_by": self.added_by or None, "source": self.source,
            "status": self.status, "created_at": self.created_at,
            "assignment": self.assignment.to_json() if self.assignment is not None else None,
        }


def _topic(row: Row, position: int | None) -> Topic:
    assignment = None
    if row.writer is not None:
        assignment = Assignment(row.writer, row.draft_path, row.assigned_at, row.assignment_status)
    return Topic(
        id=row.id, title=row.title, priority=PRIORITIES[row.priority],
        position=position if row.status == TopicStatus.QUEUED else None, notes=row.notes or "", due=row.due,
        added_by=row.added_by or "", source=row.source, status=row.status, created_at=row.created_at,
        assignment=assignment,
    )


def _load_topic(conn: Connection, topic_id: int) -> Topic:
    row = q.topic_row(conn, topic_id)
    if row is None:
        raise UserError(f"no topic #{topic_id} (see `workflow topics list --all`)")
    return _topic(row, q.queue_place(conn, row) if row.status == TopicStatus.QUEUED else None)


@dataclass(frozen=True)
class Similar:
    """A near-duplicate found while adding `title`."""

    title: str
    other_id: int
    other_title: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "similar_to": {"id": self.other_id, "title": self.other_title}}


class DuplicateTopic(UserError):
    def __init__(self, title: str, existing_id: int | None, existing_title: str, existing_status: str,
                 *, taken: str | None = None) -> None:
        if taken is not None:  # not a topic: an open draft or a post (see queue.taken)
            super().__init__(f"topic already {taken}")
        else:
            where = "queued" if existing_status == TopicStatus.QUEUED else "assigned"
            super().__init__(f'topic already {where} as #{existing_id}: "{existing_title}"')
        self.title = title
        self.existing_id = existing_id


@dataclass(frozen=True)
class NewTopic:
    """A validated topic about to be queued."""

    title: str
    priority: int = 1
    notes: str = ""
    due: str | None = None
    added_by: str = ""


def new_topic(title: str, *, priority: str = "normal", notes: str = "", due: str | None = None,
              added_by: str = "") -> NewTopic:
    """Validate what a user typed; raises UserError naming what is wrong."""
    return NewTopic(clean_title(title), parse_priority(priority), check_notes(notes), check_due(due),
                    check_name(added_by))


def queue_one(conn: Connection, topic: NewTopic, source: str,
              taken: dict[str, str] | None = None) -> tuple[int, list[Similar]]:
    """Insert one topic at the bottom of its priority (the caller holds the queue lock, see
    `topic_queries.lock_topic_queue`); raises DuplicateTopic, also for a title in `taken`
    (normalized title -> the open draft or post that has it: `queue.taken.taken_titles`).
    Returns its id and near-duplicates."""
    normalized = normalize_title(topic.title)
    if taken and normalized in taken:
        raise DuplicateTopic(topic.title, None, topic.title, "", taken=taken[normalized])
    existing = q.live_topic_by_normalized(conn, normalized)
    new_id = None
    if existing is None:
        new_id = q.insert_topic(conn, title=topic.title, normalized=normalized, priority=topic.priority,
                                notes=topic.notes, due=topic.due, added_by=topic.added_by, source=source)
        if new_id is None:  # lost a race on the unique index: report who won
            existing = q.live_topic_by_normalized(conn, normalized)
    if new_id is None:
        raise DuplicateTopic(topic.title, existing.id, existing.title, existing.status)
    similar = [Similar(topic.title, row.id, row.title) for row in q.live_topics(conn)
               if row.id != new_id and is_near_duplicate(normalized, row.normalized)]
    return new_id, similar


# --- the queue's operations ---

@dataclass(frozen=True)
class AddResult:
    topic: Topic
    similar: list[Similar]


def add_topic(store: Store, topic: NewTopic, *, source: str = "cli", taken: dict[str, str] | None = None) -> AddResult:
    """Queue one topic at the bottom of its priority; raises DuplicateTopic for a live duplicate
    (or a title in `taken`)."""
    with store.write() as conn:
        q.lock_topic_queue(conn)
        new_id, similar = queue_one(conn, topic, source, taken)
        return AddResult(_load_topic(conn, new_id), similar)


def queue_suggested_topics(store: Store, titles: list[str], *, source: str,
                           taken: dict[str, str] | None = None) -> list[int]:
    """Queue titles suggested by a post (e.g. source "post:ID"); returns the ids of the new topics.

    Idempotent: titles already queued or assigned are skipped silently, and so are titles that
    cannot be topics (empty, too long); those are logged at debug level.
    """
    candidates = []
    for title in titles:
        try:
            candidates.append(new_topic(title))
        except UserError as exc:
            log.debug("suggested topic skipped: %s", exc)
    new_ids = []
    with store.write() as conn:
        q.lock_topic_queue(conn)
        for topic in candidates:
            try:
                new_ids.append(queue_one(conn, topic, source, taken)[0])
            except DuplicateTopic:
                continue
    return new_ids


def edit_topic(conn: Connection, topic_id: int, *, title: str | None = None, priority: str | None = None,
               due: str | None = None, notes: str | None = None, added_by: str | None = None,
               clear_due: bool = False) -> None:
    """Change fields of a queued topic (the caller holds the queue lock). Each value is checked as
    `topics add` checks it (UserError); a title that is another live topic's raises DuplicateTopic."""
    values: dict[str, Any] = {}
    if title is not None:
        cleaned = clean_title(title)
        normalized = normalize_title(cleaned)
        existing = q.live_topic_by_normalized(conn, normalized)
        if existing is not None and existing.id != topic_id:
            raise DuplicateTopic(cleaned, existing.id, existing.title, existing.status)
        values.update(title=cleaned, normalized=normalized)
    if priority is not None:
        values["priority"] = parse_priority(priority)
    if due is not None or clear_due:
        values["due"] = check_due(due)
    if notes is not None:
        values["notes"] = check_notes(notes)
    if added_by is not None:
        values["added_by"] = check_name(added_by)
    if values:
        q.update_topic(conn, topic_id, **values)


def list_topics(store: Store, *, include_all: bool = False) -> list[Topic]:
    """Queued topics in queue order; with include_all, then assigned and removed ones by id."""
    with store.read() as conn:
        rows = q.topic_rows(conn, include_all=include_all)
    return [_topic(row, place) for place, row in enumerate(rows, start=1)]


def get_topic(store: Store, topic_id: int) -> Topic:
    with store.read() as conn:
        return _load_topic(conn, topic_id)


def _queued_or_refuse(conn: Connection, topic_id: int, doing: str) -> Topic:
    topic = _load_topic(conn, topic_id)
    if topic.status == TopicStatus.ASSIGNED:
        raise UserError(f"cannot {doing} topic #{topic_id}: it is assigned to {topic.assignment.writer} "
                        f"({topic.assignment.draft_path})")
    if topic.status == "removed":
        raise UserError(f"cannot {doing} topic #{topic_id}: it was removed from the queue already")
    if topic.status != "queued":
        raise UserError(f"cannot {doing} topic #{topic_id}: it is {topic.status}")
    return topic


def remove_topic(store: Store, topic_id: int) -> Topic:
    """Take a queued topic off the queue (its title may be queued again later)."""
    with store.write() as conn:
        q.lock_topic_queue(conn)
        _queued_or_refuse(conn, topic_id, "remove")
        q.set_topic_status(conn, topic_id, TopicStatus.REMOVED.value)
        return _load_topic(conn, topic_id)


def move_topic(store: Store, topic_id: int, *, before: int | None = None, to: str | None = None) -> Topic:
    """Move a queued topic before another queued one (taking its priority), or to the top or
    bottom of its own priority. Returns the topic with its new place in the queue."""
    with store.write() as conn:
        q.lock_topic_queue(conn)
        topic = _queued_or_refuse(conn, topic_id, "move")
        if before is not None:
            if before == topic_id:
                raise UserError(f"cannot move topic #{topic_id} before itself")
            anchor = _queued_or_refuse(conn, before, "move before")
            priority = PRIORITIES.index(anchor.priority)
            order = [i for i in q.queued_ids_of_priority(conn, priority) if i != topic_id]
            order.insert(order.index(before), topic_id)
        else:
            priority = PRIORITIES.index(topic.priority)
            order = [i for i in q.queued_ids_of_priority(conn, priority) if i != topic_id]
            order = [topic_id, *order] if to == "top" else [*order, topic_id]
        q.renumber(conn, priority, order)
        return _load_topic(conn, topic_id)


# --- import ---

@dataclass(frozen=True)
class ImportLine:
    line: int
    topic: NewTopic | None  # None: a `#` comment line of a plain-text file (skipped)


@dataclass
class ImportReport:
    path: str
    added: list[Topic] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # line, title, existing_id
    similar: list[dict[str, Any]] = field(default_factory=list)     # line, title, similar_to
    comments: list[int] = field(default_factory=list)               # `#` comment lines skipped

    def to_json(self) -> dict[str, Any]:
        return {"file": self.path, "added": [t.to_json() for t in self.added],
                "duplicates": self.duplicates, "similar": self.similar, "comments": self.comments}


def _decode_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise UserError(f"{path}: file is not readable") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    decoded = []
    for number, raw in enumerate(lines, start=1):
        try:
            decoded.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as exc:
            raise UserError(f"{path} line {number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                            f"{exc.start + 1}); save the file as UTF-8") from None
    return decoded


def _csv_header(first_line: str, path: Path) -> list[str] | None:
    """The CSV header's column names, or None when the file is one title a line.

    In a file not named .csv the first line is a header when it names the title column, or is
    several column names and nothing else: "Notes" or "Notes, due dates and deadlines" is a title.
    """
    cells = [cell.strip().lower() for cell in next(csv.reader([first_line]), [])]
    looks_like_header = "title" in cells or (len(cells) > 1 and all(c in IMPORT_COLUMNS for c in cells))
    if not looks_like_header and path.suffix.lower() != ".csv":
        return None
    if "title" not in cells:
        raise UserError(f"{path} line 1: CSV header has no title column "
                        f"(found: {', '.join(cells)}; allowed: {', '.join(IMPORT_COLUMNS)})")
    unknown = [c for c in cells if c not in IMPORT_COLUMNS]
    if unknown:
        raise UserError(f"{path} line 1: unknown CSV column {unknown[0]!r} (allowed: {', '.join(IMPORT_COLUMNS)})")
    return cells


def parse_import_file(path: Path) -> list[ImportLine]:
    """Read one title a line (a line starting with `#` is a comment: an ImportLine without a topic),
    or CSV with a `title` column (detected by its header) and optional priority, notes, due, by. Any
    bad line refuses the whole file, naming the line."""
    lines = _decode_lines(path)
    first = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), None)
    if first is None:
        return [ImportLine(number, None) for number, line in enumerate(lines, start=1) if line.strip()]
    header = _csv_header(lines[first], path)
    parsed: list[ImportLine] = []
    if header is None:
        for number, line in enumerate(lines, start=1):
            if line.lstrip().startswith("#"):
                parsed.append(ImportLine(number, None))
            elif line.strip():
                parsed.append(ImportLine(number, _line_topic(path, number, {"title": line})))
        return parsed
    body = "\n".join(lines[first + 1:])
    reader = csv.reader(io.StringIO(body))
    ended = 0  # the body line the previous record ended on
    for record in reader:
        number, ended = first + 2 + ended, reader.line_num  # the file line the record starts on
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            raise UserError(f"{path} line {number}: {len(record)} fields, but the header has {len(header)} "
                            f"({', '.join(header)}): put a field that contains a comma in double quotes")
        parsed.append(ImportLine(number, _line_topic(path, number, dict(zip(header, record)))))
    return parsed


def _line_topic(path: Path, number: int, fields: dict[str, str]) -> NewTopic:
    try:
        return new_topic(fields.get("title", ""), priority=fields.get("priority") or "normal",
                         notes=fields.get("notes") or "", due=fields.get("due"), added_by=fields.get("by") or "")
    except UserError as exc:
        raise UserError(f"{path} line {number}: {exc}") from None


def import_topics(store: Store, path: Path, *, added_by: str = "", taken: dict[str, str] | None = None) -> ImportReport:
    """Queue every topic of a file in one transaction; duplicates are reported per line and skipped."""
    added_by = check_name(added_by)
    lines = parse_import_file(path)
    report = ImportReport(str(path))
    with store.write() as conn:
        q.lock_topic_queue(conn)
        new_ids = []
        for item in lines:
            if item.topic is None:
                report.comments.append(item.line)
                continue
            topic = item.topic if item.topic.added_by else replace(item.topic, added_by=added_by)
            try:
                new_id, similar = queue_one(conn, topic, f"import:{path.name}", taken)
            except DuplicateTopic as dup:
                report.duplicates.append({"line": item.line, "title": topic.title, "existing_id": dup.existing_id,
                                          "message": str(dup)})
                continue
            new_ids.append(new_id)
            report.similar.extend({"line": item.line, **s.to_json()} for s in similar)
        report.added = [_load_topic(conn, new_id) for new_id in new_ids]
    return report
