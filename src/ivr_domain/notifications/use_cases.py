"""Delivering notifications from events, and a user reading their own: list, mark one read, mark all read."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from attrs import frozen
from returns.result import Result, Success

from ivr_domain.notifications.model import Notification
from ivr_domain.notifications.ports import NOTIFICATION_SORTS, NotificationFilter, NotificationsUnitOfWork
from ivr_domain.notifications.reactions import notifications_for
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import DomainError, InvalidQuery, NotFound
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import NotificationId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page


@frozen(kw_only=True)
class DeliverNotificationsHandler:
    """Turns one event into its notifications, at most once per event however often it is delivered.

    The event id is claimed in the same transaction that stores the notifications, and each notification's id
    follows from the event, so a redelivery (a retry, a replay, two workers at once) creates nothing twice.
    """

    HANDLER: ClassVar[str] = "notifications.deliver"

    uow: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, event: DomainEvent) -> int:
        """Store the event's notifications; return how many were new."""
        now = self.clock.now()
        with self.uow() as uow:
            if not uow.processed_events.claim(self.HANDLER, event.event_id, at=now):
                return 0
            added = sum(uow.notifications.add(n) for n in notifications_for(event))
            if added:
                # Work with no user behind it is the system actor's, audited as such.
                entry = self.audit.entry(SYSTEM_ACTOR, self.HANDLER, resource_type="event", resource_id=event.event_id)
                uow.audit.append(entry)
            uow.commit()
        return added


@frozen(kw_only=True)
class ListNotificationsHandler:
    """A user's own notifications, newest first by default."""

    uow: Callable[[], NotificationsUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, filters: NotificationFilter, page: PageRequest
    ) -> Result[Page[Notification], InvalidQuery]:
        """Return one page of the caller's notifications."""
        action = "notifications.list"
        bad = check_page(page, NOTIFICATION_SORTS)
        if bad is not None:
            return self.audit.refused(actor, action, bad, resource_type="notification")
        with self.uow() as uow:
            found = uow.notifications.list(actor.user_id, filters=filters, page=page)
            uow.audit.append(self.audit.entry(actor, action, resource_type="notification"))
            uow.commit()
        return Success(found)


@frozen(kw_only=True)
class MarkNotificationReadHandler:
    """A user marks one of their own notifications read; anyone else's is not found."""

    uow: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, notification_id: NotificationId) -> Result[Notification, NotFound]:
        """Mark it read (the first reading's time is kept) and return it."""
        action = "notifications.read"
        with self.uow() as uow:
            found = uow.notifications.get(notification_id, recipient_id=actor.user_id)
            if found is not None:
                now = self.clock.now()
                if found.unread:
                    uow.notifications.mark_read(found.id, recipient_id=actor.user_id, at=now)
                fields = ("read_at",) if found.unread else ()
                uow.audit.append(
                    self.audit.entry(actor, action, resource_type="notification", resource_id=found.id, fields=fields)
                )
                uow.commit()
                return Success(found.read(now))
        missing = NotFound(entity="notification", id=str(notification_id))
        return self.audit.refused(actor, action, missing, resource_type="notification", resource_id=notification_id)


@frozen(kw_only=True)
class MarkAllNotificationsReadHandler:
    """A user marks every unread notification of theirs read."""

    uow: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor) -> Result[int, DomainError]:
        """Return how many notifications were marked read."""
        with self.uow() as uow:
            marked = uow.notifications.mark_all_read(actor.user_id, at=self.clock.now())
            fields = ("read_at",) if marked else ()
            entry = self.audit.entry(actor, "notifications.read_all", resource_type="notification", fields=fields)
            uow.audit.append(entry)
            uow.commit()
        return Success(marked)
