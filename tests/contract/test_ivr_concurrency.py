"""IVRs under real concurrency on PostgreSQL: the version check decides a race, references never repeat."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import pytest
from returns.result import Failure, Success

from adapters.sqlalchemy import SqlAlchemyUnitOfWork
from ivr_domain.identity.permissions import ROLE_DEFAULTS
from ivr_domain.ivr.events import IvrStatusChanged
from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.ivr.use_cases import ActOnIvr, ActOnIvrHandler, Approve
from ivr_domain.shared.actor import Actor, Role, Scope
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrId
from ivr_domain.shared.insurance import InsuranceRank
from tests.contract import builders
from tests.contract.conftest import Backend

ALL = Scope(everything=True)
RACERS = 20
PG = [pytest.param("postgresql", marks=pytest.mark.postgres)]


class _ReadsTogether:
    """An IvrRepository whose reads wait until every racer has read: all then hold the same version."""

    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def get(self, ivr_id: IvrId, *, scope: Scope) -> Ivr | None:
        found: Ivr | None = self._inner.get(ivr_id, scope=scope)
        self._barrier.wait(timeout=30)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _RacingUnitOfWork(SqlAlchemyUnitOfWork):
    """The real SQL unit of work, its IVR reads synchronised across threads."""

    def __init__(self, backend: Backend, barrier: threading.Barrier) -> None:
        assert backend.engine is not None
        super().__init__(backend.engine, cipher=backend.cipher, blind_index=backend.blind_index)
        self._barrier = barrier

    def __enter__(self) -> Self:
        super().__enter__()
        self.ivrs = _ReadsTogether(self.ivrs, self._barrier)
        return self


def _in_review(backend: Backend, clock: MovableClock) -> tuple[Ivr, Actor]:
    """An IVR in review by a verification staff member, and that reviewer as an actor."""
    uow = backend.fresh()
    practice = builders.practice()
    patient = builders.patient(practice.id)
    reviewer = builders.user(role=Role.IVR_STAFF)
    now = clock.now()
    ivr = builders.ivr(
        practice.id,
        patient.id,
        status=IvrStatus.IN_REVIEW,
        reviewer_id=reviewer.id,
        patient_snapshot=builders.patient_snapshot(patient),
        submitted_at=now,
        last_submitted_at=now,
        created_at=now - timedelta(days=1),
    )
    with uow() as u:
        u.practices.add(practice)
        u.patients.add(patient)
        u.users.add(reviewer)
        u.ivrs.add(ivr)
        u.commit()
    actor = Actor(
        user_id=reviewer.id,
        role=Role.IVR_STAFF,
        permissions=ROLE_DEFAULTS[Role.IVR_STAFF],
        scope=Scope(user_ids=frozenset({reviewer.id}), submitted_ivrs=True),
    )
    return ivr, actor


def _race(calls: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(calls, range(RACERS)))


@pytest.mark.parametrize("backend", PG, indirect=True)
def test_twenty_approvals_of_one_version_one_wins_the_rest_conflict(backend: Backend) -> None:
    clock = MovableClock(datetime.now(UTC))
    ivr, actor = _in_review(backend, clock)
    assert backend.engine is not None
    engine, cipher, index = backend.engine, backend.cipher, backend.blind_index

    def plain_uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(engine, cipher=cipher, blind_index=index)

    barrier = threading.Barrier(RACERS)
    handler = ActOnIvrHandler(
        uow=lambda: _RacingUnitOfWork(backend, barrier), clock=clock, audit=AuditTrail(uow=plain_uow, clock=clock)
    )
    valid = clock.today() + timedelta(days=90)
    coverages = tuple(
        builders.coverage(insurance_rank=rank, valid_until=valid)
        for rank in (InsuranceRank.PRIMARY, InsuranceRank.SECONDARY)
    )
    command = ActOnIvr(ivr_id=ivr.id, action=Approve(coverages=coverages))

    results = _race(lambda _: handler(actor, command))

    won = [r for r in results if isinstance(r, Success)]
    lost = [r.failure() for r in results if isinstance(r, Failure)]
    assert len(won) == 1
    assert len(lost) == RACERS - 1
    assert all(isinstance(error, Conflict) and error.id == str(ivr.id) for error in lost), lost
    with plain_uow() as u:
        stored = u.ivrs.get(ivr.id, scope=ALL)
        assert stored is not None
        assert (stored.status, stored.version, stored.coverages) == (IvrStatus.APPROVED, ivr.version + 1, coverages)
        history = u.ivr_history.of(ivr.id)
        assert [(h.from_status, h.to_status, h.trigger) for h in history] == [
            (IvrStatus.IN_REVIEW, IvrStatus.APPROVED, "approve")
        ]
        events = [u.outbox_records.get(e) for e in u.outbox_records.undispatched(limit=100)]
        changes = [e.event for e in events if e is not None and isinstance(e.event, IvrStatusChanged)]
        assert [(c.ivr_id, c.to_status) for c in changes] == [(ivr.id, "approved")]


@pytest.mark.parametrize("backend", PG, indirect=True)
def test_twenty_concurrent_references_are_distinct(backend: Backend) -> None:
    uow = backend.fresh()
    barrier = threading.Barrier(RACERS)

    def take(_: int) -> str:
        with uow() as u:
            barrier.wait(timeout=30)
            reference = u.ivrs.next_reference(2026)
            u.commit()
            return reference

    references = _race(take)

    assert sorted(references) == [f"IVR-2026-{n:06d}" for n in range(1, RACERS + 1)]
