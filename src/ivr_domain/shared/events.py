"""Domain events: past-tense facts carrying ids and timestamps, never PHI."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Protocol

from attrs import field, frozen

from ivr_domain.shared.ids import EventId, new_id


@frozen(kw_only=True)
class DomainEvent:
    """Base of every event; `name` is the stable, dotted event type."""

    name: ClassVar[str] = "domain.event"
    occurred_at: datetime
    event_id: EventId = field(factory=lambda: EventId(new_id()))


class EventOutbox(Protocol):
    """Records events in the unit of work's own transaction: they are kept exactly when the change is."""

    def add(self, event: DomainEvent) -> None:
        """Append an event; it commits or rolls back with the transaction."""
        ...
