"""The services suites need: skipping or failing when one is out of reach, and databases of their own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.sqlalchemy.migrate import upgrade

PG_URL = os.environ.get("IVR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def require_or_skip(name: str, reason: str) -> NoReturn:
    """Skip the test for a missing service, or fail it when IVR_REQUIRE_SERVICES=1 (CI)."""
    message = f"{name} unavailable: {reason}"
    if os.environ.get("IVR_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (IVR_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


def create_postgres_database(prefix: str) -> tuple[str, Callable[[], None]]:
    """Create a migrated database `<prefix>_<random>` on the test server; return its URL and what drops it.

    Raises SQLAlchemy's OperationalError when IVR_TEST_POSTGRES_URL's server is out of reach.
    """
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as db:
            db.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError:
        admin.dispose()
        raise

    def drop() -> None:
        with admin.connect() as db:
            db.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
    except BaseException:
        drop()
        raise
    return url, drop


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the block, dropped afterwards; skipped (or failed) when unreachable."""
    try:
        url, drop = create_postgres_database(prefix)
    except sa.exc.OperationalError as exc:
        safe = make_url(PG_URL).render_as_string(hide_password=True)
        require_or_skip("PostgreSQL", f"cannot reach {safe} ({type(exc.orig).__name__})")
    try:
        yield url
    finally:
        drop()
