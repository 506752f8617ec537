"""UserRepository contract, for every adapter."""

from __future__ import annotations

import threading

import pytest
from attrs import evolve
from returns.result import Failure, Success

from ivr_domain.identity.ports import UserFilter
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.values import Email
from tests.contract import builders
from tests.contract.conftest import Backend, UowFactory

ALL = Scope(everything=True)


def test_round_trip_find_by_email_and_duplicate(uow: UowFactory) -> None:
    practice = builders.practice()
    user = builders.user(practice_id=practice.id, email=Email("dana@example.com"))
    with uow() as u:
        u.practices.add(practice)
        assert u.users.add(user) == Success(user)
        u.commit()
    with uow() as u:
        assert u.users.get(user.id, scope=ALL) == user
        assert u.users.find_by_email(Email("dana@example.com")) == user
        assert u.users.find_by_email(Email("nobody@example.com")) is None
        twin = builders.user(email=Email("dana@example.com"))
        assert u.users.add(twin) == Failure(Conflict(entity="user", existing_id=str(user.id)))


def test_save_is_compare_and_set_and_keeps_emails_unique(uow: UowFactory) -> None:
    first, second = builders.user(), builders.user()
    with uow() as u:
        u.users.add(first)
        u.users.add(second)
        u.commit()
    with uow() as u:
        moved = u.users.save(evolve(first, name="New Name", active=False))
        assert moved == Success(evolve(first, name="New Name", active=False, version=2))
        assert u.users.save(first) == Failure(Conflict(entity="user", id=str(first.id)))
        taken = u.users.save(evolve(second, email=first.email))
        assert taken == Failure(Conflict(entity="user", existing_id=str(first.id)))
        u.commit()
    with uow() as u:
        stored = u.users.get(first.id, scope=ALL)
        assert stored is not None
        assert (stored.name, stored.active, stored.version) == ("New Name", False, 2)


def test_scope_reaches_listed_users_and_practice_members(uow: UowFactory) -> None:
    practice = builders.practice()
    member = builders.user(practice_id=practice.id)
    listed = builders.user(role=Role.SALESPERSON)
    stranger = builders.user(role=Role.SALESPERSON)
    with uow() as u:
        u.practices.add(practice)
        for user in (member, listed, stranger):
            u.users.add(user)
        u.commit()
    scope = Scope(practice_ids=frozenset({practice.id}), user_ids=frozenset({listed.id}))
    with uow() as u:
        assert u.users.get(member.id, scope=scope) == member
        assert u.users.get(listed.id, scope=scope) == listed
        assert u.users.get(stranger.id, scope=scope) is None
        page = u.users.list(scope=scope, filters=UserFilter(), page=PageRequest())
        assert {x.id for x in page.items} == {member.id, listed.id}
        assert u.users.list(scope=Scope(), filters=UserFilter(), page=PageRequest()).items == ()


def test_list_filters_and_pages_by_email(uow: UowFactory) -> None:
    practice = builders.practice()
    users = [
        builders.user(email=Email("c@example.com"), role=Role.SALESPERSON),
        builders.user(email=Email("a@example.com"), practice_id=practice.id),
        builders.user(email=Email("b@example.com"), active=False, practice_id=practice.id),
        builders.user(email=Email("d@example.com"), role=Role.ADMIN),
    ]
    with uow() as u:
        u.practices.add(practice)
        for user in users:
            u.users.add(user)
        u.commit()
    with uow() as u:
        first = u.users.list(scope=ALL, filters=UserFilter(), page=PageRequest(limit=3, sort="-email"))
        assert [x.email.value for x in first.items] == ["d@example.com", "c@example.com", "b@example.com"]
        rest = u.users.list(
            scope=ALL, filters=UserFilter(), page=PageRequest(limit=3, sort="-email", cursor=first.next_cursor)
        )
        assert [x.email.value for x in rest.items] == ["a@example.com"]
        assert rest.next_cursor is None

        def emails(filters: UserFilter) -> list[str]:
            return [
                x.email.value for x in u.users.list(scope=ALL, filters=filters, page=PageRequest(sort="email")).items
            ]

        assert emails(UserFilter(role=Role.DOCTOR)) == ["a@example.com", "b@example.com"]
        assert emails(UserFilter(practice_id=practice.id, active=True)) == ["a@example.com"]
        assert emails(UserFilter(active=False)) == ["b@example.com"]


def test_version_held_reads_the_current_version_and_none_for_no_account(uow: UowFactory) -> None:
    user = builders.user()
    with uow() as u:
        u.users.add(user)
        u.commit()
    with uow() as u:
        saved = u.users.save(evolve(user, name="Renamed")).unwrap()
        assert u.users.version_held(user.id) == saved.version  # its own change is the current one
        u.commit()
    with uow() as u:
        assert u.users.version_held(user.id) == user.version + 1
        assert u.users.version_held(builders.user().id) is None


def test_on_postgresql_a_held_version_makes_a_change_wait_for_the_holder(backend: Backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("SQLite has one writer at a time and the memory store checks at the read: no lock to wait for")
    uow = backend.fresh()
    user = builders.user()
    with uow() as u:
        u.users.add(user)
        u.commit()
    changed = threading.Event()

    def change() -> None:
        with uow() as u:
            u.users.save(evolve(user, name="Changed")).unwrap()
            u.commit()
        changed.set()

    with uow() as holder:
        assert holder.users.version_held(user.id) == user.version
        worker = threading.Thread(target=change)
        worker.start()
        assert not changed.wait(0.5)  # the change waits for the holder's transaction
        holder.commit()
    worker.join(10)
    assert changed.is_set()
    with uow() as u:
        assert u.users.version_held(user.id) == user.version + 1
