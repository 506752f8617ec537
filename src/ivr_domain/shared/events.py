"""Domain events: past-tense facts carrying ids and timestamps, never PHI."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from attrs import field, frozen

from ivr_domain.shared.ids import EventId, new_id


@frozen(kw_only=True)
class DomainEvent:
    """Base of every event; `name` is the stable, dotted event type."""

    name: ClassVar[str] = "domain.event"
    occurred_at: datetime
    event_id: EventId = field(factory=lambda: EventId(new_id()))
