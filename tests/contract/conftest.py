"""Backends for the persistence contract suites: memory, SQLite (a migrated temp file) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine_for
from adapters.sqlalchemy.migrate import upgrade
from adapters.sqlalchemy.tables import metadata
from tests.contract.crypto import make_crypto
from tests.services import fresh_postgres_database

BACKENDS = ["memory", "sqlite", "postgresql"]

UnitOfWork = Any  # InMemoryUnitOfWork | SqlAlchemyUnitOfWork: both satisfy every unit-of-work port
UowFactory = Callable[[], UnitOfWork]


class Backend:
    """One adapter family; `fresh()` empties its store and returns a factory of units of work."""

    def __init__(self, name: str, engine: sa.Engine | None = None) -> None:
        self.name = name
        self.engine = engine
        self.cipher, self.blind_index = make_crypto()

    def fresh(self) -> UowFactory:
        if self.engine is None:
            store = InMemoryStore()
            return lambda: InMemoryUnitOfWork(store)
        truncate(self.engine)
        engine, cipher, blind_index = self.engine, self.cipher, self.blind_index
        return lambda: SqlAlchemyUnitOfWork(engine, cipher=cipher, blind_index=blind_index)


def truncate(engine: sa.Engine) -> None:
    """Empty every table, children first."""
    with engine.begin() as db:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            db.exec_driver_sql(f"TRUNCATE {names} CASCADE")
        else:
            for table in reversed(metadata.sorted_tables):
                db.execute(table.delete())


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """A SQLite file migrated to the newest revision."""
    path: Path = tmp_path_factory.mktemp("sqlite") / "ivr.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


def _safe(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[sa.Engine]:
    """A fresh PostgreSQL database for this run, migrated, dropped afterwards."""
    with fresh_postgres_database("ivr_test") as url:
        engine = create_engine_for(url)
        yield engine
        engine.dispose()


@pytest.fixture(scope="session")
def _backends() -> dict[str, Backend]:
    return {}


def _backend(name: str, request: pytest.FixtureRequest, cache: dict[str, Backend]) -> Backend:
    if name not in cache:
        engine = None if name == "memory" else request.getfixturevalue(f"{name}_engine")
        cache[name] = Backend(name, engine)
    return cache[name]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, _backends: dict[str, Backend]) -> Backend:
    """Each adapter family in turn (PostgreSQL skipped or failed when unreachable)."""
    return _backend(request.param, request, _backends)


@pytest.fixture
def uow(backend: Backend) -> UowFactory:
    """A zero-argument factory of fresh units of work over an empty store."""
    return backend.fresh()
