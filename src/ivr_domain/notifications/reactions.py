"""Which events notify whom: pure functions from an event to the notifications it causes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from ivr_domain.identity.events import (
    MemberAssigned,
    MemberRemoved,
    PasswordChanged,
    PasswordReset,
    SessionRevokedForReuse,
)
from ivr_domain.ivr.events import IvrReviewerAssigned, IvrStatusChanged
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType
from ivr_domain.shared.events import DomainEvent


def _membership(event: MemberAssigned | MemberRemoved, kind: NotificationKind) -> tuple[Notification, ...]:
    # The manager is told which member moved: a user, or for a doctor assignment the practice.
    subject_id: UUID
    if event.member_practice_id is not None:
        subject_type, subject_id = SubjectType.PRACTICE, event.member_practice_id
    elif event.member_user_id is not None:
        subject_type, subject_id = SubjectType.USER, event.member_user_id
    else:
        return ()
    return (
        Notification.about(
            event_id=event.event_id,
            recipient_id=event.manager_id,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            occurred_at=event.occurred_at,
        ),
    )


def _member_added(event: MemberAssigned) -> tuple[Notification, ...]:
    return _membership(event, NotificationKind.MEMBER_ADDED)


def _member_removed(event: MemberRemoved) -> tuple[Notification, ...]:
    return _membership(event, NotificationKind.MEMBER_REMOVED)


def _own_account(event: PasswordChanged | PasswordReset, kind: NotificationKind) -> Notification:
    return Notification.about(
        event_id=event.event_id,
        recipient_id=event.user_id,
        kind=kind,
        subject_type=SubjectType.USER,
        subject_id=event.user_id,
        occurred_at=event.occurred_at,
    )


def _password_changed(event: PasswordChanged) -> tuple[Notification, ...]:
    return (_own_account(event, NotificationKind.PASSWORD_CHANGED),)


def _password_reset(event: PasswordReset) -> tuple[Notification, ...]:
    return (_own_account(event, NotificationKind.PASSWORD_RESET),)


def _session_revoked(event: SessionRevokedForReuse) -> tuple[Notification, ...]:
    notification = Notification.about(
        event_id=event.event_id,
        recipient_id=event.user_id,
        kind=NotificationKind.SESSION_REVOKED,
        subject_type=SubjectType.SESSION,
        subject_id=event.session_id,
        occurred_at=event.occurred_at,
    )
    return (notification,)


def _ivr_status_changed(event: IvrStatusChanged) -> tuple[Notification, ...]:
    # The kind carries the new status; the IVR is named by id only (its reference and content stay in the IVR).
    kind = NotificationKind(f"ivr_{event.to_status}")
    return tuple(
        Notification.about(
            event_id=event.event_id,
            recipient_id=recipient,
            kind=kind,
            subject_type=SubjectType.IVR,
            subject_id=event.ivr_id,
            occurred_at=event.occurred_at,
        )
        for recipient in event.audience
    )


def _ivr_assigned(event: IvrReviewerAssigned) -> tuple[Notification, ...]:
    # Only the new reviewer: the IVR's status did not change, so the practice has nothing new to hear.
    return (
        Notification.about(
            event_id=event.event_id,
            recipient_id=event.reviewer_id,
            kind=NotificationKind.IVR_ASSIGNED,
            subject_type=SubjectType.IVR,
            subject_id=event.ivr_id,
            occurred_at=event.occurred_at,
        ),
    )


_REACTIONS: dict[type[DomainEvent], Callable[[Any], tuple[Notification, ...]]] = {
    MemberAssigned: _member_added,
    MemberRemoved: _member_removed,
    PasswordChanged: _password_changed,
    PasswordReset: _password_reset,
    SessionRevokedForReuse: _session_revoked,
    IvrStatusChanged: _ivr_status_changed,
    IvrReviewerAssigned: _ivr_assigned,
}

NOTIFYING_EVENTS: tuple[type[DomainEvent], ...] = tuple(_REACTIONS)


def notifications_for(event: DomainEvent) -> tuple[Notification, ...]:
    """Return the notifications an event causes (none for events nobody is told about).

    A pure function of the event, dated by it: a redelivery, however late, builds the very same rows.
    """
    reaction = _REACTIONS.get(type(event))
    return reaction(event) if reaction is not None else ()
