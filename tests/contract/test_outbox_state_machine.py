"""Events are never lost and never notify twice, whatever fails between commit and dispatch, step after random step.

Events are committed (or rolled back), dispatched one by one as the after-commit path does, and replayed in small
batches, while the notification handler is up, down (it fails before doing anything), or "crashing" (it stores its
notifications and then fails before the dispatcher can mark the event, as a worker killed mid-batch does). The model
knows which events committed, which handler runs completed and which events were marked; every step checks the outbox
and the notifications against it, and once the handler is up again one replay must deliver all that is left.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ivr_domain.identity.events import PasswordChanged, SessionRevokedForReuse
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.notifications.use_cases import DeliverNotificationsHandler
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.dispatch import EventDispatcher, Subscription
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import EventId, SessionId, new_id
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from tests.contract import builders
from tests.contract.conftest import Backend

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RECIPIENTS = 3


class Handler(Enum):
    """How the notification handler behaves on its next runs."""

    UP = "up"
    DOWN = "down"  # fails before storing anything
    CRASHING = "crashing"  # stores its notifications, then fails before the event is marked dispatched


class HandlerDown(RuntimeError):
    """The handler failed, as configured."""


def _machine(backend: Backend) -> type[RuleBasedStateMachine]:
    class Outbox(RuleBasedStateMachine):
        events = Bundle("events")

        def __init__(self) -> None:
            super().__init__()
            self.uow = backend.fresh()
            self.clock = MovableClock(T0)
            self.users = [builders.user() for _ in range(RECIPIENTS)]
            with self.uow() as u:
                for user in self.users:
                    u.users.add(user)
                u.commit()
            self.deliver = DeliverNotificationsHandler(
                uow=self.uow, clock=self.clock, audit=AuditTrail(uow=self.uow, clock=self.clock)
            )
            self.handler = Handler.UP
            subscription = Subscription(event_types=(PasswordChanged, SessionRevokedForReuse), handler=self._handle)
            self.dispatcher = EventDispatcher(uow=self.uow, subscriptions=(subscription,), clock=self.clock)
            self.committed: list[EventId] = []
            self.handled: set[EventId] = set()  # the handler ran to the end: its notification is stored
            self.marked: set[EventId] = set()

        def _handle(self, event: DomainEvent) -> None:
            if self.handler is Handler.DOWN:
                raise HandlerDown(event.event_id)
            self.deliver(event)
            self.handled.add(event.event_id)
            if self.handler is Handler.CRASHING:
                raise HandlerDown(event.event_id)

        def _event(self, recipient: int, revoked: bool) -> DomainEvent:
            self.clock.advance(timedelta(seconds=1))
            user_id = self.users[recipient].id
            if revoked:
                return SessionRevokedForReuse(
                    occurred_at=self.clock.now(), user_id=user_id, session_id=SessionId(new_id())
                )
            return PasswordChanged(occurred_at=self.clock.now(), user_id=user_id)

        @rule(
            target=events,
            kinds=st.lists(st.tuples(st.integers(0, RECIPIENTS - 1), st.booleans()), min_size=1, max_size=4),
        )
        def commit(self, kinds: list[tuple[int, bool]]) -> MultipleResults[EventId]:
            added = [self._event(recipient, revoked) for recipient, revoked in kinds]
            with self.uow() as u:
                for event in added:
                    u.outbox.add(event)
                u.commit()
            ids = [e.event_id for e in added]
            self.committed.extend(ids)
            return multiple(*ids)

        @rule(recipient=st.integers(0, RECIPIENTS - 1))
        def roll_back(self, recipient: int) -> None:
            with self.uow() as u:
                u.outbox.add(self._event(recipient, revoked=False))  # leaving the block without a commit

        @rule(handler=st.sampled_from(Handler))
        def handler_becomes(self, handler: Handler) -> None:
            self.handler = handler

        @rule(event_id=events)
        def dispatch(self, event_id: EventId) -> None:
            already = event_id in self.marked
            try:
                delivered = self.dispatcher.dispatch(event_id)
            except HandlerDown:
                assert not already
                assert self.handler is not Handler.UP
                return
            assert delivered is not already  # a second dispatch of a marked event does nothing
            assert self.handler is Handler.UP or already
            self.marked.add(event_id)

        @rule(limit=st.integers(1, 4))
        def replay(self, limit: int) -> None:
            result = self.dispatcher.replay_all(limit=limit)
            pending = [e for e in self.committed if e not in self.marked]
            if self.handler is Handler.UP:
                assert (result.dispatched, result.failed) == (len(pending), 0)
                self.marked.update(pending)
            else:
                assert (result.dispatched, result.failed) == (0, len(pending))

        @invariant()
        def the_outbox_holds_what_committed(self) -> None:
            with self.uow() as u:
                records = u.outbox_records
                assert records.count_undispatched() == len(self.committed) - len(self.marked)
                for event_id in self.committed:
                    entry = records.get(event_id)
                    assert entry is not None
                    assert (entry.dispatched_at is not None) == (event_id in self.marked)

        @invariant()
        def one_notification_per_handled_event(self) -> None:
            with self.uow() as u:
                told = [
                    n.event_id
                    for user in self.users
                    for n in u.notifications.list(
                        user.id, filters=NotificationFilter(), page=PageRequest(limit=MAX_LIMIT)
                    ).items
                ]
            assert sorted(map(str, told)) == sorted(map(str, self.handled))

        def teardown(self) -> None:
            # The handler recovers: one replay delivers everything left, and nothing is told twice.
            self.handler = Handler.UP
            self.dispatcher.replay_all(limit=2)
            self.marked.update(self.committed)
            self.the_outbox_holds_what_committed()
            self.one_notification_per_handled_event()
            assert self.handled == set(self.committed)

    return Outbox


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgresql"], indirect=True)
def test_no_event_is_lost_or_notified_twice(backend: Backend) -> None:
    run_state_machine_as_test(
        _machine(backend),
        settings=settings(
            max_examples=20, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
