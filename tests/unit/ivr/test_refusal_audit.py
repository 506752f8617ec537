"""Refusals on an IVR the caller can reach name its patient; out of reach, none; a body's patient is never trusted."""

from __future__ import annotations

import pytest
from attrs import evolve

from ivr_domain.ivr.use_cases import Approve, AssignReviewer, StartReview, Submit
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import InvalidTransition, NotFound, NotPermitted, PreconditionFailed
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World


def _last(world: World) -> tuple[str, Outcome, tuple[object, ...]]:
    row = world.audit_rows()[-1]
    return row.action, row.outcome, row.patient_ids


def test_a_trigger_refused_on_a_reachable_ivr_names_its_patient(world: World) -> None:
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))
    value_of(world.act("staff", ivr.id, StartReview()))
    approve = Approve(coverages=(covered(valid_until=NOW.date()),))

    assert isinstance(error_of(world.act("other_staff", ivr.id, approve)), NotPermitted)  # not the reviewer
    assert _last(world) == ("ivrs.approve", Outcome.DENIED, (world.patient.id,))
    assert isinstance(error_of(world.act("staff", ivr.id, StartReview())), InvalidTransition)  # already in review
    assert _last(world) == ("ivrs.start_review", Outcome.INVALID, (world.patient.id,))
    assert isinstance(error_of(world.act("staff", ivr.id, approve, expected_version=1)), PreconditionFailed)
    assert _last(world) == ("ivrs.approve", Outcome.INVALID, (world.patient.id,))


@pytest.mark.parametrize("who", ["stranger", "staff"])
def test_a_trigger_on_an_ivr_out_of_reach_names_no_patient(world: World, who: str) -> None:
    ivr = world.draft()  # never submitted: out of verification staff's reach too

    assert isinstance(error_of(world.act(who, ivr.id, Submit())), NotFound)
    assert _last(world) == ("ivrs.submit", Outcome.DENIED, ())


def test_reads_and_reassignment_refused_on_a_reachable_ivr_name_its_patient(world: World) -> None:
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))
    container = world.platform.container

    assert isinstance(error_of(world.get("logistics", ivr.id)), NotFound)  # logistics reaches no IVR
    assert _last(world) == ("ivrs.read", Outcome.DENIED, ())
    assign = AssignReviewer(ivr_id=ivr.id, reviewer_id=world.users["staff"].id)
    assert isinstance(error_of(container.assign_reviewer()(world.actors["staff"], assign)), NotPermitted)
    assert _last(world) == ("ivrs.assign", Outcome.DENIED, (world.patient.id,))


def test_an_update_refusal_names_the_ivr_s_patient_not_the_one_in_the_body(world: World) -> None:
    ivr = world.draft()
    elsewhere = world.platform.patient(world.users["stranger"].practice_id)
    body = complete_ivr(elsewhere.id)  # a patient the doctor cannot reach

    assert isinstance(error_of(world.update("doctor", ivr.id, body, expected_version=99)), PreconditionFailed)
    assert _last(world) == ("ivrs.update", Outcome.INVALID, (world.patient.id,))


def test_moving_an_ivr_to_another_patient_names_both(world: World) -> None:
    ivr = world.draft()
    sibling = world.platform.patient(world.users["doctor"].practice_id, first="Bea")

    value_of(world.update("doctor", ivr.id, evolve(complete_ivr(sibling.id))))

    action, outcome, patients = _last(world)
    assert (action, outcome) == ("ivrs.update", Outcome.SUCCESS)
    assert set(patients) == {world.patient.id, sibling.id}
