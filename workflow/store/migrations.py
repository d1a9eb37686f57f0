"""Forward-only schema migrations, numbered from 1. The `schema_version` table holds the newest applied.

To change the schema: change `tables.py` (it always shows the newest schema) and append a function
to MIGRATIONS (never edit an applied one). Each runs in the same transaction as the version bump,
so a store is always at one whole version.

Migrations that create tables build them from `tables.py`, so a fresh store gets every later
column at once; a migration that alters a table must therefore accept a table that already has
the change: use `add_column` (a no-op when the column exists) rather than a bare ALTER.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Column, Connection, Integer, String, inspect, select
from sqlalchemy.schema import CreateColumn

from workflow.store import tables


def _v1_initial(conn: Connection) -> None:
    tables.metadata.create_all(conn, tables=[
        tables.topics, tables.assignments, tables.posts, tables.exports, tables.job_runs, tables.leases, tables.settings,
    ])


def _v2_reviews(conn: Connection) -> None:
    tables.metadata.create_all(conn, tables=[tables.reviews, tables.review_events])


def add_column(conn: Connection, table: str, column: Column) -> None:
    """ALTER TABLE … ADD COLUMN, unless the table already has it (a fresh store made from tables.py)."""
    if column.name in {c["name"] for c in inspect(conn).get_columns(table)}:
        return
    ddl = CreateColumn(column).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {conn.dialect.identifier_preparer.quote(table)} ADD COLUMN {ddl}")


def _v3_notice_retries(conn: Connection) -> None:
    """Notices are sent at least once, with bounded retries: when to try next, and unconfirmed sends.

    A notice left `sending` by the older at-most-once code is given up: its outcome is unknown and
    it may be long out of date.
    """
    add_column(conn, "review_events", Column("unanswered", Integer, nullable=False, server_default="0"))
    add_column(conn, "review_events", Column("next_attempt_at", String(32)))
    events = tables.review_events
    conn.execute(events.update().where(events.c.status == "sending", events.c.next_attempt_at.is_(None))
                 .values(status="given_up", error="left unconfirmed by an older version of workflow"))


def _v4_doc_touched(conn: Connection) -> None:
    """Exports remember the Doc as we wrote it, whether reviewers touched it, and the write in flight."""
    columns = tables.exports.c
    for column in (columns.content_fingerprint, columns.reviewed, columns.pending_write):
        add_column(conn, "exports", column)



MIGRATIONS: list[Callable[[Connection], None]] = [_v1_initial, _v2_reviews, _v3_notice_retries, _v4_doc_touched]
LATEST = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(select(tables.schema_version.c.version)).scalar() or 0


def migrate(conn: Connection) -> int:
    """Bring the store to LATEST; returns the version it was at. Call inside a transaction."""
    if conn.dialect.name == "postgresql":
        # Workers starting together must not both create the tables; released at commit.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7244101)")
    tables.schema_version.create(conn, checkfirst=True)
    found = current_version(conn)
    if found > LATEST:
        from workflow.errors import UserError

        raise UserError(f"the state store is at schema version {found}, newer than this workflow ({LATEST}): upgrade workflow")
    for number in range(found + 1, LATEST + 1):
        MIGRATIONS[number - 1](conn)
    if found == 0:
        conn.execute(tables.schema_version.insert().values(version=LATEST))
    elif found < LATEST:
        conn.execute(tables.schema_version.update().values(version=LATEST))
    return found
