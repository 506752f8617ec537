"""Notifications in SQL: always filtered by recipient, paged by (created_at, id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from adapters.sqlalchemy.repositories.common import cut_page, insert_unless_conflict, keyset
from adapters.sqlalchemy.tables import notifications
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.ids import EventId, NotificationId, UserId
from ivr_domain.shared.paging import Page, PageRequest

_SORT_COLUMNS = {"created_at": notifications.c.created_at}


def _values(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "recipient_id": n.recipient_id,
        "kind": n.kind.value,
        "event_id": n.event_id,
        "subject_type": n.subject_type.value,
        "subject_id": n.subject_id,
        "occurred_at": n.occurred_at,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def _notification(row: RowMapping) -> Notification:
    return Notification(
        id=NotificationId(row["id"]),
        recipient_id=UserId(row["recipient_id"]),
        kind=NotificationKind(row["kind"]),
        event_id=EventId(row["event_id"]),
        subject_type=SubjectType(row["subject_type"]),
        subject_id=row["subject_id"],
        occurred_at=row["occurred_at"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


class SqlAlchemyNotificationRepository:
    """Notifications on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def add(self, notification: Notification) -> bool:
        """Insert it unless its id exists."""
        return insert_unless_conflict(self._db, notifications, _values(notification))

    def get(self, notification_id: NotificationId, *, recipient_id: UserId) -> Notification | None:
        """Return the recipient's notification."""
        stmt = select(notifications).where(
            notifications.c.id == notification_id, notifications.c.recipient_id == recipient_id
        )
        row = self._db.execute(stmt).mappings().first()
        return _notification(row) if row is not None else None

    def list(self, recipient_id: UserId, *, filters: NotificationFilter, page: PageRequest) -> Page[Notification]:
        """Return one page of the recipient's notifications."""
        stmt = select(notifications).where(notifications.c.recipient_id == recipient_id)
        if filters.unread is True:
            stmt = stmt.where(notifications.c.read_at.is_(None))
        elif filters.unread is False:
            stmt = stmt.where(notifications.c.read_at.is_not(None))
        rows = self._db.execute(keyset(stmt, page, _SORT_COLUMNS, notifications.c.id)).mappings()
        return cut_page([_notification(r) for r in rows], page, {"created_at": lambda n: n.created_at}, lambda n: n.id)

    def mark_read(self, notification_id: NotificationId, *, recipient_id: UserId, at: datetime) -> None:
        """Mark it read unless it already is."""
        self._db.execute(
            update(notifications)
            .where(
                notifications.c.id == notification_id,
                notifications.c.recipient_id == recipient_id,
                notifications.c.read_at.is_(None),
            )
            .values(read_at=at)
        )

    def mark_all_read(self, recipient_id: UserId, *, at: datetime) -> int:
        """Mark every unread one read."""
        stmt = (
            update(notifications)
            .where(notifications.c.recipient_id == recipient_id, notifications.c.read_at.is_(None))
            .values(read_at=at)
            .returning(notifications.c.id)
        )
        return len(self._db.execute(stmt).all())
