"""The lifecycle table itself, and API.md's reviewer-rule examples through the real handler."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest

from ivr_domain.ivr.lifecycle import FINAL_STATES, TRANSITIONS, Party, Trigger, triggers_from
from ivr_domain.ivr.model import Ivr, IvrStatus, RejectionReason
from ivr_domain.ivr.use_cases import (
    ActOnIvr,
    Approve,
    Cancel,
    Expire,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
)
from ivr_domain.ivr.use_cases.transitions import action_name
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.errors import InvalidTransition, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import IvrId
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import World

S = IvrStatus

# DOMAIN.md's table, written out again: slug → (from, to, who).
DOMAIN_TABLE = {
    "submit": ({S.DRAFT}, S.SUBMITTED, Party.PRACTICE),
    "start-review": ({S.SUBMITTED}, S.IN_REVIEW, Party.REVIEWER),
    "request-info": ({S.IN_REVIEW}, S.INFO_REQUESTED, Party.REVIEWER),
    "resubmit": ({S.INFO_REQUESTED}, S.SUBMITTED, Party.PRACTICE),
    "require-prior-auth": ({S.IN_REVIEW}, S.PENDING_PRIOR_AUTH, Party.REVIEWER),
    "approve": ({S.IN_REVIEW, S.PENDING_PRIOR_AUTH}, S.APPROVED, Party.REVIEWER),
    "reject": ({S.IN_REVIEW, S.PENDING_PRIOR_AUTH}, S.REJECTED, Party.REVIEWER),
    "cancel": ({S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED}, S.CANCELLED, Party.PRACTICE),
    "expire": ({S.APPROVED}, S.EXPIRED, Party.SYSTEM),
}


def test_the_table_is_domain_md_s() -> None:
    found = {t.value: (set(row.sources), row.target, row.party) for t, row in TRANSITIONS.items()}
    assert found == DOMAIN_TABLE


def test_every_status_is_reachable_from_draft() -> None:
    seen, queue = {S.DRAFT}, deque([S.DRAFT])
    while queue:
        status = queue.popleft()
        for row in TRANSITIONS.values():
            if status in row.sources and row.target not in seen:
                seen.add(row.target)
                queue.append(row.target)
    assert seen == set(IvrStatus)


def test_final_states_have_no_exits_and_the_others_do() -> None:
    assert {S.REJECTED, S.CANCELLED, S.EXPIRED} == FINAL_STATES
    for status in IvrStatus:
        exits = triggers_from(status)
        assert (exits == ()) is (status in FINAL_STATES), status
        assert all(status not in row.sources for row in TRANSITIONS.values()) is (status in FINAL_STATES)


def test_each_trigger_slug_is_in_the_table() -> None:
    assert {t.value for t in Trigger} == set(DOMAIN_TABLE)
    assert set(TRANSITIONS) == set(Trigger)


# -- API.md's examples of the order 404 → 403 → 409 → 422 and the reviewer rule ------------------------------------


def _submitted(world: World) -> IvrId:
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))
    return ivr.id


def _in_review(world: World, reviewer: str = "staff") -> IvrId:
    ivr_id = _submitted(world)
    value_of(world.act(reviewer, ivr_id, StartReview()))
    return ivr_id


def _approve() -> Approve:
    return Approve(coverages=(covered(valid_until=NOW.date() + timedelta(days=90)),))


LONG = "Plan policy excludes this product for DFU."
REVIEWER_ACTIONS: list[IvrAction] = [
    RequestInfo(message="Attach current wound measurements"),
    RequirePriorAuth(note="Plan requires PA"),
    _approve(),
    Reject(reason_code=RejectionReason.PRODUCT_NOT_COVERED, explanation=LONG),
]


def test_a_doctor_approving_their_own_draft_gets_403(world: World) -> None:
    ivr = world.draft()
    assert isinstance(error_of(world.act("doctor", ivr.id, _approve())), NotPermitted)


def test_an_admin_approving_a_draft_gets_409(world: World) -> None:
    ivr = world.draft()
    failure = error_of(world.act("admin", ivr.id, _approve()))
    assert isinstance(failure, InvalidTransition)
    assert failure.status == "draft"
    assert set(failure.allowed) == {"update", "submit", "cancel"}


def test_ivr_staff_approving_a_submitted_ivr_nobody_reviews_gets_409(world: World) -> None:
    ivr_id = _submitted(world)
    failure = error_of(world.act("staff", ivr_id, _approve()))
    assert isinstance(failure, InvalidTransition)
    assert failure.allowed == ("start-review",)


def test_ivr_staff_see_no_draft_that_was_never_submitted(world: World) -> None:
    ivr = world.draft()
    assert isinstance(error_of(world.act("staff", ivr.id, StartReview())), NotFound)
    assert isinstance(error_of(world.get("staff", ivr.id)), NotFound)


def test_any_ivr_staff_may_start_a_review_and_becomes_the_reviewer(world: World) -> None:
    ivr_id = _submitted(world)
    shown = value_of(world.act("other_staff", ivr_id, StartReview()))
    assert isinstance(shown.ivr, Ivr)
    assert shown.ivr.reviewer_id == world.actors["other_staff"].user_id
    assert set(shown.allowed_actions) == {"request-info", "require-prior-auth", "approve", "reject"}


@pytest.mark.parametrize("action", REVIEWER_ACTIONS, ids=lambda a: a.trigger.value)
def test_ivr_staff_other_than_the_reviewer_get_403_whatever_the_action(world: World, action: IvrAction) -> None:
    ivr_id = _in_review(world, "staff")
    failure = error_of(world.act("other_staff", ivr_id, action))
    assert failure == NotPermitted(action=action_name(action.trigger), detail=failure.detail)
    # They still see it, with nothing to do.
    assert value_of(world.get("other_staff", ivr_id)).allowed_actions == ()
    assert world.stored(ivr_id).status is S.IN_REVIEW


def test_the_other_ivr_staff_gets_403_even_where_the_state_would_refuse(world: World) -> None:
    ivr_id = _in_review(world, "staff")
    value_of(world.act("staff", ivr_id, RequestInfo(message="Attach current wound measurements")))
    # info_requested: no reviewer action leads from here, but 403 (role) comes before 409 (state).
    assert isinstance(error_of(world.act("other_staff", ivr_id, _approve())), NotPermitted)
    assert isinstance(error_of(world.act("staff", ivr_id, _approve())), InvalidTransition)


def test_the_reviewer_rejecting_with_a_short_explanation_gets_422(world: World) -> None:
    ivr_id = _in_review(world)
    failure = error_of(world.act("staff", ivr_id, Reject(reason_code=RejectionReason.OTHER, explanation="too short")))
    assert isinstance(failure, ValidationFailed)
    assert [e.field for e in failure.errors] == ["explanation"]


def test_a_stranger_gets_404_before_anything_else(world: World) -> None:
    ivr = world.draft()
    for who in ("stranger", "logistics"):
        assert isinstance(error_of(world.act(who, ivr.id, _approve())), NotFound)
        assert isinstance(error_of(world.act(who, ivr.id, Submit())), NotFound)


def test_the_reviewer_is_kept_through_request_info_and_resubmit(world: World) -> None:
    ivr_id = _in_review(world, "staff")
    value_of(world.act("staff", ivr_id, RequestInfo(message="Attach current wound measurements")))
    value_of(world.act("doctor", ivr_id, Resubmit()))
    assert world.stored(ivr_id).reviewer_id == world.actors["staff"].user_id
    # Submitted again, with a reviewer: only they (or an admin) may take it back into review.
    assert isinstance(error_of(world.act("other_staff", ivr_id, StartReview())), NotPermitted)
    assert value_of(world.get("other_staff", ivr_id)).allowed_actions == ()
    value_of(world.act("staff", ivr_id, StartReview()))
    assert world.stored(ivr_id).reviewer_id == world.actors["staff"].user_id


def test_an_admin_may_act_on_an_ivr_with_a_reviewer_and_does_not_take_it_over(world: World) -> None:
    ivr_id = _in_review(world, "staff")
    value_of(world.act("staff", ivr_id, RequestInfo(message="Attach current wound measurements")))
    value_of(world.act("doctor", ivr_id, Resubmit()))
    value_of(world.act("admin", ivr_id, StartReview()))
    assert world.stored(ivr_id).reviewer_id == world.actors["staff"].user_id
    shown = value_of(world.act("admin", ivr_id, _approve()))
    assert shown.ivr.status is S.APPROVED


def test_an_admin_starting_a_review_becomes_the_reviewer(world: World) -> None:
    ivr_id = _submitted(world)
    value_of(world.act("admin", ivr_id, StartReview()))
    assert world.stored(ivr_id).reviewer_id == world.actors["admin"].user_id
    assert isinstance(error_of(world.act("staff", ivr_id, _approve())), NotPermitted)


def test_the_practice_cancels_but_review_staff_cannot(world: World) -> None:
    ivr_id = _submitted(world)
    assert isinstance(error_of(world.act("staff", ivr_id, Cancel())), NotPermitted)
    assert isinstance(error_of(world.act("sales", ivr_id, Cancel())), NotPermitted)
    assert value_of(world.act("doctor", ivr_id, Cancel())).ivr.status is S.CANCELLED
    assert isinstance(error_of(world.act("doctor", ivr_id, Cancel())), InvalidTransition)


def test_only_the_platform_expires_and_only_a_lapsed_approval(world: World) -> None:
    ivr_id = _in_review(world)
    value_of(world.act("staff", ivr_id, _approve()))
    assert isinstance(error_of(world.act("admin", ivr_id, Expire())), NotPermitted)
    expire = world.platform.container.act_on_ivr()
    early = error_of(expire(SYSTEM_ACTOR, ActOnIvr(ivr_id=ivr_id, action=Expire())))
    assert isinstance(early, InvalidTransition)
    world.platform.clock.advance(timedelta(days=91))
    assert value_of(expire(SYSTEM_ACTOR, ActOnIvr(ivr_id=ivr_id, action=Expire()))).ivr.status is S.EXPIRED
    # Expired is final: nothing leads anywhere from it.
    assert isinstance(error_of(world.act("admin", ivr_id, _approve())), InvalidTransition)
