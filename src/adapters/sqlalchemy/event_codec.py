"""Domain events to and from the outbox's JSON payload (cattrs at the edge; the core stays unaware)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cattrs.preconf.json import make_converter

from ivr_domain.identity.events import IDENTITY_EVENTS
from ivr_domain.ivr.events import IVR_EVENTS
from ivr_domain.shared.events import DomainEvent

# Every context's events; a type's `name` is what the outbox stores, so names never change once used.
KNOWN_EVENTS: tuple[type[DomainEvent], ...] = (*IDENTITY_EVENTS, *IVR_EVENTS)


class UnknownEvent(LookupError):
    """The outbox holds an event type this code does not know (written by a newer release)."""


class EventCodec:
    """Encodes events as (name, JSON object) and back."""

    def __init__(self, types: tuple[type[DomainEvent], ...] = KNOWN_EVENTS) -> None:
        """Know these event types by name."""
        self._types = {t.name: t for t in types}
        if len(self._types) != len(types):
            raise ValueError("two event types share a name")
        self._converter = make_converter()
        self._converter.register_unstructure_hook(UUID, str)
        self._converter.register_structure_hook(UUID, lambda value, _: UUID(value))

    def encode(self, event: DomainEvent) -> tuple[str, dict[str, Any]]:
        """Return the event's stored name and payload."""
        if self._types.get(event.name) is not type(event):
            raise UnknownEvent(f"event type {type(event).__name__} ({event.name}) is not registered")
        payload: dict[str, Any] = self._converter.unstructure(event)
        return event.name, payload

    def decode(self, name: str, payload: dict[str, Any]) -> DomainEvent:
        """Rebuild an event from its stored name and payload."""
        event_type = self._types.get(name)
        if event_type is None:
            raise UnknownEvent(f"no event type is named {name!r}")
        return self._converter.structure(payload, event_type)
