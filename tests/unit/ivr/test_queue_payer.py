"""The queue's payer: the primary insurance's payer id of the latest snapshot, as a filter of the queue."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr_domain.ivr.model import InsuranceSnapshot, Ivr, IvrContent, IvrStatus, PatientSnapshot
from ivr_domain.ivr.queue import QueueFilter, QueueQuery
from ivr_domain.ivr.use_cases import Submit
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import InvalidQuery
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.paging import PageRequest
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW
from tests.unit.ivr.world import World

PAYERS = st.one_of(st.none(), st.sampled_from(["00952", "60054", "87726"]))
PATIENT = PatientId(UUID(int=1))
PRACTICE = PracticeId(UUID(int=2))


def _snapshot(insurances: list[tuple[InsuranceRank, str | None]]) -> PatientSnapshot:
    return PatientSnapshot(
        patient_id=PATIENT,
        practice_id=PRACTICE,
        first_name="Ada",
        last_name="Sample",
        date_of_birth=date(1950, 3, 14),
        sex="female",
        insurances=tuple(
            InsuranceSnapshot(
                rank=rank,
                payer_name="Payer",
                member_id="M1",
                plan_type=PlanType.COMMERCIAL,
                subscriber_relationship="self",
                payer_id=payer,
            )
            for rank, payer in insurances
        ),
    )


@given(
    insurances=st.lists(st.tuples(st.sampled_from(list(InsuranceRank)), PAYERS), max_size=3, unique_by=lambda i: i[0]),
    wanted=st.sampled_from(["00952", "60054", "87726"]),
)
def test_the_payer_is_the_primary_insurances_and_the_filter_matches_exactly_it(
    insurances: list[tuple[InsuranceRank, str | None]], wanted: str
) -> None:
    primary = next((payer for rank, payer in insurances if rank is InsuranceRank.PRIMARY), None)
    submitted = Ivr(
        id=IvrId(UUID(int=3)),
        reference="IVR-2026-000001",
        practice_id=PRACTICE,
        patient_id=PATIENT,
        patient_initials="AS",
        status=IvrStatus.SUBMITTED,
        content=IvrContent(),
        created_by=UserId(UUID(int=4)),
        created_at=NOW,
        updated_at=NOW,
        last_submitted_at=NOW,
        patient_snapshot=_snapshot(insurances),
    )

    assert submitted.payer_id == primary
    query = QueueQuery.of(QueueFilter(payer_id=wanted), NOW)
    assert query.matches(submitted) is (primary == wanted)


def test_a_draft_has_no_payer_until_its_submit_snapshots_the_patient(world: World) -> None:
    ivr = world.draft()
    assert ivr.payer_id is None

    value_of(world.act("doctor", ivr.id, Submit()))

    assert world.stored(ivr.id).payer_id == world.patient.insurances[0].payer_id


@pytest.mark.parametrize("payer", ["", " 00952", "00952 ", "x" * 51])
def test_a_malformed_payer_is_refused_and_the_refusal_audited(world: World, payer: str) -> None:
    queue = world.platform.container.ivr_queue()

    refused = error_of(queue(world.actors["staff"], QueueFilter(payer_id=payer), PageRequest()))

    assert isinstance(refused, InvalidQuery)
    assert refused.parameter == "payer_id"
    last = world.audit_rows()[-1]
    assert (last.action, last.outcome) == ("ivrs.queue", Outcome.INVALID)
