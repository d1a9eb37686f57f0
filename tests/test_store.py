"""The state store: created on first use, versioned, and migrated forward without losing data."""

from __future__ import annotations

import pytest
from conftest import fresh_pg_database
from sqlalchemy import Column, String, select, text

from workflow.errors import UserError
from workflow.store import migrations, open_store, tables


def test_first_use_creates_the_store_at_the_latest_version_in_wal_mode(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/deep/state.db")
    with store.read() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_a_later_migration_keeps_existing_data(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/state.db"
    store = open_store(url)
    with store.write() as conn:
        conn.execute(tables.topics.insert().values(
            title="Kept", normalized="kept", priority=1, position=1, created_at="t", updated_at="t"))
    store.close()

    def v_next(conn):
        migrations.add_column(conn, "topics", Column("audience", String(50), server_default="everyone"))

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [v_next])
    monkeypatch.setattr(migrations, "LATEST", len(migrations.MIGRATIONS))
    store = open_store(url)
    with store.read() as conn:
        assert migrations.current_version(conn) == migrations.LATEST
        rows = conn.execute(text("SELECT title, audience FROM topics")).all()
    assert [tuple(r) for r in rows] == [("Kept", "everyone")]
    # Applying the same column again (a store made fresh from tables.py) is a no-op, not an error.
    with store.write() as conn:
        v_next(conn)
    store.close()


def test_a_store_newer_than_this_workflow_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/state.db"
    store = open_store(url)
    with store.write() as conn:
        conn.execute(tables.schema_version.update().values(version=migrations.LATEST + 1))
    store.close()
    with pytest.raises(UserError, match="newer than this workflow"):
        open_store(url)


def test_an_unreachable_database_is_a_one_line_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot open the state store"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")


@pytest.mark.postgres
def test_postgresql_store_is_created_and_migrated():
    with fresh_pg_database() as url:
        store = open_store(url)
        with store.write() as conn:
            conn.execute(tables.posts.insert().values(post_id="p", path="posts/p.md", size=1, mtime_ns=2**62,
                                                      content_hash="h", seen_at="t"))
        with store.read() as conn:
            assert migrations.current_version(conn) == migrations.LATEST
            assert conn.execute(select(tables.posts.c.mtime_ns)).scalar() == 2**62
        store.close()


def test_a_version_2_store_gains_the_doc_fingerprint_columns_and_keeps_its_exports(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/state.db"
    with monkeypatch.context() as patch:  # a store made by the version before migration 3
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        patch.setattr(migrations, "LATEST", 2)
        store = open_store(url)
        with store.write() as conn:
            conn.exec_driver_sql("ALTER TABLE exports DROP COLUMN content_fingerprint")
            conn.exec_driver_sql("ALTER TABLE exports DROP COLUMN reviewed")
            conn.exec_driver_sql("ALTER TABLE exports DROP COLUMN pending_write")
            conn.exec_driver_sql("INSERT INTO exports (post_id, state, revision_id, created_at, updated_at) "
                                 "VALUES ('p', 'in_review', 'rev1', 't', 't')")
        store.close()

    store = open_store(url)
    with store.read() as conn:
        row = conn.execute(select(tables.exports.c.post_id, tables.exports.c.revision_id,
                                  tables.exports.c.reviewed, tables.exports.c.content_fingerprint)).one()
    store.close()
    assert tuple(row) == ("p", "rev1", False, None)
