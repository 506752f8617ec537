"""How the container routes committed events: to the in-process dispatcher, or to procrastinate jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ivr_domain.notifications.reactions import NOTIFYING_EVENTS
from ivr_domain.notifications.use_cases import DeliverNotificationsHandler
from ivr_domain.shared.dispatch import Subscription
from ivr_domain.shared.ids import EventId

if TYPE_CHECKING:
    from entrypoints.container import Container
    from entrypoints.settings import Settings


def subscriptions(deliver_notifications: DeliverNotificationsHandler) -> tuple[Subscription, ...]:
    """Return every handler of committed events, in the order they are run."""
    return (Subscription(event_types=NOTIFYING_EVENTS, handler=deliver_notifications),)


def after_commit_hook(settings: Settings, container: Container) -> Callable[[Sequence[EventId]], None] | None:
    """Return what a unit of work calls after a commit that recorded events (inline dispatch only)."""
    if settings.events.dispatch != "inline":
        return None

    def notify(event_ids: Sequence[EventId]) -> None:
        # Resolved per call, so a test's override of the relay applies to units of work made before it.
        container.event_relay().notify(event_ids)

    return notify


def enqueue_hook(settings: Settings, container: Container) -> Callable[[Any, Sequence[EventId]], None] | None:
    """Return what a unit of work calls before committing events (procrastinate dispatch only)."""
    if settings.events.dispatch != "procrastinate":
        return None

    def enqueue(connection: Any, event_ids: Sequence[EventId]) -> None:
        container.job_queue().enqueue(connection, event_ids)

    return enqueue
