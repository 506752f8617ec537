"""`ivr worker`: it explains itself on SQLite; a command's events are dispatched in its own process there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from procrastinate import PsycopgConnector

from entrypoints.container import Container, build_container
from entrypoints.settings import load_settings
from entrypoints.worker import build_worker_app
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.paging import PageRequest
from tests.cli.conftest import Invoke, all_users
from tests.platform import PASSWORD, settings_env


def test_the_worker_is_not_needed_on_sqlite_and_says_why(ivr: Invoke, migrated: None) -> None:
    result = ivr("worker")

    assert result.exit_code == 1
    assert "the server dispatches events in-process" in result.stderr
    assert result.stdout == ""


def test_the_worker_says_it_is_not_needed_before_looking_at_the_database(ivr: Invoke, tmp_path: Path) -> None:
    # Not migrated, no keys yet: on SQLite the answer does not depend on either, and nothing is created.
    before = sorted(tmp_path.rglob("*"))

    result = ivr("worker")

    assert result.exit_code == 1
    assert "the server dispatches events in-process" in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_a_command_dispatches_its_events_before_it_exits(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    for email, role in (("dist@example.org", "distributor"), ("sales@example.org", "salesperson")):
        created = ivr("users", "create", "--email", email, "--password", PASSWORD, "--role", role, "--name", "P")
        assert created.exit_code == 0, created.output
    assigned = ivr("users", "assign", "--manager", "dist@example.org", "--member", "sales@example.org")
    assert assigned.exit_code == 0, assigned.output

    built = read_back()
    distributor = next(u for u in all_users(built) if u.email.value == "dist@example.org")
    with built.uow() as uow:
        page = uow.notifications.list(distributor.id, filters=NotificationFilter(), page=PageRequest())
        assert uow.outbox_records.count_undispatched() == 0
    assert [n.kind.value for n in page.items] == ["member_added"]


def test_a_worker_s_pool_holds_a_connection_per_job_it_runs_at_once(tmp_path: Path) -> None:
    # The pool follows the worker's own concurrency (the flag), not only the setting: jobs never wait for a connection.
    env = settings_env(tmp_path, IVR_DATABASE_URL="postgresql://postgres@127.0.0.1/ivr", IVR_WORKER_CONCURRENCY="4")
    built = build_container(load_settings(env))
    for concurrency, pool in ((None, 7), (12, 15), (1, 4)):
        app = build_worker_app(built, concurrency=concurrency)
        assert isinstance(app.connector, PsycopgConnector)
        assert app.connector._pool_args["max_size"] == pool


def test_the_concurrency_flag_is_bounded_like_the_setting(ivr: Invoke, migrated: None) -> None:
    result = ivr("worker", "--concurrency", "257")

    assert result.exit_code == 2
    # The message sits in a box whose width follows the terminal: read it with the box and line breaks removed.
    assert "less than or equal to 256" in " ".join(result.stderr.replace("│", " ").split())
