"""Notifications from identity's events, on the memory platform: who is told what, reading them, idempotency."""

from __future__ import annotations

import threading
from datetime import timedelta

from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.events import PasswordChanged
from ivr_domain.identity.use_cases.auth import Refresh
from ivr_domain.identity.use_cases.passwords import ChangePassword, ForgotPassword, ResetPassword
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.actor import Actor, Role
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import InvalidQuery, NotFound
from ivr_domain.shared.ids import NotificationId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.platform import PASSWORD, Platform, error_of, value_of


def _inbox(platform: Platform, actor: Actor, unread: bool | None = None) -> list[Notification]:
    page = value_of(platform.container.list_notifications()(actor, NotificationFilter(unread=unread), PageRequest()))
    return list(page.items)


def _kinds(notes: list[Notification]) -> list[tuple[NotificationKind, SubjectType, object]]:
    return sorted(((n.kind, n.subject_type, n.subject_id) for n in notes), key=str)


def test_managers_are_told_when_they_gain_and_lose_members(platform: Platform) -> None:
    first = platform.user("d1@example.org", Role.DISTRIBUTOR)
    second = platform.user("d2@example.org", Role.DISTRIBUTOR)
    sales = platform.user("s@example.org", Role.SALESPERSON)
    doc = platform.user("doc@example.org", Role.DOCTOR, practice="Clinic")
    platform.assign(first, sales)
    platform.assign(sales, doc)
    platform.clock.advance(timedelta(minutes=1))
    platform.assign(second, sales)  # moves: the first distributor loses the salesperson
    platform.assign(second, sales)  # already so: nothing happened, nobody is told

    assert _kinds(_inbox(platform, platform.actor("d1@example.org"))) == sorted(
        [
            (NotificationKind.MEMBER_ADDED, SubjectType.USER, sales.id),
            (NotificationKind.MEMBER_REMOVED, SubjectType.USER, sales.id),
        ],
        key=str,
    )
    assert _kinds(_inbox(platform, platform.actor("d2@example.org"))) == [
        (NotificationKind.MEMBER_ADDED, SubjectType.USER, sales.id)
    ]
    assert _kinds(_inbox(platform, platform.actor("s@example.org"))) == [
        (NotificationKind.MEMBER_ADDED, SubjectType.PRACTICE, doc.practice_id)
    ]
    assert _inbox(platform, platform.actor("doc@example.org")) == []


def test_a_user_is_told_of_password_changes_resets_and_a_revoked_session(platform: Platform) -> None:
    doctor = platform.user("doc@example.org", Role.DOCTOR, practice="Clinic")
    actor = platform.actor("doc@example.org")
    change = ChangePassword(current_password=PASSWORD, new_password="a fresh passphrase 1")
    value_of(platform.container.change_password()(actor, change))
    forgot = ForgotPassword(email="doc@example.org", client_address="203.0.113.7")
    value_of(platform.container.forgot_password()(forgot))
    token = platform.notifier.last_token_for("doc@example.org")
    assert token is not None
    value_of(platform.container.reset_password()(ResetPassword(token=token, new_password=PASSWORD)))
    pair = value_of(platform.login("doc@example.org"))
    value_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token)))
    error_of(platform.container.refresh()(Refresh(refresh_token=pair.refresh_token)))  # reused: session revoked

    notes = _inbox(platform, platform.actor("doc@example.org"))
    assert _kinds(notes) == sorted(
        [
            (NotificationKind.PASSWORD_CHANGED, SubjectType.USER, doctor.id),
            (NotificationKind.PASSWORD_RESET, SubjectType.USER, doctor.id),
            (NotificationKind.SESSION_REVOKED, SubjectType.SESSION, _session_of(platform, pair.access_token)),
        ],
        key=str,
    )
    # Ids, kinds and times only: nothing a person typed or could be identified by.
    text = repr(notes)
    for identifying in ("doc@example.org", "Test Person", "Clinic"):
        assert identifying not in text


def _session_of(platform: Platform, access_token: str) -> object:
    """Return the session id an access token was issued for."""
    claims = platform.container.tokens().verify(access_token)
    assert claims is not None
    return claims.session_id


def test_each_user_reads_only_their_own_and_marks_them_read(platform: Platform) -> None:
    distributor = platform.user("d@example.org", Role.DISTRIBUTOR)
    for n in range(3):
        platform.assign(distributor, platform.user(f"s{n}@example.org", Role.SALESPERSON))
        platform.clock.advance(timedelta(seconds=1))
    owner = platform.actor("d@example.org")
    other = platform.actor("s0@example.org")
    first, second, third = _inbox(platform, owner)
    assert first.created_at > second.created_at > third.created_at  # newest first

    assert isinstance(error_of(platform.container.mark_notification_read()(other, first.id)), NotFound)
    assert isinstance(error_of(platform.container.mark_notification_read()(owner, NotificationId(new_id()))), NotFound)
    read = value_of(platform.container.mark_notification_read()(owner, first.id))
    assert read.read_at == platform.clock.now()
    platform.clock.advance(timedelta(minutes=1))
    again = value_of(platform.container.mark_notification_read()(owner, first.id))
    assert again.read_at == read.read_at  # the first reading's time is kept
    assert [n.id for n in _inbox(platform, owner, unread=True)] == [second.id, third.id]
    assert [n.id for n in _inbox(platform, owner, unread=False)] == [first.id]

    assert value_of(platform.container.mark_all_notifications_read()(owner)) == 2
    assert value_of(platform.container.mark_all_notifications_read()(owner)) == 0
    assert _inbox(platform, owner, unread=True) == []
    refused = platform.audit(AuditQuery(action="notifications.read", outcome=Outcome.DENIED))
    assert sorted((str(e.user_id), e.reason) for e in refused) == sorted(
        [(str(other.user_id), "not_found"), (str(owner.user_id), "not_found")]
    )


def test_pages_follow_the_cursor_and_bad_queries_are_refused(platform: Platform) -> None:
    distributor = platform.user("d@example.org", Role.DISTRIBUTOR)
    for n in range(5):
        platform.assign(distributor, platform.user(f"s{n}@example.org", Role.SALESPERSON))
    owner = platform.actor("d@example.org")
    handler = platform.container.list_notifications()
    seen, cursor = [], None
    while True:
        page = value_of(handler(owner, NotificationFilter(), PageRequest(limit=2, cursor=cursor)))
        seen += [n.id for n in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 5
    assert sorted(seen) == sorted(n.id for n in _inbox(platform, owner))
    assert isinstance(error_of(handler(owner, NotificationFilter(), PageRequest(sort="kind"))), InvalidQuery)


def test_an_event_delivered_again_or_several_times_at_once_notifies_once(platform: Platform) -> None:
    distributor = platform.user("d@example.org", Role.DISTRIBUTOR)
    sales = platform.user("s@example.org", Role.SALESPERSON)
    platform.assign(distributor, sales)  # dispatched inline after the commit (no server thread here)
    with platform.container.uow() as uow:
        assert uow.outbox_records.count_undispatched() == 0
    deliver = platform.container.deliver_notifications()
    event = PasswordChanged(occurred_at=platform.clock.now(), user_id=sales.id)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(deliver(event))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0] * 7 + [1]
    assert deliver(event) == 0
    kinds = [n.kind for n in _inbox(platform, platform.actor("s@example.org"))]
    assert kinds == [NotificationKind.PASSWORD_CHANGED]
    delivered = platform.audit(AuditQuery(action="notifications.deliver"))
    assert len(delivered) == 2
    assert all(e.is_system for e in delivered)
