"""Nothing committed is lost: a process stopped between commit and dispatch (SQLite), a worker killed mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from entrypoints.container import build_container
from entrypoints.settings import load_settings
from ivr_domain.identity.events import PasswordChanged
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.ids import UserId
from tests.e2e.conftest import API, Database, Launch
from tests.platform import PASSWORD, settings_env, value_of
from tests.services import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
IVR = Path(sys.executable).parent / "ivr"


def _count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as db:
        return int(db.execute(sa.text(sql)).scalar_one())


def _users(env: dict[str, str], *specs: tuple[str, Role]) -> list[str]:
    """Open accounts through a short-lived container and return their ids."""
    container = build_container(load_settings(env))
    try:
        create = container.create_user()
        return [
            str(value_of(create(SYSTEM_ACTOR, CreateUser(email=e, name="P", role=r, password=PASSWORD))).id)
            for e, r in specs
        ]
    finally:
        container.engine().dispose()


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_a_process_killed_between_commit_and_dispatch_delivers_at_the_next_start(
    database: Database, launch: Launch, tmp_path: Path
) -> None:
    env = settings_env(tmp_path, IVR_DATABASE_URL=database.url)
    manager, member = _users(env, ("d@example.org", Role.DISTRIBUTOR), ("s@example.org", Role.SALESPERSON))
    crashed = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "tests.e2e.crash_after_commit", manager, member],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()
    engine = sa.create_engine(database.url)
    try:
        # The change and its outbox row are committed; nothing was dispatched.
        assert _count(engine, "SELECT count(*) FROM assignments WHERE effective_to IS NULL") == 1
        assert _count(engine, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL") == 1
        assert _count(engine, "SELECT count(*) FROM notifications") == 0
    finally:
        engine.dispose()

    e2e = launch()  # the server starts: its relay's first work is a replay of what is left undispatched
    assert e2e.container.event_relay().drain()
    response = e2e.client.get(f"{API}/notifications", headers=e2e.login("d@example.org"))
    assert response.status_code == 200, response.text
    assert [(i["kind"], i["subject_id"]) for i in response.json()["items"]] == [("member_added", member)]
    with e2e.container.uow() as uow:
        assert uow.outbox_records.count_undispatched() == 0


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own (the worker runs every job it finds), migrated, dropped afterwards."""
    with fresh_postgres_database("ivr_worker") as url:
        yield url


SALESPEOPLE = 20
EVENTS_PER_PERSON = 20  # one assignment each, then password changes: 400 events, one notification each


def _seed(env: dict[str, str]) -> int:
    """Commit events through the real unit of work (their jobs deferred in the same transactions)."""
    people = [(f"s{n}@example.org", Role.SALESPERSON) for n in range(SALESPEOPLE)]
    distributor, *members = _users(env, ("d@example.org", Role.DISTRIBUTOR), *people)
    container = build_container(load_settings(env))
    try:
        for person in members:
            assign = AssignMember(manager_id=UserId(uuid.UUID(distributor)), member_user_id=UserId(uuid.UUID(person)))
            value_of(container.assign_member()(SYSTEM_ACTOR, assign))
        clock = container.clock()
        for person in members:
            with container.uow() as uow:
                for _ in range(EVENTS_PER_PERSON - 1):
                    uow.outbox.add(PasswordChanged(occurred_at=clock.now(), user_id=UserId(uuid.UUID(person))))
                uow.commit()
    finally:
        container.engine().dispose()
    return SALESPEOPLE * EVENTS_PER_PERSON


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(  # noqa: S603 - the project's own `ivr` script, fixed arguments
            [str(IVR), "worker", "--concurrency", "4"], env={**os.environ, **env}, cwd=ROOT, stdout=sink, stderr=sink
        )


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    postgres_database: str, tmp_path: Path
) -> None:
    env = settings_env(
        tmp_path,
        IVR_DATABASE_URL=postgres_database,
        IVR_OUTBOX_REPLAY_SECONDS="1",
        IVR_OUTBOX_REPLAY_AFTER_SECONDS="2",
        IVR_AUDIT_SEAL_SECONDS="1",
        IVR_LOG_LEVEL="WARNING",
    )
    total = _seed(env)
    engine = sa.create_engine(postgres_database)
    dispatched = "SELECT count(*) FROM outbox WHERE dispatched_at IS NOT NULL"
    log = tmp_path / "worker.log"
    try:
        assert _count(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'") == total
        first = _worker(env, log)
        _wait_for(lambda: _count(engine, dispatched) >= total // 8, 60, "the first worker to make progress")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = {
            "dispatched": _count(engine, dispatched),
            "notifications": _count(engine, "SELECT count(*) FROM notifications"),
            "jobs_doing": _count(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"),
            "jobs_todo": _count(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"),
        }
        assert at_kill["dispatched"] < total, "the worker finished before it was killed: seed more events"

        # Restarted as two workers at once: the rest of the queue and the replay race each other harmlessly.
        restarted = [_worker(env, log), _worker(env, log)]
        started = time.monotonic()
        try:
            _wait_for(lambda: _count(engine, dispatched) == total, 60, "every event to be dispatched")
        finally:
            for worker in restarted:
                worker.send_signal(signal.SIGTERM)
            assert [w.wait(timeout=30) for w in restarted] == [0, 0], log.read_text()[-2000:]

        notifications = _count(engine, "SELECT count(*) FROM notifications")
        took = time.monotonic() - started
        print(f"\nSIGKILL test: {total} events; at kill {at_kill}; {notifications} notifications {took:.1f}s later")
        assert notifications == total
        assert _count(engine, "SELECT count(DISTINCT event_id) FROM notifications") == total
        assert _count(engine, "SELECT count(*) FROM processed_events") == total
        # Each delivery's effects were applied once: one audit entry per event, never a second.
        assert _count(engine, "SELECT count(*) FROM audit_log WHERE action = 'notifications.deliver'") == total
        assert _count(engine, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL") == 0
    finally:
        engine.dispose()
