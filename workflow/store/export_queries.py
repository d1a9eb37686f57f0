"""SQL for posts seen on disk, their review Docs (exports), and remembered settings."""

from __future__ import annotations

import json
from typing import Any, Callable

from sqlalchemy import Connection, and_, delete, select, update

from workflow.store import dialect_insert, encode_json_fields, tables, utcnow
from workflow.store.run_queries import db_now
from workflow.store.states import ExportState

EXPORT_JSON_FIELDS = ("block_map", "reviewers", "shared_with", "queued_topics", "conflicts", "pending_write")


def _row_to_export(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in EXPORT_JSON_FIELDS:
        data[key] = json.loads(data[key]) if data.get(key) else None
    return data


# --- posts ---

def post_index(conn: Connection) -> dict[str, Any]:
    """Every post seen before, by path: rows with .post_id, .size, .mtime_ns, .content_hash, .is_draft."""
    p = tables.posts.c
    rows = conn.execute(select(p.path, p.post_id, p.size, p.mtime_ns, p.content_hash, p.is_draft)).all()
    return {row.path: row for row in rows}


def recorded_posts(conn: Connection) -> list[tuple[str, str]]:
    """(path relative to the site root, post id) of every post seen before."""
    return [tuple(row) for row in conn.execute(select(tables.posts.c.path, tables.posts.c.post_id)).all()]


def record_post(conn: Connection, *, post_id: str, path: str, size: int, mtime_ns: int,
                content_hash: str, title: str, is_draft: bool = False) -> None:
    values = dict(post_id=post_id, path=path, size=size, mtime_ns=mtime_ns, content_hash=content_hash,
                  title=title[:300], is_draft=is_draft, seen_at=utcnow())
    statement = dialect_insert(conn, tables.posts).values(**values)
    conn.execute(statement.on_conflict_do_update(index_elements=["post_id"], set_={
        k: statement.excluded[k] for k in values if k != "post_id"}))
    # A path belongs to one post: a file whose front matter `id` changed leaves its old row behind.
    conn.execute(delete(tables.posts).where(and_(tables.posts.c.path == path, tables.posts.c.post_id != post_id)))


# --- exports ---

def get_export(conn: Connection, post_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(tables.exports).where(tables.exports.c.post_id == post_id)).first()
    return _row_to_export(row) if row else None


def export_summaries(conn: Connection) -> dict[str, dict[str, Any]]:
    """What deciding "unchanged" needs of every export, by post id (no large columns)."""
    e = tables.exports.c
    rows = conn.execute(select(e.post_id, e.doc_id, e.url, e.state, e.exported_hash, e.last_error)).all()
    return {row[0]: {"post_id": row[0], "doc_id": row[1], "url": row[2], "state": row[3],
                     "exported_hash": row[4], "last_error": row[5]} for row in rows}


def all_exports(conn: Connection) -> list[dict[str, Any]]:
    return [_row_to_export(row) for row in conn.execute(select(tables.exports).order_by(tables.exports.c.post_id))]


def orphan_export_with_hash(conn: Connection, content_hash: str, live_post_ids: set[str]) -> dict[str, Any] | None:
    """An export of the same content whose post is no longer on disk: the file was renamed."""
    rows = conn.execute(select(tables.exports).where(and_(
        tables.exports.c.exported_hash == content_hash, tables.exports.c.doc_id.is_not(None)))).all()
    for row in rows:
        if row.post_id not in live_post_ids:
            return _row_to_export(row)
    return None


def create_export(conn: Connection, post_id: str) -> dict[str, Any]:
    now = utcnow()
    statement = dialect_insert(conn, tables.exports).values(post_id=post_id, state=ExportState.PENDING,
                                                           created_at=now, updated_at=now)
    conn.execute(statement.on_conflict_do_nothing(index_elements=["post_id"]))
    return get_export(conn, post_id)  # type: ignore[return-value]


def update_export(conn: Connection, post_id: str, **values: Any) -> None:
    values = encode_json_fields(values, EXPORT_JSON_FIELDS)
    values["updated_at"] = utcnow()
    conn.execute(update(tables.exports).where(tables.exports.c.post_id == post_id).values(**values))


def rekey_export(conn: Connection, old_post_id: str, new_post_id: str) -> None:
    conn.execute(update(tables.exports).where(tables.exports.c.post_id == old_post_id)
                 .values(post_id=new_post_id, updated_at=utcnow()))
    conn.execute(delete(tables.posts).where(tables.posts.c.post_id == old_post_id))


def claim_export(conn: Connection, post_id: str, worker: str, lease_seconds: float,
                 holder_alive: Callable[[str], bool | None]) -> str | None:
    """Claim a post for this worker; returns None when claimed, else the worker that holds it.

    A claim held by another worker stands while `holder_alive(holder)` says True, or, when it cannot
    tell (None: another host), until the claim expires; a dead holder's claim is taken over at once.
    On PostgreSQL the row is locked with SKIP LOCKED, so a worker never waits behind another.
    """
    now = db_now(conn)
    query = select(tables.exports.c.claimed_by, tables.exports.c.claim_expires).where(
        tables.exports.c.post_id == post_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = conn.execute(query).first()
    if row is None:
        return "another worker"  # locked by a worker claiming it right now
    holder = row.claimed_by
    if holder and holder != worker:
        alive = holder_alive(holder)
        if alive or (alive is None and (row.claim_expires or 0) > now):
            return holder
    conn.execute(update(tables.exports).where(tables.exports.c.post_id == post_id)
                 .values(claimed_by=worker, claim_expires=now + lease_seconds))
    return None


def release_export(conn: Connection, post_id: str, worker: str) -> None:
    conn.execute(update(tables.exports).where(and_(
        tables.exports.c.post_id == post_id, tables.exports.c.claimed_by == worker))
        .values(claimed_by=None, claim_expires=None))


# --- settings ---

def get_setting(conn: Connection, key: str) -> str | None:
    return conn.execute(select(tables.settings.c.value).where(tables.settings.c.key == key)).scalar()


def put_setting_once(conn: Connection, key: str, value: str) -> str:
    """Store `value` unless the key already has one; returns the value that stands."""
    conn.execute(dialect_insert(conn, tables.settings).values(key=key, value=value)
                 .on_conflict_do_nothing(index_elements=["key"]))
    return get_setting(conn, key)  # type: ignore[return-value]


def put_setting(conn: Connection, key: str, value: str) -> None:
    statement = dialect_insert(conn, tables.settings).values(key=key, value=value)
    conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}))


def exported_post_titles(conn: Connection) -> list[tuple[str, str]]:
    """(title, path relative to the site root) of every post that has a review Doc."""
    p, e = tables.posts.c, tables.exports.c
    rows = conn.execute(select(p.title, p.path).select_from(tables.posts.join(
        tables.exports, e.post_id == p.post_id)).where(e.doc_id.is_not(None)).order_by(p.path)).all()
    return [(row.title, row.path) for row in rows if row.title]
