"""The SQL of the topic queue, of assignments (topics handed to writers as drafts) and of the
queue's Google Sheet record.

Every function takes a Connection from `Store.write()` or `Store.read()`. Functions that change the
queue expect the caller to have called `lock_topic_queue(conn)` first in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.exc import IntegrityError

from workflow.store import dialect_insert, encode_json_fields, utcnow
from workflow.store.tables import assignments, exports, posts, topic_sheets, topics

# pg_advisory_xact_lock key of the topic queue (the migrations use 7244101).
_QUEUE_LOCK_KEY = 7244102

_TOPIC_WITH_ASSIGNMENT = [
    topics,
    assignments.c.writer,
    assignments.c.draft_path,
    assignments.c.assigned_at,
    assignments.c.status.label("assignment_status"),
]


def lock_topic_queue(conn: Connection) -> None:
    """Serialize writers of the queue for this transaction.

    On SQLite `Store.write()` already holds the database write lock (BEGIN IMMEDIATE). On PostgreSQL
    an advisory lock makes concurrent adds and imports take turns, so they never deadlock on each
    other's uncommitted titles and positions stay in order. The unique index stays the guarantee.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_QUEUE_LOCK_KEY})")


def _with_assignment():
    return select(*_TOPIC_WITH_ASSIGNMENT).select_from(
        topics.outerjoin(assignments, assignments.c.topic_id == topics.c.id)
    )


def topic_rows(conn: Connection, *, include_all: bool = False) -> list[Row]:
    """Topics with their assignment (if any): queued ones in queue order, then the rest by id."""
    query = _with_assignment()
    if not include_all:
        query = query.where(topics.c.status == "queued")
    rows = conn.execute(query.order_by(topics.c.priority, topics.c.position, topics.c.id)).all()
    queued = [row for row in rows if row.status == "queued"]
    others = sorted((row for row in rows if row.status != "queued"), key=lambda row: row.id)
    return queued + others


def topic_row(conn: Connection, topic_id: int) -> Row | None:
    return conn.execute(_with_assignment().where(topics.c.id == topic_id)).first()


def queue_place(conn: Connection, row: Row) -> int:
    """1-based place of a queued topic in the whole queue."""
    ahead = conn.execute(
        select(func.count()).select_from(topics).where(
            topics.c.status == "queued",
            (topics.c.priority < row.priority)
            | ((topics.c.priority == row.priority) & (topics.c.position < row.position))
            | ((topics.c.priority == row.priority) & (topics.c.position == row.position) & (topics.c.id < row.id)),
        )
    ).scalar_one()
    return ahead + 1


def live_topics(conn: Connection) -> list[Row]:
    """id, title, normalized and status of every queued or assigned topic."""
    return conn.execute(
        select(topics.c.id, topics.c.title, topics.c.normalized, topics.c.status)
        .where(topics.c.status != "removed").order_by(topics.c.id)
    ).all()


def live_topic_by_normalized(conn: Connection, normalized: str) -> Row | None:
    return conn.execute(
        select(topics.c.id, topics.c.title, topics.c.status)
        .where(topics.c.normalized == normalized, topics.c.status != "removed")
    ).first()


def insert_topic(conn: Connection, *, title: str, normalized: str, priority: int, notes: str,
                 due: str | None, added_by: str, source: str) -> int | None:
    """Queue a topic at the bottom of its priority; None when its normalized title is already live.

    The insert runs in a savepoint so a unique-index violation (a racing writer got there first)
    leaves the surrounding transaction usable.
    """
    position = (conn.execute(
        select(func.max(topics.c.position)).where(topics.c.priority == priority)
    ).scalar() or 0.0) + 1.0
    now = utcnow()
    try:
        with conn.begin_nested():
            result = conn.execute(topics.insert().values(
                title=title, normalized=normalized, priority=priority, position=position, notes=notes,
                due=due, added_by=added_by, source=source[:topics.c.source.type.length], status="queued",
                created_at=now, updated_at=now,
            ))
    except IntegrityError:
        return None
    return int(result.inserted_primary_key[0])


def set_topic_status(conn: Connection, topic_id: int, status: str) -> None:
    conn.execute(topics.update().where(topics.c.id == topic_id).values(status=status, updated_at=utcnow()))


def queued_ids_of_priority(conn: Connection, priority: int) -> list[int]:
    """Queued topic ids of one priority, in queue order."""
    return list(conn.execute(
        select(topics.c.id).where(topics.c.status == "queued", topics.c.priority == priority)
        .order_by(topics.c.position, topics.c.id)
    ).scalars())


def renumber(conn: Connection, priority: int, ordered_ids: Iterable[int]) -> None:
    """Give these topics `priority` and positions 1, 2, 3... in the order given."""
    now = utcnow()
    for position, topic_id in enumerate(ordered_ids, start=1):
        conn.execute(topics.update().where(topics.c.id == topic_id)
                     .values(priority=priority, position=float(position), updated_at=now))


# --- assignments ---

def open_assignments(conn: Connection) -> list[Row]:
    return conn.execute(
        select(assignments.c.id, assignments.c.topic_id, assignments.c.writer, assignments.c.draft_path)
        .where(assignments.c.status == "open").order_by(assignments.c.id)
    ).all()


def close_assignments(conn: Connection, assignment_ids: list[int]) -> None:
    if assignment_ids:
        conn.execute(assignments.update().where(assignments.c.id.in_(assignment_ids)).values(status="done"))


def last_assigned_writer(conn: Connection) -> str | None:
    return conn.execute(select(assignments.c.writer).order_by(assignments.c.id.desc()).limit(1)).scalar()


def insert_assignment(conn: Connection, *, topic_id: int, writer: str, draft_path: str, due: str | None) -> dict[str, Any]:
    """Record the topic as assigned (the topic row's status and its assignment row, together)."""
    now = utcnow()
    conn.execute(assignments.insert().values(
        topic_id=topic_id, writer=writer, draft_path=draft_path, assigned_at=now, due=due, status="open",
    ))
    set_topic_status(conn, topic_id, "assigned")
    return {"writer": writer, "draft_path": draft_path, "assigned_at": now}


# --- edits from the topic Sheet ---

def update_topic(conn: Connection, topic_id: int, **values: Any) -> None:
    """Change a topic's title (with `normalized`), priority, due, notes or added_by."""
    conn.execute(topics.update().where(topics.c.id == topic_id).values(**values, updated_at=utcnow()))


def max_topic_id(conn: Connection) -> int:
    return int(conn.execute(select(func.max(topics.c.id))).scalar() or 0)


def suggested_topics_after(conn: Connection, topic_id: int) -> int:
    """How many topics posts suggested (source "post:…") were queued after topic `topic_id`."""
    return int(conn.execute(select(func.count()).select_from(topics).where(
        topics.c.id > topic_id, topics.c.source.like("post:%"))).scalar_one())


def reviewed_posts(conn: Connection) -> list[Row]:
    """path, title, export state and Doc url of every post that has an export."""
    return conn.execute(
        select(posts.c.path, posts.c.title, exports.c.state, exports.c.url)
        .select_from(posts.join(exports, exports.c.post_id == posts.c.post_id))
        .order_by(posts.c.path)
    ).all()


# --- the topic Sheet's record ---

SHEET_KEY = "topics"


def topic_sheet(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(select(topic_sheets).where(topic_sheets.c.key == SHEET_KEY)).first()
    if row is None:
        return None
    record = dict(row._mapping)
    record["shared_with"] = json.loads(record["shared_with"]) if record["shared_with"] else {}
    record["sync_state"] = json.loads(record["sync_state"]) if record["sync_state"] else None
    return record


def claim_sheet_id(conn: Connection, reserved_id: str, url: str) -> str:
    """Record the reserved spreadsheet id unless one is recorded already; returns the id that stands."""
    conn.execute(dialect_insert(conn, topic_sheets).values(key=SHEET_KEY).on_conflict_do_nothing(index_elements=["key"]))
    conn.execute(topic_sheets.update().where(topic_sheets.c.key == SHEET_KEY, topic_sheets.c.spreadsheet_id.is_(None))
                 .values(spreadsheet_id=reserved_id, url=url))
    return conn.execute(select(topic_sheets.c.spreadsheet_id).where(topic_sheets.c.key == SHEET_KEY)).scalar_one()


def update_topic_sheet(conn: Connection, **values: Any) -> None:
    """Change the Sheet's record (JSON fields given as Python values)."""
    conn.execute(dialect_insert(conn, topic_sheets).values(key=SHEET_KEY).on_conflict_do_nothing(index_elements=["key"]))
    encoded = encode_json_fields(values, ("shared_with", "sync_state"))
    conn.execute(topic_sheets.update().where(topic_sheets.c.key == SHEET_KEY).values(**encoded))


def forget_topic_sheet(conn: Connection) -> None:
    """Forget the Sheet (`topics sync --new-sheet`): the next sync creates a new one. Topics are kept."""
    conn.execute(topic_sheets.delete().where(topic_sheets.c.key == SHEET_KEY))
