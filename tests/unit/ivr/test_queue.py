"""The verification queue (order, age, SLA, filters, who may read it) and an admin's reassignment of the reviewer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from attrs import evolve
from returns.result import Result

from ivr_domain.ivr.events import IvrReviewerAssigned
from ivr_domain.ivr.model import Ivr, IvrStatus, Priority
from ivr_domain.ivr.queue import QueueFilter, QueueItem, SlaState, sla_state
from ivr_domain.ivr.use_cases import ActOnIvr, AssignReviewer, Cancel, RequestInfo, Resubmit, StartReview, Submit
from ivr_domain.notifications.model import NotificationKind, SubjectType
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import InvalidQuery, InvalidTransition, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import IvrId, UserId
from ivr_domain.shared.paging import Page, PageRequest
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, complete_ivr
from tests.unit.ivr.world import World

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def _submitted(world: World, *, urgent: bool = False) -> Ivr:
    """Create and submit an IVR, then move the clock a minute so the next one is younger."""
    body = complete_ivr(world.patient.id)
    if urgent:
        body = evolve(body, priority=Priority.URGENT)
    ivr = world.draft(body=body)
    value_of(world.act("doctor", ivr.id, Submit()))
    world.platform.clock.advance(MINUTE)
    return world.stored(ivr.id)


def _queue(
    world: World, who: str = "staff", filters: QueueFilter | None = None, page: PageRequest | None = None
) -> Result[Page[QueueItem], Any]:
    return world.platform.container.ivr_queue()(world.actors[who], filters or QueueFilter(), page or PageRequest())


def _ids(world: World, **filters: Any) -> list[IvrId]:
    items = value_of(_queue(world, filters=QueueFilter(**filters))).items
    return [item.shown.ivr.id for item in items]


def _assign(world: World, who: str, ivr_id: IvrId, reviewer: str, version: int | None = None) -> Result[Any, Any]:
    cmd = AssignReviewer(ivr_id=ivr_id, reviewer_id=world.users[reviewer].id, expected_version=version)
    return world.platform.container.assign_reviewer()(world.actors[who], cmd)


def test_urgent_comes_first_then_the_oldest_submit(world: World) -> None:
    old_routine = _submitted(world)
    old_urgent = _submitted(world, urgent=True)
    young_routine = _submitted(world)
    young_urgent = _submitted(world, urgent=True)

    assert _ids(world) == [old_urgent.id, young_urgent.id, old_routine.id, young_routine.id]


def test_a_resubmit_restarts_the_clock_and_moves_the_ivr_back(world: World) -> None:
    first = _submitted(world)
    second = _submitted(world)
    value_of(world.act("staff", first.id, StartReview()))
    info = world.platform.container.act_on_ivr()
    value_of(info(world.actors["staff"], ActOnIvr(ivr_id=first.id, action=RequestInfo(message="Wound photos"))))
    world.platform.clock.advance(MINUTE)
    value_of(world.act("doctor", first.id, Resubmit()))

    assert _ids(world) == [second.id, first.id]


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (timedelta(hours=23, minutes=59), SlaState.OK),
        (timedelta(hours=24), SlaState.DUE),
        (timedelta(hours=48), SlaState.DUE),
        (timedelta(hours=48, minutes=1), SlaState.OVERDUE),
    ],
)
def test_sla_state_on_a_moved_clock(world: World, waited: timedelta, expected: SlaState) -> None:
    ivr = _submitted(world)
    assert ivr.last_submitted_at == NOW
    world.platform.clock.advance(waited - MINUTE)  # _submitted already moved it a minute

    (item,) = value_of(_queue(world)).items

    assert (item.sla, item.age_hours) == (expected, int(waited / HOUR))
    assert sla_state(NOW, NOW + waited) is expected
    # The SLA filter, computed as a last_submitted_at range, agrees with the state shown.
    for state in SlaState:
        assert _ids(world, sla=state) == ([ivr.id] if state is expected else [])


def test_the_default_is_submitted_only_and_other_open_states_are_asked_for(world: World) -> None:
    waiting = _submitted(world)
    reviewed = _submitted(world)
    value_of(world.act("staff", reviewed.id, StartReview()))
    draft = world.draft()
    cancelled = _submitted(world)
    value_of(world.act("doctor", cancelled.id, Cancel()))

    assert _ids(world) == [waiting.id]
    assert _ids(world, statuses=frozenset({IvrStatus.IN_REVIEW})) == [reviewed.id]
    both = frozenset({IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW})
    assert _ids(world, statuses=both) == [waiting.id, reviewed.id]
    assert draft.id not in _ids(world, statuses=both)
    closed = _queue(world, filters=QueueFilter(statuses=frozenset({IvrStatus.CANCELLED})))
    assert isinstance(error_of(closed), InvalidQuery)


def test_filters_by_priority_and_reviewer(world: World) -> None:
    routine = _submitted(world)
    urgent = _submitted(world, urgent=True)
    value_of(world.act("staff", routine.id, StartReview()))
    value_of(world.act("other_staff", urgent.id, StartReview()))
    open_ = frozenset({IvrStatus.IN_REVIEW})

    assert _ids(world, statuses=open_, priority=Priority.URGENT) == [urgent.id]
    assert _ids(world, statuses=open_, reviewer_id=world.users["staff"].id) == [routine.id]


def test_pages_follow_the_order_and_a_bad_cursor_is_refused(world: World) -> None:
    made = [_submitted(world, urgent=n % 2 == 0).id for n in range(5)]
    expected = [*made[0::2], *made[1::2]]
    seen: list[IvrId] = []
    cursor = None
    while True:
        page = value_of(_queue(world, page=PageRequest(limit=2, cursor=cursor)))
        seen += [item.shown.ivr.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert isinstance(error_of(_queue(world, page=PageRequest(cursor="not-a-cursor"))), InvalidQuery)


@pytest.mark.parametrize("who", ["doctor", "sales", "logistics"])
def test_only_reviewers_read_the_queue_and_refusals_are_audited(world: World, who: str) -> None:
    _submitted(world)

    assert isinstance(error_of(_queue(world, who)), NotPermitted)
    last = world.audit_rows()[-1]
    assert (last.action, last.outcome, last.user_id) == ("ivrs.queue", Outcome.DENIED, world.users[who].id)


def test_the_queue_read_is_audited_with_every_patient_shown(world: World) -> None:
    _submitted(world)
    value_of(_queue(world, "admin"))

    last = world.audit_rows()[-1]
    assert (last.action, last.outcome, last.patient_ids) == ("ivrs.queue", Outcome.SUCCESS, (world.patient.id,))


def test_an_admin_reassigns_the_reviewer_with_history_audit_event_and_notification(world: World) -> None:
    ivr = _submitted(world)
    value_of(world.act("staff", ivr.id, StartReview()))
    before = world.stored(ivr.id)

    shown = value_of(_assign(world, "admin", ivr.id, "other_staff", version=before.version))

    after = world.stored(ivr.id)
    assert after.reviewer_id == world.users["other_staff"].id == shown.ivr.reviewer_id
    assert (after.status, after.version) == (IvrStatus.IN_REVIEW, before.version + 1)
    last = world.history(ivr.id)[-1]
    assert (last.trigger, last.from_status, last.to_status) == ("assign", IvrStatus.IN_REVIEW, IvrStatus.IN_REVIEW)
    (audit,) = [row for row in world.audit_rows() if row.action == "ivrs.assign"]
    assert (audit.action, audit.outcome, audit.changed_fields) == ("ivrs.assign", Outcome.SUCCESS, ("reviewer_id",))
    events = [r.event for r in world.store.events.outbox if isinstance(r.event, IvrReviewerAssigned)]
    assert [(e.ivr_id, e.reviewer_id, e.previous_reviewer_id) for e in events] == [
        (ivr.id, world.users["other_staff"].id, world.users["staff"].id)
    ]
    told = [
        n
        for n in world.store.events.notifications.values()
        if n.subject_type is SubjectType.IVR and n.kind is NotificationKind.IVR_ASSIGNED
    ]
    assert [(n.recipient_id, n.subject_id) for n in told] == [(world.users["other_staff"].id, ivr.id)]
    # The new reviewer now acts on the IVR; the old one only sees it.
    assert "approve" in value_of(world.get("other_staff", ivr.id)).allowed_actions
    assert "approve" not in value_of(world.get("staff", ivr.id)).allowed_actions


@pytest.mark.parametrize("who", ["staff", "doctor", "sales"])
def test_only_an_admin_reassigns(world: World, who: str) -> None:
    ivr = _submitted(world)

    assert isinstance(error_of(_assign(world, who, ivr.id, "other_staff")), NotPermitted)
    assert world.stored(ivr.id).reviewer_id is None
    last = world.audit_rows()[-1]
    assert (last.action, last.outcome) == ("ivrs.assign", Outcome.DENIED)


@pytest.mark.parametrize("reviewer", ["doctor", "sales", "logistics"])
def test_the_reviewer_must_be_verification_staff_or_admin(world: World, reviewer: str) -> None:
    ivr = _submitted(world)

    refused = error_of(_assign(world, "admin", ivr.id, reviewer))

    assert isinstance(refused, ValidationFailed)
    assert [e.field for e in refused.errors] == ["reviewer_id"]
    assert world.stored(ivr.id).reviewer_id is None


def test_an_admin_may_be_the_reviewer_and_an_unknown_user_may_not(world: World) -> None:
    ivr = _submitted(world)
    cmd = AssignReviewer(ivr_id=ivr.id, reviewer_id=UserId(ivr.id))
    unknown = world.platform.container.assign_reviewer()(world.actors["admin"], cmd)
    assert isinstance(error_of(unknown), ValidationFailed)

    value_of(_assign(world, "admin", ivr.id, "admin"))
    assert world.stored(ivr.id).reviewer_id == world.users["admin"].id


def test_a_closed_or_draft_ivr_cannot_be_reassigned(world: World) -> None:
    cancelled = _submitted(world)
    value_of(world.act("doctor", cancelled.id, Cancel()))
    draft = world.draft()

    for ivr_id in (cancelled.id, draft.id):
        assert isinstance(error_of(_assign(world, "admin", ivr_id, "staff")), InvalidTransition)
        assert world.stored(ivr_id).reviewer_id is None


def test_a_stale_version_is_refused(world: World) -> None:
    ivr = _submitted(world)

    refused = error_of(_assign(world, "admin", ivr.id, "staff", version=ivr.version - 1))

    assert isinstance(refused, PreconditionFailed)
    assert world.stored(ivr.id).reviewer_id is None


def test_reassigning_to_the_current_reviewer_is_refused_and_changes_nothing(world: World) -> None:
    ivr = _submitted(world)
    value_of(world.act("staff", ivr.id, StartReview()))
    before, history = world.stored(ivr.id), world.history(ivr.id)

    refused = error_of(_assign(world, "admin", ivr.id, "staff"))

    assert isinstance(refused, ValidationFailed)
    assert [(e.field, e.message) for e in refused.errors] == [("reviewer_id", "is already the reviewer of this IVR")]
    assert (world.stored(ivr.id), world.history(ivr.id)) == (before, history)
