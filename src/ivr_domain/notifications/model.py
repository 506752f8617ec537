"""Notifications: one message to one user about one thing, identified by ids; read once, kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from attrs import evolve, frozen

from ivr_domain.shared.ids import EventId, NotificationId, UserId

# Fixed forever: notification ids are derived from it, so a redelivered event finds the row it made before.
_NAMESPACE = UUID("5b0c8d4e-2f6a-5e21-9d7c-4a1e3b6f0c92")


class NotificationKind(StrEnum):
    """What happened; the persisted value, and what clients switch on."""

    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    SESSION_REVOKED = "session_revoked"
    IVR_SUBMITTED = "ivr_submitted"
    IVR_IN_REVIEW = "ivr_in_review"
    IVR_INFO_REQUESTED = "ivr_info_requested"
    IVR_PENDING_PRIOR_AUTH = "ivr_pending_prior_auth"
    IVR_APPROVED = "ivr_approved"
    IVR_REJECTED = "ivr_rejected"
    IVR_CANCELLED = "ivr_cancelled"
    IVR_EXPIRED = "ivr_expired"
    IVR_ASSIGNED = "ivr_assigned"


class SubjectType(StrEnum):
    """What a notification is about."""

    USER = "user"
    PRACTICE = "practice"
    SESSION = "session"
    IVR = "ivr"


def notification_id(event_id: EventId, recipient_id: UserId, kind: NotificationKind) -> NotificationId:
    """Return the one id a notification of this kind, for this event and recipient, can have."""
    return NotificationId(uuid.uuid5(_NAMESPACE, f"{event_id}:{recipient_id}:{kind.value}"))


@frozen(kw_only=True)
class Notification:
    """A message for one user: what happened (`kind`), to what (`subject_*`), and when; never PHI."""

    id: NotificationId
    recipient_id: UserId
    kind: NotificationKind
    event_id: EventId
    subject_type: SubjectType
    subject_id: UUID
    occurred_at: datetime
    created_at: datetime
    read_at: datetime | None = None

    @classmethod
    def about(
        cls,
        *,
        event_id: EventId,
        recipient_id: UserId,
        kind: NotificationKind,
        subject_type: SubjectType,
        subject_id: UUID,
        occurred_at: datetime,
        created_at: datetime | None = None,
    ) -> Notification:
        """Build a notification whose id follows from its event, recipient and kind; it dates from the event."""
        return cls(
            id=notification_id(event_id, recipient_id, kind),
            recipient_id=recipient_id,
            kind=kind,
            event_id=event_id,
            subject_type=subject_type,
            subject_id=subject_id,
            occurred_at=occurred_at,
            created_at=created_at or occurred_at,
        )

    @property
    def unread(self) -> bool:
        """Tell whether the recipient has not read it yet."""
        return self.read_at is None

    def read(self, at: datetime) -> Notification:
        """Return it read; reading again keeps the first time."""
        return self if self.read_at is not None else evolve(self, read_at=at)
