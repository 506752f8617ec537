"""The outbox and the handled-events ledger on every backend: kept with the change, dispatched, sequenced."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.events import ProcrastinateJobQueue
from adapters.sqlalchemy import SqlAlchemyUnitOfWork
from ivr_domain.identity.events import MemberAssigned, PasswordChanged, SessionRevokedForReuse
from ivr_domain.identity.model import AssignmentKind
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.dispatch import EventDispatcher, EventSequencer, ReplayResult, Subscription
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import AssignmentId, EventId, PracticeId, SessionId, UserId, new_id
from tests.contract.conftest import Backend, UowFactory

T0 = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)


def changed(n: int = 0) -> PasswordChanged:
    """Return an event `n` seconds after T0."""
    return PasswordChanged(occurred_at=T0 + timedelta(seconds=n), user_id=UserId(new_id()))


def record(uow: UowFactory, *events: DomainEvent) -> None:
    """Add events in one committed transaction."""
    with uow() as u:
        for event in events:
            u.outbox.add(event)
        u.commit()


def sequence(sequencer: EventSequencer, expected: int) -> int:
    """Sequence until `expected` events got positions, or a few seconds passed.

    On PostgreSQL the horizon is the cluster's oldest running transaction: another test run sharing the
    server may hold it back for a moment.
    """
    total, deadline = 0, time.monotonic() + 10
    while True:
        total += sequencer.sequence_all()
        if total >= expected or time.monotonic() > deadline:
            return total
        time.sleep(0.05)


def test_events_commit_with_their_transaction_and_read_back_whole(uow: UowFactory) -> None:
    assigned = MemberAssigned(
        occurred_at=T0,
        assignment_id=AssignmentId(new_id()),
        kind=AssignmentKind.DOCTOR_ASSIGNMENT,
        manager_id=UserId(new_id()),
        member_practice_id=PracticeId(new_id()),
    )
    revoked = SessionRevokedForReuse(occurred_at=T0, user_id=UserId(new_id()), session_id=SessionId(new_id()))
    record(uow, assigned, revoked)
    with uow() as u:
        u.outbox.add(changed())  # rolled back: never committed
    with uow() as u:
        records = u.outbox_records
        assert records.undispatched(limit=10) == (assigned.event_id, revoked.event_id)
        found = records.get(assigned.event_id)
        assert records.get(EventId(new_id())) is None
    assert found is not None
    assert (found.event, found.dispatched_at, found.attempts, found.position) == (assigned, None, 0, None)


def test_dispatch_state_attempts_and_the_age_filter(uow: UowFactory) -> None:
    old, new = changed(0), changed(60)
    record(uow, old, new)
    with uow() as u:
        u.outbox_records.count_attempt(old.event_id)
        u.outbox_records.mark_dispatched(new.event_id, at=T0)
        u.outbox_records.mark_dispatched(new.event_id, at=T0 + timedelta(hours=1))  # the first time is kept
        u.commit()
    with uow() as u:
        records = u.outbox_records
        assert records.undispatched(limit=10) == (old.event_id,)
        assert records.undispatched(limit=10, occurred_before=T0) == ()
        assert records.count_undispatched() == 1
        first, second = records.get(old.event_id), records.get(new.event_id)
    assert first is not None
    assert second is not None
    assert (first.attempts, second.dispatched_at) == (1, T0)


def test_the_sequencer_gives_dense_positions_in_commit_order(uow: UowFactory) -> None:
    events = [changed(n) for n in range(7)]
    for event in events:
        record(uow, event)
    sequencer = EventSequencer(uow=uow, batch=3)
    assert sequence(sequencer, 7) == 7
    assert sequencer.sequence_all() == 0
    record(uow, later := changed(9))
    assert sequence(sequencer, 1) == 1
    with uow() as u:
        ordered = u.outbox_records.after(0, 100)
        assert [e.event for e in u.outbox_records.after(7, 100)] == [later]
    assert [e.position for e in ordered] == list(range(1, 9))
    assert [e.event for e in ordered] == [*events, later]


def test_a_handler_claims_an_event_once_and_a_rolled_back_claim_is_free_again(uow: UowFactory) -> None:
    event_id = EventId(new_id())
    with uow() as u:
        assert u.processed_events.claim("h", event_id, at=T0)  # rolled back
    with uow() as u:
        assert u.processed_events.claim("h", event_id, at=T0)
        assert u.processed_events.claim("other", event_id, at=T0)
        u.commit()
    with uow() as u:
        assert not u.processed_events.claim("h", event_id, at=T0)


def test_the_dispatcher_marks_an_event_only_when_every_handler_took_it(uow: UowFactory) -> None:
    seen: list[DomainEvent] = []
    failing = {"on": True}

    def flaky(event: DomainEvent) -> None:
        if failing["on"]:
            raise RuntimeError("handler down")
        seen.append(event)

    clock = MovableClock(T0)
    dispatcher = EventDispatcher(
        uow=uow, subscriptions=(Subscription(event_types=(PasswordChanged,), handler=flaky),), clock=clock
    )
    record(uow, event := changed())
    with pytest.raises(RuntimeError):
        dispatcher.dispatch(event.event_id)
    assert dispatcher.replay().failed == 1
    failing["on"] = False
    clock.advance(timedelta(minutes=5))
    assert dispatcher.replay(older_than=timedelta(minutes=1)).dispatched == 1
    assert not dispatcher.dispatch(event.event_id)  # already dispatched: nothing runs again
    with uow() as u:
        entry = u.outbox_records.get(event.event_id)
    assert entry is not None
    assert (entry.attempts, entry.dispatched_at, seen) == (2, clock.now(), [event])


# SQLite has no try-lock: a second sequencer waits for the first one's commit (its busy timeout).
@pytest.mark.parametrize("backend", ["memory", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_second_sequencer_finds_the_lock_taken(backend: Backend) -> None:
    uow = backend.fresh()
    record(uow, changed())
    sequencer = EventSequencer(uow=uow)
    with uow() as holder:
        assert holder.outbox_records.lock_for_sequencing()
        busy = sequencer.sequence_batch()
    assert (busy.busy, busy.sequenced) == (True, 0)
    assert sequence(sequencer, 1) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_sequencing_waits_for_transactions_still_running(backend: Backend) -> None:
    uow = backend.fresh()
    sequencer = EventSequencer(uow=uow)
    slow, quick = changed(1), changed(2)
    with uow() as open_transaction:
        open_transaction.outbox.add(slow)
        record(uow, quick)  # committed after `slow` began, with a later transaction id
        assert sequencer.sequence_all() == 0  # nothing at or above a running transaction is settled
        open_transaction.commit()
    assert sequence(sequencer, 2) == 2
    with uow() as u:
        assert [e.event for e in u.outbox_records.after(0, 10)] == [slow, quick]


def _jobs_for(engine: sa.Engine, *events: DomainEvent) -> list[Any]:
    ids = [str(e.event_id) for e in events]
    with engine.connect() as db:
        rows = db.execute(
            sa.text("SELECT args->>'event_id' FROM procrastinate_jobs WHERE task_name = 'ivr.dispatch_event'")
        ).scalars()
        return sorted(r for r in rows if r in ids)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_dispatch_jobs_commit_and_roll_back_with_the_change(backend: Backend) -> None:
    backend.fresh()
    assert backend.engine is not None
    queue = ProcrastinateJobQueue()

    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            backend.engine,  # type: ignore[arg-type]
            cipher=backend.cipher,
            blind_index=backend.blind_index,
            enqueue=queue.enqueue,
        )

    kept, lost = changed(1), changed(2)
    record(uow, kept)
    with uow() as u:
        u.outbox.add(lost)
        u.rollback()  # the change, its outbox row and its job all vanish
        u.commit()  # committing afterwards commits nothing of it
    with uow() as u:
        u.outbox.add(lost)  # never committed: leaving the block rolls it back
    assert _jobs_for(backend.engine, kept, lost) == [str(kept.event_id)]
    with uow() as u:
        assert u.outbox_records.undispatched(limit=10) == (kept.event_id,)


def test_replay_all_delivers_the_whole_backlog_batch_after_batch(uow: UowFactory) -> None:
    seen: list[DomainEvent] = []
    subscription = Subscription(event_types=(PasswordChanged,), handler=seen.append)
    dispatcher = EventDispatcher(uow=uow, subscriptions=(subscription,), clock=MovableClock(T0))
    record(uow, *(changed(n) for n in range(7)))

    result = dispatcher.replay_all(limit=3)  # batches of 3, 3 and 1

    assert (result.dispatched, result.failed, len(seen)) == (7, 0, 7)
    with uow() as u:
        assert u.outbox_records.count_undispatched() == 0


def test_replay_all_passes_over_failing_events_to_the_backlog_behind_them(uow: UowFactory) -> None:
    events = [changed(n) for n in range(8)]
    failing = {e.event_id for e in events[:4]}  # more than a whole batch at the head of the backlog
    seen: list[DomainEvent] = []

    def flaky(event: DomainEvent) -> None:
        if event.event_id in failing:
            raise RuntimeError("handler down")
        seen.append(event)

    dispatcher = EventDispatcher(
        uow=uow, subscriptions=(Subscription(event_types=(PasswordChanged,), handler=flaky),), clock=MovableClock(T0)
    )
    record(uow, *events)

    result = dispatcher.replay_all(limit=3)  # batches of 3, 3 and 2, each after the last one's final event

    assert (result.dispatched, result.failed) == (4, 4)
    assert seen == events[4:]
    with uow() as u:
        assert u.outbox_records.count_undispatched() == 4
        assert all(entry is not None and entry.attempts == 1 for entry in map(u.outbox_records.get, failing))
    failing.clear()  # the handler is back: the next pass delivers what was left, and only that
    assert dispatcher.replay_all(limit=3) == ReplayResult(dispatched=4, failed=0)
    assert seen == events[4:] + events[:4]


def test_undispatched_pages_after_an_event(uow: UowFactory) -> None:
    events = [changed(n) for n in range(5)]
    record(uow, *events)
    ids = tuple(e.event_id for e in events)
    with uow() as u:
        u.outbox_records.mark_dispatched(ids[2], at=T0)  # a dispatched event still marks its place
        u.commit()
    with uow() as u:
        records = u.outbox_records
        assert records.undispatched(limit=2) == ids[:2]
        assert records.undispatched(limit=2, after=ids[1]) == (ids[3], ids[4])
        assert records.undispatched(limit=10, after=ids[2]) == (ids[3], ids[4])
        assert records.undispatched(limit=10, after=ids[4]) == ()
        assert records.undispatched(limit=10, after=EventId(new_id())) == ()
