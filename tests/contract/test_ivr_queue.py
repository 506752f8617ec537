"""The verification queue and the reviewer check, identical on every adapter: order, filters, SLA bounds, paging."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from attrs import evolve

from ivr_domain.ivr.model import Ivr, IvrStatus, Priority
from ivr_domain.ivr.queue import QueueFilter, QueuePosition, QueueQuery, SlaState
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.ids import IvrId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import UowFactory

ALL = Scope(everything=True)
STAFF = Scope(submitted_ivrs=True)
NOW = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
OPEN = frozenset({IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW, IvrStatus.INFO_REQUESTED, IvrStatus.PENDING_PRIOR_AUTH})


def _ivrs(uow: UowFactory) -> tuple[list[Ivr], UserId]:
    """Store open IVRs of both priorities at many ages (ties on the instant included), plus closed and drafts."""
    practice = builders.practice()
    patient = builders.patient(practice.id)
    reviewer = builders.user(role=Role.IVR_STAFF)
    rng = random.Random(7)
    made: list[Ivr] = []
    for n in range(14):
        # Every third pair shares its instant, so the id breaks the tie.
        submitted = NOW - timedelta(hours=rng.choice([1, 23, 24, 30, 48, 49, 72]), minutes=(n // 3) * 3)
        made.append(
            builders.ivr(
                practice.id,
                patient.id,
                status=rng.choice(sorted(OPEN)),
                content=builders.ivr_content(priority=rng.choice([Priority.URGENT, Priority.ROUTINE])),
                reviewer_id=reviewer.id if n % 3 == 0 else None,
                submitted_at=submitted - timedelta(days=1),
                last_submitted_at=submitted,
            )
        )
    made.append(builders.ivr(practice.id, patient.id, status=IvrStatus.DRAFT))
    made.append(
        builders.ivr(practice.id, patient.id, status=IvrStatus.APPROVED, submitted_at=NOW, last_submitted_at=NOW)
    )
    with uow() as u:
        u.practices.add(practice)
        u.patients.add(patient)
        u.users.add(reviewer)
        for ivr in made:
            u.ivrs.add(ivr)
        u.commit()
    return made, reviewer.id


def _expected(made: list[Ivr], query: QueueQuery) -> list[IvrId]:
    return [i.id for i in sorted((i for i in made if query.matches(i)), key=lambda i: QueuePosition.of(i).key())]


def _walk(uow: UowFactory, query: QueueQuery, limit: int, scope: Scope = ALL) -> list[IvrId]:
    seen: list[IvrId] = []
    cursor = None
    with uow() as u:
        while True:
            page = u.ivrs.queue(scope=scope, query=query, page=PageRequest(limit=limit, cursor=cursor))
            seen += [i.id for i in page.items]
            assert len(page.items) <= limit
            cursor = page.next_cursor
            if cursor is None:
                return seen


@pytest.mark.parametrize("limit", [1, 3, 200])
def test_queue_order_and_paging(uow: UowFactory, limit: int) -> None:
    made, _ = _ivrs(uow)
    query = QueueQuery.of(QueueFilter(statuses=OPEN), NOW)

    walked = _walk(uow, query, limit)

    assert walked == _expected(made, query)
    assert len(walked) == 14
    # Urgent first: no routine IVR comes before an urgent one.
    priorities = [next(i for i in made if i.id == ivr_id).priority for ivr_id in walked]
    assert priorities == sorted(priorities, key=lambda p: p is Priority.ROUTINE)


@pytest.mark.parametrize("sla", list(SlaState))
def test_queue_sla_filter_is_a_last_submitted_range(uow: UowFactory, sla: SlaState) -> None:
    made, _ = _ivrs(uow)
    query = QueueQuery.of(QueueFilter(statuses=OPEN, sla=sla), NOW)

    walked = _walk(uow, query, 2)

    assert walked == _expected(made, query)
    assert walked, "every state has IVRs in this fixture"


def test_queue_filters_status_priority_reviewer_and_scope(uow: UowFactory) -> None:
    made, reviewer = _ivrs(uow)
    for f in (
        QueueFilter(),
        QueueFilter(statuses=frozenset({IvrStatus.IN_REVIEW, IvrStatus.PENDING_PRIOR_AUTH})),
        QueueFilter(statuses=OPEN, priority=Priority.URGENT),
        QueueFilter(statuses=OPEN, reviewer_id=reviewer),
    ):
        query = QueueQuery.of(f, NOW)
        assert _walk(uow, query, 4, scope=STAFF) == _expected(made, query)
    assert _walk(uow, QueueQuery.of(QueueFilter(statuses=OPEN), NOW), 50, scope=Scope()) == []


def test_a_queue_cursor_continues_after_its_row_while_rows_are_added(uow: UowFactory) -> None:
    made, _ = _ivrs(uow)
    query = QueueQuery.of(QueueFilter(statuses=OPEN), NOW)
    with uow() as u:
        first = u.ivrs.queue(scope=ALL, query=query, page=PageRequest(limit=5))
    last = first.items[-1]
    newcomer = evolve(made[0], id=IvrId(new_id()), reference="IVR-2025-999999", last_submitted_at=NOW)
    with uow() as u:
        u.ivrs.add(newcomer)
        u.commit()
        assert first.next_cursor is not None
        rest = u.ivrs.queue(scope=ALL, query=query, page=PageRequest(limit=50, cursor=first.next_cursor))
    expected = _expected([*made, newcomer], query)
    assert [i.id for i in rest.items] == expected[expected.index(last.id) + 1 :]


def test_a_malformed_queue_cursor_is_refused(uow: UowFactory) -> None:
    with uow() as u, pytest.raises(ValueError, match="cursor"):
        u.ivrs.queue(scope=ALL, query=QueueQuery.of(QueueFilter(), NOW), page=PageRequest(cursor="nonsense"))


def test_is_reviewer_means_active_staff_or_admin(uow: UowFactory) -> None:
    people = {
        "staff": builders.user(role=Role.IVR_STAFF),
        "admin": builders.user(role=Role.ADMIN),
        "inactive": builders.user(role=Role.IVR_STAFF, active=False),
        "doctor": builders.user(role=Role.DOCTOR),
        "sales": builders.user(role=Role.SALESPERSON),
    }
    with uow() as u:
        for user in people.values():
            u.users.add(user)
        u.commit()
    with uow() as u:
        found = {name for name, user in people.items() if u.ivr_audience.is_reviewer(user.id)}
        assert found == {"staff", "admin"}
        assert not u.ivr_audience.is_reviewer(UserId(new_id()))
