"""The outbox and the handled-events ledger in memory: published on commit, in commit order."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from attrs import define, evolve, frozen

from ivr_domain.notifications.model import Notification
from ivr_domain.shared.dispatch import OutboxEntry
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import EventId, NotificationId

if TYPE_CHECKING:
    from adapters.memory.store import InMemoryStore

# How long a second handler of the same event waits for the first one's transaction, as a row lock would.
_CLAIM_WAIT_SECONDS = 5.0


@frozen(kw_only=True)
class OutboxRow:
    """A committed event and its delivery state."""

    event: DomainEvent
    dispatched_at: datetime | None = None
    attempts: int = 0
    position: int | None = None

    def entry(self) -> OutboxEntry:
        """Return the row as the core sees it."""
        return OutboxEntry(
            event=self.event, dispatched_at=self.dispatched_at, attempts=self.attempts, position=self.position
        )


@define
class EventTables:
    """Committed events in commit order, handled events, notifications, and the one sequencer's lock."""

    outbox: list[OutboxRow]
    processed: set[tuple[str, EventId]]
    notifications: dict[NotificationId, Notification]  # replaced, never changed, on each commit
    sequencer: threading.Lock


def new_event_tables() -> EventTables:
    """Return empty tables."""
    return EventTables(outbox=[], processed=set(), notifications={}, sequencer=threading.Lock())


class InMemoryOutbox:
    """Holds a transaction's events until its commit publishes them."""

    def __init__(self) -> None:
        """Start with nothing pending."""
        self.pending: list[DomainEvent] = []

    def add(self, event: DomainEvent) -> None:
        """Add an event to the transaction."""
        self.pending.append(event)


class InMemoryProcessedEvents:
    """Claims (handler, event) pairs; a pair another live transaction holds is waited for, as on PostgreSQL."""

    def __init__(self, store: InMemoryStore, owner: object) -> None:
        """Claim on behalf of one transaction (its workspace)."""
        self._store = store
        self._owner = owner
        self.claimed: list[tuple[str, EventId]] = []

    def claim(self, handler: str, event_id: EventId, *, at: datetime) -> bool:
        """Record that the handler takes the event; False when a committed transaction already did."""
        key = (handler, event_id)
        deadline = time.monotonic() + _CLAIM_WAIT_SECONDS
        while True:
            with self._store.lock:
                if key in self._store.events.processed:
                    return False
                if self._store.claim(("processed_events", key), self._owner):
                    if key not in self.claimed:
                        self.claimed.append(key)
                    return True
            if time.monotonic() > deadline:
                raise TimeoutError("another transaction is still handling this event")
            time.sleep(0.01)


class InMemoryOutboxRecords:
    """Dispatch state and sequencing over the committed outbox."""

    def __init__(self, store: InMemoryStore) -> None:
        """Work on the store's event tables under the store's lock."""
        self._store = store
        self._tables = store.events
        self._holds_sequencer = False

    def _index(self, event_id: EventId) -> int | None:
        return next((i for i, row in enumerate(self._tables.outbox) if row.event.event_id == event_id), None)

    def get(self, event_id: EventId) -> OutboxEntry | None:
        """Return a committed event and its delivery state."""
        with self._store.lock:
            index = self._index(event_id)
            return None if index is None else self._tables.outbox[index].entry()

    def undispatched(
        self, *, limit: int, occurred_before: datetime | None = None, after: EventId | None = None
    ) -> tuple[EventId, ...]:
        """Return the oldest undispatched events, in commit order (after the event `after`, if given)."""
        with self._store.lock:
            rows = self._tables.outbox
            if after is not None:
                index = self._index(after)
                rows = [] if index is None else rows[index + 1 :]  # as in SQL: nothing follows an unknown event
            rows = [
                r
                for r in rows
                if r.dispatched_at is None and (occurred_before is None or r.event.occurred_at < occurred_before)
            ]
        return tuple(r.event.event_id for r in rows[:limit])

    def mark_dispatched(self, event_id: EventId, *, at: datetime) -> None:
        """Record the first complete delivery."""
        with self._store.lock:
            index = self._index(event_id)
            if index is not None and self._tables.outbox[index].dispatched_at is None:
                self._tables.outbox[index] = evolve(self._tables.outbox[index], dispatched_at=at)

    def count_attempt(self, event_id: EventId) -> None:
        """Count one failed attempt."""
        with self._store.lock:
            index = self._index(event_id)
            if index is not None:
                row = self._tables.outbox[index]
                self._tables.outbox[index] = evolve(row, attempts=row.attempts + 1)

    def count_undispatched(self) -> int:
        """Count events not yet dispatched."""
        with self._store.lock:
            return sum(1 for r in self._tables.outbox if r.dispatched_at is None)

    def lock_for_sequencing(self) -> bool:
        """Take the sequencer's lock for this unit of work (released when it ends)."""
        if not self._holds_sequencer:
            self._holds_sequencer = self._tables.sequencer.acquire(blocking=False)
        return self._holds_sequencer

    def release(self) -> None:
        """Give the sequencer's lock back."""
        if self._holds_sequencer:
            self._tables.sequencer.release()
            self._holds_sequencer = False

    def last_position(self) -> int:
        """Return the highest position given so far."""
        with self._store.lock:
            return max((r.position for r in self._tables.outbox if r.position is not None), default=0)

    def unsequenced(self, limit: int) -> tuple[EventId, ...]:
        """Every committed event is settled here: commits are serialised."""
        with self._store.lock:
            return tuple(r.event.event_id for r in self._tables.outbox if r.position is None)[:limit]

    def assign_positions(self, positions: Sequence[tuple[EventId, int]]) -> None:
        """Give events their positions."""
        with self._store.lock:
            for event_id, position in positions:
                index = self._index(event_id)
                if index is not None:
                    self._tables.outbox[index] = evolve(self._tables.outbox[index], position=position)

    def after(self, position: int, limit: int) -> tuple[OutboxEntry, ...]:
        """Return sequenced events after a position, in position order."""
        with self._store.lock:
            rows = [r for r in self._tables.outbox if r.position is not None and r.position > position]
        rows.sort(key=lambda r: r.position or 0)
        return tuple(r.entry() for r in rows[:limit])
