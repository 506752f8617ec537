"""Engines for the two supported databases, configured for a threaded server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine_for(url: str) -> Engine:
    """Return an engine for a SQLite or PostgreSQL URL (PostgreSQL always through psycopg 3)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)
        in_memory = parsed.database in (None, "", ":memory:")
        if not in_memory:
            _private_file(Path(str(parsed.database)))
        event.listen(engine, "connect", lambda conn, _: _prepare_sqlite(conn, wal=not in_memory))
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
        )
    raise ValueError(f"unsupported database backend {parsed.get_backend_name()!r}")


def _private_file(path: Path) -> None:
    # Created 0600 before SQLite opens it: its -wal and -shm files then take the same mode.
    if not path.exists() and path.parent.is_dir():
        path.touch(mode=0o600, exist_ok=True)


def _prepare_sqlite(dbapi_connection: Any, *, wal: bool) -> None:
    # WAL lets readers run beside the writer; the busy timeout makes writers queue instead of failing
    cursor = dbapi_connection.cursor()
    try:
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
