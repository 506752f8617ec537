"""Notifications on the wire: what happened, to which object (by id), when, and whether it was read."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import utc
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType


class NotificationOut(msgspec.Struct, kw_only=True):
    """One notification; `version` is 1 until it is read, then 2."""

    id: UUID
    kind: NotificationKind
    subject_type: SubjectType
    subject_id: UUID
    event_id: UUID
    occurred_at: datetime
    read: bool
    read_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class NotificationPage(msgspec.Struct, kw_only=True):
    """One page of the caller's notifications."""

    items: list[NotificationOut]
    next_cursor: str | None


class MarkedOut(msgspec.Struct, kw_only=True):
    """How many notifications a read-all marked."""

    marked: int


def notification_out(n: Notification) -> NotificationOut:
    """Return the wire form of a notification."""
    read_at = utc(n.read_at) if n.read_at is not None else None
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        subject_type=n.subject_type,
        subject_id=n.subject_id,
        event_id=n.event_id,
        occurred_at=utc(n.occurred_at),
        read=read_at is not None,
        read_at=read_at,
        version=1 if read_at is None else 2,
        created_at=utc(n.created_at),
        updated_at=read_at or utc(n.created_at),
    )
