"""Delivering outbox events to their handlers at least once, and giving committed events their order.

Delivery is at least once: a handler may see an event again (a retry, a replay after a crash), so every
handler is idempotent, keyed by the event id (`ProcessedEvents`). An event is marked dispatched only after
every handler has taken it; a failure leaves it for the next retry or replay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol

from attrs import frozen

from ivr_domain.shared.clock import Clock
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import EventId

OUTBOX_BATCH = 500


@frozen(kw_only=True)
class OutboxEntry:
    """A stored event and how far its delivery has come."""

    event: DomainEvent
    dispatched_at: datetime | None = None
    attempts: int = 0
    position: int | None = None


class OutboxRecords(Protocol):
    """The committed outbox, for dispatchers, replays and the sequencer."""

    def get(self, event_id: EventId) -> OutboxEntry | None:
        """Return a committed event and its delivery state."""
        ...

    def undispatched(
        self, *, limit: int, occurred_before: datetime | None = None, after: EventId | None = None
    ) -> tuple[EventId, ...]:
        """Return the oldest events not yet dispatched, in insertion order: only those older than `occurred_before`
        and inserted after the event `after`, when given (a replay pages through the backlog that way)."""
        ...

    def mark_dispatched(self, event_id: EventId, *, at: datetime) -> None:
        """Record that every handler has taken the event (the first time only)."""
        ...

    def count_attempt(self, event_id: EventId) -> None:
        """Count one failed delivery attempt."""
        ...

    def count_undispatched(self) -> int:
        """Count the events not yet dispatched: what an operator watches."""
        ...

    def lock_for_sequencing(self) -> bool:
        """Take the sequencer's lock until the transaction ends; False when another sequencer holds it."""
        ...

    def last_position(self) -> int:
        """Return the highest position given so far (0 when none)."""
        ...

    def unsequenced(self, limit: int) -> tuple[EventId, ...]:
        """Return events without a position in commit order, only those no running transaction can precede."""
        ...

    def assign_positions(self, positions: Sequence[tuple[EventId, int]]) -> None:
        """Give events their positions."""
        ...

    def after(self, position: int, limit: int) -> tuple[OutboxEntry, ...]:
        """Return sequenced events after a position, in position order (catch-up for live channels)."""
        ...


class ProcessedEvents(Protocol):
    """Which handler has already taken which event: written in the handler's own transaction."""

    def claim(self, handler: str, event_id: EventId, *, at: datetime) -> bool:
        """Record that the handler takes the event; False when it already has (then it must do nothing)."""
        ...


class OutboxUnitOfWork(Protocol):
    """The transaction a dispatcher or sequencer works in."""

    outbox_records: OutboxRecords

    def __enter__(self) -> OutboxUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


@frozen(kw_only=True)
class Subscription:
    """A handler and the event types it reacts to; the handler must be idempotent by event id."""

    event_types: tuple[type[DomainEvent], ...]
    handler: Callable[[DomainEvent], object]


@frozen(kw_only=True)
class ReplayResult:
    """What one replay pass did."""

    dispatched: int
    failed: int


@frozen(kw_only=True)
class EventDispatcher:
    """Hands one committed event to every subscribed handler, then marks it dispatched."""

    uow: Callable[[], OutboxUnitOfWork]
    subscriptions: tuple[Subscription, ...]
    clock: Clock

    def dispatch(self, event_id: EventId) -> bool:
        """Deliver an event; False when it is unknown or already dispatched. A handler's exception propagates."""
        with self.uow() as uow:
            entry = uow.outbox_records.get(event_id)
        if entry is None or entry.dispatched_at is not None:
            return False
        try:
            for subscription in self.subscriptions:
                if isinstance(entry.event, subscription.event_types):
                    subscription.handler(entry.event)
        except Exception:
            with self.uow() as uow:
                uow.outbox_records.count_attempt(event_id)
                uow.commit()
            raise
        with self.uow() as uow:
            uow.outbox_records.mark_dispatched(event_id, at=self.clock.now())
            uow.commit()
        return True

    def replay(self, *, older_than: timedelta = timedelta(0), limit: int = OUTBOX_BATCH) -> ReplayResult:
        """Deliver one batch of events left undispatched (a crash, a lost job), oldest first."""
        with self.uow() as uow:
            pending = uow.outbox_records.undispatched(limit=limit, occurred_before=self._cutoff(older_than))
        return self._deliver(pending)

    def replay_all(self, *, older_than: timedelta = timedelta(0), limit: int = OUTBOX_BATCH) -> ReplayResult:
        """Deliver the whole backlog once, batch after batch in insertion order.

        Each batch starts after the last event of the one before, so events that keep failing (their attempts are
        counted) never hide the ones behind them: they are tried again on the next pass.
        """
        before = self._cutoff(older_than)
        dispatched = failed = 0
        after: EventId | None = None
        while True:
            with self.uow() as uow:
                pending = uow.outbox_records.undispatched(limit=limit, occurred_before=before, after=after)
            step = self._deliver(pending)
            dispatched, failed = dispatched + step.dispatched, failed + step.failed
            if len(pending) < limit:
                return ReplayResult(dispatched=dispatched, failed=failed)
            after = pending[-1]

    def _cutoff(self, older_than: timedelta) -> datetime | None:
        return self.clock.now() - older_than if older_than > timedelta(0) else None

    def _deliver(self, pending: tuple[EventId, ...]) -> ReplayResult:
        dispatched = failed = 0
        for event_id in pending:
            try:
                dispatched += int(self.dispatch(event_id))
            except Exception:  # one failing event must not hold back the others; its attempt is counted
                failed += 1
        return ReplayResult(dispatched=dispatched, failed=failed)


@frozen(kw_only=True)
class SequenceResult:
    """What one sequencing pass did."""

    sequenced: int
    busy: bool = False


@frozen(kw_only=True)
class EventSequencer:
    """Gives committed events dense positions in commit order, one sequencer at a time.

    Insertion ids are handed out before commit, so a late commit could land behind a reader's position;
    positions are given only to events no running transaction can precede, so nothing is skipped.
    """

    uow: Callable[[], OutboxUnitOfWork]
    batch: int = OUTBOX_BATCH

    def sequence_batch(self) -> SequenceResult:
        """Sequence at most one batch; `busy` when another sequencer holds the lock."""
        with self.uow() as uow:
            records = uow.outbox_records
            if not records.lock_for_sequencing():
                return SequenceResult(sequenced=0, busy=True)
            pending = records.unsequenced(self.batch)
            start = records.last_position()
            records.assign_positions([(event_id, start + i) for i, event_id in enumerate(pending, 1)])
            uow.commit()
        return SequenceResult(sequenced=len(pending))

    def sequence_all(self) -> int:
        """Sequence batches until nothing settled is left; return how many events got a position."""
        total = 0
        while True:
            result = self.sequence_batch()
            total += result.sequenced
            if result.busy or result.sequenced < self.batch:
                return total
