"""SQL of the reviews job: where each review Doc stands, and the notifications sent about it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, select, update

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


# --- notifications: at most once per (post, kind, key) ---

def claim_event(conn: Connection, post_id: str, kind: str, key: str, text: str) -> bool:
    """Mark the event as being sent; False when it was sent (or is being sent) already.

    A new event, or one whose earlier send failed, is claimed; "sending" left by a crash is not,
    so a crash never sends twice.
    """
    now = utcnow()
    inserted = conn.execute(dialect_insert(conn, tables.review_events).values(
        post_id=post_id, kind=kind, key=key, status="sending", text=text, attempts=1, created_at=now,
    ).on_conflict_do_nothing(index_elements=["post_id", "kind", "key"]))
    if inserted.rowcount:
        return True
    retried = conn.execute(update(tables.review_events).where(and_(
        tables.review_events.c.post_id == post_id, tables.review_events.c.kind == kind,
        tables.review_events.c.key == key, tables.review_events.c.status == "failed",
    )).values(status="sending", attempts=tables.review_events.c.attempts + 1))
    return bool(retried.rowcount)


def finish_event(conn: Connection, post_id: str, kind: str, key: str, *, error: str | None) -> None:
    values: dict[str, Any] = {"status": "failed", "error": error} if error else \
        {"status": "sent", "sent_at": utcnow(), "error": None}
    conn.execute(update(tables.review_events).where(and_(
        tables.review_events.c.post_id == post_id, tables.review_events.c.kind == kind,
        tables.review_events.c.key == key)).values(**values))


def failed_events(conn: Connection) -> list[dict[str, Any]]:
    """Events whose send failed: retried on the next run."""
    query = select(tables.review_events).where(tables.review_events.c.status == "failed") \
        .order_by(tables.review_events.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]
