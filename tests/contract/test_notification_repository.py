"""Notifications on every backend: one recipient's at a time, idempotent adds, unread filter, paging, reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr_domain.identity.model import User
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import EventId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.values import Email
from tests.contract.conftest import UowFactory

T0 = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)


def person(uow: UowFactory, n: int) -> UserId:
    """Store a user (notifications reference their recipient) and return the id."""
    user = User(
        id=UserId(new_id()),
        email=Email(f"user{n}@example.org"),
        name="Someone",
        role=Role.SALESPERSON,
        password_hash="x",
        created_at=T0,
        updated_at=T0,
        password_changed_at=T0,
    )
    with uow() as u:
        u.users.add(user)
        u.commit()
    return user.id


def note(recipient: UserId, n: int = 0, kind: NotificationKind = NotificationKind.MEMBER_ADDED) -> Notification:
    """Return a notification created `n` seconds after T0."""
    return Notification.about(
        event_id=EventId(new_id()),
        recipient_id=recipient,
        kind=kind,
        subject_type=SubjectType.USER,
        subject_id=new_id(),
        occurred_at=T0,
        created_at=T0 + timedelta(seconds=n),
    )


def add(uow: UowFactory, *notes: Notification) -> list[bool]:
    """Add notifications in one committed transaction; return what each add answered."""
    with uow() as u:
        added = [u.notifications.add(n) for n in notes]
        u.commit()
    return added


def test_adds_are_idempotent_and_reads_are_the_recipients_own(uow: UowFactory) -> None:
    alice, bob = person(uow, 1), person(uow, 2)
    mine = note(alice)
    assert add(uow, mine) == [True]
    assert add(uow, mine) == [False]
    with uow() as u:
        assert u.notifications.get(mine.id, recipient_id=alice) == mine
        assert u.notifications.get(mine.id, recipient_id=bob) is None
        assert u.notifications.list(bob, filters=NotificationFilter(), page=PageRequest()).items == ()


def test_pages_newest_first_with_an_unread_filter(uow: UowFactory) -> None:
    alice, bob = person(uow, 1), person(uow, 2)
    notes = [note(alice, n) for n in range(5)]
    add(uow, *notes, note(bob))
    with uow() as u:
        u.notifications.mark_read(notes[1].id, recipient_id=alice, at=T0)
        u.notifications.mark_read(notes[2].id, recipient_id=bob, at=T0)  # not bob's: nothing happens
        u.commit()
    seen, cursor = [], None
    with uow() as u:
        while True:
            page = u.notifications.list(alice, filters=NotificationFilter(), page=PageRequest(limit=2, cursor=cursor))
            seen += [n.id for n in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        unread = u.notifications.list(alice, filters=NotificationFilter(unread=True), page=PageRequest())
        read = u.notifications.list(alice, filters=NotificationFilter(unread=False), page=PageRequest())
    assert seen == [n.id for n in reversed(notes)]
    assert [n.id for n in unread.items] == [notes[4].id, notes[3].id, notes[2].id, notes[0].id]
    assert [(n.id, n.read_at) for n in read.items] == [(notes[1].id, T0)]


def test_marking_read_keeps_the_first_time_and_read_all_counts(uow: UowFactory) -> None:
    alice, bob = person(uow, 1), person(uow, 2)
    first, second = note(alice, 1), note(alice, 2)
    add(uow, first, second, note(bob))
    later = T0 + timedelta(hours=1)
    with uow() as u:
        u.notifications.mark_read(first.id, recipient_id=alice, at=T0)
        u.commit()
    with uow() as u:
        u.notifications.mark_read(first.id, recipient_id=alice, at=later)
        assert u.notifications.mark_all_read(alice, at=later) == 1
        assert u.notifications.mark_all_read(alice, at=later) == 0
        u.commit()
    with uow() as u:
        stored = [u.notifications.get(i, recipient_id=alice) for i in (first.id, second.id)]
        assert [n.read_at if n else None for n in stored] == [T0, later]
        left = u.notifications.list(bob, filters=NotificationFilter(unread=True), page=PageRequest())
    assert len(left.items) == 1
