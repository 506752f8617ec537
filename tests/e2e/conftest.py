"""End-to-end harness: the real HTTP app over a container on a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from attrs import define, field
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from adapters.cache import InMemoryCounterStore, RedisCounterStore
from adapters.notifications import InMemoryResetNotifier
from adapters.sqlalchemy.migrate import upgrade
from adapters.sqlalchemy.tables import metadata
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from entrypoints.worker import drain_jobs
from ivr_domain.identity.model import User
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.clock import MovableClock
from tests.http import assert_problem, patient_body
from tests.platform import PASSWORD, settings_env, value_of
from tests.services import fresh_postgres_database, require_or_skip

REDIS_URL = os.environ.get("IVR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BACKENDS = ["sqlite", "postgresql"]
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

API = "/api/v1"
PATIENTS = f"{API}/patients"
LOGIN = f"{API}/auth/login"
ME = f"{API}/auth/me"

Client = TestClient[Litestar]
Headers = dict[str, str]


@define
class Database:
    """Where one test's data lives: a URL, plus what makes it empty again and what time means to its counters."""

    backend: str
    url: str
    redis: redis.Redis | None = None
    # Each test's Redis counters live under a prefix of their own, so runs sharing a Redis never meet.
    redis_prefix: str = ""
    path: Path | None = None


@define
class E2E:
    """One running platform: container, app client, clock and database, with HTTP helpers."""

    db: Database
    container: Container
    clock: MovableClock
    client: Client
    admin: User
    admin_auth: Headers = field(factory=dict)

    @property
    def backend(self) -> str:
        """Return the database family this platform runs on."""
        return self.db.backend

    @property
    def notifier(self) -> InMemoryResetNotifier:
        """Return the notifier that keeps reset tokens."""
        notifier = self.container.reset_notifier()
        assert isinstance(notifier, InMemoryResetNotifier)
        return notifier

    @property
    def engine(self) -> sa.Engine:
        """Return the application's own engine."""
        engine: sa.Engine = self.container.engine()
        return engine

    def advance(self, delta: timedelta) -> None:
        """Let time pass: the platform clock, and for Redis every counter's remaining lifetime."""
        self.clock.advance(delta)
        if self.db.redis is None:
            return
        step = int(delta.total_seconds() * 1000)
        for name in self.db.redis.scan_iter(match=f"{self.db.redis_prefix}*"):
            left = int(self.db.redis.pttl(name))
            if left < 0:
                continue
            if left <= step:
                self.db.redis.delete(name)
            else:
                self.db.redis.pexpire(name, left - step)

    def settle(self) -> None:
        """Wait until events already committed have been dispatched in-process (SQLite; PostgreSQL needs a worker)."""
        if self.container.settings().events.dispatch == "inline":
            assert self.container.event_relay().drain(), "in-process event dispatch did not finish"

    def login_response(self, email: str, password: str = PASSWORD) -> Any:
        """Post credentials to the login endpoint and return the raw answer."""
        return self.client.post(LOGIN, json={"email": email, "password": password})

    def tokens(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Log in over HTTP and return the token document."""
        response = self.login_response(email, password)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def login(self, email: str, password: str = PASSWORD) -> Headers:
        """Log in over HTTP and return the session's Authorization header."""
        return bearer(self.tokens(email, password)["access_token"])

    def create_user(self, email: str, role: Role, *, practice: str | None = None, name: str = "Test Person") -> str:
        """Open an account through the admin endpoint and return its id."""
        body: dict[str, Any] = {"email": email, "name": name, "role": role.value, "password": PASSWORD}
        if practice is not None:
            body["practice_name"] = practice
        response = self.client.post(f"{API}/users", json=body, headers=self.admin_auth)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def assign(self, manager_id: str, member_id: str) -> None:
        """Put a member under a manager through the admin endpoint."""
        response = self.client.post(
            f"{API}/users/{manager_id}/assignments", json={"member_user_id": member_id}, headers=self.admin_auth
        )
        assert response.status_code == 201, response.text

    def create_patient(self, auth: Headers, **overrides: Any) -> dict[str, Any]:
        """Create a patient over HTTP and return it."""
        response = self.client.post(PATIENTS, json=patient_body(**overrides), headers=auth)
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["location"] == f"{PATIENTS}/{response.json()['id']}"
        return dict(response.json())

    def patient_ids(self, auth: Headers | None = None) -> list[str]:
        """Return the ids the admin (or another caller) sees in the patient list, archived or not."""
        headers = auth or self.admin_auth
        ids = []
        for archived in ("false", "true"):
            response = self.client.get(PATIENTS, params={"archived": archived, "limit": "200"}, headers=headers)
            assert response.status_code == 200, response.text
            ids += [p["id"] for p in response.json()["items"]]
        return sorted(ids)

    def count_rows(self) -> dict[str, int]:
        """Return the row count of every business table (the audit log grows with refusals too: they are audited)."""
        self.settle()
        count = sa.select(sa.func.count())
        with self.engine.connect() as db:
            return {
                t.name: db.execute(count.select_from(t)).scalar_one()
                for t in metadata.tables.values()
                if not t.name.startswith("audit")
            }


def deliver(e2e: E2E) -> None:
    """Let committed events reach their handlers: the relay's queue, or the jobs a worker would run."""
    if e2e.container.settings().events.dispatch == "procrastinate":
        drain_jobs(e2e.container)
    e2e.settle()


def bearer(token: str) -> Headers:
    """Return an Authorization header carrying a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def field_errors(response: Any) -> list[tuple[str, str]]:
    """Return a 422 problem's (field, message) pairs, sorted."""
    problem = assert_problem(response, 422)
    return sorted((e["field"], e["message"]) for e in problem["errors"])


# --- databases --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("e2e-template") / "ivr.db"
    upgrade(f"sqlite:///{path}")
    assert not Path(f"{path}-wal").exists(), "the migrated template must be checkpointed into one file"
    return path


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated, dropped afterwards."""
    with fresh_postgres_database("ivr_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    """The Redis the PostgreSQL backend keeps its counters in."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_or_skip("Redis", f"cannot reach {REDIS_URL} ({type(exc).__name__}); set IVR_TEST_REDIS_URL")
    yield client
    client.close()


def _truncate(url: str) -> None:
    """Empty every table of a PostgreSQL database."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as db:
            db.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)} CASCADE")
            db.exec_driver_sql("TRUNCATE procrastinate_jobs CASCADE")  # jobs whose events were just emptied
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database of each backend in turn (PostgreSQL with Redis counters)."""
    if request.param == "sqlite":
        path = tmp_path / "db" / "ivr.db"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield Database(backend="sqlite", url=f"sqlite:///{path}", path=path)
        return
    url = request.getfixturevalue("postgresql_url")
    client = request.getfixturevalue("redis_client")
    _truncate(url)
    prefix = f"ivr-e2e:{uuid.uuid4().hex}:"
    yield Database(backend="postgresql", url=url, redis=client, redis_prefix=prefix)
    for name in client.scan_iter(match=f"{prefix}*"):
        client.delete(name)


# --- platforms --------------------------------------------------------------------------------------------------

Launch = Callable[..., E2E]


@pytest.fixture
def launch(database: Database, tmp_path: Path) -> Iterator[Launch]:
    """Start the platform on the test's database, with extra settings; one platform per test."""
    started: list[tuple[Container, Client]] = []

    def start(env: Mapping[str, str] | None = None) -> E2E:
        assert not started, "one platform per test: its database is shared"
        extra = {"IVR_DATABASE_URL": database.url, **({"IVR_REDIS_URL": REDIS_URL} if database.redis else {})}
        settings = load_settings(settings_env(tmp_path, **extra, **(env or {})))
        clock = MovableClock(START)
        container = build_container(settings, clock=clock)
        assert isinstance(container.counters(), RedisCounterStore if database.redis else InMemoryCounterStore)
        if database.redis is not None:
            # The store IVR_REDIS_URL selected, under this test's own key prefix.
            own = RedisCounterStore(database.redis, prefix=database.redis_prefix)
            container.counters.override(providers.Object(own))
        admin = value_of(
            container.create_user()(
                SYSTEM_ACTOR,
                CreateUser(email="admin@example.org", name="Ada Admin", role=Role.ADMIN, password=PASSWORD),
            )
        )
        client = TestClient(create_app(container))
        client.__enter__()
        started.append((container, client))
        e2e = E2E(db=database, container=container, clock=clock, client=client, admin=admin)
        e2e.admin_auth = e2e.login("admin@example.org")
        return e2e

    yield start
    for container, client in started:
        client.__exit__(None, None, None)
        container.engine().dispose()


@pytest.fixture
def e2e(launch: Launch) -> E2E:
    """The platform with the default test settings."""
    return launch()
