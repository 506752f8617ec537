"""`ivr worker`: it explains itself on SQLite; a command's events are dispatched in its own process there."""

from __future__ import annotations

from collections.abc import Callable

from entrypoints.container import Container
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.paging import PageRequest
from tests.cli.conftest import Invoke, all_users
from tests.platform import PASSWORD


def test_the_worker_is_not_needed_on_sqlite_and_says_why(ivr: Invoke, migrated: None) -> None:
    result = ivr("worker")

    assert result.exit_code == 1
    assert "the server dispatches events in-process" in result.stderr
    assert result.stdout == ""


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
