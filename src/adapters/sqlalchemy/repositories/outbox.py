"""The outbox in SQL: events inserted in the change's transaction, dispatch state, and the sequencer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Row, Text, bindparam, cast, func, insert, select, text, update

from adapters.sqlalchemy.event_codec import EventCodec
from adapters.sqlalchemy.repositories.common import insert_unless_conflict
from adapters.sqlalchemy.tables import outbox, outbox_sequencer, processed_events
from ivr_domain.shared.dispatch import OutboxEntry
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import EventId

# Any constant works; it only has to be the same for every sequencer of one database (and not the sealer's).
_SEQUENCER_LOCK = 7_403_117_002

# Built once: building an insert per event cost more than executing it. PostgreSQL also records the writing
# transaction's id, which the sequencer orders committed events by.
_INSERT = insert(outbox).values(attempts=0)
_INSERT_POSTGRES = _INSERT.values(xact_id=cast(cast(func.pg_current_xact_id(), Text), BigInteger))


class SqlAlchemyOutbox:
    """Inserts events in the unit of work's transaction and remembers which, for the commit's hooks."""

    def __init__(self, connection: Connection, codec: EventCodec) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection
        self._codec = codec
        self.pending: list[EventId] = []

    def add(self, event: DomainEvent) -> None:
        """Insert the event's row; it commits or rolls back with the change."""
        name, payload = self._codec.encode(event)
        values = {"id": event.event_id, "name": name, "payload": payload, "occurred_at": event.occurred_at}
        self._db.execute(_INSERT_POSTGRES if self._db.dialect.name == "postgresql" else _INSERT, values)
        self.pending.append(event.event_id)


class SqlAlchemyOutboxRecords:
    """Dispatch state and sequencing over committed outbox rows."""

    def __init__(self, connection: Connection, codec: EventCodec) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection
        self._codec = codec
        self._postgres = connection.dialect.name == "postgresql"

    def _entry(self, row: Row[Any]) -> OutboxEntry:
        m = row._mapping
        return OutboxEntry(
            event=self._codec.decode(m["name"], m["payload"]),
            dispatched_at=m["dispatched_at"],
            attempts=m["attempts"],
            position=m["position"],
        )

    def get(self, event_id: EventId) -> OutboxEntry | None:
        """Return a committed event and its delivery state."""
        row = self._db.execute(select(outbox).where(outbox.c.id == event_id)).first()
        return None if row is None else self._entry(row)

    def undispatched(
        self, *, limit: int, occurred_before: datetime | None = None, after: EventId | None = None
    ) -> tuple[EventId, ...]:
        """Return the oldest undispatched events, in insertion order (after the event `after`, if given)."""
        stmt = select(outbox.c.id).where(outbox.c.dispatched_at.is_(None))
        if occurred_before is not None:
            stmt = stmt.where(outbox.c.occurred_at < occurred_before)
        if after is not None:
            stmt = stmt.where(outbox.c.seq > select(outbox.c.seq).where(outbox.c.id == after).scalar_subquery())
        return tuple(EventId(r) for r in self._db.execute(stmt.order_by(outbox.c.seq).limit(limit)).scalars())

    def mark_dispatched(self, event_id: EventId, *, at: datetime) -> None:
        """Record the first complete delivery."""
        self._db.execute(
            update(outbox).where(outbox.c.id == event_id, outbox.c.dispatched_at.is_(None)).values(dispatched_at=at)
        )

    def count_attempt(self, event_id: EventId) -> None:
        """Count one failed attempt."""
        self._db.execute(update(outbox).where(outbox.c.id == event_id).values(attempts=outbox.c.attempts + 1))

    def count_undispatched(self) -> int:
        """Count events not yet dispatched."""
        stmt = select(func.count()).select_from(outbox).where(outbox.c.dispatched_at.is_(None))
        return int(self._db.execute(stmt).scalar_one())

    def lock_for_sequencing(self) -> bool:
        """Take the sequencer's lock until the transaction ends (SQLite waits for it, PostgreSQL tries once)."""
        if self._postgres:
            return bool(self._db.execute(select(func.pg_try_advisory_xact_lock(_SEQUENCER_LOCK))).scalar_one())
        stmt = update(outbox_sequencer).where(outbox_sequencer.c.id == 1).values(sequenced_at=func.current_timestamp())
        self._db.execute(stmt)
        return True

    def last_position(self) -> int:
        """Return the highest position given so far."""
        return int(self._db.execute(select(func.coalesce(func.max(outbox.c.position), 0))).scalar_one())

    def unsequenced(self, limit: int) -> tuple[EventId, ...]:
        """Rows without a position in commit order; on PostgreSQL only those older than every running transaction."""
        stmt = select(outbox.c.id).where(outbox.c.position.is_(None))
        if self._postgres:
            horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            stmt = stmt.where(outbox.c.xact_id < horizon).order_by(outbox.c.xact_id, outbox.c.seq)
        else:
            stmt = stmt.order_by(outbox.c.seq)
        return tuple(EventId(r) for r in self._db.execute(stmt.limit(limit)).scalars())

    def assign_positions(self, positions: Sequence[tuple[EventId, int]]) -> None:
        """Give events their positions."""
        if not positions:
            return
        stmt = (
            update(outbox)
            .where(outbox.c.id == bindparam("event_id"), outbox.c.position.is_(None))
            .values(position=bindparam("new_position"))
        )
        self._db.execute(stmt, [{"event_id": e, "new_position": p} for e, p in positions])

    def after(self, position: int, limit: int) -> tuple[OutboxEntry, ...]:
        """Return sequenced events after a position, in position order."""
        stmt = select(outbox).where(outbox.c.position > position).order_by(outbox.c.position).limit(limit)
        return tuple(self._entry(row) for row in self._db.execute(stmt))


class SqlAlchemyProcessedEvents:
    """The handled-events ledger; a concurrent claim of the same pair waits for the first one's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the handler's transaction."""
        self._db = connection

    def claim(self, handler: str, event_id: EventId, *, at: datetime) -> bool:
        """Insert the pair unless it exists."""
        return insert_unless_conflict(
            self._db, processed_events, {"handler": handler, "event_id": event_id, "processed_at": at}
        )
