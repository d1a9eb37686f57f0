"""The state store: SQLAlchemy 2 on SQLite (default, WAL) or PostgreSQL. Only this package writes SQL.

`open_store(url)` creates the database on first use and migrates it forward. Write transactions
use `store.write()`; on SQLite it takes the write lock up front (BEGIN IMMEDIATE) so concurrent
processes queue instead of failing with "database is locked" half-way.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from workflow.errors import UserError
from workflow.store.migrations import migrate

SQLITE_BUSY_TIMEOUT_S = 60


def dialect_insert(conn: Connection, table: Any) -> Any:
    """INSERT with ON CONFLICT support (`on_conflict_do_nothing/update`) for the store's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def encode_json_fields(values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """`values` with the given fields (when set) as JSON text, as the store keeps them."""
    return {key: json.dumps(value, ensure_ascii=False) if key in fields and value is not None else value
            for key, value in values.items()}


def utcnow() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (committed on success, rolled back on any error)."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            with conn.begin() if not self.is_sqlite else _sqlite_tx(conn):
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def _sqlite_tx(conn: Connection) -> Iterator[None]:
    try:
        yield
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    else:
        conn.exec_driver_sql("COMMIT")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no branch
        # Let us control transactions (BEGIN IMMEDIATE) instead of the driver's implicit BEGIN.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def open_store(url: str) -> Store:
    """Open (and on first use create and migrate) the store at an SQLAlchemy URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"[state] url is not a valid SQLAlchemy URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create the state folder {folder}: {exc.strerror}") from None
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _configure_sqlite(engine)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    store = Store(engine)
    try:
        with store.write() as conn:
            migrate(conn)
    except OperationalError as exc:
        engine.dispose()
        raise UserError(f"cannot open the state store {parsed.render_as_string(hide_password=True)}: "
                        f"{str(exc.orig).strip().splitlines()[0]}") from None
    return store
