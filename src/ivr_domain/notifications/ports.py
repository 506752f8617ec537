"""What notifications need from persistence: a user's own messages, and which events were already handled."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen

from ivr_domain.notifications.model import Notification
from ivr_domain.shared.audit import AuditLog
from ivr_domain.shared.dispatch import ProcessedEvents
from ivr_domain.shared.ids import NotificationId, UserId
from ivr_domain.shared.paging import Page, PageRequest

NOTIFICATION_SORTS = ("created_at",)


@frozen(kw_only=True)
class NotificationFilter:
    """`unread=True` keeps unread ones, `False` read ones, `None` all."""

    unread: bool | None = None


class NotificationRepository(Protocol):
    """Notifications, always one recipient's at a time."""

    def add(self, notification: Notification) -> bool:
        """Store a notification unless one with its id exists; True when stored."""
        ...

    def get(self, notification_id: NotificationId, *, recipient_id: UserId) -> Notification | None:
        """Return the recipient's notification; another user's reads as absent."""
        ...

    def list(self, recipient_id: UserId, *, filters: NotificationFilter, page: PageRequest) -> Page[Notification]:
        """Return one page of the recipient's notifications."""
        ...

    def mark_read(self, notification_id: NotificationId, *, recipient_id: UserId, at: datetime) -> None:
        """Mark one of the recipient's notifications read, unless it already is."""
        ...

    def mark_all_read(self, recipient_id: UserId, *, at: datetime) -> int:
        """Mark every unread notification of the recipient read; return how many."""
        ...


class NotificationsUnitOfWork(Protocol):
    """One transaction over notifications, the handled-events ledger and the audit log."""

    notifications: NotificationRepository
    processed_events: ProcessedEvents
    audit: AuditLog

    def __enter__(self) -> NotificationsUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's changes durable."""
        ...
