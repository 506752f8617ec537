"""The queue's payer filter on every adapter: the primary payer as of the latest submit, and its backfill."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from attrs import evolve

from adapters.sqlalchemy.ivr_payers import SqlAlchemyPayerBackfill
from adapters.sqlalchemy.tables import ivrs
from ivr_domain.ivr.model import Ivr, IvrStatus, Priority
from ivr_domain.ivr.queue import QueueFilter, QueuePosition, QueueQuery
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.ids import PracticeId
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import Backend, UowFactory

ALL = Scope(everything=True)
STAFF = Scope(submitted_ivrs=True)
NOW = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
OPEN = frozenset({IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW, IvrStatus.INFO_REQUESTED, IvrStatus.PENDING_PRIOR_AUTH})
MEDICARE, AETNA = "00952", "60054"


def _patient_paying(practice_id: PracticeId, primary: str | None, secondary: str | None) -> Patient:
    """A patient whose primary insurance names `primary` and whose secondary names `secondary`."""
    first = builders.insurance(payer_id=primary)
    second = builders.insurance(rank=InsuranceRank.SECONDARY, payer_id=secondary, member_id="XYZ-9")
    return builders.patient(practice_id, insurances=(first, second))


def _store(uow: UowFactory) -> list[Ivr]:
    """Open IVRs of Medicare, Aetna and no-payer patients (a secondary never counts), plus a draft and a closed one."""
    practice = builders.practice()
    medicare = _patient_paying(practice.id, MEDICARE, AETNA)
    aetna = _patient_paying(practice.id, AETNA, MEDICARE)
    unnamed = _patient_paying(practice.id, None, MEDICARE)
    made: list[Ivr] = []
    for n, who in enumerate([medicare, aetna, unnamed] * 4):
        submitted = NOW - timedelta(hours=n * 5)
        made.append(
            builders.ivr(
                practice.id,
                who.id,
                status=sorted(OPEN)[n % len(OPEN)],
                content=builders.ivr_content(priority=Priority.URGENT if n % 5 == 0 else Priority.ROUTINE),
                patient_snapshot=builders.patient_snapshot(who),
                submitted_at=submitted,
                last_submitted_at=submitted,
            )
        )
    made.append(builders.ivr(practice.id, medicare.id, status=IvrStatus.DRAFT))
    made.append(
        builders.ivr(
            practice.id,
            medicare.id,
            status=IvrStatus.APPROVED,
            patient_snapshot=builders.patient_snapshot(medicare),
            submitted_at=NOW,
            last_submitted_at=NOW,
        )
    )
    with uow() as u:
        u.practices.add(practice)
        for who in (medicare, aetna, unnamed):
            u.patients.add(who)
        for ivr in made:
            u.ivrs.add(ivr)
        u.commit()
    return made


def _queue(uow: UowFactory, payer: str | None, *, limit: int = 2, scope: Scope = ALL) -> list[Ivr]:
    query = QueueQuery.of(QueueFilter(statuses=OPEN, payer_id=payer), NOW)
    seen: list[Ivr] = []
    cursor = None
    with uow() as u:
        while True:
            page = u.ivrs.queue(scope=scope, query=query, page=PageRequest(limit=limit, cursor=cursor))
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                return seen


def _expected(made: list[Ivr], payer: str) -> list[Ivr]:
    query = QueueQuery.of(QueueFilter(statuses=OPEN, payer_id=payer), NOW)
    return sorted((i for i in made if query.matches(i)), key=lambda i: QueuePosition.of(i).key())


@pytest.mark.parametrize("payer", [MEDICARE, AETNA])
def test_the_payer_filter_keeps_open_ivrs_whose_primary_insurance_names_the_payer(uow: UowFactory, payer: str) -> None:
    made = _store(uow)

    found = _queue(uow, payer, scope=STAFF)

    assert [i.id for i in found] == [i.id for i in _expected(made, payer)]
    assert len(found) == 4
    assert {i.payer_id for i in found} == {payer}
    # A secondary insurance of the same payer does not count, nor does a closed IVR or a draft.
    assert all(i.status in OPEN for i in found)


def test_an_unknown_payer_finds_nothing_and_no_filter_finds_every_open_ivr(uow: UowFactory) -> None:
    made = _store(uow)

    assert _queue(uow, "99999") == []
    assert len(_queue(uow, None, limit=50)) == sum(1 for i in made if i.status in OPEN)


def test_a_resubmit_with_a_new_primary_payer_moves_the_ivr_between_filters(uow: UowFactory) -> None:
    made = _store(uow)
    ivr = next(i for i in made if i.payer_id == MEDICARE and i.status is IvrStatus.INFO_REQUESTED)
    switched = _patient_paying(ivr.practice_id, AETNA, None)
    with uow() as u:
        resubmitted = evolve(
            ivr,
            status=IvrStatus.SUBMITTED,
            patient_snapshot=evolve(builders.patient_snapshot(switched), patient_id=ivr.patient_id),
            last_submitted_at=NOW - timedelta(minutes=1),
        )
        assert u.ivrs.save(resubmitted).unwrap().payer_id == AETNA
        u.commit()

    assert ivr.id not in {i.id for i in _queue(uow, MEDICARE)}
    assert ivr.id in {i.id for i in _queue(uow, AETNA)}


def test_the_backfill_fills_rows_written_before_the_column_existed(backend: Backend, uow: UowFactory) -> None:
    if backend.engine is None:
        pytest.skip("the memory store reads the payer from the snapshot itself: nothing to fill")
    made = _store(uow)
    with backend.engine.begin() as db:
        db.execute(sa.update(ivrs).values(payer_id=None))
    assert _queue(uow, MEDICARE) == []
    fill = SqlAlchemyPayerBackfill(backend.engine, cipher=backend.cipher)

    done = fill.run(batch_size=3)

    # Every submitted row was read (drafts never are); the no-payer ones stay null.
    submitted = [i for i in made if i.last_submitted_at is not None]
    assert done.examined == len(submitted)
    assert done.filled == sum(1 for i in submitted if i.payer_id is not None)
    assert fill.remaining() == sum(1 for i in submitted if i.payer_id is None)
    assert [i.id for i in _queue(uow, MEDICARE)] == [i.id for i in _expected(made, MEDICARE)]
    assert fill.run().filled == 0
