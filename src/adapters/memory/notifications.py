"""Notifications in memory: a transaction reads the committed table overlaid with its own writes."""

from __future__ import annotations

from datetime import datetime

from attrs import evolve

from adapters.memory.events import EventTables
from adapters.memory.paging import keyset_page
from ivr_domain.notifications.model import Notification
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.ids import NotificationId, UserId
from ivr_domain.shared.paging import Page, PageRequest


class InMemoryNotificationRepository:
    """One transaction's view of the notifications."""

    def __init__(self, tables: EventTables) -> None:
        """Read the table as committed now (it is replaced, never changed, on commit)."""
        self._base = tables.notifications
        self.changes: dict[NotificationId, Notification] = {}

    def _get(self, notification_id: NotificationId) -> Notification | None:
        return self.changes.get(notification_id) or self._base.get(notification_id)

    def _own(self, recipient_id: UserId) -> list[Notification]:
        rows = {k: v for k, v in self._base.items() if v.recipient_id == recipient_id}
        rows.update({k: v for k, v in self.changes.items() if v.recipient_id == recipient_id})
        return list(rows.values())

    def add(self, notification: Notification) -> bool:
        """Store it unless its id exists."""
        if self._get(notification.id) is not None:
            return False
        self.changes[notification.id] = notification
        return True

    def get(self, notification_id: NotificationId, *, recipient_id: UserId) -> Notification | None:
        """Return the recipient's notification."""
        found = self._get(notification_id)
        return found if found is not None and found.recipient_id == recipient_id else None

    def list(self, recipient_id: UserId, *, filters: NotificationFilter, page: PageRequest) -> Page[Notification]:
        """Return one page of the recipient's notifications."""
        rows = [n for n in self._own(recipient_id) if filters.unread is None or n.unread == filters.unread]
        return keyset_page(rows, page, {"created_at": lambda n: n.created_at}, lambda n: n.id)

    def mark_read(self, notification_id: NotificationId, *, recipient_id: UserId, at: datetime) -> None:
        """Mark it read unless it already is."""
        found = self.get(notification_id, recipient_id=recipient_id)
        if found is not None and found.unread:
            self.changes[found.id] = evolve(found, read_at=at)

    def mark_all_read(self, recipient_id: UserId, *, at: datetime) -> int:
        """Mark every unread one read."""
        unread = [n for n in self._own(recipient_id) if n.unread]
        for notification in unread:
            self.changes[notification.id] = evolve(notification, read_at=at)
        return len(unread)
