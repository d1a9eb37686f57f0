"""SQL of the reviews job: where each review Doc stands, and the notifications sent about it."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from workflow.store import dialect_insert, encode_json_fields, tables, utcnow

REVIEW_JSON_FIELDS = ("reviewer_responses", "approved_by")


def _row_to_review(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in REVIEW_JSON_FIELDS:
        data[key] = json.loads(data[key]) if data.get(key) else None
    return data


# --- reviews ---

def all_reviews(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every review row, by post id."""
    return {row.post_id: _row_to_review(row) for row in conn.execute(select(tables.reviews))}


def get_review(conn: Connection, post_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(tables.reviews).where(tables.reviews.c.post_id == post_id)).first()
    return _row_to_review(row) if row else None


def save_review(conn: Connection, post_id: str, **values: Any) -> None:
    """Insert or update the review row of `post_id` (`values` must include doc_id; JSON fields as Python data)."""
    values = encode_json_fields(values, REVIEW_JSON_FIELDS)
    values["checked_at"] = utcnow()
    statement = dialect_insert(conn, tables.reviews).values(post_id=post_id, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["post_id"],
                                                 set_={k: statement.excluded[k] for k in values}))


def update_review(conn: Connection, post_id: str, **values: Any) -> None:
    """Change some fields of an existing review row."""
    values = encode_json_fields(values, REVIEW_JSON_FIELDS)
    values["checked_at"] = utcnow()
    conn.execute(update(tables.reviews).where(tables.reviews.c.post_id == post_id).values(**values))


def overdue_rows(conn: Connection, now_rfc3339: str) -> list[dict[str, Any]]:
    """Reviews whose approval is still in progress past its due time."""
    query = select(tables.reviews).where(and_(
        tables.reviews.c.approval_status == "IN_PROGRESS",
        tables.reviews.c.due.is_not(None),
        tables.reviews.c.due < now_rfc3339,
    )).order_by(tables.reviews.c.due)
    return [_row_to_review(row) for row in conn.execute(query)]


# --- notifications: one notice per (post, kind, key), sent at least once, retried a bounded number of times ---

class NoticeStatus(str, Enum):
    SENDING = "sending"    # claimed by a worker until next_attempt_at; past it, the worker died mid-send
    SENT = "sent"
    FAILED = "failed"      # not sent (yet): retried from next_attempt_at
    GIVEN_UP = "given_up"  # failed too often: never retried


def _event(post_id: str, kind: str, key: str) -> Any:
    events = tables.review_events
    return and_(events.c.post_id == post_id, events.c.kind == kind, events.c.key == key)


def claim_event(conn: Connection, post_id: str, kind: str, key: str, text: str, *, now: str,
                claim_until: str) -> bool:
    """Record a new notice as being sent (until `claim_until`); False when it is known already.

    A notice known already is left to `due_events`: retried on its schedule, never sent twice at once.
    """
    return _insert_new(conn, post_id=post_id, kind=kind, key=key, status=NoticeStatus.SENDING.value, text=text,
                       attempts=1, unanswered=0, next_attempt_at=claim_until, created_at=now)


def defer_event(conn: Connection, post_id: str, kind: str, key: str, text: str, *, now: str, reason: str) -> bool:
    """Record a new notice as not sent yet (due at once, no attempt counted); False when it is known already."""
    return _insert_new(conn, post_id=post_id, kind=kind, key=key, status=NoticeStatus.FAILED.value, text=text,
                       attempts=0, unanswered=0, next_attempt_at=now, created_at=now, error=reason)


def _insert_new(conn: Connection, **values: Any) -> bool:
    """Insert a notice unless its (post, kind, key) is known; True when inserted.

    RETURNING, not rowcount: drivers do not all report rowcount for INSERT … ON CONFLICT (with
    psycopg it is not 0 when nothing was inserted).
    """
    events = tables.review_events
    return conn.execute(dialect_insert(conn, events).values(**values).on_conflict_do_nothing(
        index_elements=["post_id", "kind", "key"]).returning(events.c.id)).first() is not None


def due_events(conn: Connection, now: str) -> list[dict[str, Any]]:
    """Notices to send again now: failed ones whose wait is over, and claims a dead worker left behind."""
    events = tables.review_events
    query = select(events).where(
        events.c.status.in_([NoticeStatus.FAILED.value, NoticeStatus.SENDING.value]),
        or_(events.c.next_attempt_at.is_(None), events.c.next_attempt_at <= now),
    ).order_by(events.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def _unchanged(row: dict[str, Any]) -> Any:
    """The row as `due_events` read it (another worker has not claimed it since)."""
    events = tables.review_events
    return and_(_event(row["post_id"], row["kind"], row["key"]), events.c.status == row["status"],
                events.c.next_attempt_at.is_not_distinct_from(row["next_attempt_at"]))


def reclaim_event(conn: Connection, row: dict[str, Any], *, claim_until: str, unanswered: int) -> bool:
    """Claim a row `due_events` returned for one more send; False when another worker got to it first."""
    events = tables.review_events
    taken = conn.execute(update(events).where(_unchanged(row)).values(
        status=NoticeStatus.SENDING.value, attempts=events.c.attempts + 1, unanswered=unanswered,
        next_attempt_at=claim_until))
    return bool(taken.rowcount)


def finish_event(conn: Connection, post_id: str, kind: str, key: str, *, status: NoticeStatus,
                 error: str | None = None, next_attempt_at: str | None = None, unanswered: int | None = None) -> None:
    """Record how a send ended: sent, failed (retried from `next_attempt_at`) or given up."""
    values: dict[str, Any] = {"status": status.value, "error": error, "next_attempt_at": next_attempt_at}
    if status is NoticeStatus.SENT:
        values["sent_at"] = utcnow()
    if unanswered is not None:
        values["unanswered"] = unanswered
    conn.execute(update(tables.review_events).where(_event(post_id, kind, key)).values(**values))


def give_up_event(conn: Connection, row: dict[str, Any], *, error: str) -> bool:
    """Give up a row `due_events` returned without sending it again; False when another worker took it."""
    done = conn.execute(update(tables.review_events).where(_unchanged(row)).values(
        status=NoticeStatus.GIVEN_UP.value, error=error, next_attempt_at=None))
    return bool(done.rowcount)
